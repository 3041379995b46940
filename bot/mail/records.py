"""The mailbox's records in SQLite: one small repository per table, returning frozen dataclasses.

    MailboxStates  mailboxes   where each mailbox stands (UIDVALIDITY, last finished UID, backlog)
    Mails          mails       one row per mail worked, with its decision
    Actions        actions     what is done for each mail, in order
    Deliveries     deliveries  one row per recipient of each mail StageBot sends, and the ``outbox``
                               table that keeps its bytes while a recipient is left to send
    Replies        replies     automatic answers sent, for the caps
    AuditLog       audit       what happened, for the officers (never a mail body)

``Records`` holds them all over one ``Store``. Every repository writes on the store's connection,
so a write made inside ``store.transaction()`` lands with the others or not at all: the caller,
not the repository, decides what commits together (the mailbox's exactly-once promise rests on
the order of those commits; see ``bot.mail.service``). A record is a snapshot: it does not follow
later writes.

``mailbox_status`` is the report officers read (``stagebot mail status``, Discord's ``/messagerie``);
this module imports no mail library, so Discord can ask for it without the IMAP and SMTP stack.
"""

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.mail.headers import clean, domain_of, normalise
from bot.mail.plan import ReplyHistory
from bot.mail.states import ActionKind, ActionStatus, DeliveryStatus, MailState
from bot.store import Store


def now_iso() -> str:
    """The timestamp written in the records: ISO, UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---- records ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class MailboxState:
    """Where one mailbox stands."""

    mailbox: str
    uidvalidity: int
    last_uid: int  # every UID up to this one is finished
    backlog: str  # first-start decision: process, file or skip
    backlog_until: int  # UIDs up to this one were there at first start
    started_at: str


@dataclass(frozen=True)
class MailRecord:
    """One mail worked by the service."""

    id: int
    mailbox: str
    uidvalidity: int
    uid: int
    message_id: str | None
    digest: str
    sender: str
    subject: str
    category: str
    urgent: bool
    programme: str
    decision: str  # JSON: the triage decision and what answering needs (``bot.mail.plan.payload``)
    state: MailState
    review: bool
    received_at: str
    done_at: str | None


@dataclass(frozen=True)
class ActionRecord:
    """One action of one mail."""

    id: int
    mail_id: int
    position: int
    kind: ActionKind
    status: ActionStatus
    target: str
    message_id: str | None
    detail: str
    updated_at: str


@dataclass(frozen=True)
class DeliveryRecord:
    """One recipient of one mail StageBot sends, with its action's kind and mail."""

    id: int
    action_id: int
    recipient: str
    status: DeliveryStatus
    attempts: int
    next_at: float  # epoch seconds of the next attempt when deferred
    code: int | None
    step: str
    detail: str
    first_at: float  # epoch seconds of the first attempt (give-up clock)
    updated_at: str
    kind: ActionKind
    mail_id: int


@dataclass(frozen=True)
class Queued:
    """The bytes of a mail kept to be sent again (``outbox``); None once every recipient is done."""

    action_id: int
    sender: str
    message: bytes | None


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    at: str
    mail_id: int | None
    action: str
    detail: str


def _mailbox(row: sqlite3.Row) -> MailboxState:
    return MailboxState(
        row["mailbox"],
        int(row["uidvalidity"]),
        int(row["last_uid"]),
        row["backlog"],
        int(row["backlog_until"]),
        row["started_at"],
    )


def _mail(row: sqlite3.Row) -> MailRecord:
    return MailRecord(
        id=int(row["id"]),
        mailbox=row["mailbox"],
        uidvalidity=int(row["uidvalidity"]),
        uid=int(row["uid"]),
        message_id=row["message_id"],
        digest=row["digest"],
        sender=row["sender"],
        subject=row["subject"],
        category=row["category"],
        urgent=bool(row["urgent"]),
        programme=row["programme"],
        decision=row["decision"],
        state=MailState(row["state"]),
        review=bool(row["review"]),
        received_at=row["received_at"],
        done_at=row["done_at"],
    )


def _action(row: sqlite3.Row) -> ActionRecord:
    return ActionRecord(
        id=int(row["id"]),
        mail_id=int(row["mail_id"]),
        position=int(row["position"]),
        kind=ActionKind(row["kind"]),
        status=ActionStatus(row["status"]),
        target=row["target"],
        message_id=row["message_id"],
        detail=row["detail"],
        updated_at=row["updated_at"],
    )


def _delivery(row: sqlite3.Row) -> DeliveryRecord:
    return DeliveryRecord(
        id=int(row["id"]),
        action_id=int(row["action_id"]),
        recipient=row["recipient"],
        status=DeliveryStatus(row["status"]),
        attempts=int(row["attempts"]),
        next_at=float(row["next_at"]),
        code=row["code"],
        step=row["step"],
        detail=row["detail"],
        first_at=float(row["first_at"]),
        updated_at=row["updated_at"],
        kind=ActionKind(row["kind"]),
        mail_id=int(row["mail_id"]),
    )


# ---- repositories -----------------------------------------------------------------------------
class MailboxStates:
    """The ``mailboxes`` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get(self, mailbox: str) -> MailboxState | None:
        row = self.db.execute("SELECT * FROM mailboxes WHERE mailbox = ?", (mailbox,)).fetchone()
        return None if row is None else _mailbox(row)

    def all(self) -> list[MailboxState]:
        return [_mailbox(r) for r in self.db.execute("SELECT * FROM mailboxes ORDER BY mailbox")]

    def add(self, mailbox: str, uidvalidity: int, last_uid: int, backlog: str, backlog_until: int) -> None:
        self.db.execute(
            "INSERT INTO mailboxes (mailbox, uidvalidity, last_uid, backlog, backlog_until, started_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (mailbox, uidvalidity, last_uid, backlog, backlog_until, now_iso()),
        )

    def restart(self, mailbox: str, uidvalidity: int) -> None:
        """A new UIDVALIDITY: UIDs start again from zero."""
        self.db.execute(
            "UPDATE mailboxes SET uidvalidity = ?, last_uid = 0, backlog_until = 0 WHERE mailbox = ?",
            (uidvalidity, mailbox),
        )

    def advance(self, mailbox: str, uidvalidity: int, uid: int) -> None:
        """Every UID up to ``uid`` is finished (never moves back)."""
        self.db.execute(
            "UPDATE mailboxes SET last_uid = MAX(last_uid, ?) WHERE mailbox = ? AND uidvalidity = ?",
            (uid, mailbox, uidvalidity),
        )


class Mails:
    """The ``mails`` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get(self, mail_id: int) -> MailRecord:
        return _mail(self.db.execute("SELECT * FROM mails WHERE id = ?", (mail_id,)).fetchone())

    def at(self, mailbox: str, uidvalidity: int, uid: int) -> MailRecord | None:
        row = self.db.execute(
            "SELECT * FROM mails WHERE mailbox = ? AND uidvalidity = ? AND uid = ?", (mailbox, uidvalidity, uid)
        ).fetchone()
        return None if row is None else _mail(row)

    def planned(self, mailbox: str, uidvalidity: int) -> list[MailRecord]:
        """Mails a previous run left unfinished, in UID order."""
        return [
            _mail(r)
            for r in self.db.execute(
                "SELECT * FROM mails WHERE mailbox = ? AND uidvalidity = ? AND state = ? ORDER BY uid",
                (mailbox, uidvalidity, MailState.PLANNED),
            )
        ]

    def mark_stale(self, mailbox: str, uidvalidity: int) -> int:
        """Unfinished mails under another UIDVALIDITY wait to be found again; how many."""
        return self.db.execute(
            "UPDATE mails SET state = ? WHERE mailbox = ? AND uidvalidity != ? AND state = ?",
            (MailState.STALE, mailbox, uidvalidity, MailState.PLANNED),
        ).rowcount

    @staticmethod
    def _key(message_id: str | None, digest: str) -> tuple[str, str]:
        """Mails are recognised by Message-ID, or by the digest of their bytes without one."""
        return ("message_id", message_id) if message_id else ("digest", digest)

    def stale(self, mailbox: str, message_id: str | None, digest: str) -> MailRecord | None:
        """The oldest stale mail that is this one."""
        key, value = self._key(message_id, digest)
        row = self.db.execute(
            f"SELECT * FROM mails WHERE mailbox = ? AND {key} = ? AND state = ? ORDER BY id LIMIT 1",  # noqa: S608 - key is one of two literals
            (mailbox, value, MailState.STALE),
        ).fetchone()
        return None if row is None else _mail(row)

    def adopt(self, mail_id: int, uidvalidity: int, uid: int) -> None:
        """A stale mail found again: planned under its new UID."""
        self.db.execute(
            "UPDATE mails SET uidvalidity = ?, uid = ?, state = ? WHERE id = ?",
            (uidvalidity, uid, MailState.PLANNED, mail_id),
        )

    def twin(self, mailbox: str, message_id: str | None, digest: str, finishing: Iterable[int]) -> int | None:
        """The id of the same mail already done (or finished but for its filing: ``finishing``), or None."""
        key, value = self._key(message_id, digest)
        ids = ",".join(str(int(i)) for i in finishing) or "0"
        row = self.db.execute(
            f"SELECT id FROM mails WHERE mailbox = ? AND {key} = ? AND (state = ? OR id IN ({ids}))"  # noqa: S608 - key is one of two literals, ids are integers
            " ORDER BY id LIMIT 1",
            (mailbox, value, MailState.DONE),
        ).fetchone()
        return None if row is None else int(row["id"])

    def add(
        self,
        *,
        mailbox: str,
        uidvalidity: int,
        uid: int,
        message_id: str | None,
        digest: str,
        sender: str,
        subject: str,
        category: str,
        urgent: bool,
        programme: str,
        decision: dict[str, Any],
        review: bool,
        received_at: str,
    ) -> int:
        """A new mail, planned; its id."""
        cursor = self.db.execute(
            "INSERT INTO mails (mailbox, uidvalidity, uid, message_id, digest, sender, subject, category, urgent,"
            " programme, decision, state, review, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                mailbox,
                uidvalidity,
                uid,
                message_id,
                digest,
                sender,
                subject,
                category,
                int(urgent),
                programme,
                json.dumps(decision, ensure_ascii=False),
                MailState.PLANNED,
                int(review),
                received_at,
            ),
        )
        return int(cursor.lastrowid or 0)

    def needs_review(self, mail_id: int) -> bool:
        """Read now, not from a snapshot: a failed action may have set it since."""
        return bool(self.db.execute("SELECT review FROM mails WHERE id = ?", (mail_id,)).fetchone()[0])

    def set_review(self, mail_id: int) -> None:
        self.db.execute("UPDATE mails SET review = 1 WHERE id = ?", (mail_id,))

    def set_review_of_action(self, action_id: int) -> None:
        self.db.execute(
            "UPDATE mails SET review = 1 WHERE id = (SELECT mail_id FROM actions WHERE id = ?)", (action_id,)
        )

    def finish(self, mail_id: int) -> None:
        self.db.execute("UPDATE mails SET state = ?, done_at = ? WHERE id = ?", (MailState.DONE, now_iso(), mail_id))

    # For the report.
    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM mails").fetchone()[0])

    def count_unfinished(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM mails WHERE state != ?", (MailState.DONE,)).fetchone()[0])

    def count_urgent(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM mails WHERE urgent = 1").fetchone()[0])

    def categories(self) -> dict[str, int]:
        return dict(
            self.db.execute("SELECT category, count(*) FROM mails GROUP BY category ORDER BY 2 DESC").fetchall()
        )

    def to_review(self, limit: int) -> list[MailRecord]:
        """Mails an officer must look at, newest first."""
        return [
            _mail(r)
            for r in self.db.execute(
                "SELECT * FROM mails WHERE review = 1 OR state = ? ORDER BY id DESC LIMIT ?", (MailState.STALE, limit)
            )
        ]


class Actions:
    """The ``actions`` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get(self, action_id: int) -> ActionRecord:
        return _action(self.db.execute("SELECT * FROM actions WHERE id = ?", (action_id,)).fetchone())

    def add(self, mail_id: int, position: int, kind: ActionKind, target: str, message_id: str | None) -> None:
        self.db.execute(
            "INSERT INTO actions (mail_id, position, kind, status, target, message_id, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (mail_id, position, kind, ActionStatus.PENDING, target, message_id, now_iso()),
        )

    def open(self, mail_id: int) -> list[ActionRecord]:
        """A mail's actions still to do (pending, or sending when a run stopped), in order."""
        return [
            _action(r)
            for r in self.db.execute(
                "SELECT * FROM actions WHERE mail_id = ? AND status IN (?, ?) ORDER BY position",
                (mail_id, ActionStatus.PENDING, ActionStatus.SENDING),
            )
        ]

    def statuses(self, mail_id: int) -> dict[ActionKind, ActionStatus]:
        return {
            ActionKind(kind): ActionStatus(status)
            for kind, status in self.db.execute("SELECT kind, status FROM actions WHERE mail_id = ?", (mail_id,))
        }

    def set(self, action_id: int, status: ActionStatus, detail: str = "") -> None:
        """The status and its detail."""
        self.db.execute(
            "UPDATE actions SET status = ?, detail = ?, updated_at = ? WHERE id = ?",
            (status, clean(detail, 1000), now_iso(), action_id),
        )

    def set_status(self, action_id: int, status: ActionStatus) -> None:
        """The status alone, the detail kept."""
        self.db.execute("UPDATE actions SET status = ?, updated_at = ? WHERE id = ?", (status, now_iso(), action_id))

    def settle(self, action_id: int, status: ActionStatus, detail: str) -> None:
        """The status its deliveries give it, with their detail (kept whole)."""
        self.db.execute(
            "UPDATE actions SET status = ?, detail = ?, updated_at = ? WHERE id = ?",
            (status, detail, now_iso(), action_id),
        )

    def fail_open(self, mail_id: int, detail: str) -> None:
        """A mail set aside: what was left to do but flagging and filing will not be done."""
        self.db.execute(
            "UPDATE actions SET status = ?, detail = ?, updated_at = ? WHERE mail_id = ?"
            " AND status IN (?, ?) AND kind NOT IN (?, ?)",
            (
                ActionStatus.FAILED,
                detail,
                now_iso(),
                mail_id,
                ActionStatus.PENDING,
                ActionStatus.SENDING,
                ActionKind.FLAG,
                ActionKind.FILE,
            ),
        )

    def finish_filing(self, mail_id: int, detail: str) -> None:
        """A mail set aside: its flag and file actions done (``detail``: where it went)."""
        self.db.execute(
            "UPDATE actions SET status = ?, detail = ? WHERE mail_id = ? AND kind IN (?, ?) AND status != ?",
            (ActionStatus.DONE, detail, mail_id, ActionKind.FLAG, ActionKind.FILE, ActionStatus.DONE),
        )

    def problems(self, mail_id: int) -> list[ActionRecord]:
        """A mail's failed and uncertain actions."""
        return [
            _action(r)
            for r in self.db.execute(
                "SELECT * FROM actions WHERE mail_id = ? AND status IN (?, ?)",
                (mail_id, ActionStatus.FAILED, ActionStatus.UNCERTAIN),
            )
        ]


_DELIVERY = "SELECT d.*, a.kind, a.mail_id FROM deliveries d JOIN actions a ON a.id = d.action_id"


class Deliveries:
    """The ``deliveries`` table, and the ``outbox`` table that keeps the bytes still to send."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, action_id: int, recipients: Iterable[str], first_at: float) -> None:
        """Each recipient once (a recipient already recorded keeps its row)."""
        for recipient in recipients:
            self.db.execute(
                "INSERT OR IGNORE INTO deliveries (action_id, recipient, status, first_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (action_id, recipient, DeliveryStatus.PENDING, first_at, now_iso()),
            )

    def to_send(self, action_id: int) -> list[str]:
        """The recipients still to send to (pending, or sending when a run stopped)."""
        return [
            r["recipient"]
            for r in self.db.execute(
                "SELECT recipient FROM deliveries WHERE action_id = ? AND status IN (?, ?) ORDER BY id",
                (action_id, DeliveryStatus.PENDING, DeliveryStatus.SENDING),
            )
        ]

    def start(self, action_id: int) -> None:
        """Pending recipients of the action are being sent to."""
        self.db.execute(
            "UPDATE deliveries SET status = ?, updated_at = ? WHERE action_id = ? AND status = ?",
            (DeliveryStatus.SENDING, now_iso(), action_id, DeliveryStatus.PENDING),
        )

    def start_each(self, delivery_ids: Iterable[int]) -> None:
        """These deliveries are being sent to."""
        self.db.executemany(
            "UPDATE deliveries SET status = ?, updated_at = ? WHERE id = ?",
            [(DeliveryStatus.SENDING, now_iso(), i) for i in delivery_ids],
        )

    def all_uncertain(self, action_id: int) -> None:
        """An answer interrupted while sending: none of its recipients is sent to again."""
        self.db.execute("UPDATE deliveries SET status = ? WHERE action_id = ?", (DeliveryStatus.UNCERTAIN, action_id))

    def uncertain(self, delivery_id: int, detail: str) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = ?, detail = ?, updated_at = ? WHERE id = ?",
            (DeliveryStatus.UNCERTAIN, detail, now_iso(), delivery_id),
        )

    def find(self, action_id: int, recipient: str) -> DeliveryRecord | None:
        row = self.db.execute(
            f"{_DELIVERY} WHERE d.action_id = ? AND d.recipient = ?", (action_id, recipient)
        ).fetchone()
        return None if row is None else _delivery(row)

    def of(self, action_id: int) -> list[DeliveryRecord]:
        return [_delivery(r) for r in self.db.execute(f"{_DELIVERY} WHERE d.action_id = ? ORDER BY d.id", (action_id,))]

    def record(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        attempts: int,
        next_at: float,
        code: int | None,
        step: str,
        detail: str,
    ) -> None:
        """The outcome of one attempt."""
        self.db.execute(
            "UPDATE deliveries SET status = ?, attempts = ?, next_at = ?, code = ?, step = ?, detail = ?,"
            " updated_at = ? WHERE id = ?",
            (status, attempts, next_at, code, step, detail, now_iso(), delivery_id),
        )

    def left(self, action_id: int) -> int:
        """Recipients of the action still to be sent to some day (deferred, failed or pending)."""
        return int(
            self.db.execute(
                "SELECT count(*) FROM deliveries WHERE action_id = ? AND status IN (?, ?, ?)",
                (action_id, DeliveryStatus.DEFERRED, DeliveryStatus.FAILED, DeliveryStatus.PENDING),
            ).fetchone()[0]
        )

    def count(self, status: DeliveryStatus) -> int:
        return int(self.db.execute("SELECT count(*) FROM deliveries WHERE status = ?", (status,)).fetchone()[0])

    # The bytes kept to send again.
    def keep(self, action_id: int, sender: str, message: bytes) -> None:
        self.db.execute(
            "INSERT INTO outbox (action_id, sender, message, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (action_id) DO UPDATE SET message = excluded.message, sender = excluded.sender",
            (action_id, sender, message, now_iso()),
        )

    def drop(self, action_id: int) -> None:
        """Every recipient is done: the bytes go."""
        self.db.execute("UPDATE outbox SET message = NULL WHERE action_id = ?", (action_id,))

    def kept(self, action_id: int) -> Queued:
        row = self.db.execute("SELECT * FROM outbox WHERE action_id = ?", (action_id,)).fetchone()
        return Queued(int(row["action_id"]), row["sender"], None if row["message"] is None else bytes(row["message"]))

    # Later attempts.
    def next_due(self) -> float | None:
        """Epoch seconds of the next deferred attempt whose bytes are kept, or None."""
        row = self.db.execute(
            "SELECT min(d.next_at) FROM deliveries d JOIN outbox o ON o.action_id = d.action_id"
            " WHERE d.status = ? AND o.message IS NOT NULL",
            (DeliveryStatus.DEFERRED,),
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def due(self, now: float) -> list[DeliveryRecord]:
        """Deferred past their time, asked again (pending), or interrupted (sending); by action."""
        return [
            _delivery(r)
            for r in self.db.execute(
                f"{_DELIVERY} JOIN outbox o ON o.action_id = d.action_id WHERE o.message IS NOT NULL AND"
                " ((d.status = ? AND d.next_at <= ?) OR d.status IN (?, ?)) ORDER BY d.action_id, d.id",
                (DeliveryStatus.DEFERRED, now, DeliveryStatus.PENDING, DeliveryStatus.SENDING),
            )
        ]

    def failed_since(self, cutoff: str) -> list[DeliveryRecord]:
        """Final refusals updated since ``cutoff`` (ISO) whose bytes are kept."""
        return [
            _delivery(r)
            for r in self.db.execute(
                f"{_DELIVERY} JOIN outbox o ON o.action_id = d.action_id"
                " WHERE d.status = ? AND o.message IS NOT NULL AND d.updated_at >= ? ORDER BY d.id",
                (DeliveryStatus.FAILED, cutoff),
            )
        ]

    def requeue(self, delivery_id: int, first_at: float, detail: str) -> None:
        """A final refusal back in the queue, due now, its give-up clock restarted."""
        self.db.execute(
            "UPDATE deliveries SET status = ?, next_at = 0, first_at = ?, detail = ?, updated_at = ? WHERE id = ?",
            (DeliveryStatus.PENDING, first_at, detail, now_iso(), delivery_id),
        )

    # For the report.
    def refused_for(self, mail_id: int) -> list[DeliveryRecord]:
        """A mail's final refusals whose action did not fail as a whole."""
        return [
            _delivery(r)
            for r in self.db.execute(
                f"{_DELIVERY} WHERE a.mail_id = ? AND d.status = ? AND a.status != ?",
                (mail_id, DeliveryStatus.FAILED, ActionStatus.FAILED),
            )
        ]

    def latest(self, status: DeliveryStatus, limit: int) -> list[DeliveryRecord]:
        return [
            _delivery(r)
            for r in self.db.execute(f"{_DELIVERY} WHERE d.status = ? ORDER BY d.id DESC LIMIT ?", (status, limit))
        ]


class Replies:
    """The ``replies`` table: automatic answers sent, counted by the caps."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, sender: str, mail_id: int) -> None:
        self.db.execute(
            "INSERT INTO replies (sender, at, mail_id, domain) VALUES (?, ?, ?, ?)",
            (normalise(sender), now_iso(), mail_id, domain_of(sender)),
        )

    def history(self, sender: str, period_hours: int) -> ReplyHistory:
        """What the caps need to know about answers already sent, as of now."""
        key, domain = normalise(sender), domain_of(sender)
        now = datetime.now(UTC)
        hour = (now - timedelta(hours=1)).isoformat(timespec="seconds")
        since = (now - timedelta(hours=period_hours)).isoformat(timespec="seconds")
        to_sender = bool(period_hours) and (
            self.db.execute("SELECT 1 FROM replies WHERE sender IN (?, ?) AND at >= ?", (key, sender, since)).fetchone()
            is not None
        )
        to_domain = self.db.execute("SELECT count(*) FROM replies WHERE domain = ? AND at >= ?", (domain, hour))
        total = self.db.execute("SELECT count(*) FROM replies WHERE at >= ?", (hour,))
        return ReplyHistory(to_sender, int(to_domain.fetchone()[0]), int(total.fetchone()[0]))


class AuditLog:
    """The ``audit`` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def add(self, mail_id: int | None, action: str, detail: str) -> None:
        """One line (never a mail body)."""
        self.db.execute(
            "INSERT INTO audit (at, mail_id, action, detail) VALUES (?, ?, ?, ?)",
            (now_iso(), mail_id, action, clean(detail, 1000)),
        )

    def latest(self, limit: int) -> list[AuditEntry]:
        return [
            AuditEntry(r["at"], r["mail_id"], r["action"], r["detail"])
            for r in self.db.execute("SELECT at, mail_id, action, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        ]


class Records:
    """Every repository of the mailbox over one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.mailboxes = MailboxStates(store.db)
        self.mails = Mails(store.db)
        self.actions = Actions(store.db)
        self.deliveries = Deliveries(store.db)
        self.replies = Replies(store.db)
        self.audit = AuditLog(store.db)


# ---- the report -------------------------------------------------------------------------------
def mailbox_status(store: Store, *, limit: int = 20) -> dict[str, Any]:
    """What officers want to know about the mailbox: progress, categories, mails to look at, sends
    refused or waiting, last actions."""
    records = Records(store)

    def why(mail: MailRecord) -> list[str]:
        reasons = [f"{a.kind} : {a.status} {a.detail}".strip() for a in records.actions.problems(mail.id)]
        reasons += [
            f"{d.kind} : refus définitif pour {d.recipient} ({d.code or ''} {d.detail})".replace("( ", "(")
            for d in records.deliveries.refused_for(mail.id)
        ]
        if mail.state is MailState.STALE:
            reasons.append(
                "traitement interrompu par un changement d'UIDVALIDITY ; mail introuvable sous un nouvel UID"
            )
        try:
            reasons += json.loads(mail.decision).get("problems", [])
        except (ValueError, AttributeError):
            reasons.append("décision illisible")
        return reasons

    def sends(status: DeliveryStatus) -> list[dict[str, Any]]:
        return [
            {
                "mail_id": d.mail_id,
                "kind": str(d.kind),
                "recipient": d.recipient,
                "code": d.code,
                "step": d.step,
                "detail": d.detail,
                "attempts": d.attempts,
                "at": d.updated_at,
                "next_at": datetime.fromtimestamp(d.next_at, UTC).isoformat(timespec="seconds")
                if status is DeliveryStatus.DEFERRED
                else None,
            }
            for d in records.deliveries.latest(status, limit)
        ]

    return {
        "mailboxes": [asdict(m) for m in records.mailboxes.all()],
        "mails": records.mails.count(),
        "unfinished": records.mails.count_unfinished(),
        "categories": records.mails.categories(),
        "urgent": records.mails.count_urgent(),
        "review": [
            {
                "id": m.id,
                "received_at": m.received_at,
                "sender": m.sender,
                "subject": m.subject,
                "category": m.category,
                "why": why(m),
            }
            for m in records.mails.to_review(limit)
        ],
        "failed_sends": sends(DeliveryStatus.FAILED),
        "deferred_sends": sends(DeliveryStatus.DEFERRED),
        # The offers' table is the offers pipeline's; the report only counts it.
        "offers": dict(store.db.execute("SELECT status, count(*) FROM offers GROUP BY status").fetchall()),
        "audit": [asdict(a) for a in records.audit.latest(limit)],
    }
