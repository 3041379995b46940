"""SMTP replies read by class, per recipient, against aiosmtpd scripted to refuse or drop at each step.

The adapter first (``SmtpOutbox``: what each reply means), then the service with Dovecot: 4xx retried
with backoff for the refused recipients only, 5xx final, logged, listed and sent again by
``stagebot mail retry``.
"""

import asyncio
import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.mail.records import mailbox_status as status
from bot.mail.service import MailService, run_once
from bot.mail.smtp import SmtpOutbox, Verdict
from bot.settings import MailSettings
from bot.store import Store
from tests.servers import Dovecot, Rule, ScriptedSmtp, append

from .conftest import labelled, mail_settings, settings_for

A, B = "a@example.org", "b@example.org"
MESSAGE = (
    b"From: stages@example.org\r\nTo: a@example.org\r\nSubject: test\r\nMessage-ID: <t@example.org>\r\n\r\nBonjour\r\n"
)


@pytest.fixture
def scripted() -> Iterator[ScriptedSmtp]:
    server = ScriptedSmtp()
    server.start()
    yield server
    server.stop()


def _outbox(server: ScriptedSmtp) -> SmtpOutbox:
    return SmtpOutbox(MailSettings(smtp_host="127.0.0.1", smtp_port=server.port, smtp_security="none"), timeout=5)


async def _send(server: ScriptedSmtp, recipients: list[str]) -> dict[str, tuple[Verdict, int | None, str]]:
    outbox = _outbox(server)
    try:
        outcomes = await outbox.send("stages@example.org", recipients, MESSAGE)
    finally:
        await outbox.close()
    return {r: (o.verdict, o.code, o.step) for r, o in outcomes.items()}


TEMPORARY, PERMANENT, UNCERTAIN, ACCEPTED = Verdict.TEMPORARY, Verdict.PERMANENT, Verdict.UNCERTAIN, Verdict.ACCEPTED


@pytest.mark.parametrize(
    ("step", "reply", "expected"),
    [
        # A refused connection is the configuration's or the server's problem, never the mail's: temporary.
        (
            "connect",
            "421 4.3.2 Service not available",
            {A: (TEMPORARY, 421, "connect"), B: (TEMPORARY, 421, "connect")},
        ),
        ("connect", "554 5.3.2 No service", {A: (TEMPORARY, 554, "connect"), B: (TEMPORARY, 554, "connect")}),
        ("connect", "drop", {A: (TEMPORARY, None, "connect"), B: (TEMPORARY, None, "connect")}),
        ("MAIL", "421 4.3.2 Closing", {A: (TEMPORARY, 421, "mail"), B: (TEMPORARY, 421, "mail")}),
        ("MAIL", "451 4.3.0 Try later", {A: (TEMPORARY, 451, "mail"), B: (TEMPORARY, 451, "mail")}),
        ("MAIL", "452 4.3.1 Insufficient storage", {A: (TEMPORARY, 452, "mail"), B: (TEMPORARY, 452, "mail")}),
        ("MAIL", "550 5.7.1 Sender refused", {A: (PERMANENT, 550, "mail"), B: (PERMANENT, 550, "mail")}),
        ("MAIL", "drop", {A: (TEMPORARY, None, "mail"), B: (TEMPORARY, None, "mail")}),
        ("RCPT", "421 4.3.2 Closing", {A: (TEMPORARY, 421, "rcpt"), B: (TEMPORARY, None, "rcpt")}),
        ("RCPT", "451 4.7.1 Greylisted", {A: (TEMPORARY, 451, "rcpt"), B: (ACCEPTED, 250, "data")}),
        ("RCPT", "452 4.2.2 Mailbox full", {A: (TEMPORARY, 452, "rcpt"), B: (ACCEPTED, 250, "data")}),
        ("RCPT", "550 5.1.1 Unknown user", {A: (PERMANENT, 550, "rcpt"), B: (ACCEPTED, 250, "data")}),
        ("RCPT", "drop", {A: (TEMPORARY, None, "rcpt"), B: (TEMPORARY, None, "rcpt")}),
        ("DATA", "421 4.3.2 Closing", {A: (TEMPORARY, 421, "data"), B: (TEMPORARY, 421, "data")}),
        ("DATA", "451 4.3.0 Local error", {A: (TEMPORARY, 451, "data"), B: (TEMPORARY, 451, "data")}),
        ("DATA", "452 4.3.1 Insufficient storage", {A: (TEMPORARY, 452, "data"), B: (TEMPORARY, 452, "data")}),
        ("DATA", "550 5.7.1 Content refused", {A: (PERMANENT, 550, "data"), B: (PERMANENT, 550, "data")}),
        # Lost after the message itself was sent: it may have left.
        ("DATA", "drop", {A: (UNCERTAIN, None, "data"), B: (UNCERTAIN, None, "data")}),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_reply_is_read_by_its_class(
    scripted: ScriptedSmtp, step: str, reply: str, expected: dict[str, tuple[Verdict, int | None, str]]
) -> None:
    scripted.script(Rule(step, reply, recipient=A if step == "RCPT" else None))
    assert asyncio.run(_send(scripted, [A, B])) == expected
    assert scripted.seen == [(step, A if step == "RCPT" else "", reply)]
    # Nothing sticks: the next transaction goes through for both.
    assert asyncio.run(_send(scripted, [A, B])) == {A: (ACCEPTED, 250, "data"), B: (ACCEPTED, 250, "data")}


def test_a_connection_the_server_closed_while_unused_is_opened_again(scripted: ScriptedSmtp) -> None:
    async def scenario() -> list[dict[str, Verdict]]:
        outbox = _outbox(scripted)
        first = await outbox.send("stages@example.org", [A], MESSAGE)
        scripted.script(Rule("MAIL", "drop"))  # the server drops the kept connection at the next MAIL
        second = await outbox.send("stages@example.org", [A], MESSAGE)
        await outbox.close()
        return [{r: o.verdict for r, o in outcomes.items()} for outcomes in (first, second)]

    assert asyncio.run(scenario()) == [{A: ACCEPTED}, {A: ACCEPTED}]
    assert len(scripted.messages) == 2


# ---- the service: deferral, partial retry, final refusals, `mail retry` --------------------------


def _service(tmp_path: Path, dovecot: Dovecot, smtp: ScriptedSmtp, **overrides: object) -> MailService:
    values: dict[str, object] = {"smtp_retry_seconds": 0.3, "smtp_retry_max_seconds": 0.3}
    values.update(overrides)
    settings = settings_for(tmp_path, mail_settings(dovecot, smtp, **values))
    return MailService(settings, Store(settings.database))


def _db(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "state.sqlite3")


def test_greylisting_at_rcpt_loses_nothing(tmp_path: Path, dovecot: Dovecot, scripted: ScriptedSmtp) -> None:
    # Every recipient is refused with 451 at RCPT until the greylisting window closes, as a greylisting
    # server does; the window stays open for the whole first pass, however slow the machine.
    scripted.handler.greylist = float("inf")
    raws = [labelled(p) for p in ("001", "080", "081", "053", "021", "045")]
    asyncio.run(append(dovecot.port, raws))
    first = asyncio.run(run_once(_service(tmp_path, dovecot, scripted), "process"))
    scripted.handler.greylist = 0.0  # the window closes: the next attempts are accepted
    assert first.deferred > 0 and not scripted.messages
    assert "en attente de nouvel essai" in first.text()
    db = _db(tmp_path)
    assert db.execute("SELECT count(*) FROM mails WHERE state = 'done'").fetchone()[0] == 6  # filed meanwhile
    for _ in range(20):  # `mail once` again until the queue is empty (a few retry delays)
        time.sleep(0.3)
        if asyncio.run(run_once(_service(tmp_path, dovecot, scripted), None)).deferred == 0:
            break
    routes = db.execute("SELECT message_id, status FROM actions WHERE kind IN ('route', 'reply')").fetchall()
    assert len(routes) == 8 and all(s == "done" for _, s in routes), routes  # 6 forwards, 2 answers
    sent = Counter(m.message["Message-ID"] for m in scripted.messages)
    assert all(sent[message_id] == 1 for message_id, _ in routes)  # each once, none lost
    assert db.execute("SELECT count(*) FROM deliveries WHERE status != 'done'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM outbox WHERE message IS NOT NULL").fetchone()[0] == 0  # bytes dropped
    assert any(answer == "451 greylist" for _, _, answer in scripted.seen)


def test_partial_refusal_retries_the_refused_recipient_only(
    tmp_path: Path, dovecot: Dovecot, scripted: ScriptedSmtp
) -> None:
    scripted.script(Rule("RCPT", "452 4.2.2 Mailbox full", recipient="direction@example.org"))
    asyncio.run(append(dovecot.port, [labelled("053")]))  # urgent incident: responsable + direction
    asyncio.run(run_once(_service(tmp_path, dovecot, scripted), "process"))
    assert [sorted(m.rcpt_tos) for m in scripted.messages] == [["responsable@example.org"]]
    db = _db(tmp_path)
    assert db.execute("SELECT status FROM actions WHERE kind = 'route'").fetchone()[0] == "waiting"
    time.sleep(0.4)
    asyncio.run(run_once(_service(tmp_path, dovecot, scripted), None))
    assert [m.rcpt_tos for m in scripted.messages][1:] == [["direction@example.org"]]
    first, second = scripted.messages
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert db.execute("SELECT status FROM actions WHERE kind = 'route'").fetchone()[0] == "done"


def test_a_4xx_at_mail_or_data_or_a_dropped_connection_is_retried(
    tmp_path: Path, dovecot: Dovecot, scripted: ScriptedSmtp
) -> None:
    scripted.script(Rule("connect", "421 4.3.2 Busy"), Rule("MAIL", "451 4.3.0 Later"), Rule("DATA", "drop"))
    asyncio.run(append(dovecot.port, [labelled("021")]))
    service = _service(tmp_path, dovecot, scripted)
    asyncio.run(run_once(service, "process"))
    for _ in range(6):  # connect refused, then MAIL refused, then dropped after DATA, then accepted
        time.sleep(0.35)
        asyncio.run(run_once(_service(tmp_path, dovecot, scripted), None))
    assert [s for s, _, _ in scripted.seen] == ["connect", "MAIL", "DATA"]
    assert len({m.message["Message-ID"] for m in scripted.messages}) == 1
    db = _db(tmp_path)
    assert db.execute("SELECT status FROM actions WHERE kind = 'route'").fetchone()[0] == "done"
    assert db.execute("SELECT attempts FROM deliveries").fetchone()[0] == 4


def test_an_answer_lost_during_data_is_never_sent_twice(
    tmp_path: Path, dovecot: Dovecot, scripted: ScriptedSmtp
) -> None:
    scripted.script(Rule("DATA", "drop"), Rule("DATA", "accept-drop"))  # forward dropped, answer taken then dropped
    asyncio.run(append(dovecot.port, [labelled("080")]))
    summary = asyncio.run(run_once(_service(tmp_path, dovecot, scripted), "process"))
    time.sleep(0.4)
    asyncio.run(run_once(_service(tmp_path, dovecot, scripted), None))
    db = _db(tmp_path)
    statuses = dict(db.execute("SELECT kind, status FROM actions WHERE kind IN ('route', 'reply')").fetchall())
    assert statuses == {"route": "done", "reply": "uncertain"}
    answers = [m for m in scripted.messages if m.message["Auto-Submitted"] == "auto-replied"]
    assert len(answers) == 1  # kept by the server before the drop; never sent again
    assert summary.review == 1


def test_permanent_refusals_are_logged_listed_and_retried_on_demand(
    tmp_path: Path,
    dovecot: Dovecot,
    scripted: ScriptedSmtp,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.cli import main  # noqa: PLC0415

    scripted.script(Rule("RCPT", "550 5.1.1 <conventions@example.org>: Recipient address rejected", times=None))
    asyncio.run(append(dovecot.port, [labelled("021"), labelled("045")]))
    with caplog.at_level(logging.WARNING, logger="stagebot.mail"):
        summary = asyncio.run(run_once(_service(tmp_path, dovecot, scripted), "process"))
    assert summary.refused == 2 and "refusé(s) définitivement" in summary.text()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("550" in w and "refusé définitivement" in w for w in warnings), warnings
    found = status(Store(tmp_path / "state.sqlite3"))
    assert [(f["recipient"], f["code"]) for f in found["failed_sends"]] == [
        ("scolarite@example.org", 550),
        ("conventions@example.org", 550),
    ]
    assert len(found["review"]) == 2 and any("550" in " ".join(r["why"]) for r in found["review"])

    # The cause is fixed; `stagebot mail retry` sends them again, once.
    scripted.script()
    config = tmp_path / "config.toml"
    routing = 'convention = ["conventions@example.org"]\nabsence = ["scolarite@example.org"]'
    config.write_text(
        f'database = "{tmp_path / "state.sqlite3"}"\n[mail]\naddress = "stages@example.org"\n'
        f'smtp_host = "127.0.0.1"\nsmtp_port = {scripted.port}\nsmtp_security = "none"\n[mail.routing]\n{routing}\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("STAGEBOT_CONFIG", str(config))
    assert main(["mail", "status"]) == 0
    out = capsys.readouterr().out
    assert "Envois refusés définitivement (2) ; « stagebot mail retry » les renvoie" in out and "550" in out
    assert main(["mail", "retry", "--since", "2000-01-01", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sent_now"] is True and report["delivered"] == 2 and len(report["requeued"]) == 2
    assert sorted(r for m in scripted.messages for r in m.rcpt_tos) == [
        "conventions@example.org",
        "scolarite@example.org",
    ]
    assert main(["mail", "retry"]) == 0
    assert "Aucun envoi refusé" in capsys.readouterr().out
    assert status(Store(tmp_path / "state.sqlite3"))["failed_sends"] == []
    with pytest.raises(SystemExit) as bad:  # bad input: one French sentence, status 2
        main(["mail", "retry", "--since", "hier"])
    assert bad.value.code == 2
    assert "Date illisible" in capsys.readouterr().err


def test_temporary_refusals_are_given_up_after_the_configured_time(
    tmp_path: Path, dovecot: Dovecot, scripted: ScriptedSmtp
) -> None:
    scripted.script(Rule("RCPT", "451 4.7.1 Try later", times=None))
    asyncio.run(append(dovecot.port, [labelled("045")]))
    now = [time.time()]
    settings = settings_for(tmp_path, mail_settings(dovecot, scripted, smtp_give_up_hours=1))
    asyncio.run(run_once(MailService(settings, Store(settings.database), clock=lambda: now[0]), "process"))
    now[0] += 3 * 3600  # three hours later, still refused
    summary = asyncio.run(run_once(MailService(settings, Store(settings.database), clock=lambda: now[0]), None))
    assert summary.refused == 1
    db = _db(tmp_path)
    assert db.execute("SELECT status FROM actions WHERE kind = 'route'").fetchone()[0] == "failed"
    assert "abandon après 1 h" in db.execute("SELECT detail FROM deliveries").fetchone()[0]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("smtp_retry_seconds = 0", "clé « mail.smtp_retry_seconds » : valeur trop petite"),
        ('smtp_give_up_hours = "deux jours"', "clé « mail.smtp_give_up_hours » : nombre attendu"),
        ("replies_per_hour = -1", "clé « mail.replies_per_hour » : valeur trop petite"),
        ("max_text_chars = 10", "clé « mail.max_text_chars » : valeur trop petite"),
        ('[mail.routing]\nabsence = ["pas une adresse"]', "mail.routing.absence » : adresse e-mail invalide"),
    ],
)
def test_new_settings_are_refused_in_one_french_sentence(tmp_path: Path, line: str, message: str) -> None:
    from bot.errors import ConfigError  # noqa: PLC0415
    from bot.settings import load_settings  # noqa: PLC0415

    config = tmp_path / "config.toml"
    config.write_text(f"[mail]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config)
