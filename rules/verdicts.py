"""Verdicts on a student's own situation: is this end date, duration, pay, schedule or subject allowed?

Pure: the facts come already read from the question (bot/offers/extract.situation_facts, the same
reading the offer check uses), ``on`` is the day whose legal rate applies. Subject, remote work and
host are checked by ``rules.offers.check``, so offers, questions and mails share one checker.
Each verdict is one French sentence starting "Oui" or "Non" (or stating what applies), with its source.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rules.calendar import fr_short_date
from rules.durations import DAYS_PER_MONTH, HOURS_PER_DAY
from rules.gratification import MANDATORY_ABOVE_HOURS, MAX_HOURS_PER_HOST_YEAR
from rules.money import fr_amount, fr_number
from rules.offers import WEEKS_PER_MONTH, OfferFacts, below, check, must_be_paid
from rules.programmes import Programme
from rules.rates import gratification_rate, is_published
from rules.sources import GUIDE_AMU_ALLSH, Source, source
from rules.working_time import BREAK_AFTER, MAX_DAILY, MAX_WEEKLY, MIN_BREAK, MIN_DAILY_REST

WEEK_HOURS = Decimal(35)
TENTH = Decimal("0.1")
LAW_MAXIMUM = source("Code de l'éducation", "L124-5 (6 mois, 924 h par organisme et année d'enseignement)")
LAW_THRESHOLD = source("Code de l'éducation", "L124-6 et D124-6 (gratification au-delà de 308 h)")
# 003, iv. La gratification: "La gratification n'est pas obligatoire si le stage se déroule à
# l'étranger, en Polynésie Française, en Nouvelle-Calédonie, à Monaco ou à Andorre."
ABROAD_PAY = source(GUIDE_AMU_ALLSH, "iv. La gratification")
ABROAD_PAY_TEXT = (
    "Gratification non obligatoire pour un stage à l'étranger (Monaco et Andorre compris), en Polynésie "
    "française ou en Nouvelle-Calédonie ; l'organisme peut en verser une (notamment un organisme consulaire "
    "français ou dont le siège social est en France)."
)
WORKING_TIME = source("Code de l'éducation L124-14 ; Code du travail L3121-18, L3121-20, L3121-16, L3131-1")


@dataclass(frozen=True)
class Situation:
    """What a student says of their stage, as far as the rules care; None where not said."""

    facts: OfferFacts
    start: date | None = None
    end: date | None = None
    hours: Decimal | None = None  # total hours of presence, when given or computable
    hours_per_day: Decimal | None = None
    hours_per_week: Decimal | None = None
    continuous_hours: Decimal | None = None  # a span worked without a break ("9h-17h sans pause")
    abroad: bool = False  # abroad, in French Polynesia, New Caledonia, Monaco or Andorra


@dataclass(frozen=True)
class Verdict:
    """One answer to "is it allowed?", with its sources (the law and the figure's decree, or one guide)."""

    ok: bool
    text: str
    sources: tuple[Source, ...]
    code: str  # what was checked: end_date, duration, maximum, gratification, daily, weekly, break, or an offer code


def _total_hours(s: Situation) -> Decimal | None:
    if s.hours is not None:
        return s.hours
    if s.facts.duration_weeks is not None:
        return s.facts.duration_weeks * WEEK_HOURS
    return None


def verdicts(s: Situation, programme: Programme, on: date) -> list[Verdict]:
    """Every rule the situation lets us decide, in the order a student cares about."""
    out: list[Verdict] = []
    if s.end is not None and programme.last_day is not None:
        last = programme.last_day.in_school_year_of(s.start or s.end)
        if s.start is None and s.end.month >= 9:
            last = programme.last_day.in_school_year_of(date(s.end.year, 6, 1))
        ok = s.end <= last
        out.append(
            Verdict(
                ok,
                f"{'Oui' if ok else 'Non'} pour la date de fin ({fr_short_date(s.end)}) : {programme.last_day.label}.",
                (programme.last_day.source,),
                code="end_date",
            )
        )
    hours = _total_hours(s)
    paid: bool | None = None  # known from the hours the student counted, else from the facts' duration
    if hours is not None and s.facts.kind == "stage":
        minimum = programme.offer_minimum or programme.minimum
        weeks = s.facts.duration_weeks if s.facts.duration_weeks is not None else hours / WEEK_HOURS
        if minimum is not None:
            long_enough = not below(minimum, weeks, hours)
            out.append(
                Verdict(
                    long_enough,
                    f"{'Oui' if long_enough else 'Non'} pour la durée ({fr_number(weeks.quantize(TENTH))} semaines, "
                    f"{fr_number(hours)} h) : {minimum.label}.",
                    (minimum.source,),
                    code="duration",
                )
            )
        maximum = programme.maximum
        if maximum is not None and maximum.unit == "months" and weeks > maximum.value * WEEKS_PER_MONTH:
            out.append(Verdict(False, f"Non : {maximum.label}.", (maximum.source,), code="maximum"))
        if hours > MAX_HOURS_PER_HOST_YEAR:
            out.append(
                Verdict(
                    False,
                    f"Non : un stage ne peut pas dépasser 6 mois ({fr_number(MAX_HOURS_PER_HOST_YEAR)} h) dans le même "
                    "organisme et la même année d'enseignement.",
                    (LAW_MAXIMUM,),
                    code="maximum",
                )
            )
        rate = gratification_rate(on)
        month = rate.value * HOURS_PER_DAY * DAYS_PER_MONTH
        note = "" if is_published(on) else f" (taux {on.year} pas encore publié : dernier taux connu)"
        paid = None if s.abroad else must_be_paid(s.facts, programme) or hours > MANDATORY_ABOVE_HOURS
        if paid:
            reason = (
                f"{programme.name} : aucun stage non gratifié"
                if programme.paid_always and hours <= MANDATORY_ABOVE_HOURS
                else f"{fr_number(hours)} h dépassent 308 h (plus de 2 mois)"
            )
            out.append(
                Verdict(
                    True,
                    f"Gratification obligatoire ({reason}) : au moins {fr_number(rate.value)} €/h, soit "
                    f"{fr_amount(month)} pour un mois de 22 jours de 7 h, due dès la première heure{note}.",
                    (programme.paid_always_source,)
                    if programme.paid_always and programme.paid_always_source
                    else (LAW_THRESHOLD, rate.source),
                    code="gratification",
                )
            )
        elif not s.abroad:
            out.append(
                Verdict(
                    True,
                    f"Gratification non obligatoire : {fr_number(hours)} h ne dépassent pas 308 h (2 mois) ; "
                    "l'organisme peut en verser une.",
                    (LAW_THRESHOLD,),
                    code="gratification",
                )
            )
    if s.abroad and s.facts.kind == "stage" and (hours is not None or s.facts.pay is not None):
        paid = False  # the French rule does not apply there
        out.append(Verdict(True, ABROAD_PAY_TEXT, (ABROAD_PAY,), code="gratification"))
    problems = check(s.facts, programme, on, must_pay=paid)
    for problem in problems:
        if problem.code == "too_short":
            continue  # said above, with the figures
        out.append(Verdict(False, f"Non : {problem.reason}.", (problem.source,), code=problem.code))
    if (
        s.facts.kind == "stage"
        and s.facts.pay is not None
        and s.facts.pay_unit == "hour"
        and paid is None
        and not must_be_paid(s.facts, programme)
    ):
        # A stated hourly pay without a known length: the rule that applies once the stage must be paid.
        rate = gratification_rate(on)
        ok = s.facts.pay >= rate.value
        out.append(
            Verdict(
                ok,
                f"{'Oui' if ok else 'Non'} si le stage dépasse 2 mois (308 h), où la gratification est obligatoire : "
                f"{fr_amount(s.facts.pay)} de l'heure {'atteint' if ok else 'est sous'} le minimum légal de "
                f"{fr_number(rate.value)} €/h ; en dessous de 308 h, elle n'est pas obligatoire.",
                (LAW_THRESHOLD, rate.source),
                code="gratification",
            )
        )
    out.extend(_working_time(s))
    return out


def _working_time(s: Situation) -> list[Verdict]:
    """Hours a day and a week against the limits, and the break after 6 h."""
    out: list[Verdict] = []
    for value, limit, what, code in (
        (
            s.hours_per_day,
            MAX_DAILY,
            "h par jour, pour un maximum de 10 h par jour (le stagiaire suit les règles des salariés) ; "
            "11 h de repos entre deux journées",
            "daily",
        ),
        (
            s.hours_per_week,
            MAX_WEEKLY,
            "h dans la semaine, pour un maximum de 48 h (et 44 h en moyenne sur 12 semaines)",
            "weekly",
        ),
    ):
        if value is not None:
            ok = value * 3600 <= Decimal(limit.total_seconds())
            out.append(
                Verdict(ok, f"{'Oui' if ok else 'Non'} : {fr_number(value)} {what}.", (WORKING_TIME,), code=code)
            )
    if s.continuous_hours is not None and s.continuous_hours * 3600 >= BREAK_AFTER.total_seconds():
        out.append(
            Verdict(
                False,
                f"Non : après 6 h de travail, une pause d'au moins {int(MIN_BREAK.total_seconds() // 60)} minutes est "
                f"due ; et {int(MIN_DAILY_REST.total_seconds() // 3600)} h de repos entre deux journées.",
                (WORKING_TIME,),
                code="break",
            )
        )
    return out


def summary(found: list[Verdict]) -> str:
    """The verdicts as one answer, the refusals first."""
    ordered = [v for v in found if not v.ok] + [v for v in found if v.ok]
    return "\n".join(v.text for v in ordered)
