"""Legal figures for answer templates, taken from rules/ on the day of the answer.

An answer writes ``{taux_gratification}`` rather than "4,50 €/h", so a new rate never leaves a
stale answer. ``today`` is a parameter: this module reads no clock.
"""

from datetime import date

from rules.calendar import fr_short_date
from rules.durations import HOURS_PER_UNIT
from rules.gratification import MANDATORY_ABOVE_HOURS, MAX_HOURS_PER_HOST_YEAR
from rules.money import fr_amount, fr_number
from rules.rates import MONTHLY_HOURS, gratification_rate, is_published, smic_hourly

TEMPLATE_KEYS = (
    "taux_gratification",
    "taux_depuis",
    "gratification_mois",
    "seuil_heures",
    "max_heures",
    "smic_horaire",
    "smic_mensuel",
    "annee",
    "taux_note",
)


def figures(today: date) -> dict[str, str]:
    """Every template value, in French, as in force on ``today``."""
    rate = gratification_rate(today)
    smic = smic_hourly(today)
    note = "" if is_published(today) else f" (taux {today.year} pas encore publié : dernier taux connu)"
    return {
        "taux_gratification": f"{fr_number(rate.value)} €/h",
        "taux_depuis": fr_short_date(rate.since),
        "gratification_mois": fr_amount(rate.value * HOURS_PER_UNIT["months"]),
        "seuil_heures": fr_number(MANDATORY_ABOVE_HOURS),
        "max_heures": fr_number(MAX_HOURS_PER_HOST_YEAR),
        "smic_horaire": f"{fr_number(smic.value)} €/h",
        "smic_mensuel": fr_amount(smic.value * MONTHLY_HOURS),
        "annee": str(today.year),
        "taux_note": note,
    }


def render(template: str, today: date) -> str:
    """Fill an answer template; raises KeyError for an unknown placeholder."""
    return template.format_map(figures(today))
