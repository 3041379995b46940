"""Gratification of an internship: hours, whether pay is mandatory, the legal minimum month by month.

Computed as the service-public simulator does (F32131, "Calcul de la gratification minimale"):
- hours of presence = working days × hours a day (7 h = 1 day, 22 days = 1 month: D124-6);
- mandatory when the stage lasts more than 2 months, i.e. more than 308 hours (the 309th hour),
  consecutive or not, with the same host in the same school year (L124-6, D124-6);
- once mandatory it is due from the first hour, paid monthly; the minimum of a calendar month is
  the hours of presence in that month × the hourly minimum in force that month;
- across 1 January each month takes its own year's rate (the simulator and Urssaf's franchise do
  so; F32131 says the convention should provide for the revaluation);
- smoothed monthly amount = total / number of months.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rules.calendar import MON_FRI, fr_short_date, region, working_days
from rules.durations import HOURS_PER_DAY
from rules.errors import InvalidHours, InvalidPeriod
from rules.money import cents, fr_amount, fr_number
from rules.programmes import Programme
from rules.rates import gratification_rate, is_published
from rules.sources import Source, source

# D124-6: "chaque période au moins égale à sept heures de présence, consécutives ou non, est
# considérée comme équivalente à un jour" and 22 days = 1 month; 2 months = 44 × 7 = 308 h.
MANDATORY_ABOVE_HOURS = Decimal(308)  # L124-6 / D124-6; simulator tests total > 308
# L124-5: at most 6 months (6 × 22 × 7 = 924 h) per trainee, host and teaching year.
MAX_HOURS_PER_HOST_YEAR = Decimal(924)
# L3121-18: at most 10 hours of work a day (trainees follow employees' rules, L124-14).
MAX_HOURS_PER_DAY = Decimal(10)
# A stage is at most a school year; refuse absurd spans (a typo in a year) rather than compute them.
MAX_SPAN_DAYS = 731
HOUR_QUANTUM = Decimal("0.01")

THRESHOLD_LAW = source(
    "Code de l'éducation", "art. L124-6 et D124-6 (seuil de 2 mois = 308 h ; 7 h = 1 jour ; 22 jours = 1 mois)"
)
MINIMUM_LAW = source(
    "Code de la sécurité sociale", "art. D242-2-1 (minimum = 15 % du plafond horaire de la sécurité sociale)"
)
SIMULATOR = source("service-public.fr", "fiche F32131 « Gratification minimale d'un stagiaire » et son simulateur")
SOURCES = (THRESHOLD_LAW, MINIMUM_LAW, SIMULATOR)

NOTES = (
    "Une fois obligatoire, la gratification est due dès la première heure de stage.",
    "Elle est versée chaque mois ; le stagiaire ne peut pas la refuser.",
    "Elle est exonérée de cotisations sociales jusqu'au minimum légal, et d'impôt sur le revenu "
    "dans la limite du SMIC annuel.",
    "Elle n'est pas obligatoire pour un stage à l'étranger.",
    "Un organisme public ne peut pas verser plus que le minimum légal.",
)


@dataclass(frozen=True)
class MonthLine:
    """One calendar month of the stage."""

    month: str  # YYYY-MM
    days: int
    hours: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class GratificationResult:
    """Everything the calculator answers, with warnings and sources in French."""

    start: date
    end: date
    working_days: int
    hours: Decimal
    hours_per_day: Decimal
    mandatory: bool
    months: tuple[MonthLine, ...]
    total_min: Decimal
    smoothed_monthly: Decimal
    threshold_day: date | None
    rate_overridden: bool
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[Source, ...] = field(default=SOURCES)

    @property
    def hourly_rate(self) -> Decimal:
        """The rate of the first month (the contract's ``hourly_rate``)."""
        return self.months[0].rate if self.months else Decimal(0)


def hours_per_day_from(hours_per_day: Decimal | None, hours_per_week: Decimal | None, weekdays: int) -> Decimal:
    """Daily hours from either a daily or a weekly volume spread over the working weekdays."""
    if hours_per_day is not None and hours_per_week is not None:
        raise InvalidHours("Indiquez soit les heures par jour, soit les heures par semaine, pas les deux.")
    if hours_per_week is not None:
        if hours_per_week <= 0:
            raise InvalidHours("Le nombre d'heures par semaine doit être positif.")
        daily = hours_per_week / Decimal(weekdays)
    else:
        daily = HOURS_PER_DAY if hours_per_day is None else hours_per_day
    if daily <= 0:
        raise InvalidHours("Le nombre d'heures par jour doit être positif.")
    if daily > MAX_HOURS_PER_DAY:
        raise InvalidHours(
            f"{fr_number(daily)} h par jour dépasse la durée maximale de 10 h par jour "
            "(Code du travail, art. L3121-18, applicable aux stagiaires)."
        )
    return daily


def compute(
    start: date,
    end: date,
    *,
    hours_per_day: Decimal | None = None,
    hours_per_week: Decimal | None = None,
    weekdays: frozenset[int] = MON_FRI,
    region_id: str = "metropole",
    days_off: Iterable[date] = (),
    rate: Decimal | None = None,
    programme: Programme | None = None,
) -> GratificationResult:
    """The calculator: working days, hours, mandatory or not, the minimum month by month."""
    region(region_id)  # validates the identifier before anything else
    if end < start:
        raise InvalidPeriod("La date de fin est antérieure à la date de début.")
    if (end - start).days > MAX_SPAN_DAYS:
        raise InvalidPeriod("La période dépasse deux ans : vérifiez les années des dates saisies.")
    if rate is not None and rate <= 0:
        raise InvalidHours("Le taux horaire doit être positif.")
    daily = hours_per_day_from(hours_per_day, hours_per_week, len(weekdays))
    days_off = tuple(days_off)
    for day in days_off:
        if not start <= day <= end:
            raise InvalidPeriod(
                f"Le jour non travaillé du {fr_short_date(day)} est hors de la période du stage "
                f"({fr_short_date(start)} – {fr_short_date(end)})."
            )
    days = working_days(start, end, weekdays=weekdays, region_id=region_id, days_off=days_off)

    def hours_of(count: int) -> Decimal:
        # A weekly volume is divided last so that 20 h over 3 days gives 20 h a week, not 19.99.
        raw = hours_per_week * count / len(weekdays) if hours_per_week is not None else daily * count
        return raw.quantize(HOUR_QUANTUM)

    hours = hours_of(len(days))
    mandatory = hours > MANDATORY_ABOVE_HOURS

    by_month: dict[str, list[date]] = {}
    for d in days:
        by_month.setdefault(f"{d.year:04d}-{d.month:02d}", []).append(d)
    months: list[MonthLine] = []
    unpublished: set[int] = set()
    counted = 0
    for key, month_days in by_month.items():
        first = month_days[0].replace(day=1)
        month_rate = rate if rate is not None else gratification_rate(first).value
        if rate is None and not is_published(first):
            unpublished.add(first.year)
        # Cumulative differences keep the months summing exactly to the total after rounding.
        month_hours = hours_of(counted + len(month_days)) - hours_of(counted)
        counted += len(month_days)
        amount = cents(month_hours * month_rate) if mandatory else Decimal("0.00")
        months.append(MonthLine(key, len(month_days), month_hours, month_rate, amount))
    total = sum((m.amount for m in months), Decimal("0.00"))
    smoothed = cents(total / len(months)) if months else Decimal("0.00")

    threshold_day = None
    if mandatory:
        # The day that holds the 309th hour: the first day whose cumulative hours exceed 308.
        for index, d in enumerate(days, start=1):
            if hours_of(index) > MANDATORY_ABOVE_HOURS:
                threshold_day = d
                break

    warnings = _warnings(
        start=start,
        end=end,
        hours=hours,
        unpublished=unpublished,
        programme=programme,
        mandatory=mandatory,
        months=months,
        rate=rate,
    )
    notes = (
        list(NOTES)
        if mandatory
        else ["Au-dessous de 309 heures, la gratification n'est pas obligatoire ; l'organisme peut en verser une."]
    )
    if len({m.rate for m in months}) > 1 and rate is None:
        notes.insert(
            0,
            "Le stage passe le 1er janvier : chaque mois est calculé au taux en vigueur ce mois-là, "
            "comme le fait le simulateur officiel (la convention devrait prévoir la revalorisation).",
        )
    return GratificationResult(
        start=start,
        end=end,
        working_days=len(days),
        hours=hours,
        hours_per_day=daily,
        mandatory=mandatory,
        months=tuple(months),
        total_min=total,
        smoothed_monthly=smoothed,
        threshold_day=threshold_day,
        rate_overridden=rate is not None,
        warnings=tuple(warnings),
        notes=tuple(notes),
    )


def _warnings(
    *,
    start: date,
    end: date,
    hours: Decimal,
    unpublished: set[int],
    programme: Programme | None,
    mandatory: bool,
    months: list[MonthLine],
    rate: Decimal | None,
) -> list[str]:
    warnings: list[str] = []
    if hours > MAX_HOURS_PER_HOST_YEAR:
        warnings.append(
            f"{fr_number(hours)} h dépasse la durée maximale de 924 heures (6 mois) par stagiaire, organisme "
            "d'accueil et année d'enseignement (Code de l'éducation, art. L124-5)."
        )
    for year in sorted(unpublished):
        warnings.append(
            f"Le taux minimal {year} n'est pas encore publié : le calcul applique le dernier taux connu "
            f"({fr_number(gratification_rate(date(year, 1, 1)).value)} €/h) ; il sera revalorisé le 1er janvier {year}."
        )
    if rate is not None and mandatory:
        for m in months:
            legal = gratification_rate(date(int(m.month[:4]), int(m.month[5:]), 1)).value
            if rate < legal:
                warnings.append(
                    f"Le taux saisi ({fr_number(rate)} €/h) est inférieur au minimum légal de "
                    f"{fr_number(legal)} €/h en vigueur en {m.month}."
                )
                break
    if programme is not None:
        if programme.last_day is not None:
            last = programme.last_day.in_school_year_of(start)
            if end > last:
                warnings.append(
                    f"La fin du stage ({fr_short_date(end)}) dépasse la date limite du programme "
                    f"{programme.id} : {fr_short_date(last)} ({_ref(programme.last_day.source)})."
                )
        if programme.minimum is not None and not programme.minimum.satisfied_by(start, end, float(hours)):
            warnings.append(
                f"Durée inférieure au minimum du programme {programme.id} : {programme.minimum.label} "
                f"({_ref(programme.minimum.source)})."
            )
        if programme.maximum is not None and programme.maximum.exceeded_by(start, end, float(hours)):
            warnings.append(
                f"Durée supérieure au maximum du programme {programme.id} : {programme.maximum.label} "
                f"({_ref(programme.maximum.source)})."
            )
        if programme.paid_always and not mandatory and programme.paid_always_source is not None:
            warnings.append(
                f"Le programme {programme.id} n'accepte aucun stage non gratifié "
                f"({_ref(programme.paid_always_source)})."
            )
    return warnings


def _ref(cited: Source) -> str:
    """A programme's source inside a warning sentence, as the guide file and section (adapters show the
    guide's title in its place: bot.citations.titles_in)."""
    return f"{cited.document}, {cited.section}" if cited.section else cited.document


def summary_fr(result: GratificationResult) -> str:
    """A short French verdict line, shared by the CLI, the console and Discord."""
    verdict = "obligatoire" if result.mandatory else "non obligatoire"
    text = f"{result.working_days} jours travaillés, {fr_number(result.hours)} heures : gratification {verdict}"
    if result.mandatory:
        text += (
            f", minimum {fr_amount(result.total_min)} au total ({fr_amount(result.smoothed_monthly)} par mois lissé)"
        )
    return text + "."
