"""What the command groups share: today's date, printing, reading files, the question log."""

import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError, InputError, os_reason

if TYPE_CHECKING:
    import argparse

    from bot.settings import Settings
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


class QuestionLog:
    """Logs the questions officers should see; opens the store only when one comes."""

    def __init__(self, settings: "Settings", channel: str) -> None:
        self.settings = settings
        self.channel = channel
        self._store: Any = None
        self._failed = False

    def __call__(self, question: str, programme_id: str, answer: Any) -> None:
        from bot.assistant.gaps import log_question, needs_review  # noqa: PLC0415
        from bot.store import Store, StoreError  # noqa: PLC0415

        if self._failed or not needs_review(answer):
            return
        try:
            if self._store is None:
                self._store = Store(self.settings.database)
            log_question(self._store, question, programme_id, answer, self.channel)
        except StoreError as exc:
            # The student's answer matters more than the officers' list: say it once, go on.
            self._failed = True
            print(f"{exc} La question n'a pas été enregistrée pour les responsables.", file=sys.stderr)


def resolve_programme(chosen: str | None, settings: "Settings") -> "Programme":
    """The programme asked for, else the configured one; a French error names the known ones."""
    from rules.programmes import programme  # noqa: PLC0415

    return programme(chosen or settings.default_programme)


def programme_id(chosen: str | None, settings: "Settings") -> str:
    """The identifier of ``resolve_programme`` (what the settings and the question log store)."""
    return resolve_programme(chosen, settings).id
