"""``stagebot kb check --coverage``: every fact-bearing line of each guide, with the entry that carries it.

A line of a guide *bears a fact* when it holds at least one of these (detected in this order, each
match blanked out before the next pattern runs, so a date inside a URL is not counted twice):

- an e-mail address (``SuiviStage-L3info@univ-lille.fr``), even cut at a line end (``…@univ-``);
- a URL: ``http(s)://…``, ``www.…``, or a bare domain under .fr/.com/.org/.eu/.net (``moodle.univ-lille.fr``);
- a French phone number (``04 13 94 22 50``, ``04.91.14.08.70``);
- a named portal, form, event, office or body from ``NAMES`` and ``ACRONYMS`` below (Pstage, Ipro,
  MoveOn, JMI, BAIP, CFA, SE401Q104, « Soutenance de Valeur »…), or a Discord channel (``#…``);
- a date: a day and a month (``16 sept``, ``1er septembre 2025``, ``26–30 juin``), a numeric date
  (``01/09/2025``), or a part of a month (``mi-novembre``, ``début mars``, ``fin octobre``);
- a time of day (``8h30``, read as ``8 h 30``; ``9h00`` as the figure ``9 h``);
- a figure with a unit: a number followed by a currency, percentage, time or count unit from ``UNITS``
  (``308 h``, ``4,5 € / h``, ``12 semaines``, ``15 %``, ``3 stagiaires``), a range sharing one unit giving
  both ends (``18 à 20 ans``);
- a room (``C209``, ``D211``, ``bureau 14-204``) or a postcode before a town (``59650 Villeneuve``).

Figures are read in digits only: a number written in words ("deux mois") is not a fact here.

Each fact becomes a *token* that does not depend on how it is written: accents and case folded,
spaces inside numbers dropped, decimal comma read as a point and trailing zeros dropped
(``4,50 €`` → ``4.5€``), one spelling per unit (``heures`` → ``h``), months as numbers
(``16 sept`` → ``16/9``), a name as its canonical form whatever alias is used. The text extraction of
the guides damaged some ligatures: ``!`` and ``�`` before a letter stand for "fi" and are repaired
before detection ("grati!cation", "portail du �l").

A line is *covered* by an entry of the line's programme (or a general entry) whose answer, rendered
with today's figures, yields every fact token of the line (an address or URL cut at the line end
only has to start or end an address of the answer). Lines no entry covers must be justified in
``data/coverage_exceptions.toml.in``, one reason per line or group of lines.
"""

import json
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from knowledge.base import KnowledgeBase, KnowledgeError, load
from knowledge.figures import render
from knowledge.model import ALL, Entry
from rules.programmes import programmes
from rules.sources import GUIDE_ARTICLE, GUIDES

GUIDES_ENV = "STAGEBOT_GUIDES"
# The programme each guide is the source of; the article's advice holds for every programme.
GUIDE_PROGRAMME = {p.guide: p.id for p in programmes().values()} | {GUIDE_ARTICLE: ALL}

_MONTHS = (
    ("1", r"janv(?:ier)?"),
    ("2", r"fevr?(?:ier)?"),
    ("3", r"mars"),
    ("4", r"avr(?:il)?"),
    ("5", r"mai"),
    ("6", r"juin"),
    ("7", r"juil(?:let)?"),
    ("8", r"aout"),
    ("9", r"sept(?:embre)?"),
    ("10", r"oct(?:obre)?"),
    ("11", r"nov(?:embre)?"),
    ("12", r"dec(?:embre)?"),
)
_MONTH = "|".join(f"(?P<m{number}>{pattern})" for number, pattern in _MONTHS)

# Units of a figure, folded, and the one spelling each gets in a token.
UNITS: tuple[tuple[str, str], ...] = (
    (r"€|euros?\b|eur\b", "€"),
    (r"%|pour ?cent\b", "%"),
    (r"h\b|heures?\b|hrs?\b", "h"),
    (r"min\b|minutes?\b", "min"),
    (r"jours?\b", "jour"),
    (r"semaines?\b", "semaine"),
    (r"mois\b", "mois"),
    (r"ans\b|an\b|annees?\b", "an"),
    (r"trimestres?\b", "trimestre"),
    (r"stagiaires?\b", "stagiaire"),
    (r"salaries?\b", "salarie"),
    (r"exemplaires?\b", "exemplaire"),
    (r"visites?\b", "visite"),
    (r"demandes?\b", "demande"),
    (r"credits?\b|ects\b", "ects"),
)

# Named portals, forms, events, offices and bodies, folded and matched as whole words, case-insensitive:
# canonical token, then every spelling the guides or the answers use for it.
NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # portals and tools
    ("pstage", (r"pstage",)),
    ("moodle", (r"moodle",)),
    ("ipro", (r"ipro",)),
    ("moveon", (r"move ?on",)),
    ("ariane", (r"ariane",)),
    ("ecandidat", (r"e-?candidat",)),
    ("lilagora", (r"lilagora",)),
    ("jobteaser", (r"jobteaser",)),
    ("linkedin", (r"linkedin",)),
    ("viadeo", (r"viadeo",)),
    ("indeed", (r"indeed",)),
    ("discord", (r"discord",)),
    ("cactus", (r"cactus",)),
    ("conseils aux voyageurs", (r"conseils aux voyageurs",)),
    ("affaires etrangeres", (r"a(?:ff|t)aires etrangeres",)),  # "aTaires": a damaged "ff" ligature
    ("convertisseur de durees", (r"convertisseur de durees",)),
    ("calendrier d'alternance", (r"calendriers? d.alternance",)),
    # events
    ("jmi", (r"journee des metiers de l.informatique",)),
    ("jse", (r"journee de simulation d.entretiens",)),
    ("jlmi", (r"journee lilloise de la miage",)),
    ("lilliad", (r"lilliad",)),
    ("polytech", (r"polytech",)),
    ("quiz avancement", (r"quiz avancement",)),
    # offices and bodies
    ("formasup", (r"formasup",)),
    ("epure", (r"epure",)),
    ("cfa", (r"centre de formation des apprentis",)),
    ("sfca", (r"service formation continue et alternance",)),
    ("opco", (r"organisme professionnel de competences",)),
    ("cpam", (r"caisse primaire d.assurance maladie",)),
    ("ceam", (r"carte europeenne d.assurance maladie",)),
    ("cfe", (r"caisse des francais de l.etranger",)),
    ("cleiss", (r"centre des liaisons europeennes",)),
    ("suio", (r"service universitaire d.insertion et d.orientation",)),
    ("bfp", (r"bureau des formations professionnelles",)),
    ("bureau de la formation continue", (r"bureau de la formation continue",)),
    ("relations internationales", (r"relations internationales",)),
    ("fsd", (r"fonctionnaire securite defense",)),
    ("respect et egalite", (r"respect et (?:l.)?egalite",)),
    ("hubhouse", (r"hubhouse",)),
    ("snee", (r"statut national (?:d.)?etudiant entrepreneur",)),
    ("crous", (r"crous",)),
    ("cse", (r"comite social et economique",)),
    ("certec", (r"certec",)),
    ("mission handicap", (r"mission handicap",)),
    ("erasmus", (r"erasmus",)),
    ("pepite", (r"pepite",)),
    ("a*midex", (r"a\*midex", r"amidex")),
    ("tiger", (r"tiger",)),
    ("le cube", (r"le cube",)),
    ("egger", (r"egger",)),
    ("schuman", (r"schuman",)),
    ("forbin", (r"forbin",)),
    ("ilot du bois", (r"ilot du bois",)),
    ("st-charles", (r"st-charles", r"saint-charles")),
    ("turbulence", (r"turbulence",)),
    ("ramq", (r"regie de l.assurance maladie du quebec",)),
    # forms
    ("se401q104", (r"se ?401 ?q ?104",)),
    ("se988-03", (r"se ?988-?03", r"se ?98803")),
    ("se980-04", (r"se ?980-?04", r"se ?98004")),
    ("pre-convention", (r"pre-? ?conventions?",)),
    ("fiche de validation", (r"fiches? (?:web )?de validation",)),
    ("bordereau de rupture", (r"bordereau de rupture",)),
    ("livret d'alternance", (r"livret d.alternance", r"livret electronique")),
    ("apt", (r"autorisation provisoire de travail",)),
    ("mission d'analyse et de developpement", (r"mission d.analyse et de developpement",)),
    # the article's named methods
    ("journal de bord", (r"journal de bord",)),
    ("soutenance de valeur", (r"soutenance de valeur",)),
    ("projet fantome", (r"projets? .?fantome",)),
    ("projet indispensable", (r"projet indispensable",)),
    ("methode car", (r"methode car",)),
    ("interview informationnelle", (r"interviews? informationnelles?",)),
    ("marche cache", (r"marche cache",)),
)

# Acronyms and codes, matched case-sensitively on the accent-folded text (so "ent" in a word is not ENT).
ACRONYMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("jmi", ("JMI",)),
    ("jse", ("JSE",)),
    ("jlmi", ("JLMI",)),
    ("baip", ("BAIP",)),
    ("suio", ("SUIO",)),
    ("bap", ("BAP",)),
    ("bfp", ("BFP",)),
    ("bise", ("BISE",)),
    ("cfa", ("CFA",)),
    ("sfca", ("SFCA",)),
    ("opco", ("OPCO",)),
    ("ddets", ("DDETS",)),
    ("direccte", ("DIRECCTE",)),
    ("urssaf", ("URSSAF",)),
    ("cpam", ("CPAM",)),
    ("ceam", ("CEAM",)),
    ("cfe", ("CFE",)),
    ("cse", ("CSE",)),
    ("fsd", ("FSD",)),
    ("snee", ("SNEE",)),
    ("meef", ("MEEF",)),
    ("feg", ("FEG",)),
    ("ent", ("ENT",)),
    ("epi", ("EPI",)),
    ("ade", ("ADE",)),
    ("apt", ("APT",)),
    ("smc", ("SMC",)),
    ("opa", ("OPA",)),
    ("m3c", ("M3C",)),
    ("2id", ("2ID",)),
    ("isie", ("ISIE",)),
    ("ddf", ("DDF",)),
    ("dff", ("DFF",)),
    ("ddc", ("DDC",)),
    ("dfc", ("DFC",)),
    ("capp", ("CAPP",)),
    ("cpro", ("CPRO",)),
    ("cstage", ("CSTAGE",)),
    ("cstagealt", ("CSTAGEALT",)),
)

_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_ORDINAL = r"(?:ere|er|re|eme|nde|nd|e)?"
_UNIT = "|".join(f"(?P<u{index}>{pattern})" for index, (pattern, _) in enumerate(UNITS))

_EMAIL = re.compile(r"[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>()\"«»]+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:fr|com|org|eu|net)\b(?:/[^\s<>()\"«»]*)?"
)
_PHONE = re.compile(r"(?<![\w&=/.])0\d(?:[ .\u00a0]?\d){8}(?![\w&])")
_CHANNEL = re.compile(r"#[a-z][a-z0-9]*(?:-[a-z0-9]+)+")  # Discord channels have hyphens
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})")  # a footnote mark may follow: 01/09/202523
_DAY_MONTH = re.compile(
    rf"\b(?P<d1>\d{{1,2}})(?:er|re)?(?:\s*(?:[-–—]|au|et|a)\s*(?P<d2>\d{{1,2}})(?:er)?)?\s+(?:{_MONTH})\b\.?"
    r"(?:\s+(?P<year>\d{4})\b)?"
)
_PART_OF_MONTH = re.compile(rf"\b(?P<part>mi|debut|fin|courant)[\s-]+(?:{_MONTH})\b")
_CLOCK = re.compile(r"\b(\d{1,2}) ?h ?(\d{2})\b")
_FIGURE = re.compile(
    rf"(?P<n1>{_NUMBER}){_ORDINAL}(?:\s*(?:[-–—]|a|et|ou)\s*(?P<n2>{_NUMBER}){_ORDINAL})?\s*(?:{_UNIT})"
)
_ROOM = re.compile(r"\b[CD]\d{3}\b|\b[Bb]ureau (\d{2}-\d{3})\b")
_POSTCODE = re.compile(r"\b(\d{5}) (?=[A-Z])")
_LIGATURE = re.compile(r"[!\ufffd](?=[a-z])|\ufffd")


def fold(text: str) -> str:
    """Accents removed, case kept (acronyms are matched on this)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _number(text: str) -> str:
    """A number written any French way, as one canonical string: "8 116,00" -> "8116", "4,50" -> "4.5"."""
    plain = re.sub(r"[ \u00a0\u202f]", "", text).replace(",", ".")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return plain.lstrip("0") or "0"


def _month(match: re.Match[str]) -> str:
    return next(number for number, _ in _MONTHS if match.group(f"m{number}"))


def _unit(match: re.Match[str]) -> str:
    return next(unit for index, (_, unit) in enumerate(UNITS) if match.group(f"u{index}"))


_NAME_PATTERNS = tuple(
    (token, re.compile(r"(?<![\w*])(?:" + "|".join(patterns) + r")(?![\w*])")) for token, patterns in NAMES
)
_ACRONYM_PATTERNS = tuple(
    (token, re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)")) for token, patterns in ACRONYMS
)


def facts(text: str) -> tuple[str, ...]:
    """The fact tokens of one line (or one answer), in order of kind, each once."""
    found: list[str] = []
    cased = fold(_LIGATURE.sub("fi", text))
    if len(cased.lower()) != len(cased):  # a character whose lower case is longer: spans would shift
        cased = "".join(c if len(c.lower()) == 1 else " " for c in cased)

    def take(pattern: re.Pattern[str], make: Callable[[re.Match[str]], list[str]], *, case: bool = False) -> None:
        nonlocal cased
        source = cased if case else cased.lower()
        spans: list[tuple[int, int]] = []
        for match in pattern.finditer(source):
            found.extend(make(match))
            spans.append(match.span())
        for begin, end in spans:  # blank what was read, so no later pattern reads it again
            cased = cased[:begin] + " " * (end - begin) + cased[end:]

    take(_EMAIL, lambda m: ["mail:" + m.group(0).rstrip(".-")])
    take(_URL, lambda m: ["url:" + _url(m.group(0))])
    take(_PHONE, lambda m: ["tel:" + re.sub(r"\D", "", m.group(0))])
    take(_CHANNEL, lambda m: ["salon:" + m.group(0)])
    for token, pattern in _ACRONYM_PATTERNS:
        take(pattern, _named(token), case=True)
    for token, pattern in _NAME_PATTERNS:
        take(pattern, _named(token))
    take(_NUMERIC_DATE, lambda m: [f"date:{int(m[1])}/{int(m[2])}/{m[3]}"])
    take(_DAY_MONTH, _day_month)
    take(_PART_OF_MONTH, lambda m: [f"date:{m['part'].replace('courant', 'mi')}-{_month(m)}"])
    # "9h00" is "9 h" whatever it measures; "12h30" keeps its minutes.
    take(_CLOCK, lambda m: [f"{int(m[1])} h" + (f" {m[2]}" if m[2] != "00" else "")])
    take(_FIGURE, _figure)
    take(_ROOM, lambda m: ["salle:" + (m.group(1) or m.group(0)).lower()], case=True)
    take(_POSTCODE, lambda m: ["cp:" + m.group(1)], case=True)
    return tuple(dict.fromkeys(found))


def _named(token: str) -> Callable[[re.Match[str]], list[str]]:
    """The maker of a name's token, whatever alias matched."""
    return lambda _match: ["nom:" + token]


def _url(raw: str) -> str:
    text = re.sub(r"^(?:https?://)?(?:www\.)?", "", raw).rstrip("/.,;:)»!?")
    return text.rstrip("/")


def _day_month(match: re.Match[str]) -> list[str]:
    month = _month(match)
    year = f"/{match['year']}" if match["year"] else ""
    days = [match["d1"]] + ([match["d2"]] if match["d2"] else [])
    return [f"date:{int(day)}/{month}{year}" for day in days]


def _figure(match: re.Match[str]) -> list[str]:
    unit = _unit(match)
    numbers = [match["n1"]] + ([match["n2"]] if match["n2"] else [])
    return [f"{_number(n)} {unit}" for n in numbers]


def _carries(answer: set[str], token: str) -> bool:
    """Whether an answer's tokens carry one fact token of a line."""
    if token in answer:
        return True
    kind, _, body = token.partition(":")
    if kind in {"mail", "url"} and len(body) >= 6:
        # An address or URL cut at the line end (or its second half) need only be part of one.
        # The second half of an address cut after its "-" reads as a domain: look in both kinds.
        return any(other.partition(":")[0] in {"mail", "url"} and body in other for other in answer)
    return False


@dataclass(frozen=True)
class Exemption:
    """Lines of a guide that no entry needs to carry, and why."""

    document: str
    reason: str
    lines: frozenset[int] = frozenset()
    contains: str = ""
    note: str = ""
    # Only these fact tokens of the line are excused (an anecdote inside a paragraph of advice); the
    # line's other facts must still be carried by an entry. Empty: the whole line is excused.
    facts: frozenset[str] = frozenset()

    def matches(self, document: str, number: int, text: str) -> bool:
        if document != self.document:
            return False
        if number in self.lines:
            return True
        return bool(self.contains) and self.contains in fold(text).lower()

    @property
    def label(self) -> str:
        where = ", ".join(str(n) for n in sorted(self.lines)) if self.lines else f"« {self.contains} »"
        return f"{self.document} {where}"


@dataclass(frozen=True)
class Line:
    """One fact-bearing line of a guide and what covers it."""

    document: str
    line: int
    text: str
    facts: tuple[str, ...]
    entry: str | None
    exception: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "line": self.line,
            "text": self.text,
            "facts": list(self.facts),
            "entry": self.entry,
            "exception": self.exception,
        }


@dataclass(frozen=True)
class Coverage:
    """Every fact-bearing line of the guides, and the exceptions no line needed."""

    lines: tuple[Line, ...]
    unused: tuple[str, ...] = field(default=())

    @property
    def uncovered(self) -> int:
        return sum(line.entry is None and line.exception is None for line in self.lines)

    def by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for line in self.lines:
            if line.exception is not None:
                counts[line.exception] = counts.get(line.exception, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def as_json(self) -> dict[str, object]:
        return {
            "lines": [line.as_json() for line in self.lines],
            "uncovered": self.uncovered,
            "covered": sum(line.entry is not None for line in self.lines),
            "excepted": sum(line.entry is None and line.exception is not None for line in self.lines),
            "exceptions": self.by_reason(),
            "unused_exceptions": list(self.unused),
        }

    def text(self) -> str:
        """The report for people, in French: every line, then the summary."""
        out: list[str] = []
        for line in self.lines:
            where = f"{line.document}:{line.line}"
            if line.entry is not None:
                status = f"→ {line.entry}"
            elif line.exception is not None:
                status = f"— exception : {line.exception}"
            else:
                status = "✗ NON COUVERTE"
            out.append(f"{where}  {line.text.strip()[:90]}  [{', '.join(line.facts)}]  {status}")
        covered = sum(line.entry is not None for line in self.lines)
        partly = sum(line.entry is not None and line.exception is not None for line in self.lines)
        excepted = sum(line.entry is None and line.exception is not None for line in self.lines)
        out.append("")
        out.append(
            f"{len(self.lines)} lignes porteuses de faits : {covered} couvertes par une entrée"
            + (f" (dont {partly} avec un fait excusé)" if partly else "")
            + f", {excepted} en exception, {self.uncovered} non couverte(s)."
        )
        for reason, count in self.by_reason().items():
            out.append(f"  exception « {reason} » : {count} ligne(s)")
        out.extend(f"  exception inutile (aucune ligne non couverte) : {label}" for label in self.unused)
        return "\n".join(out)

    def dumps(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False)


def guides_folder() -> Path:
    """Where the guides are: $STAGEBOT_GUIDES, else the copy shipped in the package (knowledge/guides/)."""
    explicit = os.environ.get(GUIDES_ENV)
    return Path(explicit) if explicit else Path(__file__).resolve().parent / "guides"


def exemptions(text: str | None = None) -> list[Exemption]:
    """The justified exceptions shipped with the base (data/coverage_exceptions.toml.in)."""
    if text is None:
        text = (resources.files("knowledge") / "data" / "coverage_exceptions.toml.in").read_text(encoding="utf-8")
    out: list[Exemption] = []
    for raw in tomllib.loads(text).get("exception", []):
        numbers: set[int] = set()
        for item in raw.get("lines", []):
            if isinstance(item, int):
                numbers.add(item)
            else:
                first, _, last = str(item).partition("-")
                numbers.update(range(int(first), int(last or first) + 1))
        if not raw.get("reason") or not (numbers or raw.get("contains")):
            raise KnowledgeError(f"coverage_exceptions.toml.in : exception sans motif ou sans ligne ({raw})")
        out.append(
            Exemption(
                document=raw["document"],
                reason=raw["reason"],
                lines=frozenset(numbers),
                contains=fold(raw.get("contains", "")).lower(),
                note=raw.get("note", ""),
                facts=frozenset(raw.get("facts", [])),
            )
        )
    return out


def _candidates(base: KnowledgeBase, document: str) -> list[Entry]:
    """Entries that may carry a guide's facts: the guide's own first, then its programme's, then general ones."""
    programme = GUIDE_PROGRAMME.get(document, ALL)
    own = [e for e in base.entries if document in e.source.document]
    rest = [
        e for e in base.entries if e not in own and (e.is_general or (programme != ALL and programme in e.programmes))
    ]
    return own + rest


def _carrier(candidates: list[Entry], tokens: dict[str, set[str]], found: tuple[str, ...]) -> str | None:
    """The first candidate entry whose answer carries every fact token."""
    return next((e.id for e in candidates if all(_carries(tokens[e.id], token) for token in found)), None)


def coverage(
    today: date,
    *,
    folder: Path | None = None,
    guides: dict[str, str] | None = None,
    base: KnowledgeBase | None = None,
    exceptions: list[Exemption] | None = None,
) -> Coverage:
    """Cover every fact-bearing line of the guides (read from ``folder`` unless ``guides`` gives the texts)."""
    if guides is None:
        folder = folder or guides_folder()
        try:
            guides = {name: (folder / name).read_text(encoding="utf-8") for name in GUIDES}
        except OSError as exc:
            raise KnowledgeError(
                f"Guides introuvables dans {folder} ({exc.strerror}) : indiquez leur dossier avec {GUIDES_ENV}."
            ) from None
    base = base or load()
    exceptions = exemptions() if exceptions is None else exceptions
    tokens = {entry.id: set(facts(render(entry.answer, today))) for entry in base.entries}
    used: set[int] = set()
    lines: list[Line] = []
    for document, text in guides.items():
        candidates = _candidates(base, document)
        for number, raw in enumerate(text.splitlines(), start=1):
            found = facts(raw)
            if not found:
                continue
            entry = _carrier(candidates, tokens, found)
            reason = None
            if entry is None:
                matching = [i for i, e in enumerate(exceptions) if e.matches(document, number, raw)]
                partial = [i for i in matching if exceptions[i].facts & set(found)]
                rest = tuple(f for f in found if not any(f in exceptions[i].facts for i in partial))
                if partial and rest:
                    entry = _carrier(candidates, tokens, rest)
                if partial and (entry is not None or not rest):
                    reason = exceptions[partial[0]].reason
                    used.update(partial)
                else:
                    entry = None
                    whole = [i for i in matching if not exceptions[i].facts]
                    if whole:
                        reason = exceptions[whole[0]].reason
                        used.add(whole[0])
            lines.append(Line(document, number, raw.rstrip(), found, entry, reason))
    unused = tuple(e.label for index, e in enumerate(exceptions) if index not in used)
    return Coverage(tuple(lines), unused)
