"""Questions that carry their own numbers, routed to the calculators of rules/.

"mon stage du 8 juin au 24 juillet est il gratifié" → gratification; "apprenti 22 ans en M1
combien" → work-study pay; "boite de 200 salariés combien de stagiaires" → quota; "je commence le
13 avril, quand faire ma convention" → deadlines; "308 heures en mois" → durations.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot import render
from bot.parsing import MONTHS
from knowledge.text import fold_plain
from rules import deadlines, durations, gratification, quota, workstudy
from rules.errors import RuleError
from rules.programmes import Programme
from rules.sources import Source

_MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
# English order, month first ("June 14th, 2027"): full English names only, so "mai 12" stays unread.
_ENGLISH_MONTH = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(
    rf"\b(?P<iso>\d{{4}}-\d{{1,2}}-\d{{1,2}})\b"
    rf"|\b(?P<d1>\d{{1,2}})/(?P<m1>\d{{1,2}})(?:/(?P<y1>\d{{2,4}}))?\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_WORD})\b\.?,?(?:\s+(?P<y2>\d{{4}}))?"
    rf"|\b(?P<m4>{_ENGLISH_MONTH})\s+(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(?P<y4>\d{{4}}))?"
    rf"|\b(?P<part>fin|mi|debut)(?:\s+|-)(?:de\s+|d\s*)?(?P<m3>{_MONTH_WORD})\b\.?(?:\s+(?P<y3>\d{{4}}))?"
)
_PART_DAY = {"debut": 1, "mi": 15}
_AGE = re.compile(r"\b(\d{2})\s*(?:ans|an|yo)\b")
_HEADCOUNT = re.compile(r"\b(\d{1,7})\s*(?:salaries|salarie|employes|employe|personnes|collaborateurs|staff)\b")
_DURATION = re.compile(r"\b(\d+(?:[.,]\d+)?|une?)\s*(heures|heure|h|jours|jour|semaines|semaine|mois)\b")
UNITS = {
    "heures": "hours",
    "heure": "hours",
    "h": "hours",
    "jours": "days",
    "jour": "days",
    "semaines": "weeks",
    "semaine": "weeks",
    "mois": "months",
}
_PAY_WORDS = re.compile(r"\b(apprenti\w*|alternan\w*|contrat pro|professionnalisation|cpro|capp)\b")
_STAGE_WORDS = re.compile(r"\b(stage|gratif\w*|paye|payee|remunere\w*|indemni\w*|heures|combien|obligatoire)\b")
_DEADLINE_WORDS = re.compile(r"\b(convention|signer|signature|delai|moveon|ipro|pstage|echeance|dossier|validation)\b")


@dataclass(frozen=True)
class CalcAnswer:
    """A calculator's answer to a question."""

    entry_id: str
    text: str
    sources: tuple[Source, ...]


_PAY_ASK = re.compile(r"\b(combien|cb|cmb|touche\w*|gagne\w*|salaire|pay\w*|remunere?\w*|smic|brut|net)\b")
# "Quand" or "change" asks when or whether pay moves, not how much it is today: the base answers that.
_PAY_ELSEWHERE = re.compile(r"\b(quand|change\w*|augmente\w*|evolu\w*|peux|peut)\b")


# A conversion names the unit it wants: "12 semaines en heures", "308 h ça fait combien de mois".
_TARGET_UNIT = re.compile(
    r"\b(?:en|combien de|combien d|cb de|cb d|nombre de|ca fait|ca donne|egal\w*|convert\w*|equivaut a|soit)\s+"
    r"(?:combien\s+(?:de\s+|d\s*)?)?(heures?|h|jours?|semaines?|mois)\b"
)


def _asks_conversion(folded: str, source_unit: str) -> bool:
    """Whether a question asks to convert a duration into another unit (not whether it is allowed)."""
    return any(UNITS[m.group(1)] != source_unit for m in _TARGET_UNIT.finditer(fold_plain(folded)))


def _asks_for_pay(folded: str) -> bool:
    return bool(_PAY_ASK.search(folded)) and not _PAY_ELSEWHERE.search(folded)


def _year_for(month: int, day: int, today: date) -> date:
    """A day written without its year: its next occurrence (in November, "1er juin" is next June)."""
    candidate = date(today.year, month, day)
    return candidate if candidate >= today else date(today.year + 1, month, day)


def find_dates(folded: str, today: date) -> list[date]:
    """Dates mentioned in a folded question, years inferred as the next occurrence when missing."""
    found: list[date] = []
    explicit: list[bool] = []  # whether each date carried its year
    for m in _DATE.finditer(folded):
        try:
            if m.group("iso"):
                found.append(date.fromisoformat("-".join(p.zfill(2) for p in m.group("iso").split("-"))))
                explicit.append(True)
                continue
            if m.group("d1"):
                day, month, year = int(m.group("d1")), int(m.group("m1")), m.group("y1")
            elif m.group("part"):
                # "fin juillet": the month's last day; "mi-mars": the 15th; "début juin": the 1st.
                month, year = MONTHS[m.group("m3")], m.group("y3")
                day = _PART_DAY.get(m.group("part")) or calendar.monthrange(int(year) if year else 2001, month)[1]
            elif m.group("m4"):
                day, month, year = int(m.group("d4")), MONTHS[m.group("m4")], m.group("y4")
            else:
                day, month, year = int(m.group("d2")), MONTHS[m.group("m2")], m.group("y2")
            if year:
                found.append(date(int(year) + (2000 if len(year) == 2 else 0), month, day))
            else:
                found.append(_year_for(month, day, today))
            explicit.append(bool(year))
        except ValueError:
            continue
    if len(found) >= 2:
        # "du 29 juin au 28 août 2026": the year written once holds for both ends of the range.
        if explicit[1] and not explicit[0]:
            found[0] = _in_year(found[0], found[1].year)
            if found[0] > found[1]:
                found[0] = _in_year(found[0], found[1].year - 1)
        elif explicit[0] and not explicit[1]:
            found[1] = _in_year(found[1], found[0].year)
        elif not explicit[0] and not explicit[1]:
            # A period without years is the first one not over yet (bot.parsing.read_period does
            # the same): its end is the next occurrence, its start the last one before that end.
            found[0] = _in_year(found[0], found[1].year)
            if found[0] > found[1]:
                found[0] = _in_year(found[0], found[1].year - 1)
        if found[1] < found[0] and not explicit[1]:
            found[1] = _in_year(found[1], found[1].year + 1)
    return found


def _in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def route(folded: str, programme: Programme, today: date) -> CalcAnswer | None:
    """A calculator's answer when the question carries what a calculator needs; None otherwise."""
    try:
        return _route(folded, programme, today)
    except RuleError as exc:
        return CalcAnswer("calc/erreur", str(exc), ())


def _route(folded: str, programme: Programme, today: date) -> CalcAnswer | None:
    dates = find_dates(folded, today)
    if (age := _AGE.search(folded)) and _PAY_WORDS.search(folded) and _asks_for_pay(folded):
        contract = (
            "professionnalisation" if re.search(r"\b(pro|professionnalisation|cpro)\b", folded) else "apprentissage"
        )
        year = 1
        if re.search(r"\bm2\b|\b2e?m?e? annee\b|\bdeuxieme annee\b", folded):
            year = 2
        elif re.search(r"\bl3\w*\b|\b3e?m?e? annee\b|\btroisieme annee\b", folded):
            year = 3
        pay = workstudy.minimum_pay(contract, int(age.group(1)), year, today, qualified=True)
        return CalcAnswer("calc/alternance-salaire", render.pay_text(pay), pay.sources[:1])
    if (head := _HEADCOUNT.search(folded)) and "stagiaire" in folded:
        q = quota.max_interns(int(head.group(1)))
        return CalcAnswer("calc/stagiaires", render.quota_text(q), (quota.QUOTA_LAW,))
    if len(dates) >= 2 and _STAGE_WORDS.search(folded):
        result = gratification.compute(dates[0], dates[1], programme=programme)
        return CalcAnswer(
            "calc/gratification",
            render.gratification_text(result, region_id="metropole"),
            (gratification.SIMULATOR, gratification.THRESHOLD_LAW),
        )
    if len(dates) == 1 and _DEADLINE_WORDS.search(folded):
        abroad = bool(re.search(r"\betranger|abroad|international", folded))
        steps = deadlines.steps_before(dates[0], programme, abroad=abroad)
        return CalcAnswer(
            "calc/echeance",
            render.steps_text(steps, start=dates[0], today=today),
            tuple(s.source for s in steps),
        )
    if not dates and (dur := _DURATION.search(folded)) and _asks_conversion(folded, UNITS[dur.group(2)]):
        value = Decimal(1) if dur.group(1) in {"un", "une"} else Decimal(dur.group(1).replace(",", "."))
        converted = durations.convert(value, UNITS[dur.group(2)])
        return CalcAnswer("calc/duree", render.durations_text(converted), (durations.DAY_AND_MONTH_LAW,))
    return None
