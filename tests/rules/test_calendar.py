"""Working days and public holidays per region (Code du travail L3133-1, L3134-13, L3422-2)."""

from datetime import date

import pytest

from rules.calendar import MON_SAT, parse_weekdays, public_holidays, shift_working_days, working_days
from rules.errors import UnknownValue


def test_metropole_holidays_2026() -> None:
    days = public_holidays(date(2026, 1, 1), date(2026, 12, 31))
    assert len(days) == 11
    assert date(2026, 5, 25) in days  # Lundi de Pentecôte
    assert date(2026, 4, 3) not in days  # no Good Friday outside Alsace-Moselle


def test_alsace_moselle_adds_good_friday_and_26_december() -> None:
    metro = working_days(date(2025, 12, 22), date(2025, 12, 31))
    alsace = working_days(date(2025, 12, 22), date(2025, 12, 31), region_id="alsace-moselle")
    assert len(metro) == 7
    assert len(alsace) == 6
    assert date(2025, 12, 26) in metro and date(2025, 12, 26) not in alsace
    assert date(2025, 4, 18) in public_holidays(date(2025, 4, 1), date(2025, 4, 30), "alsace-moselle")


@pytest.mark.parametrize(
    ("region_id", "day"),
    [
        pytest.param("mayotte", date(2026, 4, 27), id="mayotte-27-avril"),
        pytest.param("martinique", date(2026, 5, 22), id="martinique-22-mai"),
        pytest.param("guadeloupe", date(2026, 5, 27), id="guadeloupe-27-mai"),
        pytest.param("guyane", date(2026, 6, 10), id="guyane-10-juin"),
        pytest.param("reunion", date(2027, 12, 20), id="reunion-20-decembre"),
    ],
)
def test_overseas_abolition_days(region_id: str, day: date) -> None:
    assert day in public_holidays(day, day, region_id)
    assert day not in public_holidays(day, day, "metropole")
    assert day not in working_days(day, day, region_id=region_id)
    assert day in working_days(day, day)


def test_days_off_and_weekdays() -> None:
    june = working_days(date(2026, 6, 1), date(2026, 6, 30), days_off=[date(2026, 6, 5)])
    assert len(june) == 21
    assert len(working_days(date(2026, 6, 1), date(2026, 6, 7), weekdays=parse_weekdays("mon,wed"))) == 2


def test_unknown_weekday_and_region() -> None:
    with pytest.raises(UnknownValue):
        parse_weekdays("lun,xyz")
    with pytest.raises(UnknownValue):
        public_holidays(date(2026, 1, 1), date(2026, 1, 2), "paris")


def test_shift_counts_jours_ouvrables_and_skips_holidays() -> None:
    # 10 jours ouvrables (Mon–Sat) before Friday 2026-05-15, skipping 14 May (Ascension), 8 May and 1 May.
    assert shift_working_days(date(2026, 5, 15), -10, weekdays=MON_SAT) == date(2026, 4, 30)
    assert shift_working_days(date(2026, 7, 10), 2) == date(2026, 7, 15)  # 14 July skipped
