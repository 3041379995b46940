"""The ``offers`` table: every offer seen, its status, where it was posted; and the review cards' markers in ``meta``.

An offer's ``data`` column is JSON (the offer object of ``stagebot offer check``, plus its text and
signature); it is written and read here only, and comes back as ``OfferDetails``.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.offers.extract import Offer
from bot.records.meta import Meta
from bot.store import Store

POSTER_STARTED = "poster_started"  # meta key: the Discord poster ran once (the backlog was held then)


class OfferStatus(StrEnum):
    """Where an offer stands (the ``status`` column)."""

    NEW = "new"  # to post
    REVIEW = "review"  # problems or unknown kind: an officer decides
    POSTED = "posted"
    REJECTED = "rejected"
    CLOSED = "closed"  # withdrawn or filled
    BACKLOG = "backlog"  # there before the bot first ran: never posted on its own, listed for officers


@dataclass(frozen=True)
class OfferDetails:
    """What was read from the offer (the ``data`` column)."""

    kind: str
    title: str
    company: str | None = None
    location: str | None = None
    start: str | None = None
    pay: str | None = None
    remote: str | None = None
    contact: str | None = None
    duration_weeks: float | None = None
    problems: tuple[str, ...] = ()  # the problems' French reasons
    text: str = ""  # the offer's text (none after a correction)
    signature: str = ""  # folded company, title and text: what near-duplicates are compared on

    @classmethod
    def from_json(cls, text: str) -> "OfferDetails":
        """The details from the ``data`` column."""
        data: dict[str, Any] = json.loads(text)
        return cls(
            kind=str(data["kind"]),
            title=str(data["title"]),
            company=data.get("company"),
            location=data.get("location"),
            start=data.get("start"),
            pay=data.get("pay"),
            remote=data.get("remote"),
            contact=data.get("contact"),
            duration_weeks=data.get("duration_weeks"),
            problems=tuple(str(p["reason"]) for p in data.get("problem_reasons", [])),
            text=str(data.get("text", "")),
            signature=str(data.get("signature", "")),
        )


@dataclass(frozen=True)
class OfferRecord:
    """One stored offer."""

    fingerprint: str
    first_seen: str  # ISO timestamp, UTC
    mail_id: int | None
    source: str  # mail, discord, staff
    kind: str
    title: str
    company: str
    forward: bool
    status: OfferStatus
    channel: str | None
    channel_id: int | None
    message_id: int | None
    posted_at: str | None
    needs_edit: bool  # posted, then corrected or closed: its message must be edited
    sender: str | None
    decided_by: str | None
    details: OfferDetails


def _record(row: Any) -> OfferRecord:
    return OfferRecord(
        fingerprint=str(row["fingerprint"]),
        first_seen=str(row["first_seen"]),
        mail_id=row["mail_id"],
        source=str(row["source"]),
        kind=str(row["kind"]),
        title=str(row["title"]),
        company=str(row["company"]),
        forward=bool(row["forward"]),
        status=OfferStatus(row["status"]),
        channel=row["channel"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        posted_at=row["posted_at"],
        needs_edit=bool(row["needs_edit"]),
        sender=row["sender"],
        decided_by=row["decided_by"],
        details=OfferDetails.from_json(str(row["data"])),
    )


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _data(offer: Offer, **extra: str) -> str:
    return json.dumps({**offer.as_json(), **extra}, ensure_ascii=False)


class OfferRecords:
    """The offers seen, for the pipeline and the Discord poster."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.meta = Meta(store)

    def _many(self, sql: str, parameters: Iterable[object] = ()) -> list[OfferRecord]:
        return [_record(row) for row in self.store.db.execute(sql, tuple(parameters))]

    # ---- reading ---------------------------------------------------------------------------------
    def get(self, fingerprint: str) -> OfferRecord | None:
        """The offer with this fingerprint."""
        found = self._many("SELECT * FROM offers WHERE fingerprint = ?", (fingerprint,))
        return found[0] if found else None

    def from_mail(self, mail_id: int) -> OfferRecord | None:
        """The offer a mail already gave, if any."""
        found = self._many("SELECT * FROM offers WHERE mail_id = ?", (mail_id,))
        return found[0] if found else None

    def seen_since(self, kind: str, since: datetime) -> list[OfferRecord]:
        """Offers of one kind first seen since a moment (candidates for near-duplicates)."""
        return self._many("SELECT * FROM offers WHERE kind = ? AND first_seen >= ?", (kind, _stamp(since)))

    def to_post(self) -> list[OfferRecord]:
        """Offers waiting to be posted, oldest first."""
        return self._many("SELECT * FROM offers WHERE status = ? ORDER BY first_seen, rowid", (OfferStatus.NEW,))

    def posted_since(self, since: datetime) -> dict[str | None, int]:
        """How many offers each channel got since a moment."""
        rows = self.store.db.execute(
            "SELECT channel, count(*) FROM offers WHERE posted_at >= ? GROUP BY channel", (_stamp(since),)
        )
        return {row[0]: int(row[1]) for row in rows}

    def to_edit(self) -> list[OfferRecord]:
        """Posted offers whose message must show a correction or a closing."""
        return self._many("SELECT * FROM offers WHERE needs_edit = 1 AND message_id IS NOT NULL")

    def latest(self, status: OfferStatus, limit: int) -> list[OfferRecord]:
        """Offers in a status, newest first."""
        return self._many("SELECT * FROM offers WHERE status = ? ORDER BY first_seen DESC LIMIT ?", (status, limit))

    # ---- writing ---------------------------------------------------------------------------------
    def add(
        self,
        offer: Offer,
        *,
        at: datetime,
        status: OfferStatus,
        source: str,
        mail_id: int | None,
        sender: str | None,
        signature: str,
        text: str,
    ) -> None:
        """Store a new offer with what was read from it."""
        self.store.db.execute(
            "INSERT INTO offers (fingerprint, first_seen, mail_id, source, kind, title, company, forward, data,"
            " status, channel, sender) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                offer.fingerprint,
                _stamp(at),
                mail_id,
                source,
                offer.kind,
                offer.title,
                offer.company,
                int(offer.forward),
                _data(offer, signature=signature, text=text),
                status,
                offer.channel,
                sender,
            ),
        )

    def correct(self, fingerprint: str, offer: Offer, *, signature: str, status: OfferStatus, needs_edit: bool) -> None:
        """Replace a stored offer's details by its sender's correction (the stored text is dropped)."""
        self.store.db.execute(
            "UPDATE offers SET data = ?, title = ?, needs_edit = ?, status = ? WHERE fingerprint = ?",
            (
                _data(offer, signature=signature, fingerprint=fingerprint),
                offer.title,
                int(needs_edit),
                status,
                fingerprint,
            ),
        )

    def withdraw(self, fingerprint: str) -> None:
        """Its sender withdrew the offer: closed, and its message (if any) to edit."""
        self.store.db.execute(
            "UPDATE offers SET status = ?, needs_edit = 1 WHERE fingerprint = ?", (OfferStatus.CLOSED, fingerprint)
        )

    def mark_posted(self, fingerprint: str, channel_id: int, message_id: int, at: datetime) -> None:
        """Record where and when an offer was posted."""
        self.store.db.execute(
            "UPDATE offers SET status = ?, channel_id = ?, message_id = ?, posted_at = ?, needs_edit = 0"
            " WHERE fingerprint = ?",
            (OfferStatus.POSTED, channel_id, message_id, _stamp(at), fingerprint),
        )

    def edited(self, fingerprint: str) -> None:
        """The offer's message shows its latest state."""
        self.store.db.execute("UPDATE offers SET needs_edit = 0 WHERE fingerprint = ?", (fingerprint,))

    def decide(self, fingerprint: str, status: OfferStatus, officer: str, channel: str | None) -> None:
        """An officer's decision (and, when approved, the channel of the offer's kind)."""
        self.store.db.execute(
            "UPDATE offers SET status = ?, decided_by = ?, channel = COALESCE(?, channel) WHERE fingerprint = ?",
            (status, officer, channel, fingerprint),
        )

    def close(self, fingerprint: str) -> bool:
        """Mark an offer filled or withdrawn (its message, if posted, to edit); False if unknown or closed already."""
        cursor = self.store.db.execute(
            "UPDATE offers SET status = ?, needs_edit = CASE WHEN message_id IS NULL THEN 0 ELSE 1 END"
            " WHERE fingerprint = ? AND status != ?",
            (OfferStatus.CLOSED, fingerprint, OfferStatus.CLOSED),
        )
        return cursor.rowcount > 0

    def hold_new(self) -> int:
        """Every offer waiting to be posted goes to the backlog; returns how many."""
        cursor = self.store.db.execute(
            "UPDATE offers SET status = ? WHERE status = ?", (OfferStatus.BACKLOG, OfferStatus.NEW)
        )
        return int(cursor.rowcount)

    # ---- the review cards (meta) -----------------------------------------------------------------
    def announced(self, fingerprint: str) -> bool:
        """Whether a review card already showed this offer to the officers."""
        return self.meta.has(f"review:{fingerprint}")

    def announce(self, fingerprint: str, message_id: int) -> None:
        """A review card showing this offer was posted."""
        self.meta.put_once(f"review:{fingerprint}", str(message_id))
