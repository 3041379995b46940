"""Golden cases of the gratification calculator, each with its source."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from rules import gratification
from rules.calendar import working_days
from rules.errors import InvalidHours, InvalidPeriod
from rules.programmes import programme

D = Decimal


def test_service_public_worked_example_2024() -> None:
    # service-public F32131 (2024): January–March 2024, 154 + 147 + 147 h = 448 h × 4.35 = 1 948.80 €.
    r = gratification.compute(date(2024, 1, 1), date(2024, 3, 31))
    assert [m.hours for m in r.months] == [D(154), D(147), D(147)]
    assert r.hours == D(448)
    assert r.mandatory
    assert r.total_min == D("1948.80")
    assert r.smoothed_monthly == D("649.60")
    assert r.hourly_rate == D("4.35")
    assert r.threshold_day == date(2024, 3, 4)  # the 45th day holds the 309th hour


def test_cli_contract_example_2026() -> None:
    # docs/CLI.md example: 64 days, 448 h, 4.5 €/h, 2 016 €, smoothed 672 €, June 693 €.
    r = gratification.compute(date(2026, 6, 1), date(2026, 8, 28))
    assert (r.working_days, r.hours, r.total_min, r.smoothed_monthly) == (64, D(448), D(2016), D(672))
    assert r.months[0].month == "2026-06"
    assert (r.months[0].days, r.months[0].amount) == (22, D(693))


@pytest.mark.parametrize(
    ("start", "end", "month", "rate", "amount", "source"),
    [
        pytest.param(
            date(2024, 1, 1),
            date(2024, 3, 31),
            "2024-01",
            "4.35",
            "669.90",
            "003_de9fb0c5e9cab43b.txt III.iv: 4,35 €/h, soit 669 € pour 22 jours",
            id="amu-allsh-669",
        ),
        pytest.param(
            date(2026, 6, 1),
            date(2026, 8, 28),
            "2026-06",
            "4.50",
            "693.00",
            "000_66ecd3d8874ef3f3.txt Durée / Gratification: 4,5 €/h (693 €/mois)",
            id="paris1-693",
        ),
        pytest.param(
            date(2021, 9, 1),
            date(2021, 12, 17),
            "2021-09",
            "3.90",
            "600.60",
            "001_3d148830f515fa28.txt Convention: 3,90 €/h, minimum mensuel 600,60",
            id="lille-600.60",
        ),
    ],
)
def test_guides_own_figures(start: date, end: date, month: str, rate: str, amount: str, source: str) -> None:
    r = gratification.compute(start, end)
    line = next(m for m in r.months if m.month == month)
    assert line.days == 22, source
    assert line.rate == D(rate)
    assert line.amount == D(amount)


def _end_after(start: date, days: int) -> date:
    """The date on which the ``days``-th working day (metropole, Mon–Fri) falls."""
    end = start
    while len(working_days(start, end)) < days:
        end += timedelta(days=1)
    return end


def test_308_hours_is_not_mandatory_309_is() -> None:
    # L124-6 / D124-6: more than 2 months = more than 308 h; the simulator tests total > 308.
    start = date(2026, 3, 2)
    r308 = gratification.compute(start, _end_after(start, 44))
    assert r308.hours == D(308)
    assert not r308.mandatory
    assert r308.total_min == 0
    assert all(m.amount == 0 for m in r308.months)
    r309 = gratification.compute(start, _end_after(start, 103), hours_per_day=D(3))
    assert r309.hours == D(309)
    assert r309.mandatory
    assert r309.total_min == sum(m.hours * m.rate for m in r309.months)


def test_across_first_january_each_month_takes_its_rate() -> None:
    r = gratification.compute(date(2025, 11, 3), date(2026, 2, 27))
    assert [m.rate for m in r.months] == [D("4.35"), D("4.35"), D("4.50"), D("4.50")]
    assert any("1er janvier" in n for n in r.notes)
    assert r.total_min == sum((m.amount for m in r.months), D(0))


def test_unpublished_year_is_flagged_not_guessed() -> None:
    r = gratification.compute(date(2026, 11, 2), date(2027, 3, 31))
    assert r.months[-1].rate == D("4.50")
    assert any("2027" in w and "pas encore publié" in w for w in r.warnings)


def test_more_than_924_hours_warns() -> None:
    r = gratification.compute(date(2025, 9, 1), date(2026, 4, 30))
    assert r.hours > 924
    assert any("924" in w for w in r.warnings)


def test_programme_deadline_and_minimum_warnings() -> None:
    paris1 = programme("paris1-miage")
    late = gratification.compute(date(2026, 7, 1), date(2026, 9, 15), programme=paris1)
    assert any("31 août 2026" in w for w in late.warnings)
    short = gratification.compute(date(2026, 6, 1), date(2026, 6, 30), programme=paris1)
    assert any("minimum du programme paris1-miage" in w for w in short.warnings)
    lille = gratification.compute(date(2026, 4, 13), date(2026, 6, 26), programme=programme("lille-l3"))
    assert any("12 semaines" in w for w in lille.warnings)
    ok = gratification.compute(date(2026, 4, 13), date(2026, 7, 10), programme=programme("lille-l3"))
    assert not any("12 semaines" in w for w in ok.warnings)


def test_weekly_volume_is_spread_over_weekdays() -> None:
    r = gratification.compute(date(2026, 6, 1), date(2026, 6, 30), hours_per_week=D(20), weekdays=frozenset({0, 1, 2}))
    assert r.working_days == 14  # 5 Mondays, 5 Tuesdays, 4 Wednesdays
    assert r.hours == (D(20) * 14 / 3).quantize(D("0.01"))
    assert sum(m.hours for m in r.months) == r.hours


def test_rate_override_and_below_minimum_warning() -> None:
    r = gratification.compute(date(2026, 6, 1), date(2026, 8, 28), rate=D("4.00"))
    assert r.rate_overridden
    assert r.total_min == D(448) * D("4.00")
    assert any("inférieur au minimum légal" in w for w in r.warnings)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        pytest.param({"start": date(2026, 6, 2), "end": date(2026, 6, 1)}, InvalidPeriod, id="end-before-start"),
        pytest.param({"start": date(2026, 6, 1), "end": date(2126, 6, 1)}, InvalidPeriod, id="a-century"),
        pytest.param(
            {"start": date(2026, 6, 1), "end": date(2026, 8, 1), "hours_per_day": D(11)},
            InvalidHours,
            id="eleven-hours",
        ),
        pytest.param(
            {"start": date(2026, 6, 1), "end": date(2026, 8, 1), "hours_per_week": D(0)},
            InvalidHours,
            id="zero-week",
        ),
        pytest.param({"start": date(2014, 6, 1), "end": date(2014, 9, 30)}, InvalidPeriod, id="before-tables"),
        pytest.param(  # issue 11 point 13: a day off outside the period was accepted
            {"start": date(2026, 6, 1), "end": date(2026, 8, 1), "days_off": [date(2026, 9, 1)]},
            InvalidPeriod,
            id="day-off-outside",
        ),
    ],
)
def test_bad_inputs_raise_french_errors(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        gratification.compute(**kwargs)  # type: ignore[arg-type]
    assert str(caught.value).endswith(".")
