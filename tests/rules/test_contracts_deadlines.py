"""Contract windows (AMU MIAGE Tableau 5), deadlines per programme, quota, durations, working time."""

from datetime import date, time
from decimal import Decimal

import pytest

from rules import contracts, deadlines, durations, quota
from rules.errors import InvalidPeriod, UnknownProgramme, UnknownValue
from rules.programmes import programme
from rules.working_time import WorkDay, check_average, check_week


@pytest.mark.parametrize(
    ("formation", "contract", "bounds"),
    [
        # The guide's two worked examples (002_…txt, "Exemples d'établissement de dates").
        pytest.param(
            "master",
            "apprentissage",
            ("2025-06-01", "2025-12-01", "2027-09-03", "2027-11-03"),
            id="master-apprentissage",
        ),
        pytest.param(
            "l3i",
            "professionnalisation",
            ("2025-07-01", "2025-12-01", "2026-07-03", "2026-09-03"),
            id="l3i-pro",
        ),
        # Tableau 5, M2 column.
        pytest.param("m2", "apprentissage", ("2025-06-04", "2025-12-04", "2026-09-04", "2026-11-04"), id="m2-app"),
        pytest.param(
            "m2",
            "professionnalisation",
            ("2025-07-04", "2025-12-04", "2026-09-04", "2026-11-04"),
            id="m2-pro",
        ),
    ],
)
def test_tableau5_windows(formation: str, contract: str, bounds: tuple[str, str, str, str]) -> None:
    w = contracts.window(formation, contract)
    got = (w.start_earliest, w.start_latest, w.end_earliest, w.end_latest)
    assert tuple(d.isoformat() for d in got) == bounds


def test_stage_alternance_ends_by_dff() -> None:
    w = contracts.window("m2", "stage-alternance")
    assert (w.start_earliest, w.start_latest, w.end_latest) == (
        date(2025, 9, 4),
        date(2025, 12, 4),
        date(2026, 9, 4),
    )


def test_other_year_from_ddf_dff() -> None:
    w = contracts.window("l3i", "apprentissage", ddf=date(2026, 9, 1), dff=date(2027, 7, 2))
    assert (w.start_earliest, w.end_latest) == (date(2026, 6, 1), date(2027, 9, 2))


def test_lille_signatures_two_weeks_four_abroad() -> None:
    # 001_…txt: "Délai 2 semaines minimum pour les signatures"; abroad "4 semaines avant".
    france = deadlines.steps_before(date(2026, 4, 13), programme("lille-l3"))
    assert france[0].latest == date(2026, 3, 30)
    abroad = deadlines.steps_before(date(2026, 4, 13), programme("lille-l3"), abroad=True)
    assert abroad[0].latest == date(2026, 3, 16)
    assert all(s.latest.weekday() < 5 for s in abroad)


def test_allsh_six_weeks_and_moveon_one_month() -> None:
    steps = deadlines.steps_before(date(2026, 6, 15), programme("amu-allsh"), abroad=True)
    by_source = {s.source.section: s.latest for s in steps}
    assert by_source["IV.i Les délais"] == date(2026, 5, 4)
    assert by_source["VII. Stage à l'étranger"] == date(2026, 5, 15)


def test_amu_miage_validation_in_jours_ouvrables() -> None:
    steps = deadlines.steps_before(date(2026, 9, 14), programme("amu-miage"))
    # Validated one week before (7 Sept); sent 10 jours ouvrables (Mon–Sat) before: 26 August.
    assert [s.latest for s in steps] == [date(2026, 8, 26), date(2026, 9, 7), date(2026, 9, 11)]


def test_latest_day_moves_back_from_weekend_and_holiday() -> None:
    # Start Tuesday 2026-05-26: the day before is Whit Monday, so the convention is due Friday 22 May.
    steps = deadlines.steps_before(date(2026, 5, 26), programme("paris1-miage"))
    assert steps[-1].latest == date(2026, 5, 22)


def test_unknown_programme() -> None:
    with pytest.raises(UnknownProgramme):
        deadlines.steps_before(date(2026, 5, 26), programme("sorbonne"))


@pytest.mark.parametrize(("headcount", "expected"), [(1, 3), (19, 3), (20, 3), (21, 4), (45, 7), (100, 15), (101, 16)])
def test_quota_r124_10(headcount: int, expected: int) -> None:
    assert quota.max_interns(headcount).max_interns == expected


@pytest.mark.parametrize("headcount", [0, -1, 2_000_001])
def test_quota_refuses_an_empty_or_absurd_host(headcount: int) -> None:
    # Issue 11 point 13: "--headcount 0" answered 3; the message gives the allowed range.
    with pytest.raises(UnknownValue, match=r"entre 1 et 2\u202f000\u202f000 salariés"):
        quota.max_interns(headcount)


def test_contract_window_names_the_guide_dff_when_only_ddf_is_given() -> None:
    # Issue 11 point 13: "--ddf 2026-09-01" alone complained about a DFF nobody typed.
    with pytest.raises(InvalidPeriod) as caught:
        contracts.window("l3i", "apprentissage", ddf=date(2026, 9, 1))
    message = str(caught.value)
    assert "1 septembre 2026" in message and "3 juillet 2026" in message and "indiquez aussi la fin" in message
    with pytest.raises(InvalidPeriod, match="indiquez aussi le début"):
        contracts.window("l3i", "apprentissage", dff=date(2025, 6, 1))
    assert contracts.window("l3i", "apprentissage", ddf=date(2026, 9, 1), dff=date(2027, 7, 2)).dff == date(2027, 7, 2)


@pytest.mark.parametrize(
    ("start", "refused"),
    [
        pytest.param(date(1900, 1, 1), True, id="1900"),
        pytest.param(date(2025, 11, 21), True, id="a-year-and-a-day-ago"),
        pytest.param(date(2025, 11, 22), False, id="a-year-ago"),
        pytest.param(date(2029, 11, 22), False, id="in-three-years"),
        pytest.param(date(2029, 11, 23), True, id="beyond-three-years"),
    ],
)
def test_deadlines_refuse_a_start_far_from_today(start: date, refused: bool) -> None:
    today = date(2026, 11, 22)
    if refused:
        with pytest.raises(InvalidPeriod, match="vérifiez l'année"):
            deadlines.steps_before(start, programme("lille-l3"), today=today)
    else:
        assert deadlines.steps_before(start, programme("lille-l3"), today=today)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal(308), "hours", (308, 44, Decimal("8.8"), 2)),
        (Decimal(22), "days", (154, 22, Decimal("4.4"), 1)),
        (Decimal(12), "weeks", (420, 60, 12, Decimal("2.73"))),
        (Decimal(6), "months", (924, 132, Decimal("26.4"), 6)),
    ],
)
def test_durations_both_ways(value: Decimal, unit: str, expected: tuple[Decimal, ...]) -> None:
    d = durations.convert(value, unit)
    assert (d.hours, d.days, d.weeks, d.months) == tuple(Decimal(e) for e in expected)


def test_durations_refuse_bad_values() -> None:
    with pytest.raises(UnknownValue):
        durations.convert(Decimal(1), "fortnights")


def test_lawful_week_has_no_breach() -> None:
    week = [WorkDay(d, time(9), time(17), 60) for d in range(5)]
    assert check_week(week) == []


def test_week_breaches() -> None:
    week = [WorkDay(0, time(8), time(20), 30), WorkDay(1, time(6), time(17), 10)] + [
        WorkDay(d, time(8), time(18), 30) for d in range(2, 7)
    ]
    codes = {b.code for b in check_week(week)}
    assert codes == {"daily_max", "break", "weekly_max", "daily_rest", "weekly_rest"}


def test_average_over_twelve_weeks() -> None:
    assert check_average([46.0] * 12)[0].code == "average_12_weeks"
    assert check_average([46.0] * 6 + [40.0] * 6) == []


def test_one_date_of_another_year_is_not_paired_with_the_guide_s_other_one() -> None:
    # "--dff 2027-07-01" alone made a 22-month training with the guide's DDF of 1 September 2025.
    with pytest.raises(InvalidPeriod, match="ne va pas avec le début de formation du guide"):
        contracts.window("l3i", "apprentissage", dff=date(2027, 7, 1))
    with pytest.raises(InvalidPeriod, match="ne va pas avec la fin de formation du guide"):
        contracts.window("l3i", "apprentissage", ddf=date(2024, 9, 1))
    # A date of the guide's own year moved by a few days is still read with the other one.
    assert contracts.window("l3i", "apprentissage", dff=date(2026, 7, 10)).ddf == date(2025, 9, 1)
