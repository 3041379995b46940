"""Mailbox throughput on a realistic backlog, and the delay from APPEND to forward while idle.

The backlog: N mails cycling through the labelled set, each with its own Message-ID; about 15 % carry
an attachment (a 20–120 kB PDF-like file) and about 3 % weigh over 250 kB (a 0.3–3 MB attachment, or
a large HTML newsletter). They are appended to a local Dovecot and worked once by the mail service
in process, as ``stagebot mail once --backlog process`` does: IMAP fetch, reading and classification
(off the event loop), knowledge-base answers, SMTP forwards and answers to aiosmtpd running in its
own process, IMAP MOVE, SQLite state with ``synchronous=FULL``.

Then the service keeps watching (IDLE) and single mails are appended one at a time: the delay from
the end of APPEND to the forward reaching the SMTP server is measured (median and worst).

Prints mails per second end to end, the process's peak memory (ru_maxrss), the time to read and
classify one mail alone (no I/O), and the latencies.

``--plain`` works the labelled mails alone (no attachment, nothing large): the backlog issue 10's
"at least 100 mails/s end to end" was first measured on.

Usage: .venv/bin/python bench/mail.py [--mails 2000] [--latency 20] [--plain]   (needs dovecot-imapd)
"""

import argparse
import asyncio
import platform
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.mail.classify import classify
from bot.mail.imap import Imap
from bot.mail.message import read_mail
from bot.mail.service import MailService, run_forever, run_once
from bot.mail.triage import decide
from bot.settings import MailSettings, Settings
from bot.store import Store
from tests.mail.conftest import OFFICERS, batch, labelled, renamed
from tests.servers import PASSWORD, USER, Dovecot, SinkSmtp, SmtpCollector, append

TODAY = date(2026, 11, 22)


def with_attachment(raw: bytes, size: int, rng: random.Random) -> bytes:
    """The same mail with a binary attachment of ``size`` bytes."""
    message = message_from_bytes(raw, policy=policy.default)
    if not isinstance(message, EmailMessage):
        raise TypeError(type(message))
    if message.get_content_type() != "multipart/mixed":
        message.make_mixed()
    message.add_attachment(rng.randbytes(size), maintype="application", subtype="pdf", filename="piece-jointe.pdf")
    return message.as_bytes()


def newsletter(raw: bytes, size: int) -> bytes:
    """A large HTML-only mail with the same headers (a newsletter, a signature full of images)."""
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    keep = [line for line in head.splitlines() if not line.lower().startswith((b"content-", b"mime-version"))]
    row = (
        '<tr><td style="font-family:Arial;color:#333">Salon de l\'alternance : 40 entreprises, stages et CDI</td>'
        "</tr>\r\n"
    )
    html = "<html><body><table>" + row * (size // len(row)) + "</table></body></html>"
    return (
        b"\r\n".join([*keep, b"MIME-Version: 1.0", b"Content-Type: text/html; charset=utf-8"])
        + b"\r\n\r\n"
        + html.encode()
    )


def backlog(count: int, seed: int = 13, *, plain: bool = False) -> tuple[list[bytes], int, int]:
    """The realistic backlog: (mails, how many with an attachment, how many over 250 kB)."""
    rng = random.Random(seed)
    raws = batch(count)
    if plain:
        return raws, 0, 0
    attached = large = 0
    for i, raw in enumerate(raws):
        draw = rng.random()
        if draw < 0.03:
            large += 1
            size = rng.randint(300_000, 3_000_000)
            raws[i] = newsletter(raw, size) if rng.random() < 0.3 else with_attachment(raw, int(size * 0.73), rng)
        elif draw < 0.18:
            attached += 1
            raws[i] = with_attachment(raw, rng.randint(20_000, 120_000), rng)
    return raws, attached, large


def classify_alone(raws: list[bytes], rounds: int = 5) -> tuple[float, float, float]:
    """Median milliseconds per mail: read, classify, read + full triage decision."""
    settings = MailSettings(address=USER)
    read_times, classify_times, decide_times = [], [], []
    for _ in range(rounds):
        for raw in raws:
            t0 = time.perf_counter()
            mail = read_mail(raw, own=settings.own_addresses)
            t1 = time.perf_counter()
            classify(mail)
            t2 = time.perf_counter()
            decide(mail, settings, "paris1-miage", TODAY)
            t3 = time.perf_counter()
            read_times.append(t1 - t0)
            classify_times.append(t2 - t1)
            decide_times.append(t3 - t2)
    return (
        statistics.median(read_times) * 1e3,
        statistics.median(classify_times) * 1e3,
        statistics.median(decide_times) * 1e3,
    )


def read_and_decide(raws: list[bytes]) -> float:
    """Median milliseconds to read and decide one of these mails."""
    settings = MailSettings(address=USER)
    times = []
    for raw in raws:
        t0 = time.perf_counter()
        decide(read_mail(raw, own=settings.own_addresses), settings, "paris1-miage", TODAY)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3 if times else 0.0


def settings_for(root: Path, dovecot: Dovecot, smtp_port: int) -> Settings:
    mail = MailSettings(
        address=USER,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_security="none",
        username=USER,
        password=PASSWORD,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security="none",
        routing=OFFICERS,
        mode="send",
    )
    return Settings(default_programme="paris1-miage", database=root / "state.sqlite3", mail=mail)


async def idle_latency(
    settings: Settings, dovecot: Dovecot, smtp: SmtpCollector, rounds: int
) -> tuple[list[float], list[float]]:
    """Seconds from the end of APPEND to the forward received, the service idle under IDLE; and to
    the moment IDLE reported the new mail (the server's share)."""
    woken: list[float] = []
    real_wait = Imap.wait_for_news

    async def wait_for_news(self: Imap, seconds: float) -> bool:
        news = await real_wait(self, seconds)
        woken.append(time.perf_counter())
        return news

    Imap.wait_for_news = wait_for_news  # type: ignore[method-assign]
    service = MailService(settings, Store(settings.database), today=lambda: TODAY)
    stop = asyncio.Event()
    task = asyncio.ensure_future(run_forever(service, None, stop))
    delays, notified = [], []
    try:
        await asyncio.sleep(1.5)  # connected and idle
        for i in range(rounds):
            before = len(smtp.messages)
            await append(dovecot.port, [renamed(labelled("045"), f"latency-{i}@bench")])
            start = time.perf_counter()
            while len(smtp.messages) == before:
                if time.perf_counter() - start > 30:
                    raise RuntimeError("no forward within 30 s")
                await asyncio.sleep(0.002)
            delays.append(time.perf_counter() - start)
            notified.append(min((w for w in woken if w >= start), default=start) - start)
            await asyncio.sleep(0.5)  # idle again
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        Imap.wait_for_news = real_wait  # type: ignore[method-assign]
    return delays, notified


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--latency", type=int, default=20, help="single mails appended while idle")
    parser.add_argument("--plain", action="store_true", help="the labelled mails only, no attachment")
    args = parser.parse_args()
    raws, attached, large = backlog(args.mails, plain=args.plain)
    volume = sum(len(r) for r in raws)
    read_ms, classify_ms, decide_ms = classify_alone(batch(122))
    large_ms = read_and_decide([r for r in raws if len(r) > 250_000][:20] or raws[:20])
    root = Path(tempfile.mkdtemp(prefix="stagebot-bench-"))
    root.chmod(0o755)  # Dovecot's own users must traverse it
    dovecot = Dovecot(root / "dovecot")
    sink = SinkSmtp()
    collector = SmtpCollector()
    dovecot.start()
    sink.start()
    collector.start()
    try:
        t0 = time.perf_counter()
        asyncio.run(append(dovecot.port, raws))
        appended = time.perf_counter() - t0
        settings = settings_for(root, dovecot, sink.port)
        service = MailService(settings, Store(settings.database), today=lambda: TODAY)
        t0, cpu = time.perf_counter(), time.process_time()
        summary = asyncio.run(run_once(service, "process"))
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu
        db = service.store.db
        sends = dict(db.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall())
        delays, notified = asyncio.run(
            idle_latency(settings_for(root, dovecot, collector.port), dovecot, collector, args.latency)
        )
    finally:
        collector.stop()
        sink.stop()
        dovecot.stop()
        shutil.rmtree(root, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# {datetime.now(UTC):%Y-%m-%d} — {platform.machine()}, Python {platform.python_version()}")
    print(
        f"backlog: {args.mails} mails, {volume / 1e6:.1f} MB, {attached} with an attachment, "
        f"{large} over 250 kB ({100 * large / args.mails:.1f} %); appended in {appended:.1f} s"
    )
    print(f"mail once: {elapsed:.1f} s, {args.mails / elapsed:.0f} mails/s, CPU {cpu:.1f} s; {summary.text()}")
    print(f"SMTP deliveries: {sends}")
    print(f"peak memory (ru_maxrss): {peak:.0f} MiB")
    print(
        f"one mail alone (median): read {read_ms:.3f} ms, classify {classify_ms:.3f} ms, "
        f"full decision {decide_ms:.3f} ms; a mail over 250 kB, read + decision {large_ms:.1f} ms"
    )
    if delays:
        print(
            f"APPEND to forward while idle ({len(delays)} mails): median {statistics.median(delays) * 1e3:.0f} ms, "
            f"worst {max(delays) * 1e3:.0f} ms; of which until IDLE reported the mail: median "
            f"{statistics.median(notified) * 1e3:.0f} ms"
        )


if __name__ == "__main__":
    main()
