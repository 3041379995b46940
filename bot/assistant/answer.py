"""The assistant's one entry point: a question in, a typed, sourced answer (or an honest refusal) out.

A question is read for everything it asks:
- a student's own situation with a yes/no question ("10 semaines à 600 € par mois, ça passe ?"):
  the facts are read with the offer check's extraction and judged by ``rules.verdicts``;
- a calculation whose inputs it carries (``bot.assistant.intents``);
- the knowledge base, in bands: "sure" answers, "likely" answers with the best entry and offers the
  next ones ("Vouliez-vous dire…"), below that an honest refusal naming the programme's office;
- each part of a question that asks two things ("c'est combien de temps minimum et c'est payé ?").
A year named in the question ("la gratif en 2025") picks the figures in force that year.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial
from typing import Any, Literal

from bot.assistant.intents import find_dates, route
from bot.citations import as_json as source_json
from bot.citations import cite, titles_in
from bot.offers.extract import situation_facts
from bot.parsing import MONTHS
from knowledge.base import load
from knowledge.cache import cached
from knowledge.entry_model import EntryModel, Opinion, digest, shipped
from knowledge.figures import render
from knowledge.model import ALL, Entry
from knowledge.search import Hit, Index
from knowledge.text import fold
from rules.programmes import Programme
from rules.sources import Source
from rules.verdicts import Verdict, summary, verdicts

# Calibrated with bench/qa.py on held-out phrasings and out-of-scope questions (bench/README.md).
SURE = 0.63
LIKELY = 0.55
THRESHOLD = LIKELY  # below this, a refusal (without the second opinion)
# With the second opinion (knowledge.entry_model, trained on the phrasings and the former blind
# batches), calibrated on those batches each asked of a model trained without it (bench/README.md):
# - an entry both read in the question is answered from a search score of AGREED, or whatever the
#   score when the classifier gives it AGREED_PROBABILITY;
# - the classifier's entry is answered against the search's from PICK_PROBABILITY;
# - the search's entry against the classifier's from SEARCH_ALONE if the classifier does not rule it
#   out, and from SEARCH_CERTAIN (a phrasing met nearly word for word) whatever the classifier reads;
# - a question the classifier reads as out of scope (OUT_OF_SCOPE_BAR) is refused unless the search
#   is that certain.
AGREED = 0.47
AGREED_PROBABILITY = 0.1
PICK_PROBABILITY = 0.35
SEARCH_ALONE = 0.7
SEARCH_ALONE_PROBABILITY = 0.05
SEARCH_CERTAIN = 0.8
OUT_OF_SCOPE_BAR = 0.5
# What an answer leaves out of the question is searched again (_rest): at least this many words, this sure.
REST_WORDS = 2
# A message of this many words or more is also read sentence by sentence (_focused).
FOCUS_LONG_WORDS = 25
FOCUS_MIN_WORDS = 4
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
REST_BAR = LIKELY
CONTEXT_MARGIN = 0.1
MAX_QUESTION_CHARS = 2000  # a question is read up to here; the rest is noise or an attack
REFUSAL = (
    "Je ne sais pas répondre à cette question avec les guides dont je dispose. "
    "Reformulez-la, ou écrivez au bureau des stages de votre formation"
)
ENGLISH_NOTE = "(Answer in French, from the official guide.)"

# What an answer is: drawn from the knowledge base, a verdict of the rules on the student's own
# situation, a calculator's result, an honest refusal, or a sentence about unreadable input. The
# mailbox only ever mails the first three, and only when the band is "sure".
AnswerKind = Literal["knowledge", "verdict", "calculator", "refusal", "input_error"]
Band = Literal["sure", "likely", "none"]

# A yes/no question about the student's own case: "c'est ok ?", "ça passe ?", "je dois être payé ?".
_ASKS_VERDICT = re.compile(
    r"\b(ok|okay|bon|passe|rentre|compte|possible|autoris\w*|accept\w*|legal\w*|valid\w*|droit|permis|normal"
    r"|suffi\w*|assez|obligatoire|gratifie\w*|paye\w*|payer|dois|doit|allowed|fine|enough|can i|must"
    r"|peux|peut|pourrai\w*|mini|minimum|ca fait bien|legit)\b"
)
_STAGE_CONTEXT = re.compile(
    r"\b(stages?|internships?|alternan\w*|apprenti\w*|missions?|sujets?|conventions?|stagiaires?)\b"
)
_SUBJECT_CODES = frozenset({"remote_only", "not_development", "independent_host"})
# What the asking sentences of a message name, by the verdicts that answer it. A verdict is kept when
# its dimension is named, or when none is ("c'est ok ?"); a wh-question that names none ("je dois
# enregistrer ma convention combien de temps avant ?") asks for no verdict. The figures of the
# situation ("3 semaines", "35h") are context, not what is asked: they are taken out first.
_ASKED = {
    "end": re.compile(
        r"\b(fin|finir|finis\w*|termin\w*|jusqu\w*|limite|depass\w*|prolong\w*|tard|end|ends|finish\w*|until|extend\w*)\b"
    ),
    "length": re.compile(
        r"\b(long|longue|duree|dure|assez|suffi\w*|minimum|mini|minimal\w*|maximum|max|court\w*|enough|length|short\w*)\b"
    ),
    "pay": re.compile(
        r"\b(pay\w*|paid|gratif\w*|remuner\w*|salaire\w*|argent|montant|sous|smic|minimum|salary|stipend|money"
        r"|verse\w*|touch\w*)\b|€"
    ),
    "hours": re.compile(
        r"\b(heures?|horaires?|journees?|soir\w*|week.?ends?|repos|pause|temps de travail|hours?|overtime|break"
        r"|travaill\w*|bosser)\b"
    ),
    "subject": re.compile(
        r"\b(sujets?|missions?|teletravail|remote|distanciel|freelance|auto.?entrepreneur|independant\w*|subject|topic|domaine|poste)\b"
    ),
}
_DIMENSION = {
    "end_date": "end",
    "duration": "length",
    "maximum": "length",
    "too_short": "length",
    "gratification": "pay",
    "below_minimum_pay": "pay",
    "daily": "hours",
    "weekly": "hours",
    "break": "hours",
    "remote_only": "subject",
    "not_development": "subject",
    "independent_host": "subject",
}
_MONTHS = "|".join(sorted(MONTHS, key=len, reverse=True))
_QUANTITY = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:h\b|heures?|hours?|semaines?|weeks?|mois|months?|jours?|days?|€|euros?|eur\b)?"
    r"(?:\s*(?:de l.?|par|per|a|an|/)\s*(?:heure|hour|h|jour|day|semaine|week|mois|month)\b)?"
    rf"|\b(?:\d{{1,2}}(?:er)?|fin|debut|mi)[\s-]+(?:{_MONTHS})\b"
)
_WH = re.compile(
    r"\b(combien|quand|comment|pourquoi|quel\w*|quoi|a qui|what|when|where|how|which|who|why)\b"
    r"|\bou (?:est|sont|faut|dois|doit|trouver)\b|\bou\s*\?"
)
_YEAR = re.compile(r"\b(20[12]\d)\b")
_PART_SPLIT = re.compile(
    r"\?+\s*|\s+(?:et|and|puis|aussi)\s+(?=(?:c\s?est|cest|combien|cb|quand|est ce|est-ce|je dois|faut|il faut"
    r"|ou|qui|comment|quel\w*|what|when|how|is it|do i|pourquoi|on|y a)\b)"
)
_ENGLISH = re.compile(r"\b(the|is|my|what|how|can|do|does|when|where|who|which|should|internship|i)\b")
_FRENCH = re.compile(r"\b(le|la|les|est|je|mon|ma|du|des)\b")


@dataclass(frozen=True)
class Answer:
    """What ``stagebot ask --json`` prints."""

    answered: bool
    answer: str
    entry_id: str | None
    score: float
    sources: list[Source] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    nearest: list[tuple[str, float]] = field(default_factory=list)  # entry ids and scores, best first
    kind: AnswerKind = "knowledge"
    band: Band = "sure"  # "likely": answered with the best entry, the next ones offered

    def as_json(self) -> dict[str, Any]:
        """The contract's object."""
        return {
            "answered": self.answered,
            "answer": self.answer,
            "entry_id": self.entry_id,
            "score": round(self.score, 3),
            "sources": [source_json(s) for s in self.sources],
            "suggestions": self.suggestions,
            "kind": self.kind,
            "band": self.band,
        }

    def as_text(self) -> str:
        """For people: the answer and where it comes from."""
        lines = [titles_in(self.answer)]
        if self.answered and self.sources and "Sources :" not in self.answer:
            lines.append("Source : " + " ; ".join(cite(s) for s in self.sources))
        if self.suggestions:
            lead = "Vouliez-vous dire : " if self.answered else "Questions proches : "
            lines.append(lead + " | ".join(self.suggestions))
        return "\n".join(lines)


@cache
def _engine() -> tuple[Index, EntryModel | None]:
    """The search index over the packaged base and the entry classifier trained from it (None when the
    base changed since): built once, then read from the start-up cache (knowledge.cache)."""

    def build() -> tuple[Index, EntryModel | None]:
        entries = load().entries
        return Index(entries), shipped(digest(entries))

    return cached("engine", build)


def index() -> Index:
    """The search index over the packaged knowledge base (built once per process)."""
    return _engine()[0]


def second_opinion() -> EntryModel | None:
    """The entry classifier trained from this knowledge base, or None when the base changed since."""
    return _engine()[1]


def _opinion(text: str, programme: str, search: Index, model: EntryModel | None) -> Opinion | None:
    """What the classifier reads in the question, among the programme's entries (None: no model)."""
    if model is None:
        return None
    return model.read(text, search.applicable_ids(programme))


Reading = Callable[[], Opinion | None]  # the classifier's reading of the question, computed when first asked


def _refusal_suggestions(hits: list[Hit], opinion: Opinion | None, search: Index) -> list[str]:
    """What a refusal offers instead: the classifier's reading first, then the nearest entries."""
    entries = [h.entry for h in hits[:3]]
    if opinion is not None and opinion.entry_id is not None:
        entries = [search.entry(opinion.entry_id), *(e for e in entries if e.id != opinion.entry_id)][:3]
    return [e.questions[0] for e in entries]


def _on(folded: str, today: date) -> date:
    """The day whose figures apply: a year named in the question, else today."""
    years = {int(y) for y in _YEAR.findall(folded)}
    if len(years) != 1:
        return today
    year = years.pop()
    if year == today.year:
        return today
    return date(year, 12, 31) if year < today.year else date(year, 1, 1)


def _parts(text: str) -> list[str]:
    """The questions a message asks, when it asks several."""
    pieces = [p.strip(" ,;.!") for p in _PART_SPLIT.split(text) if p and p.strip(" ,;.!")]
    return [p for p in pieces if len(p.split()) >= 3] or [text]


def _office(programme: Programme) -> str:
    contacts = programme.contacts
    return f" ({contacts[0].email})" if contacts else ""


@dataclass
class _Draft:
    """The pieces of an answer as they are found, in the order they will be shown."""

    pieces: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    kind: AnswerKind = "knowledge"
    entry_id: str | None = None
    score: float = 0.0
    band: Band = "sure"
    suggestions: list[str] = field(default_factory=list)
    opinion: Opinion | None = None  # what the classifier read, when it was asked

    def add(self, text: str, sources: list[Source]) -> None:
        self.pieces.append(text)
        self.sources.extend(sources)


def _situation(
    draft: _Draft, text: str, folded: str, programme: Programme, today: date, on: date, calc_id: str | None
) -> None:
    """Verdicts of the rules when the student describes their case and asks whether it is allowed."""
    if not _ASKS_VERDICT.search(folded):
        return
    situation = situation_facts(text, find_dates(folded, today))
    found = verdicts(situation, programme, situation.start or on)
    if not _STAGE_CONTEXT.search(folded):
        # "taux de TVA d'un auto-entrepreneur" is not a question about a stage's host or subject.
        found = [v for v in found if v.code not in _SUBJECT_CODES]
    if calc_id == "calc/gratification":
        found = [v for v in found if v.code != "gratification"]  # the calculator says it, month by month
    found = _asked(found, folded)
    if found:
        draft.kind, draft.entry_id, draft.score = "verdict", "verdict/situation", 1.0
        draft.add(summary(found), [s for v in found for s in v.sources])


def _choose(hits: list[Hit], opinion: Opinion | None, search: Index) -> tuple[Entry, float] | None:
    """The entry a question asked alone is answered with, and its score; None: refuse."""
    best = hits[0] if hits else None
    if opinion is None:  # no classifier (a base edited since its training): the search alone
        return (best.entry, best.score) if best is not None and best.score >= LIKELY else None
    if opinion.out_of_scope >= OUT_OF_SCOPE_BAR and (best is None or best.score < SEARCH_CERTAIN):
        return None
    if best is not None and opinion.entry_id == best.entry.id:
        if best.score >= AGREED or opinion.probability >= AGREED_PROBABILITY:
            return best.entry, best.score
        return None
    scores = {h.entry.id: h.score for h in hits}
    if (
        best is not None
        and opinion.entry_id is not None
        and ALL in search.entry(opinion.entry_id).programmes
        and ALL not in best.entry.programmes
        and best.score >= max(scores.get(opinion.entry_id, 0.0), LIKELY)
    ):
        # The programme's own rule matches as well as the law's the classifier read: the programme's
        # rule applies to its students (Lille's 5 months, not the law's 6).
        return best.entry, best.score
    if opinion.entry_id is not None and opinion.probability >= PICK_PROBABILITY:
        return search.entry(opinion.entry_id), scores.get(opinion.entry_id, opinion.probability)
    if best is not None and (
        best.score >= SEARCH_CERTAIN
        or (best.score >= SEARCH_ALONE and opinion.of(best.entry.id) >= SEARCH_ALONE_PROBABILITY)
    ):
        return best.entry, best.score
    return None


def _asked(found: list[Verdict], folded: str) -> list[Verdict]:
    """The verdicts on what the message asks (see _ASKED)."""
    sentences = [x for x in _SENTENCE.split(folded) if x.strip()]
    asking = " ".join(x for x in sentences if "?" in x) or (sentences[-1] if sentences else folded)
    asking = _QUANTITY.sub(" ", asking)
    named = {dimension for dimension, words in _ASKED.items() if words.search(asking)}
    if not named:
        return [] if _WH.search(asking) else found
    return [v for v in found if _DIMENSION.get(v.code, "") in named or v.code not in _DIMENSION]


def _knowledge(
    draft: _Draft,
    text: str,
    programme: Programme,
    on: date,
    hits: list[Hit],
    search: Index,
    read: Reading,
    model: EntryModel | None,
) -> None:
    """The knowledge base's answer in bands, then one more for each other part of the question."""
    best = hits[0] if hits else None
    used: set[str] = set()
    alone = not draft.pieces
    opinion = read() if alone and best is not None else None
    draft.opinion = opinion
    chosen: tuple[Entry, float] | None = None
    if not alone:
        # Beside a verdict or a calculation, the nearest entry is context: a lower bar is enough.
        if best is not None and best.score >= LIKELY - CONTEXT_MARGIN:
            chosen = best.entry, best.score
    else:
        chosen = _choose(hits, opinion, search)
    if chosen is not None:
        entry, score = chosen
        used.add(entry.id)
        draft.add(render(entry.answer, on), [entry.source])
        if alone:
            draft.entry_id, draft.score = entry.id, score
            # Sure (what the mailbox may send unasked) needs the sure score and no contrary reading.
            agree = opinion is None or (opinion.entry_id == entry.id and opinion.out_of_scope < OUT_OF_SCOPE_BAR)
            if best is None or best.entry.id != entry.id or best.score < SURE or not agree:
                draft.band = "likely"
                others = [h.entry for h in hits[:3] if h.score >= LIKELY - 0.1]
                if opinion is not None and opinion.entry_id is not None:
                    others.insert(0, search.entry(opinion.entry_id))  # what the classifier read
                draft.suggestions = list(dict.fromkeys(e.questions[0] for e in others if e.id != entry.id))[:2]
    _rest(draft, text, programme, on, used, search)
    for part in _parts(text)[1:]:
        # A short part ("c'est payé ?") is read as being about the stage the message is about.
        part_text = part if len(part.split()) > 4 else f"{part} stage"
        part_hits = search.search(part_text, programme=programme.id, limit=10)
        if not part_hits or part_hits[0].entry.id in used:
            continue
        hit = part_hits[0]
        if draft.pieces:
            # Beside an answer, a part is answered as a question of its own would be (_choose), or
            # from LIKELY by the search alone.
            reading = _opinion(part_text, programme.id, search, model)
            chosen = _choose(part_hits, reading, search)
            if chosen is not None and chosen[0].id not in used:
                used.add(chosen[0].id)
                draft.add(render(chosen[0].answer, on), [chosen[0].source])
                continue
            taken = hit.score >= LIKELY
        else:
            # A part answered alone, when the whole question found nothing, must be sure of itself: the
            # sure score, and the classifier reading that entry in the part and no question outside
            # the guides in the whole ("la BU est ouverte le samedi ? je voudrais y bosser mes candidatures").
            whole = read()
            reading = _opinion(part_text, programme.id, search, model)
            taken = hit.score >= SURE and (
                whole is None
                or (whole.out_of_scope < OUT_OF_SCOPE_BAR and reading is not None and reading.entry_id == hit.entry.id)
            )
        if taken:
            used.add(hit.entry.id)
            draft.add(render(hit.entry.answer, on), [hit.entry.source])


def _focused(text: str, hits: list[Hit], programme: Programme, search: Index, read: Reading) -> list[Hit]:
    """In a long message, the sentence that asks: its best entry leads when the classifier, reading the
    whole message, reads that entry too.

    Context dilutes a question ("Bonjour, je suis en M1 psycho, j'ai enfin trouvé… c'est jouable ?"):
    every sentence is searched alone, and a sentence's entry scoring higher than the whole message's
    best is taken only with the classifier's agreement, so one stray sentence cannot steer the answer.
    """
    sentences = [s for s in _SENTENCE.split(text) if len(s.split()) >= FOCUS_MIN_WORDS]
    if len(text.split()) < FOCUS_LONG_WORDS or len(sentences) < 2:
        return hits
    opinion = read()
    if opinion is None or opinion.entry_id is None:
        return hits
    best_score = hits[0].score if hits else 0.0
    for sentence in sentences:
        found = search.search(sentence, programme=programme.id, limit=1)
        if found and found[0].entry.id == opinion.entry_id and found[0].score > best_score:
            best_score = found[0].score
            hits = [found[0], *(h for h in hits if h.entry.id != opinion.entry_id)]
    return hits


def _rest(draft: _Draft, text: str, programme: Programme, on: date, used: set[str], search: Index) -> None:
    """What the answer so far leaves out: the question's words no entry used holds, searched again.

    "c quand la deadline pour déposer le rapport et les soutenances c'est quelle semaine" is answered by
    the report's entry; "soutenances" is left, and finds the defences' entry. The rest must be two
    words at least and match surely: a stray word does not add a paragraph.
    """
    if not used:
        return
    query = search.query(text, programme.id)
    rest = query - frozenset().union(*(search.holds(entry_id) for entry_id in used))
    if len(rest) < REST_WORDS:
        return
    hits = search.search_query(rest, programme=programme.id, limit=1)
    if hits and hits[0].entry.id not in used and hits[0].score >= REST_BAR:
        used.add(hits[0].entry.id)
        draft.add(render(hits[0].entry.answer, on), [hits[0].entry.source])


def ask(
    question: str,
    programme: Programme,
    today: date,
    *,
    search_index: Index | None = None,
    entry_model: EntryModel | None = None,
) -> Answer:
    """Answer a question for a student of ``programme`` on ``today``.

    ``search_index`` and ``entry_model`` replace the packaged base's (held-out measures); a search
    index given without a model is answered by the search alone.
    """
    text = question.strip()[:MAX_QUESTION_CHARS]
    if not text:
        return Answer(False, "Posez votre question en quelques mots.", None, 0.0, kind="input_error", band="none")
    folded = fold(text)
    on = _on(folded, today)
    draft = _Draft()
    calc = route(folded, programme, on)
    if calc is not None and calc.entry_id == "calc/erreur":
        return Answer(False, calc.text, None, 0.0, kind="input_error", band="none")
    _situation(draft, text, folded, programme, today, on, calc.entry_id if calc else None)
    if calc is not None:
        if not draft.pieces:
            draft.kind, draft.entry_id, draft.score = "calculator", calc.entry_id, 1.0
        draft.add(calc.text, list(calc.sources))
    search = search_index or index()
    model = entry_model if search_index is not None else second_opinion()
    # The classifier reads the whole message once, and only if a step needs it.
    read: Reading = cache(partial(_opinion, text, programme.id, search, model))
    hits = _focused(text, search.search(text, programme=programme.id, limit=10), programme, search, read)
    nearest = [(h.entry.id, h.score) for h in hits[:3]]
    _knowledge(draft, text, programme, on, hits, search, read, model)
    if not draft.pieces:
        best = hits[0] if hits else None
        return Answer(
            False,
            REFUSAL + _office(programme) + ".",
            best.entry.id if best else None,
            best.score if best else 0.0,
            [],
            _refusal_suggestions(hits, draft.opinion, search),
            nearest,
            kind="refusal",
            band="none",
        )
    english = len(_ENGLISH.findall(folded)) >= 2 and not _FRENCH.search(folded)
    if english:
        draft.pieces.append(ENGLISH_NOTE)
    unique_sources = list(dict.fromkeys(draft.sources))
    return Answer(
        True,
        "\n\n".join(draft.pieces),
        draft.entry_id,
        draft.score,
        unique_sources,
        draft.suggestions,
        nearest,
        draft.kind,
        draft.band,
    )
