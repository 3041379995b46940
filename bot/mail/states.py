"""The mailbox's vocabulary: what an action does and where each record stands.

Each value is the string stored in SQLite since schema 2 (``bot/store.py``): an existing database
reads the same, and a ``StrEnum`` compares equal to its string in SQL parameters and in tests.

    mails.state        planned -> done              (stale: half-done before a UIDVALIDITY change)
    actions.status     pending -> sending -> done   (waiting, failed, uncertain, skipped)
    deliveries.status  pending -> sending -> done   (deferred, failed, uncertain)
"""

from enum import StrEnum


class ActionKind(StrEnum):
    """What an action does, in the order a mail's actions are planned."""

    OFFER = "offer"  # record the offer it carries (bot.offers)
    ROUTE = "route"  # forward to the officers
    REPLY = "reply"  # automatic answer to the sender
    DRAFT = "draft"  # answer left in the drafts folder for an officer to send
    FLAG = "flag"  # IMAP flags or keywords
    FILE = "file"  # move to its folder (or keep, with a keyword); always last

    @property
    def sends_mail(self) -> bool:
        """The action writes a mail of StageBot's own, under a Message-ID of its own."""
        return self in {ActionKind.ROUTE, ActionKind.REPLY, ActionKind.DRAFT}


class ActionStatus(StrEnum):
    """Where one action stands."""

    PENDING = "pending"
    SENDING = "sending"  # started and committed: found so after a crash, it may have happened
    WAITING = "waiting"  # a recipient is deferred (4xx) or asked again by ``mail retry``
    DONE = "done"
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # an answer that may have left: never sent again
    SKIPPED = "skipped"  # an answer the caps forbade


class MailState(StrEnum):
    """Where one mail stands."""

    PLANNED = "planned"
    DONE = "done"
    STALE = "stale"  # half-done when the UIDVALIDITY changed, waiting to be found under a new UID


class DeliveryStatus(StrEnum):
    """Status of one recipient of one mail StageBot sends."""

    PENDING = "pending"
    SENDING = "sending"
    DEFERRED = "deferred"
    DONE = "done"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
