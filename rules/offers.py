"""Checking an offer's facts against the law and a programme's rules (docs/CLI.md codes).

Pure: the facts come already extracted (bot/offers/extract.py reads them from the text); ``on``
is the day whose legal rate applies (the offer's start, or today).

Codes: ``remote_only``, ``not_development``, ``independent_host`` (only where the programme's guide
refuses them), ``below_minimum_pay`` (a stated pay below the legal minimum for a stage that must be
paid: longer than 2 months, or any stage where the programme accepts no unpaid stage),
``too_short`` (shorter than the programme's minimum).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from rules.calendar import fr_date
from rules.durations import DAYS_PER_MONTH, DAYS_PER_WEEK, HOURS_PER_DAY
from rules.gratification import MANDATORY_ABOVE_HOURS
from rules.money import fr_amount
from rules.programmes import Duration, Programme
from rules.rates import MONTHLY_HOURS, gratification_rate
from rules.sources import Source

Kind = Literal["stage", "alternance", "emploi", "unknown"]
PayUnit = Literal["hour", "month", "year", "legal"]
# A month of stage is 22 days of presence (Code de l'éducation D124-6): 2 months = 308 h, as the guides count.
WEEKS_PER_MONTH = DAYS_PER_MONTH / DAYS_PER_WEEK


@dataclass(frozen=True)
class OfferFacts:
    """What an offer states, as far as the rules care."""

    kind: Kind
    duration_weeks: Decimal | None = None  # full-time weeks, when stated
    pay: Decimal | None = None
    pay_unit: PayUnit | None = None
    remote_only: bool = False
    not_development: bool = False
    independent_host: bool = False


@dataclass(frozen=True)
class Problem:
    """One reason not to forward an offer now."""

    code: str
    reason: str  # French, for the officers' review queue
    source: Source


def _hours(weeks: Decimal) -> Decimal:
    return weeks * DAYS_PER_WEEK * HOURS_PER_DAY


def must_be_paid(facts: OfferFacts, programme: Programme) -> bool:
    """Whether the stage must carry at least the legal gratification."""
    if facts.kind != "stage":
        return False
    if programme.paid_always:
        return True
    return facts.duration_weeks is not None and _hours(facts.duration_weeks) > MANDATORY_ABOVE_HOURS


def below(bound: Duration, weeks: Decimal, hours: Decimal) -> bool:
    """Whether a stage of ``weeks`` full-time weeks (``hours`` of presence) is shorter than ``bound``."""
    if bound.unit == "hours":
        return hours < bound.value
    if bound.unit == "weeks":
        return weeks < bound.value
    return weeks < bound.value * WEEKS_PER_MONTH


def too_short(facts: OfferFacts, programme: Programme) -> bool:
    """Whether a stage is shorter than the programme's minimum."""
    minimum = programme.offer_minimum or programme.minimum
    if facts.kind != "stage" or minimum is None or facts.duration_weeks is None:
        return False
    return below(minimum, facts.duration_weeks, _hours(facts.duration_weeks))


def check(facts: OfferFacts, programme: Programme, on: date, *, must_pay: bool | None = None) -> list[Problem]:
    """The problems of an offer for ``programme``'s students; empty means it can be forwarded.

    ``must_pay``: whether the stage must be paid, when the caller knows it better than the facts'
    duration (a student who counted their hours of presence).
    """
    problems: list[Problem] = []
    paid = must_be_paid(facts, programme) if must_pay is None else must_pay
    for code, present in (
        ("remote_only", facts.remote_only),
        ("not_development", facts.not_development),
        ("independent_host", facts.independent_host),
    ):
        refusals = [r for r in programme.refusals if r.code == code]
        if present and refusals:
            labels = ", ".join(r.label for r in refusals)
            wanted = f" ; attendu : {programme.accepted}" if code == "not_development" and programme.accepted else ""
            problems.append(Problem(code, f"refusé par le programme : {labels}{wanted}", refusals[0].source))
    if paid and facts.pay is not None and facts.pay_unit in {"hour", "month"}:
        rate = gratification_rate(on)
        minimum = rate.value if facts.pay_unit == "hour" else (rate.value * MONTHLY_HOURS).quantize(Decimal("0.01"))
        if facts.pay < minimum:
            per = "de l'heure" if facts.pay_unit == "hour" else "par mois (151,67 h)"
            problems.append(
                Problem(
                    "below_minimum_pay",
                    f"gratification annoncée {fr_amount(facts.pay)} {per}, sous le minimum légal de "
                    f"{fr_amount(minimum)} en vigueur le {fr_date(on)}",
                    rate.source,
                )
            )
    bound = programme.offer_minimum or programme.minimum
    if bound is not None and too_short(facts, programme):
        problems.append(Problem("too_short", f"plus court que le minimum du programme ({bound.label})", bound.source))
    return problems


def months_to_weeks(months: Decimal) -> Decimal:
    """A duration in months (date to date) as weeks."""
    return months * WEEKS_PER_MONTH


def days_to_weeks(days: Decimal) -> Decimal:
    """Working days (5 a week) as weeks."""
    return days / DAYS_PER_WEEK
