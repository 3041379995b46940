"""Properties of the calendar and the calculators (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rules import gratification
from rules.calendar import REGIONS, working_days

starts = st.dates(min_value=date(2016, 1, 1), max_value=date(2027, 12, 31))
spans = st.integers(min_value=0, max_value=400)
regions = st.sampled_from(sorted(REGIONS))
weekday_sets = st.frozensets(st.integers(min_value=0, max_value=6), min_size=1)


@settings(max_examples=150, deadline=None)
@given(starts, spans, regions, weekday_sets)
def test_working_days_never_exceed_calendar_days(
    start: date, span: int, region_id: str, weekdays: frozenset[int]
) -> None:
    end = start + timedelta(days=span)
    days = working_days(start, end, weekdays=weekdays, region_id=region_id)
    assert len(days) <= span + 1
    assert all(start <= d <= end and d.weekday() in weekdays for d in days)


@settings(max_examples=150, deadline=None)
@given(starts, spans, regions, st.sampled_from([Decimal(7), Decimal("3.5"), Decimal(10), Decimal("6.25")]))
def test_month_hours_sum_to_total(start: date, span: int, region_id: str, daily: Decimal) -> None:
    r = gratification.compute(start, start + timedelta(days=span), region_id=region_id, hours_per_day=daily)
    assert sum((m.hours for m in r.months), Decimal(0)) == r.hours
    assert sum(m.days for m in r.months) == r.working_days
    assert r.total_min == sum((m.amount for m in r.months), Decimal(0))
    assert r.mandatory == (r.hours > 308)


@settings(max_examples=100, deadline=None)
@given(starts, spans, st.integers(min_value=0, max_value=400), st.integers(min_value=1, max_value=40))
def test_adding_a_day_off_never_adds_hours(start: date, span: int, offset: int, weekly: int) -> None:
    end = start + timedelta(days=span)
    day_off = start + timedelta(days=offset % (span + 1))
    without = gratification.compute(start, end, hours_per_week=Decimal(weekly))
    with_off = gratification.compute(start, end, hours_per_week=Decimal(weekly), days_off=[day_off])
    assert with_off.hours <= without.hours
    assert with_off.total_min <= without.total_min or with_off.mandatory != without.mandatory
