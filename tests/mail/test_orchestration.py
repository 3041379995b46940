"""The mailbox service's failure paths, driven deterministically with in-memory adapters and a fake clock.

The same paths run against Dovecot and aiosmtpd in test_smtp.py and test_crash.py; here each one is
a script: a 4xx then acceptance, the process killed in the middle of a send (a forward, an answer,
an answer sent again from the queue), a 5xx then ``mail retry``.
"""

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.mail.message import read_mail
from bot.mail.records import mailbox_status
from bot.mail.service import MailService, Summary, retry, run_once
from bot.mail.smtp import Outcome, Verdict
from bot.settings import MailSettings, Settings
from bot.store import Store
from tests.servers import USER

from .conftest import OFFICERS, labelled
from .labelled import TODAY
from .memory import Killed, MemoryMailbox, MemoryOutbox, MemoryServer, Rule

RETRY = 60.0
START = 1_800_000_000.0
SCOLARITE = OFFICERS["absence"][0]  # absences and questions go there
GREYLISTED = Outcome(Verdict.TEMPORARY, 451, "rcpt", "4.7.1 Greylisted")
UNKNOWN = Outcome(Verdict.PERMANENT, 550, "rcpt", "5.1.1 Unknown user")
REVIEW = "Triage/À vérifier"


class Office:
    """One mailbox in memory, its store on disk, a clock that only moves when told."""

    def __init__(self, tmp_path: Path) -> None:
        self.path = tmp_path / "state.sqlite3"
        self.server = MemoryServer()
        self.outbox = MemoryOutbox()
        self.now = START
        values = {
            "address": USER,
            "routing": OFFICERS,
            "mode": "send",
            "smtp_retry_seconds": RETRY,
            "smtp_retry_max_seconds": 10 * RETRY,
        }
        self.settings = Settings(
            default_programme="paris1-miage", database=self.path, mail=MailSettings.model_validate(values)
        )

    def service(self) -> MailService:
        """A service as a new process builds it: its own connection to the file."""
        return MailService(
            self.settings,
            Store(self.path),
            today=lambda: TODAY,
            outbox=self.outbox,
            clock=lambda: self.now,
            mailbox=lambda: MemoryMailbox(self.server),
        )

    def run(self, backlog: str | None = None) -> Summary:
        return asyncio.run(run_once(self.service(), backlog))

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def actions(self) -> dict[str, str]:
        return dict(self.db().execute("SELECT kind, status FROM actions WHERE kind IN ('route', 'reply')").fetchall())

    def audit(self, action: str) -> int:
        return int(self.db().execute("SELECT count(*) FROM audit WHERE action = ?", (action,)).fetchone()[0])


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return Office(tmp_path)


def test_a_temporary_refusal_is_sent_again_once_due_then_done(office: Office) -> None:
    office.server.deliver([labelled("045")])  # an absence: forwarded to the school office
    office.outbox.script(Rule(GREYLISTED))
    summary = office.run("process")
    assert summary.deferred == 1 and summary.refused == 0
    assert office.outbox.delivered() == []
    assert office.actions() == {"route": "waiting"}
    db = office.db()
    assert db.execute("SELECT status, attempts, next_at, code FROM deliveries").fetchone() == (
        "deferred",
        1,
        START + RETRY,
        451,
    )
    assert db.execute("SELECT state FROM mails").fetchone()[0] == "done"  # filed meanwhile
    assert office.server.folders["INBOX"] == {}
    assert db.execute("SELECT count(*) FROM outbox WHERE message IS NOT NULL").fetchone()[0] == 1

    office.now += RETRY - 1  # not due yet: nothing sent
    office.run()
    assert len(office.outbox.attempts) == 1

    office.now += 1
    summary = office.run()
    assert summary.deferred == 0
    first, second = office.outbox.attempts
    assert second.recipients == [SCOLARITE] and second.message_id == first.message_id
    assert office.actions() == {"route": "done"}
    assert db.execute("SELECT status, attempts FROM deliveries").fetchone() == ("done", 2)
    assert db.execute("SELECT count(*) FROM outbox WHERE message IS NOT NULL").fetchone()[0] == 0
    assert office.audit("transfert-différé") == 1 and office.audit("transfert") == 1


def test_a_forward_found_sending_after_a_kill_is_sent_again_with_the_same_message_id(office: Office) -> None:
    office.server.deliver([labelled("045")])
    office.outbox.script(Rule(None))  # the forward reaches the server, then the process dies
    with pytest.raises(Killed):
        office.run("process")
    assert office.actions() == {"route": "sending"}
    assert office.db().execute("SELECT state FROM mails").fetchone()[0] == "planned"
    assert list(office.server.folders["INBOX"]) == [1]  # not filed

    office.run()
    sent = office.outbox.delivered(SCOLARITE)
    assert len(sent) == 2 and sent[0].message_id == sent[1].message_id  # an officer may get it twice, never zero
    assert office.actions() == {"route": "done"}
    assert office.audit("transfert-repris") == 1
    assert office.db().execute("SELECT state FROM mails").fetchone()[0] == "done"
    assert office.server.folders["INBOX"] == {}


def test_an_answer_found_sending_after_a_kill_is_never_sent_again(office: Office) -> None:
    raw = labelled("080")  # a question: forwarded, and answered
    office.server.deliver([raw])
    sender = read_mail(raw).sender
    office.outbox.script(Rule(None, recipient=sender))  # the answer reaches the server, then the process dies
    with pytest.raises(Killed):
        office.run("process")
    assert office.actions() == {"route": "done", "reply": "sending"}

    summary = office.run()
    assert len(office.outbox.delivered(sender)) == 1  # a student never gets two answers
    assert office.actions() == {"route": "done", "reply": "uncertain"}
    db = office.db()
    assert db.execute("SELECT status FROM deliveries WHERE recipient = ?", (sender,)).fetchone()[0] == "uncertain"
    assert db.execute("SELECT state, review FROM mails").fetchone() == ("done", 1)
    assert office.audit("réponse-incertaine") == 1
    assert summary.review == 1
    assert list(office.server.folders[REVIEW]) == [1]
    why = mailbox_status(Store(office.path))["review"][0]["why"]
    assert any(w.startswith("reply : uncertain") for w in why), why


def test_an_answer_killed_while_sent_again_from_the_queue_is_never_sent_a_third_time(office: Office) -> None:
    raw = labelled("080")
    office.server.deliver([raw])
    sender = read_mail(raw).sender
    office.outbox.script(Rule(GREYLISTED, recipient=sender))
    office.run("process")
    assert office.actions() == {"route": "done", "reply": "waiting"}

    office.now += RETRY
    office.outbox.script(Rule(None, recipient=sender))  # the second attempt leaves, then the process dies
    with pytest.raises(Killed):
        office.run()
    assert office.db().execute("SELECT status FROM deliveries WHERE recipient = ?", (sender,)).fetchone()[0] == (
        "sending"
    )

    office.now += 10 * RETRY
    office.run()
    assert len(office.outbox.delivered(sender)) == 1
    assert office.actions() == {"route": "done", "reply": "uncertain"}
    assert office.db().execute("SELECT review FROM mails").fetchone()[0] == 1


def test_a_permanent_refusal_is_listed_then_sent_by_mail_retry(office: Office) -> None:
    office.server.deliver([labelled("045")])
    office.outbox.script(Rule(UNKNOWN, recipient=SCOLARITE, times=None))
    summary = office.run("process")
    assert summary.refused == 1 and summary.deferred == 0
    assert "refusé(s) définitivement" in summary.text()
    assert office.actions() == {"route": "failed"}
    assert list(office.server.folders[REVIEW]) == [1]  # an officer must look
    found = mailbox_status(Store(office.path))
    assert [(f["recipient"], f["code"], f["kind"]) for f in found["failed_sends"]] == [(SCOLARITE, 550, "route")]
    assert any("550" in w for w in found["review"][0]["why"])

    office.run()  # a final refusal is not retried by itself
    assert len(office.outbox.attempts) == 1

    office.outbox.script()  # the cause is fixed; `stagebot mail retry`
    report = asyncio.run(retry(office.service()))
    assert report.sent_now and report.delivered == 1 and len(report.requeued) == 1
    assert report.requeued[0] == {"mail_id": 1, "kind": "route", "recipient": SCOLARITE, "code": 550}
    assert office.actions() == {"route": "done"}
    assert office.outbox.attempts[1].message_id == office.outbox.attempts[0].message_id
    assert mailbox_status(Store(office.path))["failed_sends"] == []


@pytest.mark.parametrize(("code", "level"), [(554, "WARNING"), (421, "INFO")])
def test_a_server_refusing_at_connection_is_retried_and_a_5xx_is_a_warning(
    office: Office, caplog: pytest.LogCaptureFixture, code: int, level: str
) -> None:
    # A 5xx at connection, greeting or login is the server's or the account's problem: retried, and
    # logged at WARNING with its code so that an officer sees it before the 48 h give-up.
    office.server.deliver([labelled("045")])
    office.outbox.script(Rule(Outcome(Verdict.TEMPORARY, code, "connect", "No service")))
    with caplog.at_level("INFO", logger="stagebot.mail"):
        summary = office.run("process")
    assert summary.deferred == 1 and summary.refused == 0
    (record,) = [r for r in caplog.records if "différé" in r.getMessage()]
    assert record.levelname == level and str(code) in record.getMessage()


def test_an_error_while_sending_a_queued_delivery_does_not_stop_the_others(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two forwards wait in the queue (greylisted); resending the first raises an unexpected error.
    office.server.deliver([labelled("045"), labelled("021")])
    office.outbox.script(Rule(GREYLISTED, times=2))
    assert office.run("process").deferred == 2
    real_send = office.outbox.send
    calls: list[int] = []

    async def broken_once(sender: str, recipients: list[str], data: bytes) -> dict[str, Outcome]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return await real_send(sender, recipients, data)

    monkeypatch.setattr(office.outbox, "send", broken_once)
    office.now += RETRY
    office.run()  # the pass goes on: the second forward leaves
    assert len(calls) == 2 and len(office.outbox.delivered()) == 1
    assert sorted(office.db().execute("SELECT status FROM deliveries").fetchall()) == [("done",), ("failed",)]
    found = mailbox_status(Store(office.path))
    assert len(found["failed_sends"]) == 1  # listed for an officer, sent again by `mail retry`
    monkeypatch.setattr(office.outbox, "send", real_send)
    report = asyncio.run(retry(office.service()))
    assert report.delivered == 1 and len(office.outbox.delivered()) == 2
