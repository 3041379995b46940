"""No mail can stop the mailbox: thousands of generated header and MIME shapes through the whole path.

First in memory (the ``Mailbox`` double of tests/mail/memory.py, an ``Outbox`` that checks every byte
StageBot sends), then the same shapes appended to Dovecot and worked with aiosmtpd. After each batch:
the pass returned, every mail is filed and finished, nothing StageBot wrote has a broken header, no
answer went to an invalid address, and no action failed with an internal error (a failure there is a
bug to fix, not a mail).
"""

import asyncio
import re
import sqlite3
from collections.abc import Sequence
from email import message_from_bytes, policy
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.mail.headers import valid_address
from bot.mail.service import MailService, run_once
from bot.mail.smtp import Outcome, Verdict
from bot.settings import MailSettings, Settings
from bot.store import Store
from tests.servers import PASSWORD, USER, Dovecot, SmtpCollector, mailbox_counts

from .conftest import OFFICERS, mail_settings, settings_for
from .fuzz import mail
from .memory import MemoryMailbox, MemoryServer

_HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+:[\x20-\x7e\t]*|[ \t][\x20-\x7e\t]*")


def written_well(data: bytes) -> list[str]:
    """What is wrong with the header block of a message StageBot wrote ("" when nothing)."""
    head = data.split(b"\r\n\r\n", 1)[0]
    problems = [
        f"ligne d'en-tête invalide {line[:80]!r}" for line in head.split(b"\r\n") if not _HEADER_LINE.fullmatch(line)
    ]
    problems += [f"ligne de {len(line)} octets" for line in data.split(b"\r\n") if len(line) > 998 and line in head]
    parsed = message_from_bytes(data, policy=policy.default)
    for name in ("From", "To", "Subject", "Message-ID"):
        if parsed[name] is None:
            problems.append(f"{name} absent")
    return problems


class CheckingOutbox:
    """Accepts everything and keeps what is wrong with what it was given."""

    def __init__(self) -> None:
        self.sent = 0
        self.problems: list[str] = []

    async def send(self, sender: str, recipients: Sequence[str], data: bytes) -> dict[str, Outcome]:
        self.sent += 1
        self.problems += written_well(data)
        self.problems += [f"destinataire invalide {r!r}" for r in recipients if not valid_address(r)]
        if not data.isascii():  # only the attached original may carry 8-bit bytes
            head = data.split(b"\r\n\r\n", 1)[0]
            if not head.isascii():
                self.problems.append("en-tête non ASCII")
        return {r: Outcome(Verdict.ACCEPTED, 250, "data", "") for r in recipients}

    async def close(self) -> None:
        pass


def _internal_errors(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return db.execute(
        "SELECT action, detail FROM audit WHERE detail LIKE '%erreur interne%' OR action = 'mis-de-côté'"
    ).fetchall()


# Every category forwarded, so every hostile mail goes through building a forward.
EVERYTHING = {**OFFICERS, "other": ["autres@example.org"]}
CAPS = {"replies_per_hour": 10_000, "replies_per_domain_per_hour": 10_000}  # the caps have their own tests

FUZZ = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_thousands_of_shapes_through_the_whole_path_in_memory(tmp_path: Path) -> None:
    server = MemoryServer()
    outbox = CheckingOutbox()
    mail_config = MailSettings.model_validate(
        {"address": USER, "routing": EVERYTHING, "mode": "send", "reply_period_hours": 0, **CAPS}
    )
    config = Settings(default_programme="paris1-miage", database=tmp_path / "state.sqlite3", mail=mail_config)
    store = Store(config.database)
    worked = [0]

    @FUZZ
    @given(st.lists(mail(), min_size=1, max_size=5))
    def one_batch(raws: list[bytes]) -> None:
        uids = server.deliver(raws)
        service = MailService(config, store, outbox=outbox, mailbox=lambda: MemoryMailbox(server))
        asyncio.run(run_once(service, "process"))  # returns: the pass was never stopped
        assert server.folders["INBOX"] == {}, "un mail est resté dans la boîte"
        rows = store.db.execute(
            f"SELECT uid, state FROM mails WHERE uid IN ({','.join('?' * len(uids))})",  # noqa: S608 - placeholders
            uids,
        ).fetchall()
        assert sorted(r["uid"] for r in rows) == uids and all(r["state"] == "done" for r in rows)
        assert outbox.problems == [], outbox.problems[:5]
        assert _internal_errors(store.db) == []
        worked[0] += len(raws)

    one_batch()
    # Every mail but the repeats hypothesis generates (recognised as duplicates) was forwarded, once.
    routes = store.db.execute("SELECT count(*), sum(status = 'done') FROM actions WHERE kind = 'route'").fetchone()
    duplicates = store.db.execute("SELECT count(*) FROM audit WHERE action = 'doublon'").fetchone()[0]
    assert routes[0] == routes[1] == outbox.sent == worked[0] - duplicates
    assert worked[0] >= 1000 and outbox.sent > 300  # and about 600 more through Dovecot below


async def _append_all(port: int, raws: list[bytes]) -> int:
    """APPEND what Dovecot accepts (it refuses a few shapes, e.g. NUL bytes); how many it took."""
    from aioimaplib import IMAP4  # noqa: PLC0415

    client = IMAP4(host="127.0.0.1", port=port, timeout=30)
    await client.wait_hello_from_server()
    await client.login(USER, PASSWORD)
    taken = 0
    for raw in raws:
        response = await client.append(raw, mailbox="INBOX")
        taken += response.result == "OK"
    await client.logout()
    return taken


def test_hostile_batches_through_dovecot_and_aiosmtpd(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    config = settings_for(tmp_path, mail_settings(dovecot, smtp, routing=EVERYTHING, **CAPS))
    store = Store(config.database)
    worked = [0]

    @settings(FUZZ, max_examples=30)
    @given(st.lists(mail(), min_size=10, max_size=30))
    def one_batch(raws: list[bytes]) -> None:
        taken = asyncio.run(_append_all(dovecot.port, raws))
        before = store.db.execute("SELECT count(*) FROM mails").fetchone()[0]
        summary = asyncio.run(run_once(MailService(config, store), "process"))
        counts = asyncio.run(mailbox_counts(dovecot.port, ["INBOX"]))
        assert counts["INBOX"] == 0
        assert store.db.execute("SELECT count(*) FROM mails").fetchone()[0] - before == taken
        assert store.db.execute("SELECT count(*) FROM mails WHERE state != 'done'").fetchone()[0] == 0
        assert sum(summary.categories.values()) == taken
        assert _internal_errors(store.db) == []
        worked[0] += taken

    one_batch()
    problems = [p for m in smtp.messages for p in written_well(m.raw)]
    assert problems == [], problems[:5]
    assert worked[0] >= 300
