"""Each programme's key dates placed on a calendar, and nothing the guide does not give.

The dates themselves are each programme's (rules/keydates.py, held by its profile in rules/programmes.py).

A guide dates an event in one of three ways, and StageBot keeps the difference:
- a day and a month that come back every school year ("16 sept", "31 août"): placed in each year;
- words for a part of a month ("mi-novembre", "début mars", "janvier/février"): shown in the guide's
  words; the JSON's ``date`` and ``end`` bound them by thirds of a month (début = 1–10, mi = 11–20,
  fin = 21–last day) and ``exact`` is false;
- a date of one school year only (AMU Tableau 5: DDF 01/09/2025, DFF 03/07/2026): shown in that year
  and never carried over to the next one, for which the guide says nothing.
"""

from dataclasses import dataclass
from datetime import date

from rules.calendar import MONTHS_FR
from rules.keydates import Event
from rules.programmes import Programme
from rules.sources import Source


@dataclass(frozen=True)
class Dated:
    """An event placed on a calendar: ``start`` and ``end`` bound it, ``when`` says it as the guide does."""

    start: date
    end: date | None
    label: str
    where: str
    source: Source
    when: str
    exact: bool


def _long(day: date) -> str:
    return f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}"


def _place(event: Event, year: int) -> Dated:
    start = date(year, *event.start)
    end = date(year, *event.end) if event.end else None
    if end is not None and end < start:
        end = date(year + 1, *event.end) if event.end else None
    if event.words is not None:
        years = f"{start.year}" if end is None or end.year == start.year else f"{start.year}-{end.year}"
        when = f"{event.words} {years}"
    else:
        when = _long(start) + (f" → {_long(end)}" if end else "")
    return Dated(start, end, event.label, event.where, event.source, when, event.words is None)


def upcoming(programme: Programme, since: date, *, months: int = 12) -> list[Dated]:
    """The programme's events from ``since`` over the next ``months`` months, in order."""
    horizon = date(since.year + (since.month - 1 + months) // 12, (since.month - 1 + months) % 12 + 1, 1)
    placed: list[Dated] = []
    for event in programme.key_dates:
        years = (event.year,) if event.year is not None else (since.year - 1, since.year, since.year + 1)
        for year in years:
            dated = _place(event, year)
            if (dated.end or dated.start) >= since and dated.start < horizon:
                placed.append(dated)
    return sorted(placed, key=lambda d: (d.start, d.label))


def notes(programme: Programme) -> tuple[str, ...]:
    """What the guide leaves undated for this programme."""
    return programme.undated
