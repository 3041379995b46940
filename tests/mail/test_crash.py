"""Nothing lost, nothing done twice: SIGKILL mid-batch, IMAP server restarted mid-run.

The service runs as a real `stagebot mail …` process against Dovecot and aiosmtpd.
"""

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.servers import PASSWORD, Dovecot, SmtpCollector, append, mailbox_counts

from .conftest import FOLDERS, OFFICERS, batch

TRIAGE = [f for f in FOLDERS if f not in {"INBOX", "Triage/Réponses à valider"}]


def _config(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> Path:
    routing = "\n".join(f'{key} = ["{addresses[0]}"]' for key, addresses in OFFICERS.items())
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
default_programme = "paris1-miage"
database = "{tmp_path / "state.sqlite3"}"
[mail]
address = "stages@example.org"
imap_host = "127.0.0.1"
imap_port = {dovecot.port}
imap_security = "none"
username = "stages@example.org"
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
smtp_security = "none"
mode = "send"
poll_seconds = 1
reconnect_max_seconds = 1
[mail.routing]
{routing}
""",
        encoding="utf-8",
    )
    return path


def _start(config: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "STAGEBOT_MAIL__PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), "mail", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )


def _done(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        db = sqlite3.connect(db_path, timeout=5)
        try:
            return int(db.execute("SELECT count(*) FROM mails WHERE state = 'done'").fetchone()[0])
        finally:
            db.close()
    except sqlite3.OperationalError:  # schema not created yet
        return 0


def _wait(predicate: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("délai dépassé")


def _check_exactly_once(db_path: Path, smtp: SmtpCollector, total: int) -> dict[str, int]:
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT count(*) FROM mails").fetchone()[0] == total
    assert db.execute("SELECT count(*) FROM mails WHERE state != 'done'").fetchone()[0] == 0
    assert db.execute("SELECT count(DISTINCT message_id) FROM mails").fetchone()[0] == total
    # Every forward StageBot planned reached the SMTP server, each under one Message-ID; a copy
    # beyond one is only allowed for a forward the audit log says was resent after the kill.
    sent = Counter(m.message["Message-ID"] for m in smtp.messages)
    routes = db.execute("SELECT message_id, status FROM actions WHERE kind = 'route'").fetchall()
    resent = db.execute("SELECT count(*) FROM audit WHERE action = 'transfert-repris'").fetchone()[0]
    assert all(status == "done" for _, status in routes)
    assert all(sent[message_id] >= 1 for message_id, _ in routes)
    assert sum(sent[message_id] - 1 for message_id, _ in routes) <= resent
    # A student never gets two answers.
    replies = db.execute("SELECT message_id, status FROM actions WHERE kind = 'reply'").fetchall()
    for message_id, status in replies:
        assert sent[message_id] <= 1
        assert sent[message_id] == (1 if status == "done" else sent[message_id])
    answered = Counter(m.message["In-Reply-To"] for m in smtp.messages if m.message["Auto-Submitted"] == "auto-replied")
    assert all(count == 1 for count in answered.values())
    return {"routes": len(routes), "replies": len(replies), "resent": int(resent)}


def test_sigkill_in_the_middle_of_200_mails(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    total = 200
    asyncio.run(append(dovecot.port, batch(total)))
    config = _config(tmp_path, dovecot, smtp)
    db_path = tmp_path / "state.sqlite3"
    kills = 0
    for target in (40, 110):  # killed twice, at different points
        process = _start(config, "once", "--backlog", "process")
        _wait(lambda t=target, p=process: _done(db_path) >= t or p.poll() is not None, 120)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(10)
    assert kills == 2, "le processus a fini avant d'être tué : lot trop petit"
    process = _start(config, "once")
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err.decode()
    assert "mail(s) traité(s)" in out.decode()
    counts = asyncio.run(mailbox_counts(dovecot.port, ["INBOX", *TRIAGE]))
    assert counts["INBOX"] == 0 and sum(counts[f] for f in TRIAGE) == total  # every mail filed once
    figures = _check_exactly_once(db_path, smtp, total)
    assert figures["routes"] > 100 and figures["replies"] > 0


def test_imap_server_restarted_while_watching(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    mails = batch(30)
    asyncio.run(append(dovecot.port, mails[:20]))
    config = _config(tmp_path, dovecot, smtp)
    db_path = tmp_path / "state.sqlite3"
    process = _start(config, "run", "--backlog", "process")
    try:
        _wait(lambda: _done(db_path) >= 20, 60)
        dovecot.stop()
        time.sleep(1.5)  # the service notices and retries with backoff
        dovecot.start()
        asyncio.run(append(dovecot.port, mails[20:]))
        _wait(lambda: _done(db_path) >= 30, 60)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    counts = asyncio.run(mailbox_counts(dovecot.port, ["INBOX", *TRIAGE]))
    assert counts["INBOX"] == 0 and sum(counts[f] for f in TRIAGE) == 30
    _check_exactly_once(db_path, smtp, 30)


def test_sigterm_stops_between_two_mails(tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector) -> None:
    total = 120
    asyncio.run(append(dovecot.port, batch(total)))
    config = _config(tmp_path, dovecot, smtp)
    db_path = tmp_path / "state.sqlite3"
    process = _start(config, "run", "--backlog", "process")
    _wait(lambda: _done(db_path) >= 20, 60)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=15)
    assert process.returncode == 0, err.decode()
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT count(*) FROM mails WHERE state != 'done'").fetchone()[0] == 0  # nothing half-done
    stopped_at = db.execute("SELECT count(*) FROM mails").fetchone()[0]
    assert stopped_at < total
    finish = _start(config, "once")
    _, err = finish.communicate(timeout=120)
    assert finish.returncode == 0, err.decode()
    _check_exactly_once(db_path, smtp, total)
