"""The offer pipeline: every offer read, checked, de-duplicated and queued for its channel or review.

Sources: ``offer`` mails (the mailbox service), ``/offre publier`` and the staff channel (Discord).
Statuses in the store: ``OfferStatus`` (bot/records/offers.py). What became of one submission:
``OfferOutcome``.

De-duplication: the same fingerprint (kind, company and title stems), or, within 120 days, a text
that rapidfuzz finds at least ``SIMILAR`` close to an earlier one of the same kind and company. A duplicate from
the same sender that says it corrects or withdraws the offer updates or closes it in place.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from rapidfuzz import fuzz

from bot.offers.extract import Offer, channel_for, read_offer
from bot.records.offers import POSTER_STARTED, OfferRecord, OfferRecords, OfferStatus
from bot.store import Store
from knowledge.text import fold, fold_plain

SIMILAR = 88  # rapidfuzz token_set_ratio over the folded texts
SAME_COMPANY = 85  # rapidfuzz ratio between two folded company names
WINDOW_DAYS = 120
TEXT_KEPT = 4000  # characters of an offer's text stored for its card
_WITHDRAWN = re.compile(
    r"\b(offre (est )?(pourvue|retiree|annulee|close|cloturee)|poste (est )?pourvu|n est plus (disponible|d actualite)"
    r"|plus d actualite|position (has been )?filled|no longer (available|open))\b"
)
_CORRECTION = re.compile(
    r"\b(correctif|correction|rectificatif|mise a jour|erratum|modification de l offre|updated?)\b"
)


class OfferOutcome(StrEnum):
    """What became of one submission."""

    NEW = "new"  # stored, to post
    REVIEW = "review"  # stored, an officer decides
    BACKLOG = "backlog"  # stored from the backlog, never posted on its own
    DUPLICATE = "duplicate"  # already known: nothing changes
    UPDATED = "updated"  # its sender's correction replaced the stored offer
    CLOSED = "closed"  # its sender withdrew the stored offer


@dataclass(frozen=True)
class Submitted:
    """What happened to one submission."""

    offer: Offer
    status: OfferOutcome
    fingerprint: str  # the stored offer this submission is (or updates)


def _signature(offer: Offer, text: str) -> str:
    return " ".join(fold_plain(f"{offer.company} {offer.title} {text[:600]}").split())


class OfferPipeline:
    """Offers into the store, ready for the Discord poster."""

    def __init__(self, store: Store, programme: str, channels: dict[str, str] | None = None) -> None:
        self.store = store
        self.programme = programme
        self.channels = channels
        self.records = OfferRecords(store)

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
        with self.store.transaction():
            if mail_id is not None:
                again = self.records.from_mail(mail_id)
                if again is not None:  # the same mail submitted again after a restart
                    return Submitted(offer, OfferOutcome.DUPLICATE, again.fingerprint)
            twin = self._twin(offer, signature)
            if twin is not None:
                return self._known(twin, offer, folded, signature, sender)
            if _WITHDRAWN.search(folded):
                # A withdrawal of an offer never seen: nothing to post.
                return Submitted(offer, OfferOutcome.DUPLICATE, offer.fingerprint)
            status = OfferStatus.BACKLOG if quiet else (OfferStatus.NEW if offer.forward else OfferStatus.REVIEW)
            self.records.add(
                offer,
                at=datetime.now(UTC),
                status=status,
                source=source,
                mail_id=mail_id,
                sender=sender,
                signature=signature,
                text=text[:TEXT_KEPT],
            )
        return Submitted(offer, OfferOutcome(status.value), offer.fingerprint)

    def _twin(self, offer: Offer, signature: str) -> OfferRecord | None:
        exact = self.records.get(offer.fingerprint)
        if exact is not None:
            return exact
        since = datetime.now(UTC) - timedelta(days=WINDOW_DAYS)
        best, best_score = None, 0.0
        company = fold(offer.company)
        for record in self.records.seen_since(offer.kind, since):
            other = fold(record.company or "")
            if company and other and fuzz.ratio(company, other) < SAME_COMPANY:
                continue  # the same template sent by two hosts is two offers
            score = fuzz.token_set_ratio(signature, record.details.signature)
            if score > best_score:
                best, best_score = record, score
        return best if best_score >= SIMILAR else None

    def _known(self, twin: OfferRecord, offer: Offer, folded: str, signature: str, sender: str | None) -> Submitted:
        same_sender = sender is not None and twin.sender is not None and _domain(sender) == _domain(twin.sender)
        fingerprint = twin.fingerprint
        if same_sender and _WITHDRAWN.search(folded) and twin.status not in {OfferStatus.CLOSED, OfferStatus.REJECTED}:
            self.records.withdraw(fingerprint)
            return Submitted(offer, OfferOutcome.CLOSED, fingerprint)
        if same_sender and _CORRECTION.search(folded):
            status = twin.status if offer.forward or twin.status != OfferStatus.NEW else OfferStatus.REVIEW
            self.records.correct(
                fingerprint, offer, signature=signature, status=status, needs_edit=twin.status == OfferStatus.POSTED
            )
            return Submitted(offer, OfferOutcome.UPDATED, fingerprint)
        return Submitted(offer, OfferOutcome.DUPLICATE, fingerprint)

    # ---- for the poster and the officers ------------------------------------------------------
    def due(self, posts_per_hour: int) -> list[OfferRecord]:
        """Offers to post now, oldest first, no channel beyond its hourly cap."""
        posted = self.records.posted_since(datetime.now(UTC) - timedelta(hours=1))
        out = []
        for record in self.records.to_post():
            if posted.get(record.channel, 0) < posts_per_hour:
                posted[record.channel] = posted.get(record.channel, 0) + 1
                out.append(record)
        return out

    def mark_posted(self, fingerprint: str, channel_id: int, message_id: int) -> None:
        """Record where an offer was posted."""
        self.records.mark_posted(fingerprint, channel_id, message_id, datetime.now(UTC))

    def to_edit(self) -> list[OfferRecord]:
        """Posted offers corrected or withdrawn since: their message must be edited in place."""
        return self.records.to_edit()

    def edited(self, fingerprint: str) -> None:
        """The message now shows the offer's latest state."""
        self.records.edited(fingerprint)

    def decide(self, fingerprint: str, approve: bool, officer: str) -> OfferStatus | None:
        """An officer's decision on an offer under review; returns the new status, None if not found."""
        with self.store.transaction():
            record = self.records.get(fingerprint)
            if record is None:
                return None
            if record.status not in {OfferStatus.REVIEW, OfferStatus.BACKLOG}:
                return record.status
            status = OfferStatus.NEW if approve else OfferStatus.REJECTED
            channel = channel_for(record.kind, self.channels) if approve else None
            self.records.decide(fingerprint, status, officer, channel)
        return status

    def close(self, fingerprint: str) -> bool:
        """Mark an offer filled or withdrawn; its message is then edited."""
        return self.records.close(fingerprint)

    def queue(self, status: OfferStatus = OfferStatus.REVIEW, limit: int = 20) -> list[OfferRecord]:
        """Offers in a status, newest first (the officers' review queue by default)."""
        return self.records.latest(status, limit)

    def unannounced_reviews(self, limit: int = 12) -> list[OfferRecord]:
        """Offers under review not yet shown to the officers in the review channel."""
        return [r for r in self.queue(OfferStatus.REVIEW, limit=limit) if not self.records.announced(r.fingerprint)]

    def announced(self, fingerprints: list[str], message_id: int) -> None:
        """The review card showing these offers was posted."""
        for fingerprint in fingerprints:
            self.records.announce(fingerprint, message_id)

    def hold_backlog(self) -> int:
        """On the poster's very first start, keep what is already queued from flooding the channels."""
        with self.store.transaction():
            if self.records.meta.has(POSTER_STARTED):
                return 0
            held = self.records.hold_new()
            self.records.meta.put_once(POSTER_STARTED, datetime.now(UTC).isoformat(timespec="seconds"))
        return held


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()
