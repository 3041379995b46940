"""A thin IMAP client over aioimaplib: what the mailbox service needs, with folder names encoded.

Errors: ``ImapError`` (temporary: connection lost, timeout, server refusing a command) with a
French sentence that never holds the password.
"""

import asyncio
import base64
import contextlib
import re
import ssl
from dataclasses import dataclass

from aioimaplib import IMAP4, IMAP4_SSL, AioImapException
from aioimaplib.aioimaplib import Command

from bot.errors import ServiceError

_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UIDNEXT = re.compile(rb"UIDNEXT (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_LITERAL = re.compile(rb"\{\d+\}$")


class ImapError(ServiceError):
    """The IMAP server cannot be reached or refused a command; worth retrying later."""


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


class Imap:
    """One IMAP session."""

    def __init__(self, host: str, port: int, security: str, timeout: float = 30, ca_file: str | None = None) -> None:
        self.host, self.port, self.security, self.timeout = host, port, security, timeout
        self.ca_file = ca_file
        self.client: IMAP4 | None = None

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
            await self.client.wait_hello_from_server()
            if self.security == "starttls":
                await self._starttls()
            response = await self.client.login(username, password)
        except (OSError, TimeoutError, AioImapException, ssl.SSLError) as exc:
            raise ImapError(f"Serveur IMAP {self.host}:{self.port} injoignable ({type(exc).__name__}).") from None
        if response.result != "OK":
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

    async def _ok(self, coroutine: object, what: str) -> list[bytes]:
        try:
            response = await asyncio.wait_for(coroutine, self.timeout)  # type: ignore[arg-type]
        except (OSError, TimeoutError, AioImapException) as exc:
            raise ImapError(f"Commande IMAP {what} interrompue ({type(exc).__name__}).") from None
        if response.result != "OK":
            detail = b" ".join(bytes(line) for line in response.lines[-1:]).decode(errors="replace")
            raise ImapError(f"Commande IMAP {what} refusée : {detail}")
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
        """UIDs above ``last_uid``, ascending ("n:*" always returns the last message: filtered)."""
        lines = await self._ok(self._c.uid_search(f"UID {last_uid + 1}:*", charset=None), "UID SEARCH")
        uids = {int(token) for line in lines[:-1] for token in line.split() if token.isdigit()}
        return sorted(uid for uid in uids if uid > last_uid)

    async def has_uid(self, uid: int) -> bool:
        """Whether a UID is still in the selected mailbox."""
        lines = await self._ok(self._c.uid_search(f"UID {uid}", charset=None), "UID SEARCH")
        return any(str(uid).encode() in line.split() for line in lines[:-1])

    async def fetch(self, uid: int, max_bytes: int) -> Fetched | None:
        """A message by UID (None when gone); only its header when larger than ``max_bytes``."""
        lines = await self._ok(self._c.uid("fetch", str(uid), "(UID RFC822.SIZE)"), "UID FETCH")
        sizes = [_SIZE.search(line) for line in lines]
        size_match = next((m for m in sizes if m), None)
        if size_match is None:
            return None
        size = int(size_match.group(1))
        part = "BODY.PEEK[HEADER]" if size > max_bytes else "BODY.PEEK[]"
        lines = await self._ok(self._c.uid("fetch", str(uid), f"(UID {part})"), "UID FETCH")
        literal = b""
        for index, line in enumerate(lines[:-1]):
            if _LITERAL.search(line):
                literal = lines[index + 1]
                break
        return Fetched(uid, size, bytes(literal), size > max_bytes)

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
                response = await asyncio.wait_for(self._c.create(encode_mailbox(path)), self.timeout)
            except (OSError, TimeoutError, AioImapException) as exc:
                raise ImapError(f"Création du dossier IMAP « {path} » interrompue ({type(exc).__name__}).") from None
            text = b" ".join(bytes(line) for line in response.lines).upper()
            if response.result != "OK" and b"ALREADYEXISTS" not in text and b"EXISTS" not in text:
                raise ImapError(f"Impossible de créer le dossier IMAP « {path} ».")
            known.add(path)

    async def move(self, uid: int, folder: str) -> None:
        """Move a message to a folder (MOVE; COPY then flag deleted where MOVE is missing is not done:
        a mail is never expunged by StageBot)."""
        await self._ok(self._c.uid("move", str(uid), encode_mailbox(folder)), "UID MOVE")

    async def add_flags(self, uid: int, flags: str) -> None:
        """Add flags or keywords to a message."""
        await self._ok(self._c.uid("store", str(uid), "+FLAGS", f"({flags})"), "UID STORE")

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

    async def wait_for_news(self, seconds: float) -> None:
        """IDLE until the server reports something or ``seconds`` pass."""
        client = self._c
        try:
            idle = await client.idle_start(timeout=seconds)
            await client.wait_server_push(timeout=seconds + 5)
            client.idle_done()
            await asyncio.wait_for(idle, self.timeout)
        except (OSError, TimeoutError, AioImapException, asyncio.CancelledError) as exc:
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise ImapError(f"Attente IMAP (IDLE) interrompue ({type(exc).__name__}).") from None

    async def logout(self) -> None:
        """Log out, ignoring a connection already gone."""
        if self.client is None:
            return
        with contextlib.suppress(OSError, TimeoutError, AioImapException):
            await asyncio.wait_for(self.client.logout(), 5)
        self.client = None
