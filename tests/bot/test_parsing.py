"""Reading typed dates and numbers: a date without its year is the next one, and StageBot says which."""

from datetime import date
from decimal import Decimal

import pytest

from bot.errors import InputError
from bot.parsing import clean_line, in_range, parse_date, read_one, read_period, read_question

NOVEMBER = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        # Issue 11 point 3: asked in November, "du 1er juin au 28 août" is next summer's, not last.
        pytest.param("1er juin", "28 août", NOVEMBER, (date(2027, 6, 1), date(2027, 8, 28)), id="november"),
        pytest.param("1er juin", "28 août", date(2026, 7, 14), (date(2026, 6, 1), date(2026, 8, 28)), id="during"),
        pytest.param("1/6", "28/8", date(2026, 3, 2), (date(2026, 6, 1), date(2026, 8, 28)), id="before"),
        pytest.param("1 décembre", "15 janvier", NOVEMBER, (date(2026, 12, 1), date(2027, 1, 15)), id="across-years"),
        pytest.param("1 juin 2027", "28 août", NOVEMBER, (date(2027, 6, 1), date(2027, 8, 28)), id="end-follows"),
        pytest.param("1 juin", "2027-08-28", NOVEMBER, (date(2027, 6, 1), date(2027, 8, 28)), id="start-precedes"),
        pytest.param("2026-06-01", "2026-08-28", NOVEMBER, (date(2026, 6, 1), date(2026, 8, 28)), id="years-given"),
    ],
)
def test_a_period_without_years_is_the_next_one_not_over(
    start: str, end: str, today: date, expected: tuple[date, date]
) -> None:
    assert read_period(start, end, today).days == expected


def test_the_year_chosen_is_said() -> None:
    read = read_period("1er juin", "28 août", NOVEMBER)
    assert read.notes == (
        "Année non précisée pour « 1er juin » : StageBot a compris le 1 juin 2027.",
        "Année non précisée pour « 28 août » : StageBot a compris le 28 août 2027.",
    )
    assert read_period("2026-06-01", "2026-08-28", NOVEMBER).notes == ()
    assert read_one("13 avril", NOVEMBER).days == (date(2027, 4, 13),)
    assert parse_date("23 novembre", NOVEMBER) == NOVEMBER  # today is the next occurrence of today
    assert parse_date("29 février", NOVEMBER) == date(2028, 2, 29)


def test_a_date_without_year_needs_a_today_and_must_exist() -> None:
    with pytest.raises(InputError, match="Précisez l'année"):
        parse_date("1 juin")
    with pytest.raises(InputError, match="n'existe pas"):
        parse_date("31 avril", NOVEMBER)
    with pytest.raises(InputError, match="illisible"):
        parse_date("x" * 100_000, NOVEMBER)


def test_ranges_are_said_in_french() -> None:
    with pytest.raises(InputError) as caught:
        in_range(11, 1, 10, "Le nombre d'heures par jour")
    assert str(caught.value) == "Le nombre d'heures par jour doit être entre 1 et 10 (reçu 11)."
    with pytest.raises(InputError, match=r"entre 1 et 2\u202f000\u202f000"):
        in_range(0, 1, 2_000_000, "L'effectif")
    in_range(Decimal("7.5"), 1, 10, "x")


def test_questions_are_cleaned_and_bounded() -> None:
    assert clean_line("quelle\x1b[D\x1b[C durée\x1b[A ?\n") == "quelle durée ?"
    assert read_question("  durée min  ") == "durée min"
    for bad, message in (("   ", "quelques mots"), ("\x1b[A\x1b[B", "quelques mots"), ("a" * 1001, "trop longue")):
        with pytest.raises(InputError, match=message):
            read_question(bad)
    with pytest.raises(InputError, match="UTF-8"):
        read_question(b"dur\xe9e".decode("utf-8", "surrogateescape"))
