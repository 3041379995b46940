"""Every cell of the work-study pay grids (D6222-26; D6325-14/15/18; AMU guide Tableaux 6 and 7)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from rules.errors import InvalidPeriod, UnknownValue
from rules.workstudy import FORMATION_CONTRACT_YEAR, minimum_pay

ON = date(2026, 3, 1)  # SMIC 12.02 €/h (décret 2025-1228)


def expected_monthly(percent: int, smic: str = "12.02") -> Decimal:
    return (Decimal(smic) * 35 * 52 / 12 * percent / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


APPRENTICESHIP = [  # (age, year, percent) — D6222-26, Tableau 6
    (16, 1, 27),
    (17, 2, 39),
    (17, 3, 55),
    (18, 1, 43),
    (19, 2, 51),
    (20, 3, 67),
    (21, 1, 53),
    (23, 2, 61),
    (25, 3, 78),
    (26, 1, 100),
    (30, 2, 100),
    (45, 3, 100),
]


@pytest.mark.parametrize(
    ("age", "year", "percent"), APPRENTICESHIP, ids=[f"{a}ans-an{y}" for a, y, _ in APPRENTICESHIP]
)
def test_apprenticeship_grid(age: int, year: int, percent: int) -> None:
    pay = minimum_pay("apprentissage", age, year, ON)
    assert pay.percent_smic == percent
    assert pay.monthly_gross == expected_monthly(percent)
    if age >= 21:
        assert "conventionnel" in pay.basis


PRO = [  # (age, qualified, percent) — D6325-14/15/18, Tableau 7
    (19, False, 55),
    (20, True, 65),
    (21, False, 70),
    (25, True, 80),
    (26, False, 100),
    (40, True, 100),
]


@pytest.mark.parametrize(("age", "qualified", "percent"), PRO, ids=[f"{a}ans-{q}" for a, q, _ in PRO])
def test_professionalisation_grid(age: int, qualified: bool, percent: int) -> None:
    pay = minimum_pay("professionnalisation", age, 1, ON, qualified=qualified)
    assert pay.percent_smic == percent
    assert pay.monthly_gross == expected_monthly(percent)


def test_smic_dated_table() -> None:
    # LEGAL.md: 11.88 €/h from 2024-11-01 (1 801.80 €), 12.02 €/h from 2026-01-01 (1 823.03 €).
    assert minimum_pay("apprentissage", 30, 1, date(2025, 6, 1)).monthly_gross == Decimal("1801.80")
    assert minimum_pay("apprentissage", 30, 1, date(2026, 1, 1)).monthly_gross == Decimal("1823.03")
    assert minimum_pay("apprentissage", 30, 1, date(2027, 2, 1)).warnings
    with pytest.raises(InvalidPeriod):
        minimum_pay("apprentissage", 30, 1, date(2024, 1, 1))


def test_guide_year_mapping() -> None:
    # 002_…txt §4.2 "En pratique": L3I = 3rd year, M1 = 1st, M2 = 2nd.
    assert FORMATION_CONTRACT_YEAR == {"l3i": 3, "m1": 1, "m2": 2}


@pytest.mark.parametrize(
    ("contract", "age", "year"), [("apprentissage", 15, 1), ("apprentissage", 22, 4), ("interim", 22, 1)]
)
def test_refused_values(contract: str, age: int, year: int) -> None:
    with pytest.raises(UnknownValue):
        minimum_pay(contract, age, year, ON)


def test_professionalisation_defaults_to_the_guide_row() -> None:
    # Issue 11 point 1: AMU guide §4.2.2, Tableau 7 puts every MIAGE year on the "at least bac pro"
    # row (80 % at 21-25); the basic row (70 %) "ne concerne pas la MIAGE".
    assert minimum_pay("professionnalisation", 24, 1, ON).percent_smic == 80
    assert minimum_pay("professionnalisation", 24, 1, ON, qualified=False).percent_smic == 70
