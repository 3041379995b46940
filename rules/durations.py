"""Durations of a stage in hours, days, weeks and months, both ways.

D124-6 (Code de l'éducation) and the AMU ALLSH guide (003_de9fb0c5e9cab43b.txt, III.iii Durée du
stage): 1 day = 7 hours of presence, 1 month = 22 days; a week is 5 days of 7 hours (35 h, the
legal working week, Code du travail L3121-27), as the Faculty's converter counts it.
"""

from dataclasses import dataclass
from decimal import Decimal

from rules.errors import InvalidHours, UnknownValue
from rules.sources import GUIDE_AMU_ALLSH, source

HOURS_PER_DAY = Decimal(7)
DAYS_PER_WEEK = Decimal(5)
DAYS_PER_MONTH = Decimal(22)
QUANTUM = Decimal("0.01")
# A stage is at most 924 h a year with one host; ten times that is surely a typo.
MAX_HOURS = Decimal(9240)

HOURS_PER_UNIT: dict[str, Decimal] = {
    "hours": Decimal(1),
    "days": HOURS_PER_DAY,
    "weeks": HOURS_PER_DAY * DAYS_PER_WEEK,
    "months": HOURS_PER_DAY * DAYS_PER_MONTH,
}

DAY_AND_MONTH_LAW = source("Code de l'éducation", "art. D124-6 (7 h = 1 jour ; 22 jours = 1 mois)")
SOURCES = (DAY_AND_MONTH_LAW, source(GUIDE_AMU_ALLSH, "III.iii Durée du stage"))


@dataclass(frozen=True)
class Durations:
    """The same duration in every unit."""

    hours: Decimal
    days: Decimal
    weeks: Decimal
    months: Decimal


def convert(value: Decimal, unit: str) -> Durations:
    """Convert ``value`` expressed in ``unit`` (hours, days, weeks, months) into every unit."""
    if unit not in HOURS_PER_UNIT:
        raise UnknownValue(f"Unité inconnue « {unit} » : heures, jours, semaines ou mois.")
    if value <= 0:
        raise InvalidHours("La durée doit être positive.")
    hours = value * HOURS_PER_UNIT[unit]
    if hours > MAX_HOURS:
        raise InvalidHours("Cette durée dépasse de loin tout stage possible (924 h par an et par organisme).")

    def in_unit(name: str) -> Decimal:
        return (hours / HOURS_PER_UNIT[name]).quantize(QUANTUM)

    return Durations(hours.quantize(QUANTUM), in_unit("days"), in_unit("weeks"), in_unit("months"))
