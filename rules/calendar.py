"""Working days: weekdays worked, less French public holidays of a region and days off.

Public holidays come from the ``holidays`` package (>= 0.76), which encodes the Code du travail:
L3133-1 (the eleven national days), L3134-13 (Alsace-Moselle adds Good Friday and 26 December),
L3422-2 (abolition of slavery days overseas). The subdivision codes matter: ``"57"`` (alias
``"6AE"``) for Alsace-Moselle; the old ``"GES"`` silently returns no Alsace holidays.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from rules.errors import InvalidPeriod, UnknownValue


@dataclass(frozen=True)
class Region:
    """A holiday calendar: the ``holidays`` subdivision and its French name."""

    id: str
    label: str
    subdiv: str | None
    source: str


REGIONS: dict[str, Region] = {
    r.id: r
    for r in (
        Region("metropole", "France métropolitaine", None, "Code du travail, art. L3133-1"),
        Region("alsace-moselle", "Alsace-Moselle", "57", "Code du travail, art. L3134-13"),
        Region("guadeloupe", "Guadeloupe", "971", "Code du travail, art. L3422-2 ; décret 83-1003"),
        Region("martinique", "Martinique", "972", "Code du travail, art. L3422-2 ; décret 83-1003"),
        Region("guyane", "Guyane", "973", "Code du travail, art. L3422-2 ; décret 83-1003"),
        Region("reunion", "La Réunion", "974", "Code du travail, art. L3422-2 ; décret 83-1003"),
        Region("mayotte", "Mayotte", "976", "Code du travail, art. L3422-2 ; décret 83-1003"),
    )
}

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MON_FRI: frozenset[int] = frozenset(range(5))
# "Jours ouvrables": every day but Sunday and public holidays (Code du travail, L3133-1 usage).
MON_SAT: frozenset[int] = frozenset(range(6))

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def region(region_id: str) -> Region:
    """Return the region, or raise a French error naming the allowed values."""
    try:
        return REGIONS[region_id]
    except KeyError:
        allowed = ", ".join(REGIONS)
        raise UnknownValue(f"Région inconnue « {region_id} » : valeurs possibles {allowed}.") from None


def parse_weekdays(spec: str) -> frozenset[int]:
    """Parse ``mon,tue,…`` into weekday numbers (Monday = 0)."""
    days: set[int] = set()
    for raw in spec.split(","):
        code = raw.strip().lower()[:3]
        if code not in WEEKDAY_CODES:
            raise UnknownValue(f"Jour de la semaine inconnu « {raw.strip()} » : utilisez mon,tue,wed,thu,fri,sat,sun.")
        days.add(WEEKDAY_CODES.index(code))
    if not days:
        raise UnknownValue("Indiquez au moins un jour travaillé dans la semaine.")
    return frozenset(days)


@lru_cache(maxsize=256)
def _holidays_of_year(region_id: str, year: int) -> dict[date, str]:
    reg = region(region_id)
    table = holidays.country_holidays("FR", subdiv=reg.subdiv, years=year, language="fr")
    return dict(table.items())


def public_holidays(start: date, end: date, region_id: str = "metropole") -> dict[date, str]:
    """Public holidays of the region between two dates, both inclusive, with their French names."""
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, name in _holidays_of_year(region_id, year).items():
            if start <= day <= end:
                found[day] = name
    return dict(sorted(found.items()))


def days_between(start: date, end: date) -> Iterator[date]:
    """Every calendar day from start to end, both inclusive."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def working_days(
    start: date,
    end: date,
    *,
    weekdays: frozenset[int] = MON_FRI,
    region_id: str = "metropole",
    days_off: Iterable[date] = (),
) -> list[date]:
    """Days worked from start to end inclusive: the given weekdays, less holidays and days off."""
    if end < start:
        raise InvalidPeriod("La date de fin est antérieure à la date de début.")
    off = set(days_off)
    bank = public_holidays(start, end, region_id)
    return [d for d in days_between(start, end) if d.weekday() in weekdays and d not in bank and d not in off]


def shift_working_days(
    day: date, count: int, *, weekdays: frozenset[int] = MON_FRI, region_id: str = "metropole"
) -> date:
    """The working day ``count`` working days after (count > 0) or before (count < 0) ``day``."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    while remaining:
        current += timedelta(days=step)
        if current.weekday() in weekdays and current not in _holidays_of_year(region_id, current.year):
            remaining -= 1
    return current


def fr_date(day: date) -> str:
    """``lundi 1 juin 2026``."""
    return f"{WEEKDAY_NAMES_FR[day.weekday()]} {day.day} {MONTHS_FR[day.month - 1]} {day.year}"


def fr_short_date(day: date) -> str:
    """``1 juin 2026``."""
    return f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}"
