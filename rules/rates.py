"""Dated legal figures: each value with the day it took effect and the text that set it.

Tables checked on ``TABLES_CHECKED_ON`` against ../shared/LEGAL.md (service-public F32131,
Urssaf, arrêtés fixing the plafond de la sécurité sociale, décrets fixing the SMIC).
A date after the last year covered is answered with the last figure and a warning, never a guess.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rules.errors import InvalidPeriod
from rules.sources import Source, source

TABLES_CHECKED_ON = date(2026, 11, 22)


@dataclass(frozen=True)
class DatedFigure:
    """A legal figure in force from ``since`` until the next entry of its table."""

    since: date
    value: Decimal
    source: Source  # the decree or order that set it, cited whole


# Gratification minimum: 15 % of the hourly social-security ceiling (Code de l'éducation L124-6,
# D124-6; CSS D242-2-1; 15 % for every convention signed since 2015-09-01, décret 2014-1420).
GRATIFICATION_HOURLY_MINIMUM: tuple[DatedFigure, ...] = (
    # 2015-09-01: ceiling 24 €/h, 15 % = 3.60 (décret 2014-1420 du 27 novembre 2014).
    DatedFigure(date(2015, 9, 1), Decimal("3.60"), source("décret 2014-1420 ; plafond horaire 24 €")),
    # 2018-01-01: ceiling 25 €/h (arrêté du 5 décembre 2017, PSS 2018).
    DatedFigure(date(2018, 1, 1), Decimal("3.75"), source("arrêté PSS 2018 ; plafond horaire 25 €")),
    # 2020-01-01: ceiling 26 €/h (arrêté du 2 décembre 2019), unchanged in 2021 and 2022.
    DatedFigure(date(2020, 1, 1), Decimal("3.90"), source("arrêté du 2 décembre 2019 ; plafond horaire 26 €")),
    # 2023-01-01: ceiling 27 €/h (arrêté PSS 2023).
    DatedFigure(date(2023, 1, 1), Decimal("4.05"), source("arrêté PSS 2023 ; plafond horaire 27 €")),
    # 2024-01-01: ceiling 29 €/h (arrêté du 19 décembre 2023), unchanged in 2025.
    DatedFigure(date(2024, 1, 1), Decimal("4.35"), source("arrêté du 19 décembre 2023 ; plafond horaire 29 €")),
    # 2026-01-01: ceiling 30 €/h (arrêté du 22 décembre 2025, JO du 23 décembre 2025).
    DatedFigure(date(2026, 1, 1), Decimal("4.50"), source("arrêté du 22 décembre 2025 ; plafond horaire 30 €")),
)

# SMIC, gross hourly (Code du travail L3231-2 and following).
SMIC_HOURLY: tuple[DatedFigure, ...] = (
    # 2024-11-01: 11.88 €/h (décret 2024-951 du 23 octobre 2024), unchanged in 2025.
    DatedFigure(date(2024, 11, 1), Decimal("11.88"), source("décret 2024-951 du 23 octobre 2024")),
    # 2026-01-01: 12.02 €/h (décret 2025-1228).
    DatedFigure(date(2026, 1, 1), Decimal("12.02"), source("décret 2025-1228")),
)

# Monthly hours of a full-time job: 35 h × 52 weeks / 12 months (Code du travail L3121-27;
# AMU MIAGE guide 002_1b58e6cf34c82c9d.txt §4.2.1: "151,67 heures par mois").
MONTHLY_HOURS = Decimal(35 * 52) / Decimal(12)


def in_force(table: tuple[DatedFigure, ...], day: date, what: str) -> DatedFigure:
    """The entry of ``table`` in force on ``day``; French error before the table starts."""
    current: DatedFigure | None = None
    for entry in table:
        if entry.since <= day:
            current = entry
    if current is None:
        first = table[0].since
        raise InvalidPeriod(
            f"Le {what} n'est tabulé qu'à partir du {first.day}/{first.month:02d}/{first.year} : "
            f"date du {day.day}/{day.month:02d}/{day.year} non couverte."
        )
    return current


def is_published(day: date) -> bool:
    """Whether the figures for ``day``'s year were known when the tables were checked.

    Both the social-security ceiling and the SMIC are revalued on 1 January; a later year is
    not yet published (LEGAL.md: "The 2027 figure is not published as of this date").
    """
    return day.year <= TABLES_CHECKED_ON.year


def gratification_rate(day: date) -> DatedFigure:
    """The legal hourly minimum of the gratification in force on ``day``."""
    return in_force(GRATIFICATION_HOURLY_MINIMUM, day, "minimum légal de gratification")


def smic_hourly(day: date) -> DatedFigure:
    """The gross hourly SMIC in force on ``day``."""
    return in_force(SMIC_HOURLY, day, "SMIC")
