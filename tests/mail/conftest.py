"""Fixtures: a real Dovecot and a real aiosmtpd per test, and settings pointing at them."""

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import MailSettings, Settings
from tests.servers import PASSWORD, USER, Dovecot, SmtpCollector, dovecot_available

from .labelled import FOLDER

# Every folder the service files into with the default settings, and the inbox.
FOLDERS = [
    "INBOX",
    "Triage/Offres",
    "Triage/Conventions",
    "Triage/Absences",
    "Triage/Incidents",
    "Triage/Évaluations",
    "Triage/Questions",
    "Triage/Autres",
    "Triage/À vérifier",
    "Triage/Réponses à valider",
]

OFFICERS = {
    "offer": ["offres@example.org"],
    "convention": ["conventions@example.org"],
    "absence": ["scolarite@example.org"],
    "incident": ["responsable@example.org"],
    "evaluation": ["jury@example.org"],
    "question": ["scolarite@example.org"],
    "urgent": ["direction@example.org"],
}


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if not dovecot_available():
        pytest.fail("dovecot-imapd n'est pas installé : lancez scripts/test.sh, qui l'installe.")
    # Not under pytest's tmp_path: its parents are private (0700) and Dovecot's own users must
    # traverse the folder.
    root = Path(tempfile.mkdtemp(prefix="stagebot-dovecot-"))
    server = Dovecot(root)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def smtp() -> Iterator[SmtpCollector]:
    server = SmtpCollector(refuse={"inconnu@example.org", "inconnu2@example.org"})
    server.start()
    yield server
    server.stop()


def mail_settings(dovecot: Dovecot, smtp: SmtpCollector, **overrides: object) -> MailSettings:
    values: dict[str, object] = {
        "address": USER,
        "imap_host": "127.0.0.1",
        "imap_port": dovecot.port,
        "imap_security": "none",
        "username": USER,
        "password": PASSWORD,
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_security": "none",
        "routing": OFFICERS,
        "mode": "send",
        "poll_seconds": 1,
        "reconnect_max_seconds": 1,
    }
    values.update(overrides)
    return MailSettings.model_validate(values)


def settings_for(tmp_path: Path, mail: MailSettings) -> Settings:
    return Settings(default_programme="paris1-miage", database=tmp_path / "state.sqlite3", mail=mail)


def labelled(prefix: str) -> bytes:
    """A labelled mail's bytes."""
    return next(FOLDER.glob(f"{prefix}-*.eml")).read_bytes()


def renamed(raw: bytes, message_id: str) -> bytes:
    """The same mail under another Message-ID (or with one added)."""
    header = f"Message-ID: <{message_id}>".encode()
    if re.search(rb"(?mi)^Message-ID:", raw):
        return re.sub(rb"(?mi)^Message-ID:[^\r\n]*", header, raw, count=1)
    return header + b"\r\n" + raw


def batch(count: int) -> list[bytes]:
    """``count`` distinct mails cycling through the labelled set."""
    files = sorted(FOLDER.glob("*.eml"))
    return [renamed(files[i % len(files)].read_bytes(), f"batch-{i}@test.example") for i in range(count)]
