"""What the command groups share: today's date, printing, reading files, the application service."""

import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError, InputError, os_reason

if TYPE_CHECKING:
    import argparse

    from bot.core import Core
    from bot.settings import Settings
    from bot.store import Store
    from rules.programmes import Programme

# Their DEBUG logs can show protocol exchanges (AUTH lines, gateway payloads): never below INFO.
CHATTY_LIBRARIES = (
    "aiosmtplib",
    "aioimaplib",
    "aioimaplib.aioimaplib",
    "discord.http",
    "discord.gateway",
    "discord.client",
)


def quiet_libraries(level: str) -> None:
    """Keep the network libraries at INFO or above, whatever StageBot's own log level."""
    floor = max(logging.getLevelName(level), logging.INFO)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(floor)


def today(settings: "Settings") -> date:
    """Today in the office's time zone (the only clock read; rules receive it as a parameter)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415

    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"Configuration invalide, clé « timezone » : fuseau inconnu « {settings.timezone} »."
        ) from None
    return datetime.now(zone).date()


def emit(args: "argparse.Namespace", payload: Any, text: str) -> None:
    """The JSON object with --json, the French text otherwise."""
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(text)


def read_file(path: Path) -> bytes:
    """A file's bytes, or one French sentence saying why not."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"Impossible de lire {path} : {os_reason(exc)}.") from None


def limit(text: str) -> int:
    """A --limit: a whole number of lines from 1 to 1 000."""
    from bot.parsing import in_range, parse_int  # noqa: PLC0415

    value = parse_int(text, "La limite")
    in_range(value, 1, 1000, "La limite")
    return value


def core(settings: "Settings", store: "Store | None" = None, *, tolerant: bool = False) -> "Core":
    """The application service for a command; without ``store``, the database is opened when first needed.

    ``tolerant`` (questions from ``ask`` and ``chat``): a database that cannot be opened is said once
    on standard error, and the answers go on without being logged.
    """
    from bot.core import Core  # noqa: PLC0415

    def unusable(exc: Exception) -> None:
        # The student's answer matters more than the officers' list: say it once, go on.
        print(f"{exc} La question n'a pas été enregistrée pour les responsables.", file=sys.stderr)

    today(settings)  # a wrong time zone is said now, before any question
    return Core(
        settings,
        store,
        lambda: today(settings),
        on_store_error=unusable if tolerant else None,
    )


def resolve_programme(chosen: str | None, settings: "Settings") -> "Programme":
    """The programme asked for, else the configured one; a French error names the known ones."""
    from rules.programmes import programme  # noqa: PLC0415

    return programme(chosen or settings.default_programme)


def programme_id(chosen: str | None, settings: "Settings") -> str:
    """The identifier of ``resolve_programme`` (what the settings and the question log store)."""
    return resolve_programme(chosen, settings).id
