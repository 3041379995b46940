"""Work-study ("alternance") minimum pay, as a share of the SMIC.

Apprenticeship: Code du travail D6222-26 (and the AMU MIAGE guide, 002_1b58e6cf34c82c9d.txt
§4.2.1, Tableau 6): % of the SMIC by age bracket and contract year; from 21 the share applies to
the higher of the SMIC and the branch minimum (SMC). Age steps from the first day of the month
after the birthday; year steps from the contract anniversary.
Professionalisation: D6325-14, D6325-15, D6325-18 (guide §4.2.2, Tableau 7): under 21 55 %
(65 % with at least a bac pro level), 21–25 70 % (80 %), 26+ the higher of the SMIC and 85 % of
the branch minimum.
The guide places L3I MIAGE in contract year 3, M1 in year 1, M2 in year 2 (§4.2, "En pratique").
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rules.errors import UnknownValue
from rules.money import cents
from rules.rates import MONTHLY_HOURS, is_published, smic_hourly
from rules.sources import GUIDE_AMU_MIAGE, Source, source

MIN_AGE = 16  # apprenticeship from 16 (L6222-1); younger only by exception, not handled
MAX_AGE = 99

# D6222-26, version in force since 2019-01-01 (décret 2018-1347): (min_age, max_age) → year 1, 2, 3.
APPRENTICESHIP_GRID: dict[tuple[int, int], tuple[int, int, int]] = {
    (16, 17): (27, 39, 55),
    (18, 20): (43, 51, 67),
    (21, 25): (53, 61, 78),
    (26, MAX_AGE): (100, 100, 100),
}
# D6325-14/15/18: (min_age, max_age) → (base, qualified at least bac pro).
PROFESSIONALISATION_GRID: dict[tuple[int, int], tuple[int, int]] = {
    (16, 20): (55, 65),
    (21, 25): (70, 80),
    (26, MAX_AGE): (100, 100),
}
# The guide's mapping of the MIAGE years to apprenticeship contract years (§4.2).
FORMATION_CONTRACT_YEAR = {"l3i": 3, "m1": 1, "m2": 2}

SOURCES_APPRENTISSAGE = (
    source("Code du travail", "art. D6222-26 (grille de l'apprentissage)"),
    source(GUIDE_AMU_MIAGE, "§4.2.1, Tableau 6"),
)
SOURCES_PRO = (
    source("Code du travail", "art. D6325-14, D6325-15 et D6325-18 (contrat de professionnalisation)"),
    source(GUIDE_AMU_MIAGE, "§4.2.2, Tableau 7"),
)


@dataclass(frozen=True)
class WorkStudyPay:
    """The minimum gross monthly pay of a work-study contract."""

    contract: str
    age: int
    year: int
    percent_smic: int
    smic_hourly: Decimal
    monthly_gross: Decimal
    basis: str
    sources: tuple[Source, ...]
    warnings: tuple[str, ...]


def _ordinal(n: int) -> str:
    return "1re" if n == 1 else f"{n}e"


def _bracket(age: int, grid: Mapping[tuple[int, int], tuple[int, ...]]) -> tuple[tuple[int, int], tuple[int, ...]]:
    if not MIN_AGE <= age <= MAX_AGE:
        raise UnknownValue(f"Âge {age} hors des grilles : l'alternance se signe de 16 à 99 ans ici.")
    for (low, high), row in grid.items():
        if low <= age <= high:
            return (low, high), row
    raise UnknownValue(f"Âge {age} hors des grilles.")  # pragma: no cover - brackets cover 16..99


def minimum_pay(contract: str, age: int, year: int, on: date, *, qualified: bool = True) -> WorkStudyPay:
    """Minimum pay of an apprentice or a professionalisation contract on a given day.

    ``qualified`` (professionalisation only) selects the row "at least a bac pro or equivalent",
    which the AMU guide applies to every MIAGE year (§4.2.2, Tableau 7): it is the default on every
    surface; ``qualified=False`` is the basic row, which the guide says does not concern the MIAGE.
    """
    if year not in (1, 2, 3):
        raise UnknownValue("L'année de contrat doit être 1, 2 ou 3.")
    smic = smic_hourly(on)
    warnings: list[str] = []
    if not is_published(on):
        warnings.append(
            f"Le SMIC {on.year} n'est pas encore publié : le calcul utilise le dernier connu ({smic.value} €/h)."
        )
    if contract == "apprentissage":
        (low, high), row = _bracket(age, APPRENTICESHIP_GRID)
        percent = row[year - 1]
        sources = SOURCES_APPRENTISSAGE
        if low >= 26:
            basis = "100 % du SMIC ou du salaire minimum conventionnel s'il est plus élevé"
        elif low >= 21:
            basis = (
                f"{percent} % du SMIC ou du salaire minimum conventionnel s'il est plus élevé "
                f"({low}–{high} ans, {_ordinal(year)} année de contrat)"
            )
        else:
            basis = f"{percent} % du SMIC ({low}–{high} ans, {_ordinal(year)} année de contrat)"
    elif contract == "professionnalisation":
        (low, high), row = _bracket(age, PROFESSIONALISATION_GRID)
        percent = row[1] if qualified else row[0]
        sources = SOURCES_PRO
        if low >= 26:
            basis = "le SMIC, ou 85 % du salaire minimum conventionnel s'il est plus élevé"
        else:
            level = "au moins bac pro" if qualified else "qualification de base"
            span = "moins de 21 ans" if high < 21 else f"{low}–{high} ans"
            basis = f"{percent} % du SMIC ({span}, {level})"
    else:
        raise UnknownValue("Contrat inconnu : apprentissage ou professionnalisation.")
    monthly = cents(smic.value * MONTHLY_HOURS * Decimal(percent) / Decimal(100))
    return WorkStudyPay(
        contract=contract,
        age=age,
        year=year,
        percent_smic=percent,
        smic_hourly=smic.value,
        monthly_gross=monthly,
        basis=basis,
        sources=(*sources, source(f"SMIC : {smic.source.document}", smic.source.section)),
        warnings=tuple(warnings),
    )
