"""Mailbox throughput: a backlog of N mails in a local Dovecot worked by the mail service once.

Prints mails per second end to end (IMAP fetch, reading, classification, knowledge-base answers,
SMTP routing and answers to a local aiosmtpd, IMAP MOVE, SQLite state), the process's peak memory
(ru_maxrss), and the time to read and classify one mail alone (no I/O).

Usage: .venv/bin/python bench/mail.py [--mails 2000]   (needs dovecot-imapd, as the tests do)
"""

import argparse
import asyncio
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.mail.classify import classify
from bot.mail.message import read_mail
from bot.mail.service import MailService, run_once
from bot.mail.triage import decide
from bot.settings import MailSettings, Settings
from bot.store import Store
from tests.mail.conftest import OFFICERS, batch
from tests.servers import PASSWORD, USER, Dovecot, SmtpCollector, append


def classify_alone(raws: list[bytes], rounds: int = 5) -> tuple[float, float, float]:
    """Median microseconds per mail: read, read + classify, read + full triage decision."""
    settings = MailSettings(address=USER)
    read_times, classify_times, decide_times = [], [], []
    for _ in range(rounds):
        for raw in raws:
            t0 = time.perf_counter()
            mail = read_mail(raw, own=settings.own_addresses)
            t1 = time.perf_counter()
            classify(mail)
            t2 = time.perf_counter()
            decide(mail, settings, "paris1-miage", date(2026, 11, 22))
            t3 = time.perf_counter()
            read_times.append(t1 - t0)
            classify_times.append(t2 - t1)
            decide_times.append(t3 - t2)
    return (
        statistics.median(read_times) * 1e3,
        statistics.median(classify_times) * 1e3,
        statistics.median(decide_times) * 1e3,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=2000)
    args = parser.parse_args()
    raws = batch(args.mails)
    read_ms, classify_ms, decide_ms = classify_alone(raws[:122])
    root = Path(tempfile.mkdtemp(prefix="stagebot-bench-"))
    root.chmod(0o755)  # Dovecot's own users must traverse it
    dovecot = Dovecot(root / "dovecot")
    smtp = SmtpCollector()
    dovecot.start()
    smtp.start()
    try:
        t0 = time.perf_counter()
        asyncio.run(append(dovecot.port, raws))
        appended = time.perf_counter() - t0
        mail = MailSettings(
            address=USER,
            imap_host="127.0.0.1",
            imap_port=dovecot.port,
            imap_security="none",
            username=USER,
            password=PASSWORD,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_security="none",
            routing=OFFICERS,
            mode="send",
        )
        settings = Settings(default_programme="paris1-miage", database=root / "state.sqlite3", mail=mail)
        service = MailService(settings, Store(settings.database), today=lambda: date(2026, 11, 22))
        t0 = time.perf_counter()
        summary = asyncio.run(run_once(service, "process"))
        elapsed = time.perf_counter() - t0
    finally:
        smtp.stop()
        dovecot.stop()
        shutil.rmtree(root, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# {datetime.now(UTC):%Y-%m-%d} — {platform.machine()}, Python {platform.python_version()}")
    print(f"backlog: {args.mails} mails appended in {appended:.1f} s")
    print(f"mail once: {elapsed:.1f} s, {args.mails / elapsed:.0f} mails/s; {summary.text()}")
    print(f"SMTP messages received: {len(smtp.messages)}")
    print(f"peak memory (ru_maxrss): {peak:.0f} MiB")
    print(
        f"one mail alone (median): read {read_ms:.3f} ms, classify {classify_ms:.3f} ms, "
        f"full decision {decide_ms:.3f} ms"
    )


if __name__ == "__main__":
    main()
