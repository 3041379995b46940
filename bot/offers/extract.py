"""Reading an offer (French or English, plain text or a mail) and checking it for a programme.

Extraction is rule-based and explainable: labelled lines ("Lieu :", "Durée :", "Location:") first,
then phrases ("stage de 6 mois", "4,50 €/h", "full remote"). The checks themselves are in
``rules.offers``; this module only reads the text and builds the contract's ``offer`` object.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.citations import plain
from bot.parsing import MONTHS
from knowledge.text import fold_plain, tokens, words
from rules.offers import Kind, OfferFacts, Problem, check, days_to_weeks, months_to_weeks
from rules.programmes import programme

if TYPE_CHECKING:
    from rules.verdicts import Situation

DEFAULT_CHANNELS: dict[str, str] = {
    "stage": "propositions-stages",
    "alternance": "propositions-stages-alternances",
    "emploi": "proposition-emplois-et-stages",
}

_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "alternance": (
        r"\balternance\b",
        r"\balternant\w*",
        r"\bapprenti(ssage|e|s)?\b",
        r"\bcontrat (de )?pro(fessionnalisation)?\b",
        r"\bwork ?-?study\b",
        r"\bapprenticeship\b",
    ),
    "stage": (r"\bstages?\b", r"\bstagiaires?\b", r"\binternships?\b", r"\bintern\b", r"\bpfe\b", r"\bfin d etudes\b"),
    "emploi": (
        r"\bcdi\b",
        r"\bcdd\b",
        r"\bemploi\b",
        r"\bjeune diplome\w*",
        r"\bgraduate\b",
        r"\bfull ?-?time (job|position|role)",
        r"\bpermanent (position|contract)",
        r"\bembauche\b",
    ),
}
_TITLE_LABEL = re.compile(r"^\s*(intitule|poste|titre|title|position|job title|offre)\s*:\s*(.+)$", re.I)
_COMPANY_LABEL = re.compile(
    r"^\s*(entreprise|societe|company|organisme|structure|employeur|employer)\s*:\s*(.+)$", re.I
)
_LOCATION_LABEL = re.compile(r"^\s*(lieu|localisation|location|ville|site|adresse)\s*:\s*(.+)$", re.I)
_START_LABEL = re.compile(r"^\s*(debut|date de debut|demarrage|start(ing)? date|start|disponibilite)\s*:\s*(.+)$", re.I)
_DURATION = re.compile(r"\b(\d{1,2}(?:[.,]5)?)\s*(mois|months?|semaines?|weeks?|jours ouvres|working days)\b", re.I)
_PAY = re.compile(
    r"(\d{1,3}(?:[ .,\u202f\u00a0]?\d{3})*(?:[.,]\d{1,2})?)\s*(k)?\s*(?:€|eur(?:os?)?)\s*(?:brut\w*\s*|bruts?\s*|net\w*\s*)?"
    r"(?:(?:/|par|per|de l|a l|an|/ ?an)\s*)?(heure|h\b|hour|mois|month|an\b|annee|year|annuel)?",
    re.I,
)
_LEGAL_PAY = re.compile(
    r"gratification (legale|minimale|reglementaire|en vigueur)|minimum legal|legal minimum|selon (la )?(grille|legislation)",
    re.I,
)
_REMOTE_ONLY = re.compile(
    r"\b(100 ?% (en )?(teletravail|remote|distanciel)|full ?-?remote|fully remote|teletravail (complet|total|integral)"
    r"|entierement (en )?(teletravail|a distance)|remote only|100 ?% remote)\b",
    re.I,
)
_REMOTE_DAYS = re.compile(
    r"\b(\d) ?(?:jours?|days?|j)(?: par semaine| per week| /semaine| hebdo)? (?:de |of )?(?:teletravail|remote)"
    r"|\b(?:teletravail|remote)\s*:?\s*(\d) ?(?:jours?|days?|j)\b",
    re.I,
)
_REMOTE_SOME = re.compile(r"\b(teletravail (partiel|possible)|hybride|hybrid|remote-friendly)\b", re.I)
_NOT_DEV = re.compile(
    r"\b(support (utilisateurs?|informatique|technique|n1|n2|niveau)|helpdesk|help desk|hotline|service desk"
    r"|gestion des tickets|traitement des tickets|tickets? d incidents?|ticketing|technicien (support|informatique|de proximite)"
    r"|administrat\w* (systemes?|reseaux?|du site|de site|sites? web|machines?|sys)|admin (sys|reseau|systeme)"
    r"|sysadmin|redaction de (la )?documentation|documentation technique|assistance (aux )?utilisateurs"
    r"|deploiement de postes|installation de postes|mise a jour du site|community manag\w*|saisie de donnees)\b",
    re.I,
)
_DEV = re.compile(
    r"\b(developp\w*|develop\w*|programm\w*|software engineer\w*|ingenieur logiciel|full ?-?stack|back ?-?end|front ?-?end"
    r"|coder|code|api|java|python|javascript|typescript|react|angular|spring|django|kotlin|c#|\.net|sql|data engineer\w*)\b",
    re.I,
)
_INDEPENDENT = re.compile(
    r"\b(auto ?-?entrepreneur|micro ?-?entreprise|micro ?-?entrepreneur|freelance|free-lance|independant|consultant independant"
    r"|entreprise individuelle|sole trader|self-employed|je suis (developpeur|consultant) independant)\b",
    re.I,
)
_ENGLISH_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FREE_MAIL = {
    "gmail.com",
    "hotmail.com",
    "hotmail.fr",
    "yahoo.fr",
    "yahoo.com",
    "outlook.com",
    "outlook.fr",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "icloud.com",
    "live.fr",
}


@dataclass(frozen=True)
class Offer:
    """The contract's ``offer`` object, plus what was read to decide it."""

    kind: Kind
    forward: bool
    channel: str | None
    problems: tuple[Problem, ...]
    title: str
    company: str
    fingerprint: str
    duration_weeks: Decimal | None = None
    pay: str | None = None
    location: str | None = None
    remote: str | None = None
    start: str | None = None
    contact: str | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        """The object of ``stagebot offer check --json`` (without the file name)."""
        return {
            "kind": self.kind,
            "forward": self.forward,
            "channel": self.channel,
            "problems": [p.code for p in self.problems],
            "title": self.title,
            "company": self.company,
            "fingerprint": self.fingerprint,
            "duration_weeks": float(round(self.duration_weeks, 1)) if self.duration_weeks is not None else None,
            "pay": self.pay,
            "location": self.location,
            "remote": self.remote,
            "start": self.start,
            "contact": self.contact,
            "problem_reasons": [{"code": p.code, "reason": p.reason, "source": plain(p.source)} for p in self.problems],
        }


def _labelled(pattern: re.Pattern[str], lines: list[str], group: int = 2) -> str | None:
    for line in lines:
        match = pattern.match(fold_plain(line))
        if match:
            # Take the value from the original line (accents kept): same length after folding.
            value = line.split(":", 1)[1].strip() if ":" in line else match.group(group)
            return value[:120] or None
    return None


def channel_for(kind: str, channels: dict[str, str] | None = None) -> str | None:
    """The channel configured for a kind of offer (the defaults of docs/CLI.md otherwise)."""
    return {**DEFAULT_CHANNELS, **(channels or {})}.get(kind)


def kind_of(subject: str, body: str) -> Kind:
    """stage, alternance, emploi or unknown: the subject counts three times the body."""
    scores: dict[str, int] = {}
    for kind, patterns in _KIND_WORDS.items():
        scores[kind] = sum(
            3 * len(re.findall(p, fold_plain(subject))) + len(re.findall(p, fold_plain(body))) for p in patterns
        )
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return "unknown"
    # "Stage ou alternance": the subject decides; alternance wins a tie since it names the contract.
    if scores["alternance"] == scores[best]:
        return "alternance"
    return best  # type: ignore[return-value]


def _duration_weeks(text: str) -> Decimal | None:
    folded = fold_plain(text)
    for match in _DURATION.finditer(folded):
        value = Decimal(match.group(1).replace(",", "."))
        unit = match.group(2).lower()
        window = folded[max(0, match.start() - 60) : match.end() + 10]
        if re.search(r"\b(experience|ans d|years? of|depuis|periode d essai|trial)\b", window):
            continue
        if re.search(r"\b(dans|il y a|in|within)\s+$", folded[max(0, match.start() - 10) : match.start()]):
            continue  # "commence dans 3 semaines": a delay, not the stage's length
        if unit.startswith(("mois", "month")):
            return months_to_weeks(value)
        if unit.startswith(("semaine", "week")):
            return value
        return days_to_weeks(value)
    return None


def _pay(text: str) -> tuple[Decimal | None, str | None, str | None]:
    """(amount, unit, as written) of the first stated pay; unit hour, month, year or legal."""
    folded = fold_plain(text)
    for match in _PAY.finditer(folded):
        number = match.group(1).replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
        if re.fullmatch(r"\d{1,3}(,\d{3})+", number):  # "1,200 EUR": an English thousands separator
            number = number.replace(",", "")
        elif "," in number:
            number = number.replace(".", "").replace(",", ".")
        elif number.count(".") == 1 and len(number.split(".")[1]) == 3:
            number = number.replace(".", "")
        try:
            amount = Decimal(number)
        except ArithmeticError:
            continue
        if match.group(2):
            amount *= 1000
        per = (match.group(3) or "").lower()
        if per in {"heure", "h", "hour"}:
            unit = "hour"
        elif per in {"mois", "month"}:
            unit = "month"
        elif per in {"an", "annee", "year", "annuel"} or match.group(2) or amount >= 10000:
            unit = "year"
        elif amount < 30:
            unit = "hour"
        else:
            unit = "month"
        return amount, unit, match.group(0).strip()
    if _LEGAL_PAY.search(folded):
        return None, "legal", "gratification légale"
    return None, None, None


def _company(lines: list[str], sender: str | None) -> str:
    labelled = _labelled(_COMPANY_LABEL, lines)
    if labelled:
        return labelled
    for line in lines:
        match = re.search(r"\b(?:chez|au sein de|at|join)\s+([A-Z][\w&.-]+(?:\s+[A-Z][\w&.-]+){0,3})", line)
        if match:
            return match.group(1).strip(" .,")
    if sender and "@" in sender:
        domain = sender.split("@", 1)[1].lower()
        if domain not in _FREE_MAIL:
            return domain.split(".")[-2].capitalize() if domain.count(".") >= 1 else domain
    return ""


def _title(subject: str, lines: list[str]) -> str:
    labelled = _labelled(_TITLE_LABEL, lines)
    if labelled:
        return labelled
    cleaned = re.sub(r"^\s*((tr|fwd?|re)\s*:\s*)+", "", subject, flags=re.I).strip()
    if cleaned:
        return cleaned[:120]
    return next((line.strip()[:120] for line in lines if line.strip()), "")


def fingerprint(kind: str, company: str, title: str) -> str:
    """Stable across formatting: the sorted content stems of company and title, with the kind."""
    stems = sorted(set(tokens(f"{company} {title}")))
    return hashlib.sha256(f"{kind}|{' '.join(stems)}".encode()).hexdigest()[:16]


def read_offer(
    text: str,
    programme_id: str,
    on: date,
    *,
    subject: str = "",
    sender: str | None = None,
    channels: dict[str, str] | None = None,
    office: frozenset[str] = frozenset(),
) -> Offer:
    """Extract and check one offer for ``programme_id``'s students; ``on`` fixes the legal rate."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not subject and lines:
        subject = lines[0]
    body = "\n".join(lines)
    kind = kind_of(subject, body)
    folded = fold_plain(f"{subject}\n{body}")
    weeks = _duration_weeks(body if kind == "stage" else f"{subject}\n{body}")
    amount, unit, pay_text = _pay(body)
    remote_only = bool(_REMOTE_ONLY.search(folded))
    days = _REMOTE_DAYS.search(folded)
    share = (
        f"{days.group(1) or days.group(2)} jour(s) de télétravail par semaine"
        if days
        else ("télétravail partiel" if _REMOTE_SOME.search(folded) else None)
    )
    title = _title(subject, lines)
    not_dev_hits = _NOT_DEV.findall(folded)
    dev_hits = _DEV.findall(folded)
    not_dev = bool(not_dev_hits) and (not dev_hits or bool(_NOT_DEV.search(fold_plain(title))))
    facts = OfferFacts(
        kind=kind,
        duration_weeks=weeks,
        pay=amount,
        pay_unit=unit,  # type: ignore[arg-type]
        remote_only=remote_only,
        not_development=not_dev,
        independent_host=bool(_INDEPENDENT.search(folded)),
    )
    problems = tuple(check(facts, programme(programme_id), on))
    company = _company(lines, sender)
    forward = kind != "unknown" and not problems
    contacts = [e for e in _EMAIL.findall(text) if e.lower() not in office]
    start_text = _labelled(_START_LABEL, lines, group=3)
    if start_text is None:
        match = re.search(
            r"\b(?:a partir d[eu]|des le|des|debut(?:ant)? (?:le|en|a)|starting(?: in| on)?|from)\s+(\d{1,2}(?:er)? \w+(?: \d{4})?|\w+ \d{4})",
            folded,
        )
        if match and any(m in match.group(1).split() for m in (*MONTHS, *_ENGLISH_MONTHS)):
            start_text = match.group(1)
    reasons = []
    if not_dev_hits:
        reasons.append(
            "mission hors développement : "
            + ", ".join(sorted({h if isinstance(h, str) else h[0] for h in not_dev_hits})[:3])
        )
    return Offer(
        kind=kind,
        forward=forward,
        channel=channel_for(kind, channels) if forward else None,
        problems=problems,
        title=title,
        company=company,
        fingerprint=fingerprint(kind, company, title),
        duration_weeks=weeks,
        pay=pay_text,
        location=_labelled(_LOCATION_LABEL, lines),
        remote="100 %" if remote_only else share,
        start=start_text,
        contact=contacts[0] if contacts else sender,
        reasons=tuple(reasons),
    )


def read_offer_bytes(
    raw: bytes,
    programme_id: str,
    on: date,
    *,
    is_mail: bool,
    max_bytes: int | None = None,
    office: frozenset[str] = frozenset(),
    channels: dict[str, str] | None = None,
) -> Offer:
    """An offer from a file's bytes: a mail (its newest part, or what it forwards) or UTF-8 text."""
    if not is_mail:
        return read_offer(raw.decode("utf-8", errors="replace"), programme_id, on, channels=channels, office=office)
    from bot.mail.message import DEFAULT_MAX_BYTES, read_mail  # noqa: PLC0415

    mail = read_mail(raw, max_bytes=max_bytes or DEFAULT_MAX_BYTES, own=office)
    return read_offer(
        mail.offer_text, programme_id, on, subject=mail.subject, sender=mail.sender, channels=channels, office=office
    )


_HALF = re.compile(r"\b(\d{1,2})\s*(mois|semaines?)\s+et\s+demi", re.I)
_TOTAL_HOURS = re.compile(
    r"\b(\d{2,4})\s*(?:h|heures?|hours?)\b(?!\s*(?:par|/|a la|chaque|per|cette|la semaine|dans la|-|a \d))"
)
_PER_DAY = re.compile(
    r"\b(\d{1,2}(?:[.,]\d)?)\s*(?:h|heures?|hours?)\s*(?:par|/|a la|chaque|per|a)\s*(?:jour|journee|day)"
    r"|\bjournees? de (\d{1,2}(?:[.,]\d)?)\s*(?:h|heures?)\b"
    r"|\b(\d{1,2})\s*(?:h|heures?|hours?)\s*(?:a day|daily)\b"
    r"|\b(\d{1,2})[\s-]*(?:h|hours?|heures?)[\s-]+(?:days?|journees?)\b"
)
# Days of presence the student counted: "52 jours de presence", "40 jours de 7h", "au total 50 jours".
_DAYS = re.compile(
    r"\b(\d{1,3})\s*(?:jours?|j)\s+(?:de presence|de stage|effectifs?|(?:de|a)\s*(\d{1,2}(?:[.,]\d)?)\s*h\b)"
    r"|\btotal\b\D{0,20}\b(\d{1,3})\s*(?:jours?|j)\b(?!\s*(?:par|/))"
)
_PER_WEEK = re.compile(
    r"\b(\d{2})\s*(?:h|heures?|hours?)\s*(?:par|/|cette|la|dans la|a la|per|this|a)\s*(?:semaine|week|sem)\b"
)
_SPAN_NO_BREAK = re.compile(
    r"\b(\d{1,2})\s*h\s*(?:\d\d)?\s*(?:-|a|to)\s*(\d{1,2})\s*h\b.*\bsans (?:arret|pause|coupure)"
)
_PAY_EXEMPT_TERRITORY = re.compile(r"\b(polynesie|caledonie|tahiti|noumea|papeete)\b")
_TODAY_IS = re.compile(
    r"\b(nous sommes|on est|aujourd hui|today|we are|it is)\b[^.?!]{0,20}\b("
    + "|".join(MONTHS)
    + r"|\d{1,2}/\d{1,2})\b"
)
_END_WORDS = re.compile(r"\b(fini\w*|termine\w*|fin|jusqu\w*|until|ends?|ending|finish\w*)\b")
_START_WORDS = re.compile(r"\b(commence\w*|debut\w*|demarre\w*|start\w*|begin\w*|a partir)\b")


def situation_facts(text: str, dates: list[date]) -> "Situation":
    """What a student says of their own stage, read with the offer check's own patterns.

    ``dates`` are the dates already found in the text (bot.assistant.intents.find_dates).
    """
    from rules.gratification import compute  # noqa: PLC0415
    from rules.verdicts import Situation  # noqa: PLC0415

    folded = fold_plain(text)
    kind: Kind = "alternance" if re.search(r"\b(alternan\w*|apprenti\w*|contrat pro\w*)\b", folded) else "stage"
    weeks = _duration_weeks(folded)
    if half := _HALF.search(folded):
        half_unit = months_to_weeks(Decimal("0.5")) if half.group(2).startswith("mois") else Decimal("0.5")
        weeks = (weeks or Decimal(0)) + half_unit
    amount, pay_unit, _ = _pay(folded)
    if pay_unit == "year":
        amount, pay_unit = None, None
    per_day = _PER_DAY.search(folded)
    per_week = _PER_WEEK.search(folded)
    span = _SPAN_NO_BREAK.search(folded)
    start = end = None
    hours = None
    if len(dates) >= 2:
        start, end = dates[0], dates[1]
        if end > start:
            try:
                hours = compute(start, end).hours
            except ValueError:
                hours = None
    elif len(dates) == 1 and _TODAY_IS.search(folded):
        pass  # "nous sommes fin novembre": the day the student writes, not their stage's
    elif len(dates) == 1:
        if _END_WORDS.search(folded):
            end = dates[0]
        elif _START_WORDS.search(folded):
            start = dates[0]
    days = _DAYS.search(folded)
    if hours is None and weeks is None and days:
        count = int(days.group(1) or days.group(3))
        day_hours = days.group(2) or next((g for g in (per_day.groups() if per_day else ()) if g), None) or "7"
        # D124-6 counts a day of presence as 7 hours; a day of more hours counts what the student says.
        hours = count * Decimal(day_hours.replace(",", "."))
    total = _TOTAL_HOURS.search(folded)
    if hours is None and weeks is None and total and not (per_day or per_week or span) and int(total.group(1)) >= 35:
        hours = Decimal(total.group(1))
    # Abroad as the vocabulary reads it (countries, cities, "abroad"), or the territories the ALLSH
    # guide names beside them for the gratification (French Polynesia, New Caledonia).
    abroad = "etranger" in words(text) or bool(_PAY_EXEMPT_TERRITORY.search(folded))
    not_dev_hits = _NOT_DEV.findall(folded) or re.findall(r"\b(admin\w* (?:de|du|d un) site|site vitrine)\b", folded)
    facts = OfferFacts(
        kind=kind,
        duration_weeks=weeks,
        pay=amount,
        pay_unit=pay_unit,  # type: ignore[arg-type]
        remote_only=bool(_REMOTE_ONLY.search(folded)),
        not_development=bool(not_dev_hits) and not _DEV.search(folded),
        independent_host=bool(_INDEPENDENT.search(folded)),
    )
    number = next((g for g in (per_day.groups() if per_day else ()) if g), None)
    return Situation(
        facts=facts,
        start=start,
        end=end,
        hours=hours,
        hours_per_day=Decimal(number.replace(",", ".")) if number else None,
        hours_per_week=Decimal(per_week.group(1)) if per_week else None,
        continuous_hours=Decimal(int(span.group(2)) - int(span.group(1))) if span else None,
        abroad=abroad,
    )
