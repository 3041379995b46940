"""The offer pipeline: every offer read, checked, de-duplicated and queued for its channel or review.

Sources: ``offer`` mails (the mailbox service), ``/offre publier`` and the staff channel (Discord).
Statuses in the store: ``new`` (to post), ``review`` (problems or unknown kind: an officer decides),
``posted``, ``rejected``, ``closed`` (withdrawn or filled), ``backlog`` (there before the bot first
ran: never posted on its own, listed for officers).

De-duplication: the same fingerprint (kind, company and title stems), or, within 120 days, a text
that rapidfuzz finds at least ``SIMILAR`` close to an earlier one of the same kind and company. A duplicate from
the same sender that says it corrects or withdraws the offer updates or closes it in place.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz

from bot.offers.extract import Offer, channel_for, read_offer
from bot.store import Store
from knowledge.text import fold, fold_plain

SIMILAR = 88  # rapidfuzz token_set_ratio over the folded texts
SAME_COMPANY = 85  # rapidfuzz ratio between two folded company names
WINDOW_DAYS = 120
_WITHDRAWN = re.compile(
    r"\b(offre (est )?(pourvue|retiree|annulee|close|cloturee)|poste (est )?pourvu|n est plus (disponible|d actualite)"
    r"|plus d actualite|position (has been )?filled|no longer (available|open))\b"
)
_CORRECTION = re.compile(
    r"\b(correctif|correction|rectificatif|mise a jour|erratum|modification de l offre|updated?)\b"
)


@dataclass(frozen=True)
class Submitted:
    """What happened to one submission."""

    offer: Offer
    status: str  # new, review, duplicate, updated, closed
    fingerprint: str  # the stored offer this submission is (or updates)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _signature(offer: Offer, text: str) -> str:
    return " ".join(fold_plain(f"{offer.company} {offer.title} {text[:600]}").split())


class OfferPipeline:
    """Offers into the store, ready for the Discord poster."""

    def __init__(self, store: Store, programme: str, channels: dict[str, str] | None = None) -> None:
        self.store = store
        self.programme = programme
        self.channels = channels

    def submit(
        self,
        text: str,
        *,
        today: date,
        source: str,
        subject: str = "",
        sender: str | None = None,
        mail_id: int | None = None,
        quiet: bool = False,
        office: frozenset[str] = frozenset(),
    ) -> Submitted:
        """Read, check, de-duplicate and store one offer, in one transaction.

        ``quiet``: an offer from the backlog, stored as ``backlog`` and never posted on its own.
        """
        offer = read_offer(
            text, self.programme, today, subject=subject, sender=sender, channels=self.channels, office=office
        )
        folded = fold_plain(f"{subject}\n{text}")
        signature = _signature(offer, text)
        with self.store.transaction() as db:
            if mail_id is not None:
                again = db.execute("SELECT fingerprint, status FROM offers WHERE mail_id = ?", (mail_id,)).fetchone()
                if again is not None:  # the same mail submitted again after a restart
                    return Submitted(offer, "duplicate", str(again["fingerprint"]))
            twin = self._twin(db, offer, signature)
            if twin is not None:
                return self._known(db, twin, offer, folded, signature, sender)
            if _WITHDRAWN.search(folded):
                # A withdrawal of an offer never seen: nothing to post.
                return Submitted(offer, "duplicate", offer.fingerprint)
            status = "backlog" if quiet else ("new" if offer.forward else "review")
            db.execute(
                "INSERT INTO offers (fingerprint, first_seen, mail_id, source, kind, title, company, forward, data,"
                " status, channel, sender) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    offer.fingerprint,
                    _now(),
                    mail_id,
                    source,
                    offer.kind,
                    offer.title,
                    offer.company,
                    int(offer.forward),
                    json.dumps({**offer.as_json(), "signature": signature, "text": text[:4000]}, ensure_ascii=False),
                    status,
                    offer.channel,
                    sender,
                ),
            )
        return Submitted(offer, status, offer.fingerprint)

    def _twin(self, db: Any, offer: Offer, signature: str) -> Any:
        exact = db.execute("SELECT * FROM offers WHERE fingerprint = ?", (offer.fingerprint,)).fetchone()
        if exact is not None:
            return exact
        since = (datetime.now(UTC) - timedelta(days=WINDOW_DAYS)).isoformat(timespec="seconds")
        best, best_score = None, 0.0
        company = fold(offer.company)
        for row in db.execute("SELECT * FROM offers WHERE kind = ? AND first_seen >= ?", (offer.kind, since)):
            other = fold(row["company"] or "")
            if company and other and fuzz.ratio(company, other) < SAME_COMPANY:
                continue  # the same template sent by two hosts is two offers
            score = fuzz.token_set_ratio(signature, json.loads(row["data"]).get("signature", ""))
            if score > best_score:
                best, best_score = row, score
        return best if best_score >= SIMILAR else None

    def _known(self, db: Any, twin: Any, offer: Offer, folded: str, signature: str, sender: str | None) -> Submitted:
        same_sender = sender is not None and twin["sender"] is not None and _domain(sender) == _domain(twin["sender"])
        fingerprint = str(twin["fingerprint"])
        if same_sender and _WITHDRAWN.search(folded) and twin["status"] not in {"closed", "rejected"}:
            db.execute("UPDATE offers SET status = 'closed', needs_edit = 1 WHERE fingerprint = ?", (fingerprint,))
            return Submitted(offer, "closed", fingerprint)
        if same_sender and _CORRECTION.search(folded):
            data = {**offer.as_json(), "signature": signature, "fingerprint": fingerprint}
            status = twin["status"] if offer.forward or twin["status"] != "new" else "review"
            db.execute(
                "UPDATE offers SET data = ?, title = ?, needs_edit = ?, status = ? WHERE fingerprint = ?",
                (
                    json.dumps(data, ensure_ascii=False),
                    offer.title,
                    int(twin["status"] == "posted"),
                    status,
                    fingerprint,
                ),
            )
            return Submitted(offer, "updated", fingerprint)
        return Submitted(offer, "duplicate", fingerprint)

    # ---- for the poster and the officers ------------------------------------------------------
    def due(self, posts_per_hour: int) -> list[dict[str, Any]]:
        """Offers to post now, oldest first, no channel beyond its hourly cap."""
        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
        posted = dict(
            self.store.db.execute(
                "SELECT channel, count(*) FROM offers WHERE posted_at >= ? GROUP BY channel", (since,)
            ).fetchall()
        )
        out = []
        for row in self.store.db.execute("SELECT * FROM offers WHERE status = 'new' ORDER BY first_seen, rowid"):
            if posted.get(row["channel"], 0) < posts_per_hour:
                posted[row["channel"]] = posted.get(row["channel"], 0) + 1
                out.append(dict(row))
        return out

    def mark_posted(self, fingerprint: str, channel_id: int, message_id: int) -> None:
        """Record where an offer was posted."""
        self.store.db.execute(
            "UPDATE offers SET status = 'posted', channel_id = ?, message_id = ?, posted_at = ?, needs_edit = 0"
            " WHERE fingerprint = ?",
            (channel_id, message_id, _now(), fingerprint),
        )

    def to_edit(self) -> list[dict[str, Any]]:
        """Posted offers corrected or withdrawn since: their message must be edited in place."""
        rows = self.store.db.execute("SELECT * FROM offers WHERE needs_edit = 1 AND message_id IS NOT NULL")
        return [dict(r) for r in rows]

    def edited(self, fingerprint: str) -> None:
        """The message now shows the offer's latest state."""
        self.store.db.execute("UPDATE offers SET needs_edit = 0 WHERE fingerprint = ?", (fingerprint,))

    def decide(self, fingerprint: str, approve: bool, officer: str) -> str | None:
        """An officer's decision on an offer under review; returns the new status, None if not found."""
        with self.store.transaction() as db:
            row = db.execute("SELECT status FROM offers WHERE fingerprint = ?", (fingerprint,)).fetchone()
            if row is None:
                return None
            if row["status"] not in {"review", "backlog"}:
                return str(row["status"])
            status = "new" if approve else "rejected"
            channel = None
            if approve:
                kind = db.execute("SELECT kind FROM offers WHERE fingerprint = ?", (fingerprint,)).fetchone()[0]
                channel = channel_for(kind, self.channels)
            db.execute(
                "UPDATE offers SET status = ?, decided_by = ?, channel = COALESCE(?, channel) WHERE fingerprint = ?",
                (status, officer, channel, fingerprint),
            )
        return status

    def close(self, fingerprint: str) -> bool:
        """Mark an offer filled or withdrawn; its message is then edited."""
        cursor = self.store.db.execute(
            "UPDATE offers SET status = 'closed', needs_edit = CASE WHEN message_id IS NULL THEN 0 ELSE 1 END"
            " WHERE fingerprint = ? AND status != 'closed'",
            (fingerprint,),
        )
        return cursor.rowcount > 0

    def queue(self, status: str = "review", limit: int = 20) -> list[dict[str, Any]]:
        """Offers in a status, newest first (the officers' review queue by default)."""
        rows = self.store.db.execute(
            "SELECT * FROM offers WHERE status = ? ORDER BY first_seen DESC LIMIT ?", (status, limit)
        )
        return [dict(r) for r in rows]

    def unannounced_reviews(self, limit: int = 12) -> list[dict[str, Any]]:
        """Offers under review not yet shown to the officers in the review channel."""
        return [
            row
            for row in self.queue("review", limit=limit)
            if not self.store.db.execute(
                "SELECT 1 FROM meta WHERE key = ?", (f"review:{row['fingerprint']}",)
            ).fetchone()
        ]

    def announced(self, fingerprints: list[str], message_id: int) -> None:
        """The review card showing these offers was posted."""
        for fingerprint in fingerprints:
            self.store.db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (f"review:{fingerprint}", str(message_id))
            )

    def hold_backlog(self) -> int:
        """On the poster's very first start, keep what is already queued from flooding the channels."""
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM meta WHERE key = 'poster_started'").fetchone():
                return 0
            held = db.execute("UPDATE offers SET status = 'backlog' WHERE status = 'new'").rowcount
            db.execute("INSERT INTO meta (key, value) VALUES ('poster_started', ?)", (_now(),))
        return int(held)


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()
