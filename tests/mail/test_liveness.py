"""IMAP liveness against Dovecot: a closed or silent connection noticed within 10 s and reconnected with
backoff, IDLE renewed with a NOOP keepalive, no task left pending.

Before issue 13 a lost connection was noticed only through timeouts (26 s mid-run, 83 s under IDLE),
with "Task was destroyed but it is pending!" in the log.
"""

import asyncio
import gc
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.errors import ConfigError
from bot.mail.imap import Imap
from bot.mail.service import MailService, run_forever
from bot.settings import MailSettings, load_settings
from bot.store import Store
from tests.servers import Dovecot, Proxy, SmtpCollector, append

from .conftest import labelled, mail_settings, renamed, settings_for


async def _until(predicate: Callable[[], bool], seconds: float) -> float:
    """Wait until the predicate holds; the time it took (fails after ``seconds``)."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > seconds:
            raise AssertionError("délai dépassé")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


class Watch(logging.Handler):
    """Every log record, to wait on a warning and to look for asyncio's complaints."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lost(self) -> list[str]:
        return [r.getMessage() for r in self.records if "messagerie interrompue" in r.getMessage()]

    def pending(self) -> list[str]:
        return [r.getMessage() for r in self.records if "destroyed but it is pending" in r.getMessage()]


@pytest.fixture
def watch() -> Any:
    handler = Watch()
    for name in ("stagebot", "asyncio"):
        logging.getLogger(name).addHandler(handler)
    logging.getLogger("stagebot").setLevel(logging.INFO)
    yield handler
    for name in ("stagebot", "asyncio"):
        logging.getLogger(name).removeHandler(handler)


async def _watching(
    service: MailService, scenario: Callable[[asyncio.Event], Awaitable[None]], backlog: str = "process"
) -> None:
    stop = asyncio.Event()
    task = asyncio.ensure_future(run_forever(service, backlog, stop))
    try:
        await scenario(stop)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        gc.collect()  # a task dropped while pending is reported when collected
        await asyncio.sleep(0.1)


def _done(tmp_path: Path) -> int:
    db = sqlite3.connect(tmp_path / "state.sqlite3")
    try:
        return int(db.execute("SELECT count(*) FROM mails WHERE state = 'done'").fetchone()[0])
    finally:
        db.close()


def _forwards(smtp: SmtpCollector) -> int:
    return sum(1 for m in smtp.messages if m.message["Subject"].startswith("[StageBot"))


def test_a_server_restart_under_idle_is_noticed_at_once_and_reconnected_with_backoff(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector, watch: Watch
) -> None:
    # Dovecot's imap processes outlive their master by about ten seconds after "doveadm stop", then
    # say BYE: the relay closes the connections when the server stops, as a process that dies would,
    # so "at once" is measured from the moment the connection closes, not from Dovecot's own delay.
    proxy = Proxy(dovecot.port)
    proxy.start()
    settings = settings_for(
        tmp_path,
        mail_settings(dovecot, smtp, imap_port=proxy.port, keepalive_seconds=600, reconnect_max_seconds=2),
    )
    service = MailService(settings, Store(settings.database))
    asyncio.run(append(dovecot.port, [labelled("045")]))
    figures: dict[str, float] = {}

    async def scenario(stop: asyncio.Event) -> None:
        await _until(lambda: _forwards(smtp) == 1, 30)
        await asyncio.sleep(0.5)  # now under IDLE, for ten minutes unless something happens
        await asyncio.to_thread(dovecot.stop)
        await asyncio.to_thread(proxy.cut)
        figures["noticed"] = await _until(lambda: bool(watch.lost()), 10)
        await asyncio.sleep(3.5)  # down a while: reconnection attempts back off (1 s, 2 s, 2 s…)
        await asyncio.to_thread(dovecot.start)
        await append(dovecot.port, [renamed(labelled("021"), "after-restart@test")])
        figures["forwarded"] = await _until(lambda: _forwards(smtp) == 2, 15)

    try:
        asyncio.run(_watching(service, scenario))
    finally:
        proxy.stop()
    gc.collect()
    assert figures["noticed"] < 2
    delays = [m.rsplit("nouvel essai dans ", 1)[1] for m in watch.lost()]
    assert delays[:3] == ["1 s", "2 s", "2 s"], delays
    assert watch.pending() == []


def test_a_connection_gone_silent_is_noticed_within_10_seconds(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector, watch: Watch
) -> None:
    proxy = Proxy(dovecot.port)
    proxy.start()
    settings = settings_for(
        tmp_path, mail_settings(dovecot, smtp, imap_port=proxy.port, reconnect_max_seconds=1)
    )
    assert settings.mail.keepalive_seconds == MailSettings().keepalive_seconds  # the default, as shipped
    service = MailService(settings, Store(settings.database))
    asyncio.run(append(dovecot.port, [labelled("045")]))
    figures: dict[str, float] = {}

    async def scenario(stop: asyncio.Event) -> None:
        await _until(lambda: _forwards(smtp) == 1 and _done(tmp_path) == 1, 30)
        await asyncio.sleep(0.5)  # under IDLE
        proxy.frozen.set()  # the peer stops answering, the connection stays open
        figures["noticed"] = await _until(lambda: bool(watch.lost()), 12)
        proxy.frozen.clear()
        await append(dovecot.port, [renamed(labelled("021"), "after-freeze@test")])
        await _until(lambda: _forwards(smtp) == 2, 15)

    try:
        asyncio.run(_watching(service, scenario))
    finally:
        proxy.stop()
    gc.collect()
    assert figures["noticed"] < 10  # the default keepalive (4 s) + the 5 s a live server has to answer
    assert watch.pending() == []


def test_idle_is_renewed_with_a_noop_keepalive(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_noop, real_idle = Imap.noop, Imap.wait_for_news

    async def noop(self: Imap) -> None:
        calls.append("NOOP")
        await real_noop(self)

    async def idle(self: Imap, seconds: float) -> bool:
        calls.append(f"IDLE {seconds:g}")
        return await real_idle(self, seconds)

    monkeypatch.setattr(Imap, "noop", noop)
    monkeypatch.setattr(Imap, "wait_for_news", idle)
    settings = settings_for(tmp_path, mail_settings(dovecot, smtp, keepalive_seconds=1))
    service = MailService(settings, Store(settings.database))

    async def scenario(stop: asyncio.Event) -> None:
        await asyncio.sleep(3.6)

    asyncio.run(_watching(service, scenario))
    assert calls[:4] == ["IDLE 1", "NOOP", "IDLE 1", "NOOP"]


def test_the_keepalive_cannot_exceed_the_idle_timeout(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[mail]\nkeepalive_seconds = 1800\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"keepalive_seconds.*au plus 1740 s.*RFC 2177"):
        load_settings(config)
