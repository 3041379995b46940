"""In-memory doubles of StageBot's own mail interfaces (``Mailbox``, ``Outbox``), for orchestration tests.

Never a mock of aioimaplib or aiosmtplib: these implement the interfaces ``MailService`` takes, the
way httpx tests an application with a transport. ``MemoryOutbox`` answers from a script (a 4xx, a
5xx, the process killed in the middle of a send), then accepts, and keeps every attempt.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from bot.mail.imap import Fetched, Selected
from bot.mail.smtp import Outcome, Verdict

ACCEPTED = Outcome(Verdict.ACCEPTED, 250, "data", "")


class MemoryServer:
    """A mailbox in memory, shared by every session the service opens."""

    def __init__(self) -> None:
        self.folders: dict[str, dict[int, bytes]] = {"INBOX": {}}
        self.next_uid = 1

    def deliver(self, raws: Sequence[bytes]) -> list[int]:
        uids = []
        for raw in raws:
            self.folders["INBOX"][self.next_uid] = raw
            uids.append(self.next_uid)
            self.next_uid += 1
        return uids


class MemoryMailbox:
    """The ``Mailbox`` interface over a ``MemoryServer`` (a test double of StageBot's own adapter)."""

    def __init__(self, server: MemoryServer) -> None:
        self.server = server
        self.lost = asyncio.Event()
        self.selected = "INBOX"

    async def connect(self, username: str, password: str) -> None:
        del username, password

    async def select(self, mailbox: str) -> Selected:
        self.selected = mailbox
        self.server.folders.setdefault(mailbox, {})
        return Selected(1, None, True)

    async def uids_after(self, last_uid: int) -> list[int]:
        return sorted(uid for uid in self.server.folders[self.selected] if uid > last_uid)

    async def has_uid(self, uid: int) -> bool:
        return uid in self.server.folders[self.selected]

    async def fetch(self, uid: int, max_bytes: int) -> Fetched | None:
        raw = self.server.folders[self.selected].get(uid)
        if raw is None:
            return None
        if len(raw) > max_bytes:
            return Fetched(uid, len(raw), raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n", True)
        return Fetched(uid, len(raw), raw, False)

    async def ensure_folder(self, name: str, known: set[str]) -> None:
        self.server.folders.setdefault(name, {})
        known.add(name)

    async def move(self, uid: int | list[int], folder: str) -> None:
        for one in [uid] if isinstance(uid, int) else uid:
            raw = self.server.folders[self.selected].pop(one, None)
            if raw is not None:
                self.server.folders.setdefault(folder, {})[one] = raw

    async def add_flags(self, uid: int | list[int], flags: str) -> None:
        del uid, flags

    async def append(self, raw: bytes, folder: str, flags: str) -> None:
        del flags
        self.server.folders.setdefault(folder, {})[len(self.server.folders.get(folder, {})) + 1] = raw

    async def contains_message_id(self, folder: str, message_id: str, current: str) -> bool:
        del current
        return any(
            message_from_bytes(raw, policy=policy.default)["Message-ID"] == message_id
            for raw in self.server.folders.get(folder, {}).values()
        )

    async def wait_for_news(self, seconds: float) -> bool:
        await asyncio.sleep(seconds)
        return False

    async def noop(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def logout(self) -> None:
        pass


class Killed(BaseException):
    """The process killed (SIGKILL) in the middle of a send: no handler of the service catches it."""


@dataclass
class Rule:
    """What the server answers for a recipient (``None``: every recipient), ``times`` times (None: always).

    ``outcome=None`` kills the process once the message has reached the server (the worst case:
    it left, and nothing was recorded).
    """

    outcome: Outcome | None
    recipient: str | None = None
    times: int | None = 1


@dataclass
class Attempt:
    """One transaction the service asked for."""

    sender: str
    recipients: list[str]
    data: bytes
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def message_id(self) -> str:
        return str(message_from_bytes(self.data, policy=policy.default)["Message-ID"])


class MemoryOutbox:
    """The ``Outbox`` interface in memory: scripted answers, then acceptance; every attempt kept."""

    def __init__(self, *rules: Rule) -> None:
        self.rules = list(rules)
        self.attempts: list[Attempt] = []

    def script(self, *rules: Rule) -> None:
        self.rules = list(rules)

    def _rule(self, recipient: str) -> Rule | None:
        for rule in self.rules:
            if rule.times != 0 and rule.recipient in {None, recipient}:
                if rule.times is not None:
                    rule.times -= 1
                return rule
        return None

    def delivered(self, recipient: str | None = None) -> list[Attempt]:
        """The attempts that reached a recipient (this one, or any)."""
        return [
            a
            for a in self.attempts
            if any(
                o.verdict in {Verdict.ACCEPTED, Verdict.UNCERTAIN}
                for r, o in a.outcomes.items()
                if recipient in {None, r}
            )
        ]

    async def send(self, sender: str, recipients: Sequence[str], data: bytes) -> dict[str, Outcome]:
        attempt = Attempt(sender, list(recipients), data)
        self.attempts.append(attempt)
        killed = False
        for recipient in recipients:
            rule = self._rule(recipient)
            if rule is not None and rule.outcome is None:
                killed = True
                attempt.outcomes[recipient] = Outcome(Verdict.UNCERTAIN, None, "data", "processus tué")
            else:
                attempt.outcomes[recipient] = ACCEPTED if rule is None or rule.outcome is None else rule.outcome
        if killed:
            raise Killed
        return dict(attempt.outcomes)

    async def close(self) -> None:
        pass
