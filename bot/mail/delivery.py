"""Delivering what the mail service sends, recipient by recipient, until each is done or final.

Each recipient of each forward or answer is a row of ``deliveries``:

    pending -> sending -> done                     accepted (2xx)
                       -> deferred -> sending …    4xx, unreachable server: tried again after a delay
                                                   doubled at each attempt; final after give-up hours
                       -> failed                   5xx (or given up): logged at WARNING, listed in
                                                   ``mail status``, sent again by ``mail retry``
                       -> uncertain                an answer whose connection was lost after the
                                                   message was sent: never sent twice

A partial refusal retries the refused recipients only. What is still to be sent (deferred or failed)
keeps its bytes in ``outbox``, so it can leave once the mail itself has been filed; the bytes are
dropped once every recipient is done.

An action's status follows its deliveries: ``waiting`` while one is deferred, ``done`` when at least
one recipient got it and the others are final (the refusals stay listed), ``failed`` when none did,
``uncertain`` when an answer may have left.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.mail.records import ActionRecord, DeliveryRecord, Records
from bot.mail.smtp import Outbox, Outcome, Verdict
from bot.mail.states import ActionKind, ActionStatus, DeliveryStatus
from bot.settings import MailSettings

log = logging.getLogger("stagebot.mail")

Delivery = DeliveryStatus  # the name this module gave it first

INTERRUPTED = "envoi interrompu : la réponse est peut-être partie, non renvoyée"


@dataclass
class Tally:
    """What a batch of sends did, for the summary."""

    delivered: int = 0
    deferred: int = 0
    failed: int = 0
    uncertain: int = 0


class Postman:
    """Sends through an ``Outbox`` and keeps ``deliveries``, ``outbox`` and the action status up to date."""

    def __init__(
        self,
        records: Records,
        outbox: Outbox,
        settings: MailSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.records = records
        self.store = records.store
        self.outbox = outbox
        self.settings = settings
        self.clock = clock
        self.tally = Tally()

    def audit(self, mail_id: int | None, action: str, detail: str) -> None:
        """One line of the audit log."""
        self.records.audit.add(mail_id, action, detail)

    def delay(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1``: the first delay doubled at each attempt, capped."""
        s = self.settings
        return float(min(s.smtp_retry_seconds * 2 ** max(attempts - 1, 0), s.smtp_retry_max_seconds))

    # ---- the first attempt, while the mail is worked ------------------------------------------
    def prepare(self, action: ActionRecord, recipients: Sequence[str]) -> list[str]:
        """Record the recipients (once) and mark those still to do as sending; returns them."""
        with self.store.transaction():
            return self.prepare_in(action, recipients)

    def prepare_in(self, action: ActionRecord, recipients: Sequence[str]) -> list[str]:
        """``prepare`` inside the caller's transaction."""
        deliveries = self.records.deliveries
        deliveries.add(action.id, recipients, self.clock())
        todo = deliveries.to_send(action.id)
        deliveries.start(action.id)
        self.records.actions.set_status(action.id, ActionStatus.SENDING)
        return todo

    async def send(self, action: ActionRecord, sender: str, recipients: Sequence[str], data: bytes) -> ActionStatus:
        """One attempt for these recipients; returns the action's new status."""
        if not recipients:
            return self.settle(action.id)
        outcomes = await self.outbox.send(sender, recipients, data)
        return self.record(action, sender, data, outcomes)

    # ---- outcomes ------------------------------------------------------------------------------
    def record(self, action: ActionRecord, sender: str, data: bytes, outcomes: dict[str, Outcome]) -> ActionStatus:
        """Write each recipient's outcome, keep the bytes while something is left to send, settle."""
        now = self.clock()
        kind = action.kind
        mail_id = action.mail_id
        give_up = self.settings.smtp_give_up_hours * 3600
        deliveries = self.records.deliveries
        with self.store.transaction():
            for recipient, outcome in outcomes.items():
                row = deliveries.find(action.id, recipient)
                if row is None:
                    continue
                attempts = row.attempts + 1
                final = outcome
                verdict = outcome.verdict
                if verdict is Verdict.UNCERTAIN and kind != ActionKind.REPLY:
                    verdict = Verdict.TEMPORARY  # a forward is sent again: an officer may get it twice
                    self.audit(mail_id, "transfert-repris", f"{recipient} : {outcome.describe()} ; renvoyé plus tard")
                if verdict is Verdict.TEMPORARY and now - row.first_at >= give_up:
                    verdict = Verdict.PERMANENT
                    final = Outcome(
                        Verdict.PERMANENT,
                        outcome.code,
                        outcome.step,
                        f"abandon après {self.settings.smtp_give_up_hours:g} h de refus temporaires ({outcome.text})",
                    )
                status, next_at = {
                    Verdict.ACCEPTED: (DeliveryStatus.DONE, 0.0),
                    Verdict.TEMPORARY: (DeliveryStatus.DEFERRED, now + self.delay(attempts)),
                    Verdict.PERMANENT: (DeliveryStatus.FAILED, 0.0),
                    Verdict.UNCERTAIN: (DeliveryStatus.UNCERTAIN, 0.0),
                }[verdict]
                deliveries.record(row.id, status, attempts, next_at, final.code, final.step, final.text)
                self._report(mail_id, kind, recipient, status, final, next_at - now)
            delivered = [r for r, o in outcomes.items() if o.verdict is Verdict.ACCEPTED]
            if delivered and kind == ActionKind.REPLY:
                self.audit(mail_id, "réponse", f"réponse automatique à {', '.join(delivered)}")
            elif delivered:
                self.audit(mail_id, "transfert", f"à {', '.join(delivered)}")
            if deliveries.left(action.id):
                deliveries.keep(action.id, sender, data)
            else:
                deliveries.drop(action.id)
            return self.settle(action.id)

    def _report(
        self, mail_id: int, kind: ActionKind, recipient: str, status: DeliveryStatus, outcome: Outcome, wait: float
    ) -> None:
        what = "réponse" if kind == ActionKind.REPLY else "transfert"
        if status == DeliveryStatus.DONE:
            self.tally.delivered += 1
        elif status == DeliveryStatus.DEFERRED:
            self.tally.deferred += 1
            # A 5xx at connection, greeting or login is retried (the server, not the mail, refuses),
            # but it is a configuration or account problem an officer must see: a WARNING with its code.
            permanent_at_connect = outcome.step == "connect" and outcome.code is not None and outcome.code >= 500
            (log.warning if permanent_at_connect else log.info)(
                "mail #%s : %s à %s différé (%s), nouvel essai dans %.0f s",
                mail_id,
                what,
                recipient,
                outcome.describe(),
                wait,
            )
            self.audit(
                mail_id, f"{what}-différé", f"{recipient} : {outcome.describe()} ; nouvel essai dans {wait:.0f} s"
            )
        elif status == DeliveryStatus.FAILED:
            self.tally.failed += 1
            log.warning("mail #%s : %s à %s refusé définitivement (%s)", mail_id, what, recipient, outcome.describe())
            self.audit(mail_id, f"échec-{kind}", f"{recipient} : refus définitif {outcome.describe()}")
        elif status == DeliveryStatus.UNCERTAIN:
            self.tally.uncertain += 1
            log.warning(
                "mail #%s : %s à %s incertaine (%s), non renvoyée", mail_id, what, recipient, outcome.describe()
            )
            self.audit(mail_id, "réponse-incertaine", f"{recipient} : {outcome.describe()} ; non renvoyée")

    def settle(self, action_id: int) -> ActionStatus:
        """The action's status from its deliveries; the mail is put up for review on a final refusal."""
        rows = self.records.deliveries.of(action_id)
        statuses = {r.status for r in rows}
        refused = [r for r in rows if r.status == DeliveryStatus.FAILED]
        detail = " ; ".join(
            f"{r.recipient} ({r.code or ''} {r.step.upper()} {r.detail})".replace("( ", "(") for r in refused
        )
        status: ActionStatus
        if statuses & {DeliveryStatus.SENDING, DeliveryStatus.PENDING}:
            status, detail = ActionStatus.SENDING, ""
        elif DeliveryStatus.DEFERRED in statuses:
            waiting = [r.recipient for r in rows if r.status == DeliveryStatus.DEFERRED]
            status, detail = ActionStatus.WAITING, f"en attente de nouvel essai : {', '.join(waiting)}"
        elif DeliveryStatus.UNCERTAIN in statuses:
            status, detail = ActionStatus.UNCERTAIN, INTERRUPTED
        elif DeliveryStatus.DONE in statuses:
            status, detail = ActionStatus.DONE, f"refusés : {detail}" if refused else ""
        else:
            status, detail = ActionStatus.FAILED, f"tous les destinataires refusés : {detail}"
        self.records.actions.settle(action_id, status, detail)
        if refused or status == ActionStatus.UNCERTAIN:
            self.records.mails.set_review_of_action(action_id)
        return status

    # ---- later attempts --------------------------------------------------------------------------
    def next_due(self) -> float | None:
        """Epoch seconds of the next deferred attempt, or None."""
        return self.records.deliveries.next_due()

    async def flush(self, stop: Callable[[], bool] = lambda: False) -> int:
        """Send every delivery that is due (deferred past its time, or asked again by ``mail retry``).

        A delivery found ``sending`` here was interrupted by a crash during an earlier flush: a
        forward is sent again, an answer is marked uncertain (never sent twice).
        """
        deliveries = self.records.deliveries
        groups: dict[int, list[DeliveryRecord]] = {}
        for row in deliveries.due(self.clock()):
            groups.setdefault(row.action_id, []).append(row)
        sent = 0
        for action_id, group in groups.items():
            if stop():
                break
            try:
                action = self.records.actions.get(action_id)
                interrupted = [r for r in group if r.status == DeliveryStatus.SENDING]
                if interrupted and action.kind == ActionKind.REPLY:
                    with self.store.transaction():
                        for r in interrupted:
                            deliveries.uncertain(r.id, INTERRUPTED)
                            self._report(
                                action.mail_id,
                                ActionKind.REPLY,
                                r.recipient,
                                DeliveryStatus.UNCERTAIN,
                                Outcome(Verdict.UNCERTAIN, None, "data", "envoi interrompu"),
                                0,
                            )
                        self.settle(action_id)
                elif interrupted:
                    self.audit(action.mail_id, "transfert-repris", "envoi interrompu : renvoyé avec le même Message-ID")
                due = [r for r in group if not (r.status == DeliveryStatus.SENDING and action.kind == ActionKind.REPLY)]
                if not due:
                    continue
                kept = deliveries.kept(action_id)
                with self.store.transaction():
                    deliveries.start_each(r.id for r in due)
                await self.send(action, kept.sender, [r.recipient for r in due], kept.message or b"")
                sent += len(due)
            except Exception as exc:  # one broken delivery must not stop the others, pass after pass
                log.exception("action %s : erreur pendant l'envoi d'une file d'attente", action_id)
                self._set_aside(action_id, group, f"erreur interne ({type(exc).__name__})")
        return sent

    def _set_aside(self, action_id: int, group: list[DeliveryRecord], reason: str) -> None:
        """Deliveries that could not be worked, the mail put up for review: a forward failed (``mail retry``
        sends it again), an answer uncertain (it may have left: never sent twice)."""
        deliveries = self.records.deliveries
        with self.store.transaction():
            for r in group:
                if r.kind == ActionKind.REPLY:
                    deliveries.uncertain(r.id, reason)
                else:
                    deliveries.record(r.id, DeliveryStatus.FAILED, r.attempts, self.clock(), None, r.step, reason)
                self.audit(r.mail_id, f"échec-{r.kind}", f"{r.recipient} : {reason}")
            self.settle(action_id)

    def retry_failed(self, since: datetime | None = None) -> list[DeliveryRecord]:
        """Put final refusals (since a moment) back in the queue, due now; returns what was requeued."""
        cutoff = since.astimezone(UTC).isoformat(timespec="seconds") if since else ""
        deliveries = self.records.deliveries
        rows = deliveries.failed_since(cutoff)
        now = self.clock()
        with self.store.transaction():
            for row in rows:
                deliveries.requeue(row.id, now, f"nouvel essai demandé (avant : {row.detail})"[:500])
                self.audit(row.mail_id, "nouvel-essai", f"{row.kind} à {row.recipient} : renvoi demandé")
            for action_id in {r.action_id for r in rows}:
                self.records.actions.set_status(action_id, ActionStatus.WAITING)
        return rows
