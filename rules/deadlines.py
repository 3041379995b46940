"""The latest day for each procedural step before a stage starts, per programme.

Each step cites its guide; a latest day that falls on a weekend or a public holiday moves back to
the working day before, since offices neither sign nor process on those days.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from rules.calendar import MON_FRI, MON_SAT, fr_short_date, public_holidays, shift_working_days
from rules.contracts import TABLE5, VALIDATION_CALENDAR
from rules.errors import InvalidPeriod
from rules.sources import GUIDE_AMU_ALLSH, GUIDE_AMU_MIAGE, GUIDE_LILLE, GUIDE_PARIS1, Source, source

if TYPE_CHECKING:  # the profiles hold these steps: rules.programmes imports this module
    from rules.programmes import Programme

LILLE_SIGNATURE_WEEKS = 2  # 001_…txt, Convention de stage en France: "Délai 2 semaines minimum"
LILLE_ABROAD_WEEKS = 4  # 001_…txt, Convention à l'international: "4 semaines avant… (délai incompressible)"
ALLSH_PROCESSING_WEEKS = 6  # 003_…txt, IV.i Les délais: "en moyenne de 6 semaines"
ALLSH_MOVEON_MONTHS = 1  # 003_…txt, VII: MoveOn "au minimum 1 mois avant la date de départ"
AMU_VALIDATION_WORKING_DAYS = 10  # 002_…txt, §3.3.3 Figure 14: "jusqu'à 10 jours ouvrables"
AMU_START_AFTER_VALIDATION_DAYS = 7  # 002_…txt, Tableau 5: "1 semaine au moins APRES la validation"


@dataclass(frozen=True)
class Step:
    """One step and the last day it can be done."""

    step: str
    latest: date
    source: Source


def last_working_day_on_or_before(day: date, region_id: str = "metropole") -> date:
    """The day itself if it is a working day, else the working day before it."""
    bank = public_holidays(day - timedelta(days=14), day, region_id)
    while day.weekday() not in MON_FRI or day in bank:
        day -= timedelta(days=1)
    return day


def paris1_steps(start: date, abroad: bool) -> list[Step]:
    # The Paris 1 guide sets no delay in days: the process lives in the EPI; only the rule that
    # nothing starts without a signed convention is dated here, abroad or not.
    del abroad
    return [
        Step(
            "Convention signée par toutes les parties (aucun stage ne démarre sans convention « carrée »)",
            start - timedelta(days=1),
            source(GUIDE_PARIS1, "Difficultés"),
        ),
    ]


def lille_steps(start: date, abroad: bool) -> list[Step]:
    if abroad:
        return [
            Step(
                "Convention enregistrée sur Pstage (délai incompressible de 4 semaines pour l'étranger)",
                start - timedelta(weeks=LILLE_ABROAD_WEEKS),
                source(GUIDE_LILLE, "Convention de stage à l'international"),
            ),
            Step(
                "Inscription sur Ariane (ministère des Affaires étrangères) et attestations (sécurité sociale, "
                "responsabilité civile, rapatriement)",
                start - timedelta(days=1),
                source(GUIDE_LILLE, "Convention de stage à l'international"),
            ),
            Step(
                "Convention signée impérativement avant le départ",
                start - timedelta(days=1),
                source(GUIDE_LILLE, "Convention de stage à l'international"),
            ),
        ]
    return [
        Step(
            "Convention saisie sur Pstage et circuit de signatures lancé (2 semaines minimum pour les signatures)",
            start - timedelta(weeks=LILLE_SIGNATURE_WEEKS),
            source(GUIDE_LILLE, "Convention de stage en France"),
        ),
        Step(
            "Convention signée (étudiant, entreprise, responsable des stages, doyen) avant le départ",
            start - timedelta(days=1),
            source(GUIDE_LILLE, "Convention de stage en France"),
        ),
    ]


def allsh_steps(start: date, abroad: bool) -> list[Step]:
    steps = [
        Step(
            "Convention saisie dans Ipro avec l'accord du responsable pédagogique (traitement : 6 semaines "
            "en moyenne, rien n'est traité pendant les congés universitaires)",
            start - timedelta(weeks=ALLSH_PROCESSING_WEEKS),
            source(GUIDE_AMU_ALLSH, "IV.i Les délais"),
        ),
        Step(
            "Convention signée par les trois parties avant le début du stage",
            start - timedelta(days=1),
            source(GUIDE_AMU_ALLSH, "IV. Etablir la convention de stage"),
        ),
    ]
    if abroad:
        steps.insert(
            1,
            Step(
                "Inscription sur le portail de mobilité MoveOn (au minimum 1 mois avant le départ)",
                start - relativedelta(months=ALLSH_MOVEON_MONTHS),
                source(GUIDE_AMU_ALLSH, "VII. Stage à l'étranger"),
            ),
        )
    return steps


def amu_miage_steps(start: date, abroad: bool) -> list[Step]:
    validated = start - timedelta(days=AMU_START_AFTER_VALIDATION_DAYS)
    # "jours ouvrables": Monday to Saturday, public holidays excluded.
    sent = shift_working_days(validated, -AMU_VALIDATION_WORKING_DAYS, weekdays=MON_SAT)
    return [
        Step(
            "Fiche de validation de mission envoyée au responsable de l'alternance (jusqu'à 10 jours "
            "ouvrables de traitement)",
            sent,
            source(GUIDE_AMU_MIAGE, "§3.3.3, Figure 14"),
        ),
        Step(
            "Mission validée par le responsable de l'alternance (le contrat commence au moins une semaine après)",
            validated,
            TABLE5,
        ),
        Step(
            "Contrat ou convention d'alternance signé",
            start - timedelta(days=1),
            VALIDATION_CALENDAR,
        ),
    ]


# A plan of the steps before a start makes sense for a stage that starts soon or started lately;
# a start further away is a typo in the year (1900, 2206…).
PLAN_PAST = relativedelta(years=1)
PLAN_FUTURE = relativedelta(years=3)


def check_start(start: date, today: date) -> None:
    """Refuse a start too far from ``today`` for the steps before it to mean anything."""
    earliest, latest = today - PLAN_PAST, today + PLAN_FUTURE
    if not earliest <= start <= latest:
        raise InvalidPeriod(
            f"Début de stage le {fr_short_date(start)} : l'échéancier couvre les stages qui commencent entre "
            f"le {fr_short_date(earliest)} et le {fr_short_date(latest)} ; vérifiez l'année."
        )


def steps_before(start: date, programme: "Programme", *, abroad: bool = False, today: date | None = None) -> list[Step]:
    """Each step's latest day for a stage starting on ``start``, earliest first.

    With ``today``, a start more than a year before it or three years after it is refused.
    """
    if today is not None:
        check_start(start, today)
    raw = programme.deadline_steps(start, abroad)
    moved = [Step(s.step, last_working_day_on_or_before(s.latest), s.source) for s in raw]
    return sorted(moved, key=lambda s: s.latest)
