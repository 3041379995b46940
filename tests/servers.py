"""Real local servers for the mail tests and the benchmark: Dovecot (IMAP) and aiosmtpd (SMTP).

Dovecot runs with its own configuration, users and Maildir under a temporary folder, on a free
loopback port (see ../shared/ARCHITECTURE.md for why these settings when running as root).
"""

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.mail.imap import encode_mailbox

USER = "stages@example.org"
PASSWORD = "secret-imap"  # noqa: S105 - a throwaway test server's user


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dovecot_available() -> bool:
    """Whether the dovecot binary is installed."""
    return shutil.which("dovecot") is not None and shutil.which("doveadm") is not None


def wait_for_port(port: int, seconds: float = 10) -> bool:
    """Whether a loopback port accepts a connection within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@dataclass
class Dovecot:
    """A Dovecot instance under ``root``; start() and stop() may be called repeatedly."""

    root: Path
    port: int = field(default_factory=free_port)
    tls: bool = False  # imaps on `tls_port` and STARTTLS on `port`, with a self-signed certificate
    tls_port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # Dovecot's unprivileged processes must traverse these folders (see ARCHITECTURE.md).
        self.root.chmod(0o755)
        self.mail = self.root / "mail"
        self.mail.mkdir(exist_ok=True)
        for sub in ("run", "state"):
            (self.root / sub).mkdir(exist_ok=True)
            (self.root / sub).chmod(0o755)
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        self.certificate = self.root / "cert.pem"
        if self.tls:
            subprocess.run(
                [
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout",
                    str(self.root / "key.pem"),
                    "-out",
                    str(self.certificate),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        self.config = self.root / "dovecot.conf"
        self.config.write_text(self._config())
        if os.geteuid() == 0:
            shutil.chown(self.mail, "nobody", "nogroup")

    def _config(self) -> str:
        run_as_root = os.geteuid() == 0
        user, group = ("nobody", "nogroup") if run_as_root else (os.getlogin(), os.getlogin())
        login = "default_login_user = dovenull\ndefault_internal_user = dovecot\ndefault_internal_group = dovecot\n"
        return f"""
{login if run_as_root else ""}
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
info_log_path = {self.root}/dovecot.log
{self._ssl()}
disable_plaintext_auth = no
auth_mechanisms = plain login
protocols = imap
listen = 127.0.0.1
mail_location = maildir:{self.mail}/%u
mail_plugins =
protocol imap {{
  mail_max_userip_connections = 50
}}
service imap-login {{
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = {self.tls_port if self.tls else 0}
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.root}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={self.mail}/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""

    def _ssl(self) -> str:
        if not self.tls:
            return "ssl = no"
        return f"ssl = yes\nssl_cert = <{self.certificate}\nssl_key = <{self.root / 'key.pem'}"

    def start(self) -> None:
        """Start and wait until the port answers."""
        # The daemon keeps inherited pipes open: never capture its output, read its log instead.
        status = subprocess.run(
            ["dovecot", "-c", str(self.config)], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ).returncode
        if status != 0:
            raise RuntimeError(f"Dovecot refused to start ({status}): {self.log()}")
        if not wait_for_port(self.port):
            raise RuntimeError(f"Dovecot did not start: {self.log()}")

    def stop(self) -> None:
        """Stop and wait until the port is closed."""
        subprocess.run(
            ["doveadm", "-c", str(self.config), "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.05)
            except OSError:
                return

    def log(self) -> str:
        """Dovecot's log, for failure messages."""
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(pas de journal)"


@dataclass
class Collected:
    """One message as the SMTP server received it."""

    mail_from: str
    rcpt_tos: list[str]
    message: Message
    raw: bytes


class _Collector:
    def __init__(self, refuse: set[str]) -> None:
        self.messages: list[Collected] = []
        self.refuse = refuse

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        del server, session, rcpt_options
        if address.lower() in self.refuse:
            return "550 5.1.1 Destinataire inconnu"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        del server, session
        raw = envelope.original_content or b""
        self.messages.append(Collected(str(envelope.mail_from), list(envelope.rcpt_tos), message_from_bytes(raw), raw))
        return "250 Message accepted"


class SmtpCollector:
    """An aiosmtpd server on a free port that keeps every message it accepts.

    ``tls``: "tls" (implicit TLS) or "starttls" (required), with a certificate and its key.
    """

    def __init__(
        self,
        refuse: set[str] | None = None,
        *,
        tls: str | None = None,
        certificate: Path | None = None,
        key: Path | None = None,
    ) -> None:
        self.port = free_port()
        self.handler = _Collector({a.lower() for a in refuse or set()})
        kwargs: dict[str, Any] = {}
        if tls is not None and certificate is not None and key is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certificate, key)
            if tls == "tls":
                kwargs["ssl_context"] = context
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    @property
    def messages(self) -> list[Collected]:
        """What was accepted so far."""
        return self.handler.messages

    def _ssl(self) -> str:
        if not self.tls:
            return "ssl = no"
        return f"ssl = yes\nssl_cert = <{self.certificate}\nssl_key = <{self.root / 'key.pem'}"

    def start(self) -> None:
        """Start in a thread."""
        self.controller.start()

    def stop(self) -> None:
        """Stop the thread."""
        self.controller.stop()


@dataclass
class Rule:
    """One scripted answer: at ``step`` (connect, MAIL, RCPT, DATA), for ``recipient`` (RCPT only,
    None: any), answer ``reply`` ("451 4.7.1 Greylisted", or "drop" to close the connection, or at
    DATA "accept-drop" to keep the message then close before answering), ``times`` times (None:
    always)."""

    step: str
    reply: str
    recipient: str | None = None
    times: int | None = 1


class _Scripted(_Collector):
    """Answers as scripted, otherwise as the collector does: aiosmtplib's own tests script a server
    the same way to reach every failure path."""

    def __init__(self, refuse: set[str], rules: list[Rule]) -> None:
        super().__init__(refuse)
        self.rules = rules
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str, str]] = []  # (step, recipient or "", answer): what was scripted
        self.greylist: float | None = None  # refuse each recipient with 451 this long after its first RCPT
        self.first_seen: dict[str, float] = {}

    def answer(self, step: str, recipient: str = "") -> str | None:
        with self.lock:
            if step == "RCPT" and self.greylist is not None:
                first = self.first_seen.setdefault(recipient.lower(), time.monotonic())
                if time.monotonic() - first < self.greylist:
                    self.seen.append((step, recipient, "451 greylist"))
                    return "451 4.7.1 Greylisted, try again later"
            for rule in self.rules:
                if rule.step != step or (rule.recipient and rule.recipient.lower() != recipient.lower()):
                    continue
                if rule.times is not None and rule.times <= 0:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                self.seen.append((step, recipient, rule.reply))
                return rule.reply
        return None

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        del session
        reply = self.answer("MAIL")
        if reply == "drop":
            server.transport.close()  # type: ignore[union-attr]
            return "250 OK"
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self.answer("RCPT", address)
        if reply == "drop":
            server.transport.close()  # type: ignore[union-attr]
            return "250 OK"
        if reply:
            return reply
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        reply = self.answer("DATA")
        if reply in {"drop", "accept-drop"}:
            if reply == "accept-drop":
                await super().handle_DATA(server, session, envelope)
            server.transport.close()  # type: ignore[union-attr]
            return "250 OK"
        if reply:
            return reply
        return await super().handle_DATA(server, session, envelope)


class _ScriptedServer(SMTP):
    """Answers the connection itself as scripted: a 421 (or any) greeting, or a dropped connection."""

    greeted = False

    async def push(self, status: Any) -> None:
        if not self.greeted and str(status).startswith("220"):
            self.greeted = True
            reply = self.event_handler.answer("connect")
            if reply is not None:
                if reply != "drop":
                    await super().push(reply)
                self.transport.close()  # type: ignore[union-attr]
                return
        await super().push(status)


class _ScriptedController(Controller):
    def factory(self) -> SMTP:
        return _ScriptedServer(self.handler, **self.SMTP_kwargs)


class ScriptedSmtp(SmtpCollector):
    """An aiosmtpd server that refuses or drops as its rules say, at any step; ``rules`` may be
    changed while it runs (under ``handler.lock``)."""

    def __init__(self, rules: list[Rule] | None = None, refuse: set[str] | None = None) -> None:
        self.port = free_port()
        self.handler = _Scripted({a.lower() for a in refuse or set()}, list(rules or []))
        self.controller = _ScriptedController(self.handler, hostname="127.0.0.1", port=self.port)

    def script(self, *rules: Rule) -> None:
        """Replace the rules."""
        with self.handler.lock:
            self.handler.rules[:] = rules

    @property
    def seen(self) -> list[tuple[str, str, str]]:
        """The scripted answers given so far."""
        return self.handler.seen


async def append(port: int, raws: list[bytes], mailbox: str = "INBOX") -> None:
    """Put mails in a mailbox with IMAP APPEND (as delivery would)."""
    from aioimaplib import IMAP4  # noqa: PLC0415

    client = IMAP4(host="127.0.0.1", port=port, timeout=30)
    await client.wait_hello_from_server()
    await client.login(USER, PASSWORD)
    if mailbox != "INBOX":
        await client.create(encode_mailbox(mailbox))
    for raw in raws:
        response = await client.append(raw, mailbox=encode_mailbox(mailbox))
        if response.result != "OK":
            raise RuntimeError(f"APPEND failed: {response}")
    await client.logout()


async def mailbox_counts(port: int, mailboxes: list[str]) -> dict[str, int]:
    """How many messages each mailbox holds (missing mailboxes count 0)."""
    from aioimaplib import IMAP4  # noqa: PLC0415

    client = IMAP4(host="127.0.0.1", port=port, timeout=30)
    await client.wait_hello_from_server()
    await client.login(USER, PASSWORD)
    counts: dict[str, int] = {}
    for name in mailboxes:
        response = await client.status(encode_mailbox(name), "(MESSAGES)")
        counts[name] = _messages(response.lines) if response.result == "OK" else 0
    await client.logout()
    return counts


def _messages(lines: list[Any]) -> int:
    for line in lines:
        text = line.decode() if isinstance(line, bytes) else str(line)
        if "MESSAGES" in text:
            return int(text.split("MESSAGES")[1].strip(" )").split()[0])
    return 0


class SinkSmtp:
    """aiosmtpd in its own process, accepting and discarding: what a benchmark or a timing test talks
    to, so the server's work is not counted in the client's CPU time."""

    def __init__(self) -> None:
        import sys  # noqa: PLC0415

        self.port = free_port()
        self.command = [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{self.port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start and wait until the port answers."""
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for_port(self.port):
            raise RuntimeError("aiosmtpd (Sink) did not start")

    def stop(self) -> None:
        """Stop the process."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


class Proxy:
    """A TCP relay to a local port that can go silent (``freeze``: bytes held, connections kept open),
    like a peer gone without closing, or close every connection at once (``cut``), like a server
    process that dies; in its own thread."""

    def __init__(self, target: int) -> None:
        self.port = free_port()
        self.target = target
        self.frozen = threading.Event()
        self.loop: Any = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()
        self.writers: set[Any] = set()  # both ends of every relayed connection, to cut them

    def _run(self) -> None:
        import asyncio  # noqa: PLC0415

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while data := await reader.read(65536):
                    while self.frozen.is_set():
                        await asyncio.sleep(0.05)
                    writer.write(data)
                    await writer.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
            except OSError:
                writer.close()
                return
            self.writers |= {writer, up_writer}
            try:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
            finally:
                self.writers -= {writer, up_writer}

        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            server = await asyncio.start_server(handle, "127.0.0.1", self.port)
            self.stopped = asyncio.Event()
            self.ready.set()
            async with server:
                await self.stopped.wait()

        asyncio.run(main())

    def start(self) -> None:
        """Start relaying."""
        self.thread.start()
        self.ready.wait(10)

    def cut(self) -> None:
        """Close every relayed connection, both ends, and wait until it is done."""
        done = threading.Event()

        def close_all() -> None:
            for writer in list(self.writers):
                writer.close()
            done.set()

        self.loop.call_soon_threadsafe(close_all)
        done.wait(10)

    def stop(self) -> None:
        """Stop the relay's thread."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.stopped.set)
        self.thread.join(10)
