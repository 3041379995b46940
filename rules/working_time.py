"""A trainee's weekly schedule checked against the working-time limits.

Trainees follow the employees' rules on working time (Code de l'éducation L124-14):
10 h a day (Code du travail L3121-18), 48 h in a week (L3121-20), 44 h on average over any 12
consecutive weeks (L3121-22), 11 consecutive hours of daily rest (L3131-1), 35 consecutive hours of
weekly rest (L3132-2: 24 h + 11 h), a 20-minute break once work reaches 6 h (L3121-16).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rules.errors import InvalidHours

MAX_DAILY = timedelta(hours=10)  # L3121-18
MAX_WEEKLY = timedelta(hours=48)  # L3121-20
MAX_AVERAGE_12_WEEKS = 44  # hours, L3121-22
AVERAGE_WINDOW_WEEKS = 12  # L3121-22
MIN_DAILY_REST = timedelta(hours=11)  # L3131-1
MIN_WEEKLY_REST = timedelta(hours=35)  # L3132-2
BREAK_AFTER = timedelta(hours=6)  # L3121-16
MIN_BREAK = timedelta(minutes=20)  # L3121-16

_MONDAY = date(2024, 1, 1)  # any Monday: only the weekday arithmetic matters


@dataclass(frozen=True)
class WorkDay:
    """One day of the schedule: weekday (Monday = 0), start, end, and break minutes inside."""

    weekday: int
    start: time
    end: time
    break_minutes: int = 0

    def worked(self) -> timedelta:
        """Time worked that day, breaks excluded."""
        return self._end() - self._start() - timedelta(minutes=self.break_minutes)

    def _start(self) -> datetime:
        return datetime.combine(_MONDAY + timedelta(days=self.weekday), self.start)

    def _end(self) -> datetime:
        return datetime.combine(_MONDAY + timedelta(days=self.weekday), self.end)


@dataclass(frozen=True)
class Breach:
    """A limit the schedule breaks, in French, with its article."""

    code: str
    message: str
    article: str


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes % 60 else f"{minutes // 60} h"


def check_week(schedule: Sequence[WorkDay]) -> list[Breach]:
    """Every limit the weekly schedule breaks (an empty list when it is lawful)."""
    days = sorted(schedule, key=lambda d: d.weekday)
    if len({d.weekday for d in days}) != len(days):
        raise InvalidHours("Un même jour apparaît deux fois dans l'emploi du temps.")
    breaches: list[Breach] = []
    for d in days:
        if not 0 <= d.weekday <= 6 or d.end <= d.start or d.break_minutes < 0:
            raise InvalidHours("Chaque journée doit finir après son début, avec une pause positive.")
        if d.worked() > MAX_DAILY:
            breaches.append(
                Breach(
                    "daily_max",
                    f"{_hours(d.worked())} de travail le jour {d.weekday + 1} : 10 h au plus par jour.",
                    "Code du travail, art. L3121-18",
                )
            )
        if d.worked() + timedelta(minutes=d.break_minutes) > BREAK_AFTER and d.break_minutes < 20:
            breaches.append(
                Breach(
                    "break",
                    f"Pause de {d.break_minutes} min le jour {d.weekday + 1} : 20 min au moins dès 6 h de travail.",
                    "Code du travail, art. L3121-16",
                )
            )
    total = sum((d.worked() for d in days), timedelta())
    if total > MAX_WEEKLY:
        breaches.append(
            Breach(
                "weekly_max",
                f"{_hours(total)} dans la semaine : 48 h au plus.",
                "Code du travail, art. L3121-20",
            )
        )
    # Rests between consecutive working days, the week repeating itself.
    longest_rest = timedelta()
    for index, d in enumerate(days):
        nxt = days[(index + 1) % len(days)]
        gap = nxt._start() - d._end()
        if index + 1 == len(days):
            gap += timedelta(days=7)
        if nxt.weekday == d.weekday + 1 and gap < MIN_DAILY_REST:
            breaches.append(
                Breach(
                    "daily_rest",
                    f"Repos de {_hours(gap)} entre le jour {d.weekday + 1} et le suivant : 11 h consécutives au moins.",
                    "Code du travail, art. L3131-1",
                )
            )
        longest_rest = max(longest_rest, gap)
    if days and longest_rest < MIN_WEEKLY_REST:
        breaches.append(
            Breach(
                "weekly_rest",
                "Aucun repos de 35 h consécutives dans la semaine.",
                "Code du travail, art. L3132-2",
            )
        )
    return breaches


def check_average(weekly_hours: Sequence[float]) -> list[Breach]:
    """Breaches of the 44-hour average over any 12 consecutive weeks."""
    breaches: list[Breach] = []
    for first in range(max(0, len(weekly_hours) - AVERAGE_WINDOW_WEEKS + 1)):
        window = weekly_hours[first : first + AVERAGE_WINDOW_WEEKS]
        average = sum(window) / AVERAGE_WINDOW_WEEKS
        if average > MAX_AVERAGE_12_WEEKS:
            breaches.append(
                Breach(
                    "average_12_weeks",
                    f"Moyenne de {average:.1f} h sur les semaines "
                    f"{first + 1} à {first + AVERAGE_WINDOW_WEEKS} : 44 h au plus.",
                    "Code du travail, art. L3121-22",
                )
            )
            break
    return breaches
