"""Reading what users type: dates in the usual French forms, numbers with a decimal comma."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from bot.errors import InputError
from knowledge.text import fold
from rules.calendar import MONTHS_FR

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "mar": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_WORDS = re.compile(r"^(?:le\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})$")
HINT = "écrivez-la AAAA-MM-JJ, JJ/MM/AAAA ou « 1 juin 2026 »"


def parse_date(text: str) -> date:
    """A date from ``2026-06-01``, ``01/06/2026`` or ``1 juin 2026``; French error otherwise."""
    raw = text.strip()
    folded = fold(raw)
    if m := _ISO.match(folded):
        year, month, day = (int(g) for g in m.groups())
    elif m := _FR.match(folded):
        day, month, year = (int(g) for g in m.groups())
    elif (m := _WORDS.match(folded)) and m.group(2) in MONTHS:
        day, month, year = int(m.group(1)), MONTHS[m.group(2)], int(m.group(3))
    else:
        raise InputError(f"Date illisible « {raw} » : {HINT}.")
    if not 1 <= month <= 12:
        raise InputError(f"La date « {raw} » n'existe pas : il n'y a pas de mois {month}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError(
            f"La date « {raw} » n'existe pas : il n'y a pas de {day} {MONTHS_FR[month - 1]} {year}."
        ) from None


def parse_decimal(text: str, what: str) -> Decimal:
    """A number written ``7``, ``7.5`` or ``7,5``; French error otherwise."""
    cleaned = text.strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InputError(f"{what} doit être un nombre (reçu « {text} »).") from None
    if not value.is_finite():
        raise InputError(f"{what} doit être un nombre fini (reçu « {text} »).")
    return value


def parse_int(text: str, what: str) -> int:
    """A whole number; French error otherwise."""
    try:
        return int(text.strip())
    except ValueError:
        raise InputError(f"{what} doit être un nombre entier (reçu « {text} »).") from None
