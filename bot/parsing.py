"""Reading what users type: dates in the usual French forms, numbers with a decimal comma.

A date written without its year ("1er juin", "01/06") is placed at its next occurrence from today
(a period at the first one that is not over yet), and the reader says which year it took.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from bot.errors import InputError
from knowledge.text import fold
from rules.calendar import MONTHS_FR, fr_short_date

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
    # English, for exchange students and foreign hosts ("from 14 June", "June 14th").
    "january": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?$")
_WORDS = re.compile(r"^(?:le\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?(?:\s+(\d{4}))?$")
HINT = "écrivez-la AAAA-MM-JJ, JJ/MM/AAAA ou « 1 juin 2026 »"
MAX_TEXT = 200  # nobody types a date or a number longer than this; longer input is not echoed back
MAX_QUESTION = 1000  # characters: the longest real question is far shorter; searching more only costs time
# Terminal escape sequences (arrow and function keys, colours) and the other control characters.
_CONTROLS = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|O.|[@-_])?|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class DayMonth:
    """A date read without its year."""

    day: int
    month: int
    raw: str

    def on_or_after(self, first: date) -> date:
        """This day and month at its first occurrence on or after ``first`` (29 February: a leap year)."""
        year = first.year
        while True:
            try:
                candidate = date(year, self.month, self.day)
            except ValueError:  # 29 February outside a leap year
                candidate = None
            if candidate is not None and candidate >= first:
                return candidate
            year += 1

    def on_or_before(self, last: date) -> date:
        """This day and month at its last occurrence on or before ``last``."""
        year = last.year
        while True:
            try:
                candidate = date(year, self.month, self.day)
            except ValueError:
                candidate = None
            if candidate is not None and candidate <= last:
                return candidate
            year -= 1


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "…"


def read_date(text: str) -> date | DayMonth:
    """A full date, or a day and month when the year is missing; French error when unreadable."""
    raw = text.strip()
    folded = fold(raw[:MAX_TEXT])
    if len(raw) > MAX_TEXT:
        raise InputError(f"Date illisible « {_shown(raw)} » : {HINT}.")
    year: int | None
    if m := _ISO.match(folded):
        year, month, day = (int(g) for g in m.groups())
    elif m := _FR.match(folded):
        day, month = int(m.group(1)), int(m.group(2))
        year = None if m.group(3) is None else int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0)
    elif (m := _WORDS.match(folded)) and m.group(2) in MONTHS:
        day, month = int(m.group(1)), MONTHS[m.group(2)]
        year = None if m.group(3) is None else int(m.group(3))
    else:
        raise InputError(f"Date illisible « {_shown(raw)} » : {HINT}.")
    if not 1 <= month <= 12:
        raise InputError(f"La date « {raw} » n'existe pas : il n'y a pas de mois {month}.")
    if year is None:
        if not 1 <= day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31):
            raise InputError(f"La date « {raw} » n'existe pas : il n'y a pas de {day} {MONTHS_FR[month - 1]}.")
        return DayMonth(day, month, raw)
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError(
            f"La date « {raw} » n'existe pas : il n'y a pas de {day} {MONTHS_FR[month - 1]} {year}."
        ) from None


def parse_date(text: str, today: date | None = None) -> date:
    """A date from ``2026-06-01``, ``01/06/2026`` or ``1 juin 2026``; French error otherwise.

    With ``today``, the year may be left out: the next occurrence from today is taken.
    """
    found = read_date(text)
    if isinstance(found, date):
        return found
    if today is None:
        raise InputError(f"Précisez l'année de la date « {found.raw} » : {HINT}.")
    return found.on_or_after(today)


@dataclass(frozen=True)
class Dates:
    """Dates as read, with a French sentence for each year StageBot chose itself."""

    days: tuple[date, ...]
    notes: tuple[str, ...]


def _note(found: DayMonth, day: date) -> str:
    return f"Année non précisée pour « {found.raw} » : StageBot a compris le {fr_short_date(day)}."


def read_one(text: str, today: date) -> Dates:
    """One date; without its year, its next occurrence from today."""
    found = read_date(text)
    if isinstance(found, date):
        return Dates((found,), ())
    day = found.on_or_after(today)
    return Dates((day,), (_note(found, day),))


def read_period(start_text: str, end_text: str, today: date) -> Dates:
    """A first and a last day; a year left out is the next one that keeps the period from being over.

    "du 1er juin au 28 août" asked in November is next summer's; asked in July, this summer's. An
    end without its year follows the start.
    """
    start, end = read_date(start_text), read_date(end_text)
    notes: list[str] = []
    if isinstance(start, DayMonth):
        if isinstance(end, date):
            start_day = start.on_or_before(end)
        else:
            # The first occurrence of the start whose end (the end's next occurrence after it) is not past.
            start_day = start.on_or_after(date(today.year - 1, 1, 1))
            while end.on_or_after(start_day) < today:
                start_day = start.on_or_after(date(start_day.year + 1, 1, 1))
        notes.append(_note(start, start_day))
    else:
        start_day = start
    if isinstance(end, DayMonth):
        end_day = end.on_or_after(start_day)
        notes.append(_note(end, end_day))
    else:
        end_day = end
    return Dates((start_day, end_day), tuple(notes))


def parse_decimal(text: str, what: str) -> Decimal:
    """A number written ``7``, ``7.5`` or ``7,5``; French error otherwise."""
    cleaned = text.strip().replace(",", ".").replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    try:
        value = Decimal(cleaned[:MAX_TEXT])
    except InvalidOperation:
        raise InputError(f"{what} doit être un nombre (reçu « {_shown(text.strip())} »).") from None
    if not value.is_finite() or len(cleaned) > MAX_TEXT:
        raise InputError(f"{what} doit être un nombre fini (reçu « {_shown(text.strip())} »).")
    return value


def parse_int(text: str, what: str) -> int:
    """A whole number; French error otherwise."""
    cleaned = text.strip()
    if not re.fullmatch(r"[+-]?\d{1,12}", cleaned):
        raise InputError(f"{what} doit être un nombre entier (reçu « {_shown(cleaned)} »).")
    return int(cleaned)


def in_range(value: Decimal | int, low: Decimal | int | None, high: Decimal | int | None, what: str) -> None:
    """French error naming the allowed range when ``value`` is outside it (bounds inclusive)."""
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            allowed = f"entre {_number(low)} et {_number(high)}"
        elif low is not None:
            allowed = f"au moins {_number(low)}"
        else:
            allowed = f"au plus {_number(high or 0)}"
        raise InputError(f"{what} doit être {allowed} (reçu {_number(value)}).")


def _number(value: Decimal | int) -> str:
    text = format(Decimal(value).normalize(), "f") if isinstance(value, Decimal) else str(value)
    whole, dot, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    grouped = f"{int(digits):,}".replace(",", "\u202f") if digits else "0"
    return sign + grouped + ("," + frac if dot else "")


def clean_line(text: str) -> str:
    """A typed line without terminal escape sequences or control characters, spaces trimmed."""
    return _CONTROLS.sub("", text).replace("\t", " ").strip()


def read_question(text: str) -> str:
    """A question as typed, checked: readable text, not empty, not longer than ``MAX_QUESTION``."""
    if any("\udc80" <= c <= "\udcff" for c in text):
        # Bytes that were not UTF-8 reach Python as lone surrogates: say so before they go anywhere.
        raise InputError("La question n'est pas un texte UTF-8 valide : vérifiez l'encodage du terminal.")
    question = clean_line(text)
    if not question:
        raise InputError("Posez votre question en quelques mots, entre guillemets.")
    if len(question) > MAX_QUESTION:
        raise InputError(
            f"Question trop longue ({len(question)} caractères, {MAX_QUESTION} au plus) : posez-la en quelques phrases."
        )
    return question
