"""What the trained mail classifier reads: one mail as a bag of weighted features.

Shared by training (bot/mail/train.py) and run time (bot/mail/model.py) so both see exactly the
same features. Self-contained on purpose (its own folding, no import of knowledge/): a change in the
answering engine's text handling must not silently change what a shipped model reads.

A mail gives several pieces of text, each with a weight: the subject, what the sender wrote now, the
forwarded content (a forward's content *is* the mail), the text of PDF attachments, and the quoted
history of a reply, which weighs less. Each piece gives words, word pairs and character 3- and
4-grams inside words (so "harcèlement", "harceler" and "harcelé" share features, and so do French
and English forms such as "évacuation"/"evacuation"); the subject's words count once more under
their own prefix. A few facts about the mail (a reply, a forward, a PDF, a student's address, a
mailing) are features too. Counts are summed with their weights and dampened as log(1 + count).
"""

import math
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from itertools import pairwise

from bot.mail.message import Mail

# Weights of the pieces of a mail.
SUBJECT_WEIGHT = 1.0
BODY_WEIGHT = 1.0
FORWARDED_WEIGHT = 1.0
DOCUMENT_WEIGHT = 0.8
QUOTED_WEIGHT = 0.3  # a reply's history: the topic it continues, not what is said now
# Bounds: the start of each piece says what it is about, and the cost stays under a millisecond.
MAX_CHARS = {"subject": 300, "body": 3000, "forwarded": 3000, "documents": 2000, "quoted": 1000}
CHAR_NGRAMS = (3, 4)

_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?|[€$£?!@%]")
_REPLY = re.compile(r"^\s*((re|aw|sv|rep|ref)\s*:\s*)+", re.IGNORECASE)
_FORWARD = re.compile(r"^\s*((tr|fwd?|transf|wg)\s*:\s*)+", re.IGNORECASE)
_STUDENT_DOMAIN = re.compile(r"(^|[.@])(etu|etud|etudiant|student|students|edu)[.-]")
_UNIVERSITY_DOMAIN = re.compile(r"(^|[.@-])(univ|universite|university|sorbonne|pantheon)\b|\.edu$|\.ac\.")
_FREE_MAIL = re.compile(
    r"@(gmail|googlemail|yahoo|hotmail|outlook|live|icloud|me|orange|free|laposte|sfr|wanadoo|proton|protonmail)\."
)


def fold(text: str) -> str:
    """Lower case, accents dropped, ligatures opened; apostrophes and hyphens as spaces."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("'", " ").replace("\u2019", " ").replace("-", " ").replace("_", " ")


def words(text: str) -> list[str]:
    """The folded words of a text (numbers and a few signs kept)."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=65536)
def _char_grams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1))


def _add_text(bag: dict[str, float], text: str, weight: float, *, prefix: str = "") -> None:
    tokens = words(text)
    for token in tokens:
        bag[f"{prefix}w:{token}"] += weight
    for first, second in pairwise(tokens):
        bag[f"{prefix}b:{first} {second}"] += weight
    if prefix:  # the subject's char n-grams are counted once, with the body's
        return
    counts: dict[str, int] = defaultdict(int)
    for token in tokens:
        if token.isalpha() and len(token) > 2:
            counts[token] += 1
    for token, count in counts.items():
        for gram in _char_grams(token):
            bag[f"c:{gram}"] += weight * count


def pieces(mail: Mail) -> dict[str, str]:
    """The pieces of text the classifier reads, by name (empty ones left out)."""
    subject = _FORWARD.sub("", _REPLY.sub("", mail.subject))
    out = {"subject": subject, "body": mail.body}
    if mail.quoted:
        out["forwarded" if mail.forwarded else "quoted"] = mail.quoted
    if mail.documents:
        out["documents"] = mail.documents
    return {name: text[: MAX_CHARS[name]] for name, text in out.items() if text.strip()}


WEIGHTS = {
    "subject": SUBJECT_WEIGHT,
    "body": BODY_WEIGHT,
    "forwarded": FORWARDED_WEIGHT,
    "documents": DOCUMENT_WEIGHT,
    "quoted": QUOTED_WEIGHT,
}


def facts(mail: Mail) -> list[str]:
    """Facts about a mail that are not words: its shape and its sender."""
    found = []
    if _REPLY.match(mail.subject):
        found.append("m:reply")
    if mail.forwarded:
        found.append("m:forward")
    if mail.documents:
        found.append("m:pdf_text")
    if mail.attachments:
        found.append("m:attachment")
    if mail.automatic is not None:
        found.append("m:automatic")
    domain = mail.sender.partition("@")[2]
    if _STUDENT_DOMAIN.search("." + domain):
        found.append("m:student_address")
    elif _UNIVERSITY_DOMAIN.search(domain):
        found.append("m:university_address")
    elif _FREE_MAIL.search(mail.sender):
        found.append("m:personal_address")
    else:
        found.append("m:organisation_address")
    size = len(mail.body.split())
    found.append("m:short" if size < 25 else "m:long" if size > 200 else "m:medium")
    return found


def featurize(mail: Mail) -> dict[str, float]:
    """The mail as {feature: log(1 + weighted count)}."""
    bag: dict[str, float] = defaultdict(float)
    texts = pieces(mail)
    for name, text in texts.items():
        _add_text(bag, text, WEIGHTS[name])
    if "subject" in texts:
        _add_text(bag, texts["subject"], SUBJECT_WEIGHT, prefix="s")
    for fact in facts(mail):
        bag[fact] += 1.0
    return {feature: math.log1p(value) for feature, value in bag.items()}


# Words that weigh in the model (who writes, how) but tell an officer nothing in the reasons.
_FUNCTION_WORDS = frozenset(
    """a au aux avec ce ces cette c ca d dans de des du elle en est et etre il ils j je l la le les leur lui m ma
    mais me mes mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses si son sur t ta te tes toi ton
    tu un une vos votre vous y bonjour merci cordialement bien the a an and are as at be but by for from has have
    i in is it its me my of on or our so that the this to was we were will with you your hello hi dear thanks
    regards best ai avons ont suis sommes sont fait faire tres plus aussi tout tous""".split()  # noqa: SIM905 - a word list reads better as text
)


def telling(feature: str) -> bool:
    """Whether a feature means something to a reader (not a fragment, not a lone function word)."""
    kind, _, value = feature.partition(":")
    if kind == "c":
        return False
    if kind in {"w", "sw"}:
        return len(value) > 2 and value not in _FUNCTION_WORDS
    if kind in {"b", "sb"}:
        return not all(w in _FUNCTION_WORDS or len(w) < 2 for w in value.split())
    return True


def describe(feature: str) -> str:
    """A feature as an officer reads it in the reasons."""
    kind, _, value = feature.partition(":")
    labels = {
        "w": "mot",
        "b": "expression",
        "sw": "mot de l'objet",
        "sb": "expression de l'objet",
        "c": "fragment",
    }
    if kind == "m":
        return {
            "m:reply": "réponse à un fil",
            "m:forward": "transfert",
            "m:pdf_text": "texte d'un PDF joint",
            "m:attachment": "pièce jointe",
            "m:automatic": "envoi automatique",
            "m:student_address": "adresse étudiante",
            "m:university_address": "adresse universitaire",
            "m:personal_address": "adresse personnelle",
            "m:organisation_address": "adresse d'organisation",
            "m:short": "mail court",
            "m:long": "mail long",
            "m:medium": "mail de longueur moyenne",
        }.get(feature, feature)
    return f"{labels.get(kind, kind)} « {value.strip()} »"
