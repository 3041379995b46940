"""How many trainees a host may take at once (Code de l'éducation R124-10, décret 2015-1359).

Fewer than 20 staff: 3 trainees at once; 20 or more: 15 % of the headcount, rounded up
(45 staff → 7). A tutor follows at most 3 trainees at once (R124-13).
"""

from dataclasses import dataclass

from rules.errors import UnknownValue
from rules.money import fr_int
from rules.sources import source

SMALL_HOST_LIMIT = 20  # R124-10: "moins de vingt personnes"
SMALL_HOST_MAX_TRAINEES = 3  # R124-10
PERCENT_OF_HEADCOUNT = 15  # R124-10: 15 % de l'effectif, arrondi à l'entier supérieur
MAX_TRAINEES_PER_TUTOR = 3  # R124-13
MIN_HEADCOUNT = 1  # a host has at least one person to take a trainee in (the tutor)
MAX_HEADCOUNT = 2_000_000  # beyond any French employer: a typo

QUOTA_LAW = source("Code de l'éducation", "art. R124-10 (décret 2015-1359 du 26 octobre 2015)")
TUTOR_LAW = source("Code de l'éducation", "art. R124-13 (3 stagiaires au plus par tuteur)")
SOURCES = (QUOTA_LAW, TUTOR_LAW)


@dataclass(frozen=True)
class Quota:
    """The trainee quota of a host."""

    headcount: int
    max_interns: int
    per_tutor: int = MAX_TRAINEES_PER_TUTOR


def max_interns(headcount: int) -> Quota:
    """Maximum number of trainees at the same time for a host of ``headcount`` staff."""
    if not MIN_HEADCOUNT <= headcount <= MAX_HEADCOUNT:
        raise UnknownValue(
            f"L'effectif doit être entre {MIN_HEADCOUNT} et {fr_int(MAX_HEADCOUNT)} salariés (reçu {headcount})."
        )
    if headcount < SMALL_HOST_LIMIT:
        return Quota(headcount, SMALL_HOST_MAX_TRAINEES)
    return Quota(headcount, -(-headcount * PERCENT_OF_HEADCOUNT // 100))  # integer ceiling
