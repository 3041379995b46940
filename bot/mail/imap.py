"""A thin IMAP client over aioimaplib: what the mailbox service needs, with folder names encoded.

Errors, each a French sentence that never holds the password:

    ImapError           the session is unusable: connection lost or refused, timeout, login refused
    └── ImapRefused     the server answered NO or BAD to one command: the session goes on

Liveness (issue 13): aioimaplib does not wake a command waiting on a connection that was closed, so
a lost connection used to be noticed only through timeouts (26 s mid-run, 83 s under IDLE). Here
the protocol's ``connection_lost`` sets an event every command races against: a closed connection
is noticed at once. A connection that goes silent without closing is noticed by the answer to DONE
or NOOP, awaited at most ``LIVENESS_SECONDS``. ``close`` cancels and awaits every task aioimaplib
started, so none is left pending when the client is dropped.
"""

import asyncio
import base64
import contextlib
import re
import socket
import ssl
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from aioimaplib import IMAP4, IMAP4_SSL, AioImapException
from aioimaplib.aioimaplib import Command

from bot.errors import ServiceError, network_reason

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UIDNEXT = re.compile(rb"UIDNEXT (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_UID = re.compile(rb"UID (\d+)")
_LITERAL = re.compile(rb"\{\d+\}$")


LIVENESS_SECONDS = 5.0  # a live server answers DONE or NOOP within this
SIZES_PER_FETCH = 100
SILENCE_SECONDS = 8.0  # a command without a byte from the server for this long: the connection is dead

T = TypeVar("T")


class ImapError(ServiceError):
    """The IMAP session is unusable (lost, unreachable, timed out); worth reconnecting later."""


class ImapRefused(ImapError):
    """The server refused one command (NO, BAD); the session itself is fine."""


def encode_mailbox(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3), quoted for a command."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def uid_set(uids: list[int]) -> str:
    """An IMAP sequence set for ascending UIDs, runs written as ranges: ``1:5,8,10:12``."""
    runs: list[str] = []
    start = previous = uids[0]
    for uid in [*uids[1:], -1]:
        if uid == previous + 1:
            previous = uid
            continue
        runs.append(str(start) if start == previous else f"{start}:{previous}")
        start = previous = uid
    return ",".join(runs)


def _uids(uid: int | list[int]) -> str:
    return str(uid) if isinstance(uid, int) else uid_set(sorted(uid))


@dataclass(frozen=True)
class Selected:
    """The state of the selected mailbox."""

    uidvalidity: int
    uidnext: int | None
    idle: bool


@dataclass(frozen=True)
class Fetched:
    """One message as fetched: whole, or only its header when larger than the limit."""

    uid: int
    size: int
    raw: bytes
    header_only: bool


class Mailbox(Protocol):
    """What the mail service needs from a mailbox: ``Imap`` against a real server, or a test double."""

    lost: asyncio.Event

    async def connect(self, username: str, password: str) -> None: ...
    async def select(self, mailbox: str) -> Selected: ...
    async def uids_after(self, last_uid: int) -> list[int]: ...
    async def has_uid(self, uid: int) -> bool: ...
    async def fetch(self, uid: int, max_bytes: int) -> "Fetched | None": ...
    async def ensure_folder(self, name: str, known: set[str]) -> None: ...
    async def move(self, uid: int | list[int], folder: str) -> None: ...
    async def add_flags(self, uid: int | list[int], flags: str) -> None: ...
    async def append(self, raw: bytes, folder: str, flags: str) -> None: ...
    async def contains_message_id(self, folder: str, message_id: str, current: str) -> bool: ...
    async def wait_for_news(self, seconds: float) -> bool: ...
    async def noop(self) -> None: ...
    async def close(self) -> None: ...
    async def logout(self) -> None: ...


class Imap:
    """One IMAP session."""

    def __init__(self, host: str, port: int, security: str, timeout: float = 30, ca_file: str | None = None) -> None:
        self.host, self.port, self.security, self.timeout = host, port, security, timeout
        self.ca_file = ca_file
        self.client: IMAP4 | None = None
        self.lost = asyncio.Event()  # set by the protocol when the connection closes
        self.heard = 0.0  # loop time of the last byte received
        self.sizes: dict[int, int] = {}  # UID -> RFC822.SIZE, from the last ``uids_after``

    def _connection_lost(self, exc: Exception | None) -> None:
        del exc
        self.lost.set()

    def _keepalive(self) -> None:
        """TCP keepalive on the socket: a peer gone without closing is noticed by the kernel too."""
        transport = self._c.protocol.transport
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is None:
            return
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 5)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 2)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)

    def _hear(self) -> None:
        """Note every byte the server sends: a command is only taken for dead after a silence."""
        protocol = self._c.protocol
        received = protocol.data_received
        loop = asyncio.get_running_loop()

        def heard(data: bytes) -> None:
            self.heard = loop.time()
            received(data)

        protocol.data_received = heard

    async def _race(self, awaitable: Awaitable[T], seconds: float, what: str, *, silence: bool = True) -> T:
        """Await a command; fail at once if the connection is lost, or after ``seconds`` without a
        byte from the server (``silence``) or in all (IDLE, silent by design)."""
        if self.lost.is_set():
            raise ImapError(f"Connexion IMAP perdue ({what}).")
        loop = asyncio.get_running_loop()
        start = loop.time()
        task = asyncio.ensure_future(awaitable)
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            while True:
                since = max(start, self.heard) if silence else start
                remaining = since + seconds - loop.time()
                if remaining <= 0:
                    break
                done, _ = await asyncio.wait({task, lost}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
                if done:
                    break
        finally:
            lost.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        if self.lost.is_set():
            raise ImapError(f"Connexion IMAP perdue ({what}).")
        raise ImapError(f"Commande IMAP {what} sans réponse du serveur depuis {seconds:.0f} s.")

    def _context(self) -> ssl.SSLContext:
        # Certificates are always verified; ca_file adds a trusted authority, it never disables checks.
        return ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)

    async def connect(self, username: str, password: str) -> None:
        """Connect (TLS, STARTTLS or plain) and log in."""
        try:
            if self.security == "tls":
                self.client = IMAP4_SSL(
                    host=self.host, port=self.port, timeout=self.timeout, ssl_context=self._context()
                )
            else:
                self.client = IMAP4(host=self.host, port=self.port, timeout=self.timeout)
            self.lost = asyncio.Event()
            self.client.protocol.conn_lost_cb = self._connection_lost
            self._hear()
            # A server (or a relay in front of it) that accepts then closes is noticed at once.
            await self._race(self.client.wait_hello_from_server(), self.timeout, "accueil")
            self._keepalive()
            if self.security == "starttls":
                await self._starttls()
            response = await self._race(self.client.login(username, password), self.timeout, "LOGIN")
        except (OSError, TimeoutError, AioImapException, ssl.SSLError, ImapError) as exc:
            await self.close()
            raise ImapError(f"Serveur IMAP {self.host}:{self.port} injoignable ({network_reason(exc)}).") from None
        if response.result != "OK":
            await self.close()
            raise ImapError(f"Connexion IMAP refusée pour « {username} » : identifiant ou mot de passe incorrect.")

    async def _starttls(self) -> None:
        protocol = self._c.protocol
        response = await protocol.execute(Command("STARTTLS", protocol.new_tag(), loop=protocol.loop))
        if response.result != "OK":
            raise ImapError(f"Le serveur IMAP {self.host} refuse STARTTLS.")
        loop = asyncio.get_running_loop()
        protocol.transport = await loop.start_tls(
            protocol.transport, protocol, self._context(), server_hostname=self.host
        )
        await self._c.protocol.capability()

    @property
    def _c(self) -> IMAP4:
        if self.client is None:
            raise ImapError("Session IMAP non ouverte.")
        return self.client

    async def _ok(self, coroutine: Awaitable[Any], what: str, seconds: float | None = None) -> list[bytes]:
        try:
            response = await self._race(coroutine, seconds or SILENCE_SECONDS, what)
        except (OSError, TimeoutError, AioImapException) as exc:
            raise ImapError(f"Commande IMAP {what} interrompue ({network_reason(exc)}).") from None
        if response.result != "OK":
            detail = b" ".join(bytes(line) for line in response.lines[-1:]).decode(errors="replace")
            raise ImapRefused(f"Commande IMAP {what} refusée : {detail[:200]}")
        return [bytes(line) for line in response.lines]

    async def select(self, mailbox: str) -> Selected:
        """Select a mailbox; its UIDVALIDITY, UIDNEXT and whether IDLE is offered."""
        lines = await self._ok(self._c.select(encode_mailbox(mailbox)), "SELECT")
        text = b"\n".join(lines)
        validity = _UIDVALIDITY.search(text)
        if validity is None:
            raise ImapError("Le serveur IMAP n'a pas donné d'UIDVALIDITY.")
        uidnext = _UIDNEXT.search(text)
        return Selected(
            int(validity.group(1)), int(uidnext.group(1)) if uidnext else None, self._c.has_capability("IDLE")
        )

    async def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid``, ascending ("n:*" always returns the last message: filtered).

        Their sizes are fetched at once in one command, so ``fetch`` then needs one round trip.
        """
        lines = await self._ok(self._c.uid_search(f"UID {last_uid + 1}:*", charset=None), "UID SEARCH")
        found = {int(token) for line in lines[:-1] for token in line.split() if token.isdigit()}
        uids = sorted(uid for uid in found if uid > last_uid)
        # By slices: aioimaplib reads the untagged lines of one answer recursively, a few hundred at most.
        for start in range(0, len(uids), SIZES_PER_FETCH):
            chunk = uid_set(uids[start : start + SIZES_PER_FETCH])
            lines = await self._ok(self._c.uid("fetch", chunk, "(UID RFC822.SIZE)"), "UID FETCH")
            for line in lines:
                uid, size = _UID.search(line), _SIZE.search(line)
                if uid and size:
                    self.sizes[int(uid.group(1))] = int(size.group(1))
        return uids

    async def has_uid(self, uid: int) -> bool:
        """Whether a UID is still in the selected mailbox."""
        lines = await self._ok(self._c.uid_search(f"UID {uid}", charset=None), "UID SEARCH")
        return any(str(uid).encode() in line.split() for line in lines[:-1])

    async def fetch(self, uid: int, max_bytes: int) -> Fetched | None:
        """A message by UID (None when gone); only its header when larger than ``max_bytes``."""
        size = self.sizes.pop(uid, None)
        if size is None:
            lines = await self._ok(self._c.uid("fetch", str(uid), "(UID RFC822.SIZE)"), "UID FETCH")
            size_match = next((m for m in (_SIZE.search(line) for line in lines) if m), None)
            if size_match is None:
                return None
            size = int(size_match.group(1))
        part = "BODY.PEEK[HEADER]" if size > max_bytes else "BODY.PEEK[]"
        lines = await self._ok(self._c.uid("fetch", str(uid), f"(UID {part})"), "UID FETCH")
        for index, line in enumerate(lines[:-1]):
            if _LITERAL.search(line):
                return Fetched(uid, size, bytes(lines[index + 1]), size > max_bytes)
        return None  # gone since

    async def ensure_folder(self, name: str, known: set[str]) -> None:
        """Create a folder (and its parents) unless already known to exist."""
        if name in known:
            return
        parts = name.split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            if path in known:
                continue
            try:
                response = await self._race(self._c.create(encode_mailbox(path)), SILENCE_SECONDS, "CREATE")
            except (OSError, TimeoutError, AioImapException) as exc:
                raise ImapError(f"Création du dossier IMAP « {path} » interrompue ({network_reason(exc)}).") from None
            text = b" ".join(bytes(line) for line in response.lines).upper()
            if response.result != "OK" and b"ALREADYEXISTS" not in text and b"EXISTS" not in text:
                raise ImapRefused(f"Impossible de créer le dossier IMAP « {path} ».")
            known.add(path)

    async def move(self, uid: int | list[int], folder: str) -> None:
        """Move messages to a folder (MOVE; COPY then flag deleted where MOVE is missing is not done:
        a mail is never expunged by StageBot)."""
        await self._ok(self._c.uid("move", _uids(uid), encode_mailbox(folder)), "UID MOVE")

    async def add_flags(self, uid: int | list[int], flags: str) -> None:
        """Add flags or keywords to messages."""
        await self._ok(self._c.uid("store", _uids(uid), "+FLAGS", f"({flags})"), "UID STORE")

    async def append(self, raw: bytes, folder: str, flags: str) -> None:
        """Put a message in a folder."""
        await self._ok(self._c.append(raw, mailbox=encode_mailbox(folder), flags=f"({flags})"), "APPEND")

    async def contains_message_id(self, folder: str, message_id: str, current: str) -> bool:
        """Whether a folder holds a message with this Message-ID (then reselect ``current``)."""
        await self._ok(self._c.select(encode_mailbox(folder)), "SELECT")
        try:
            lines = await self._ok(
                self._c.uid_search("HEADER", "Message-ID", f'"{message_id}"', charset=None), "SEARCH"
            )
        finally:
            await self._ok(self._c.select(encode_mailbox(current)), "SELECT")
        return any(token.isdigit() for line in lines[:-1] for token in line.split())

    async def wait_for_news(self, seconds: float) -> bool:
        """IDLE until the server reports something or ``seconds`` pass; True when it reported.

        IDLE is always ended (DONE) and its completion awaited at most ``LIVENESS_SECONDS``: a
        server that does not answer is taken for dead. A lost connection ends the wait at once.
        """
        client = self._c
        try:
            idle = await self._race(client.idle_start(timeout=seconds), SILENCE_SECONDS, "IDLE")
            push = asyncio.ensure_future(client.wait_server_push(timeout=seconds + LIVENESS_SECONDS))
            try:
                pushed = await self._race(push, seconds + LIVENESS_SECONDS, "IDLE", silence=False)
            finally:
                push.cancel()
            if client.has_pending_idle():
                client.idle_done()
            await self._race(idle, LIVENESS_SECONDS, "DONE")
        except (OSError, TimeoutError, AioImapException) as exc:
            raise ImapError(f"Attente IMAP (IDLE) interrompue ({network_reason(exc)}).") from None
        return isinstance(pushed, list) and any(b"EXISTS" in bytes(line) or b"RECENT" in bytes(line) for line in pushed)

    async def noop(self) -> None:
        """NOOP, answered within ``LIVENESS_SECONDS`` by a live server: the keepalive."""
        await self._ok(self._c.noop(), "NOOP", LIVENESS_SECONDS)

    async def close(self) -> None:
        """Drop the connection and every task aioimaplib started, awaited so none is left pending."""
        client, self.client = self.client, None
        if client is None:
            return
        waiter = getattr(client, "_idle_waiter", None)
        if waiter is not None:
            waiter.cancel()
        protocol = client.protocol
        # Wake whatever still waits on a command (aioimaplib's own helper tasks included): they end
        # instead of being dropped pending.
        for command in [*protocol.pending_async_commands.values(), protocol.pending_sync_command]:
            if command is not None:
                command.close(b"connexion fermee", "KO")
        tasks = [*client.tasks, *getattr(protocol, "tasks", ())]
        starting = getattr(client, "_client_task", None)
        if starting is not None and not starting.done():
            tasks.append(starting)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        if protocol.transport is not None:
            protocol.transport.close()
        self.lost.set()

    async def logout(self) -> None:
        """Log out (at most 5 s), then drop the connection whatever happened."""
        if self.client is None:
            return
        if not self.lost.is_set():
            with contextlib.suppress(OSError, TimeoutError, AioImapException, ImapError):
                await self._race(self.client.logout(), 5, "LOGOUT")
        await self.close()
