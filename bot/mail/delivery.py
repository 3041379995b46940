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
from enum import StrEnum
from typing import Any

from bot.mail.smtp import Outbox, Outcome, Verdict
from bot.settings import MailSettings
from bot.store import Store

log = logging.getLogger("stagebot.mail")


class Delivery(StrEnum):
    """Status of one recipient of one mail StageBot sends."""

    PENDING = "pending"
    SENDING = "sending"
    DEFERRED = "deferred"
    DONE = "done"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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
        store: Store,
        outbox: Outbox,
        settings: MailSettings,
        audit: Callable[[int | None, str, str], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.settings = settings
        self.audit = audit
        self.clock = clock
        self.tally = Tally()

    def delay(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1``: the first delay doubled at each attempt, capped."""
        s = self.settings
        return float(min(s.smtp_retry_seconds * 2 ** max(attempts - 1, 0), s.smtp_retry_max_seconds))

    # ---- the first attempt, while the mail is worked ------------------------------------------
    def prepare(self, action: Any, recipients: Sequence[str]) -> list[str]:
        """Record the recipients (once) and mark those still to do as sending; returns them."""
        with self.store.transaction() as db:
            return self.prepare_in(db, action, recipients)

    def prepare_in(self, db: Any, action: Any, recipients: Sequence[str]) -> list[str]:
        """``prepare`` inside the caller's transaction."""
        now = self.clock()
        for recipient in recipients:
            db.execute(
                "INSERT OR IGNORE INTO deliveries (action_id, recipient, status, first_at, updated_at)"
                " VALUES (?, ?, 'pending', ?, ?)",
                (action["id"], recipient, now, _now()),
            )
        rows = db.execute(
            "SELECT recipient FROM deliveries WHERE action_id = ? AND status IN ('pending', 'sending') ORDER BY id",
            (action["id"],),
        ).fetchall()
        db.execute(
            "UPDATE deliveries SET status = 'sending', updated_at = ? WHERE action_id = ? AND status = 'pending'",
            (_now(), action["id"]),
        )
        db.execute("UPDATE actions SET status = 'sending', updated_at = ? WHERE id = ?", (_now(), action["id"]))
        return [r["recipient"] for r in rows]

    async def send(self, action: Any, sender: str, recipients: Sequence[str], data: bytes) -> str:
        """One attempt for these recipients; returns the action's new status."""
        if not recipients:
            return self.settle(action["id"])
        outcomes = await self.outbox.send(sender, recipients, data)
        return self.record(action, sender, data, outcomes)

    # ---- outcomes ------------------------------------------------------------------------------
    def record(self, action: Any, sender: str, data: bytes, outcomes: dict[str, Outcome]) -> str:
        """Write each recipient's outcome, keep the bytes while something is left to send, settle."""
        now = self.clock()
        kind = action["kind"]
        mail_id = int(action["mail_id"])
        give_up = self.settings.smtp_give_up_hours * 3600
        with self.store.transaction() as db:
            for recipient, outcome in outcomes.items():
                row = db.execute(
                    "SELECT * FROM deliveries WHERE action_id = ? AND recipient = ?", (action["id"], recipient)
                ).fetchone()
                if row is None:
                    continue
                attempts = int(row["attempts"]) + 1
                final = outcome
                verdict = outcome.verdict
                if verdict is Verdict.UNCERTAIN and kind != "reply":
                    verdict = Verdict.TEMPORARY  # a forward is sent again: an officer may get it twice
                    self.audit(mail_id, "transfert-repris", f"{recipient} : {outcome.describe()} ; renvoyé plus tard")
                if verdict is Verdict.TEMPORARY and now - float(row["first_at"]) >= give_up:
                    verdict = Verdict.PERMANENT
                    final = Outcome(
                        Verdict.PERMANENT,
                        outcome.code,
                        outcome.step,
                        f"abandon après {self.settings.smtp_give_up_hours:g} h de refus temporaires ({outcome.text})",
                    )
                status, next_at = {
                    Verdict.ACCEPTED: (Delivery.DONE, 0.0),
                    Verdict.TEMPORARY: (Delivery.DEFERRED, now + self.delay(attempts)),
                    Verdict.PERMANENT: (Delivery.FAILED, 0.0),
                    Verdict.UNCERTAIN: (Delivery.UNCERTAIN, 0.0),
                }[verdict]
                db.execute(
                    "UPDATE deliveries SET status = ?, attempts = ?, next_at = ?, code = ?, step = ?, detail = ?,"
                    " updated_at = ? WHERE id = ?",
                    (status, attempts, next_at, final.code, final.step, final.text, _now(), row["id"]),
                )
                self._report(mail_id, kind, recipient, status, final, next_at - now)
            delivered = [r for r, o in outcomes.items() if o.verdict is Verdict.ACCEPTED]
            if delivered and kind == "reply":
                self.audit(mail_id, "réponse", f"réponse automatique à {', '.join(delivered)}")
            elif delivered:
                self.audit(mail_id, "transfert", f"à {', '.join(delivered)}")
            left = db.execute(
                "SELECT count(*) FROM deliveries WHERE action_id = ? AND status IN ('deferred', 'failed', 'pending')",
                (action["id"],),
            ).fetchone()[0]
            if left:
                db.execute(
                    "INSERT INTO outbox (action_id, sender, message, created_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (action_id) DO UPDATE SET message = excluded.message, sender = excluded.sender",
                    (action["id"], sender, data, _now()),
                )
            else:
                db.execute("UPDATE outbox SET message = NULL WHERE action_id = ?", (action["id"],))
            return self.settle(action["id"])

    def _report(self, mail_id: int, kind: str, recipient: str, status: str, outcome: Outcome, wait: float) -> None:
        what = "réponse" if kind == "reply" else "transfert"
        if status == Delivery.DONE:
            self.tally.delivered += 1
        elif status == Delivery.DEFERRED:
            self.tally.deferred += 1
            log.info(
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
        elif status == Delivery.FAILED:
            self.tally.failed += 1
            log.warning("mail #%s : %s à %s refusé définitivement (%s)", mail_id, what, recipient, outcome.describe())
            self.audit(mail_id, f"échec-{kind}", f"{recipient} : refus définitif {outcome.describe()}")
        elif status == Delivery.UNCERTAIN:
            self.tally.uncertain += 1
            log.warning(
                "mail #%s : %s à %s incertaine (%s), non renvoyée", mail_id, what, recipient, outcome.describe()
            )
            self.audit(mail_id, "réponse-incertaine", f"{recipient} : {outcome.describe()} ; non renvoyée")

    def settle(self, action_id: int) -> str:
        """The action's status from its deliveries; the mail is put up for review on a final refusal."""
        db = self.store.db
        rows = db.execute("SELECT * FROM deliveries WHERE action_id = ? ORDER BY id", (action_id,)).fetchall()
        statuses = {r["status"] for r in rows}
        refused = [r for r in rows if r["status"] == Delivery.FAILED]
        detail = " ; ".join(
            f"{r['recipient']} ({r['code'] or ''} {r['step'].upper()} {r['detail']})".replace("( ", "(")
            for r in refused
        )
        if statuses & {Delivery.SENDING, Delivery.PENDING}:
            status, detail = "sending", ""
        elif Delivery.DEFERRED in statuses:
            waiting = [r["recipient"] for r in rows if r["status"] == Delivery.DEFERRED]
            status, detail = "waiting", f"en attente de nouvel essai : {', '.join(waiting)}"
        elif Delivery.UNCERTAIN in statuses:
            status, detail = "uncertain", "envoi interrompu : la réponse est peut-être partie, non renvoyée"
        elif Delivery.DONE in statuses:
            status, detail = "done", f"refusés : {detail}" if refused else ""
        else:
            status, detail = "failed", f"tous les destinataires refusés : {detail}"
        db.execute(
            "UPDATE actions SET status = ?, detail = ?, updated_at = ? WHERE id = ?",
            (status, detail, _now(), action_id),
        )
        if refused or status == "uncertain":
            db.execute(
                "UPDATE mails SET review = 1 WHERE id = (SELECT mail_id FROM actions WHERE id = ?)", (action_id,)
            )
        return status

    # ---- later attempts --------------------------------------------------------------------------
    def next_due(self) -> float | None:
        """Epoch seconds of the next deferred attempt, or None."""
        row = self.store.db.execute(
            "SELECT min(d.next_at) FROM deliveries d JOIN outbox o ON o.action_id = d.action_id"
            " WHERE d.status = 'deferred' AND o.message IS NOT NULL"
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    async def flush(self, stop: Callable[[], bool] = lambda: False) -> int:
        """Send every delivery that is due (deferred past its time, or asked again by ``mail retry``).

        A delivery found ``sending`` here was interrupted by a crash during an earlier flush: a
        forward is sent again, an answer is marked uncertain (never sent twice).
        """
        now = self.clock()
        rows = self.store.db.execute(
            "SELECT d.*, a.kind, a.mail_id FROM deliveries d JOIN outbox o ON o.action_id = d.action_id"
            " JOIN actions a ON a.id = d.action_id WHERE o.message IS NOT NULL AND"
            " ((d.status = 'deferred' AND d.next_at <= ?) OR d.status IN ('pending', 'sending'))"
            " ORDER BY d.action_id, d.id",
            (now,),
        ).fetchall()
        groups: dict[int, list[Any]] = {}
        for row in rows:
            groups.setdefault(int(row["action_id"]), []).append(row)
        sent = 0
        for action_id, group in groups.items():
            if stop():
                break
            action = self.store.db.execute("SELECT * FROM actions WHERE id = ?", (action_id,)).fetchone()
            interrupted = [r for r in group if r["status"] == Delivery.SENDING]
            if interrupted and action["kind"] == "reply":
                with self.store.transaction() as db:
                    for r in interrupted:
                        db.execute(
                            "UPDATE deliveries SET status = 'uncertain', detail = ?, updated_at = ? WHERE id = ?",
                            ("envoi interrompu : la réponse est peut-être partie, non renvoyée", _now(), r["id"]),
                        )
                        self._report(
                            int(action["mail_id"]),
                            "reply",
                            r["recipient"],
                            Delivery.UNCERTAIN,
                            Outcome(Verdict.UNCERTAIN, None, "data", "envoi interrompu"),
                            0,
                        )
                    self.settle(action_id)
            elif interrupted:
                self.audit(
                    int(action["mail_id"]), "transfert-repris", "envoi interrompu : renvoyé avec le même Message-ID"
                )
            due = [r for r in group if not (r["status"] == Delivery.SENDING and action["kind"] == "reply")]
            if not due:
                continue
            stored = self.store.db.execute("SELECT * FROM outbox WHERE action_id = ?", (action_id,)).fetchone()
            recipients = [r["recipient"] for r in due]
            with self.store.transaction() as db:
                db.executemany(
                    "UPDATE deliveries SET status = 'sending', updated_at = ? WHERE id = ?",
                    [(_now(), r["id"]) for r in due],
                )
            await self.send(action, stored["sender"], recipients, bytes(stored["message"]))
            sent += len(recipients)
        return sent

    def retry_failed(self, since: datetime | None = None) -> list[Any]:
        """Put final refusals (since a moment) back in the queue, due now; returns what was requeued."""
        cutoff = since.astimezone(UTC).isoformat(timespec="seconds") if since else ""
        rows = self.store.db.execute(
            "SELECT d.*, a.kind, a.mail_id FROM deliveries d JOIN outbox o ON o.action_id = d.action_id"
            " JOIN actions a ON a.id = d.action_id"
            " WHERE d.status = 'failed' AND o.message IS NOT NULL AND d.updated_at >= ? ORDER BY d.id",
            (cutoff,),
        ).fetchall()
        now = self.clock()
        with self.store.transaction() as db:
            for row in rows:
                db.execute(
                    "UPDATE deliveries SET status = 'pending', next_at = 0, first_at = ?, detail = ?, updated_at = ?"
                    " WHERE id = ?",
                    (now, f"nouvel essai demandé (avant : {row['detail']})"[:500], _now(), row["id"]),
                )
                self.audit(int(row["mail_id"]), "nouvel-essai", f"{row['kind']} à {row['recipient']} : renvoi demandé")
            for action_id in {int(r["action_id"]) for r in rows}:
                db.execute("UPDATE actions SET status = 'waiting', updated_at = ? WHERE id = ?", (_now(), action_id))
        return list(rows)
