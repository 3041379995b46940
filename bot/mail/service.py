"""The mailbox service: every mail read once, classified, routed, answered, filed; nothing lost.

Exactly once. Each mail gets a row and its planned actions in one transaction (``_plan``), then each
action moves pending -> (sending) -> done, each step committed before the next starts:
- ``offer``, ``flag``, ``draft`` and ``file`` are idempotent or checked on the server before being
  repeated (a draft is looked up by its Message-ID; a moved mail is no longer in the inbox);
- ``route`` (forward to officers) found ``sending`` after a crash is sent again with the same
  Message-ID: an officer may rarely get it twice, never zero times; the audit log says so;
- ``reply`` (to a student) found ``sending`` after a crash is never sent again: it is marked
  ``uncertain`` and the mail is put up for review. A student never gets two answers.
The mailbox's ``last_uid`` moves in the same transaction as a mail's last action (filing, done for
a batch of mails at once: one UID MOVE per folder, then one commit), so a restart resumes at the
first unfinished mail, however long the service was down; a mail moved but not yet committed is
found gone from the inbox and marked done. A new UIDVALIDITY resets
the UIDs; mails already handled are then recognised by Message-ID (or the digest of their bytes), and
a mail left half-done is taken up again under its new UID (or listed for review when it is gone).

No mail can stop the service (issue 13): whatever fails while one mail is worked (reading,
classifying, building a forward, a command the IMAP server refuses for it) marks that mail for review
with the reason, files it in the review folder and moves on; only a lost connection stops the pass,
to be resumed after reconnecting. Sending goes through ``bot.mail.delivery``: SMTP replies are read by
class, per recipient (4xx retried with backoff, 5xx final and listed, ``mail retry`` to send again).

Automatic answers pass a loop guard: never to an automatic sender (RFC 3834 and osTicket's header
lists), to a mail answering one of StageBot's own Message-IDs, to a sender that is not exactly one
valid address, to the office or an officer; at most one per normalised sender and period, and a
global and a per-domain hourly cap. Each suppression is written in the audit log with its reason.

Mails are never deleted: they are moved to their folder (or given a keyword), and flagged when an
officer must look. One process per database works the mailbox (``bot.mail.lock``).
"""

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.errors import BotError
from bot.mail import outgoing
from bot.mail.delivery import INTERRUPTED, Postman
from bot.mail.headers import clean
from bot.mail.imap import Fetched, Imap, ImapError, ImapRefused, Mailbox
from bot.mail.lock import MailboxLock
from bot.mail.message import Mail, read_mail
from bot.mail.plan import (
    BACKLOG_TARGET,
    KEYWORDS_TARGET,
    REVIEW_FOLDER,
    MailHistory,
    answer_guard,
    outgoing_message_id,
    payload,
    plan_actions,
    reply_refusal,
)
from bot.mail.records import ActionRecord, MailboxState, MailRecord, Records, now_iso
from bot.mail.smtp import Outbox, SmtpOutbox
from bot.mail.states import ActionKind, ActionStatus, DeliveryStatus
from bot.mail.triage import Decision, decide
from bot.offers.pipeline import OfferPipeline
from bot.settings import MailSettings, Settings
from bot.store import Store

log = logging.getLogger("stagebot.mail")

BACKLOG_CHOICES = ("process", "file", "skip")
INLINE_BYTES = 64 * 1024  # mails up to this size are read on the event loop (about 1 ms of CPU)
FILE_BATCH = 25  # mails filed together: one UID MOVE per folder and one commit



@dataclass
class _ToFile:
    """A mail whose every action is done but the filing, waiting for its batch."""

    row: MailRecord
    action: ActionRecord
    folder: str
    review: bool


class NeedsBacklogDecision(BotError):
    """First start on a mailbox that already holds mail: an officer must say what to do with it."""


@dataclass
class Summary:
    """What one pass did, for the officers."""

    categories: Counter[str] = field(default_factory=Counter)
    routed: int = 0
    replied: int = 0
    drafted: int = 0
    review: int = 0
    duplicates: int = 0
    urgent: int = 0
    deferred: int = 0  # sends waiting for another attempt at the end of the pass
    refused: int = 0  # sends refused for good during the pass

    def text(self) -> str:
        """One French paragraph."""
        total = sum(self.categories.values())
        sends = ""
        if self.deferred:
            sends += f" {self.deferred} envoi(s) en attente de nouvel essai (refus temporaire du serveur SMTP)."
        if self.refused:
            sends += f" {self.refused} envoi(s) refusé(s) définitivement : voir « stagebot mail status »."
        if total == 0:
            return "Aucun nouveau mail." + sends
        cats = ", ".join(f"{name} : {count}" for name, count in self.categories.most_common())
        return (
            f"{total} mail(s) traité(s) ({cats}) ; {self.urgent} urgent(s) ; {self.routed} transfert(s) ; "
            f"{self.replied} réponse(s) envoyée(s) ; {self.drafted} réponse(s) en attente de validation ; "
            f"{self.duplicates} doublon(s) ; {self.review} à vérifier." + sends
        )


class Progress(Protocol):
    """What shows progress through a batch (a tqdm bar on the command line)."""

    def start(self, total: int) -> None: ...
    def tick(self) -> None: ...
    def end(self) -> None: ...


def imap_sessions(settings: MailSettings) -> Callable[[], Mailbox]:
    """The real mailbox: a new IMAP session (``bot.mail.imap.Imap``) for each connection."""
    ca_file = str(settings.ca_file) if settings.ca_file else None
    return lambda: Imap(settings.imap_host, settings.imap_port, settings.imap_security, ca_file=ca_file)


class MailService:
    """Works one mailbox with one store.

    The adapters are passed in, as httpx takes a transport: ``mailbox`` makes one ``Mailbox``
    session per connection (default: IMAP with the settings), ``outbox`` sends (default: SMTP with
    the settings), ``clock`` gives epoch seconds for retry delays. In-memory doubles of both
    (tests/mail/memory.py) drive every failure path deterministically.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        today: Callable[[], date] | None = None,
        progress: "Progress | None" = None,
        outbox: Outbox | None = None,
        clock: Callable[[], float] = time.time,
        mailbox: Callable[[], Mailbox] | None = None,
    ) -> None:
        if settings.mail is None:
            raise BotError("Aucune section [mail] dans la configuration : la messagerie n'est pas configurée.")
        self.settings = settings
        self.mail: MailSettings = settings.mail
        self.store = store
        self.records = Records(store)
        self.today = today or (lambda: datetime.now(UTC).date())
        self.progress = progress
        self.imap: Mailbox | None = None
        self.mailbox: Callable[[], Mailbox] = mailbox or imap_sessions(self.mail)
        self.outbox: Outbox = outbox or SmtpOutbox(self.mail)
        self.clock = clock
        self.postman = Postman(self.records, self.outbox, self.mail, clock)
        self.lock = MailboxLock(settings.database)
        self.folders: set[str] = set()
        self.domain = self.mail.address.split("@")[-1]
        self.summary = Summary()
        self.to_file: list[_ToFile] = []
        self.stop: asyncio.Event | None = None  # set on shutdown: stop between two mails
        channels = settings.discord.channels
        self.offers = OfferPipeline(store, self.mail.programme or settings.default_programme, channels)

    # ---- connection -------------------------------------------------------------------------
    async def open(self) -> None:
        """Take the mailbox lock, connect and log in to IMAP."""
        self.lock.acquire()
        password = self.mail.password.get_secret_value() if self.mail.password else ""
        self.imap = self.mailbox()
        await self.imap.connect(self.mail.username, password)

    async def close(self) -> None:
        """Close both connections (the lock is kept: ``release`` gives it back)."""
        await self.outbox.close()
        if self.imap is not None:
            await self.imap.logout()
        self.imap = None

    def release(self) -> None:
        """Give the mailbox lock back."""
        self.lock.release()

    @property
    def _imap(self) -> Mailbox:
        if self.imap is None:
            raise ImapError("Session IMAP non ouverte.")
        return self.imap

    def audit(self, mail_id: int | None, action: str, detail: str) -> None:
        """One line of the audit log (never a mail body)."""
        self.records.audit.add(mail_id, action, detail)

    def answer_guard(self, mail: Mail) -> str | None:
        """Why no automatic answer may go to this mail's sender (loop guard), or None."""
        return answer_guard(mail, self.mail)

    def _stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def _state(self, inbox: str) -> MailboxState:
        state = self.records.mailboxes.get(inbox)
        if state is None:
            raise BotError(f"Boîte {inbox} inconnue de la base de données.")  # written just before: never
        return state

    # ---- one pass ---------------------------------------------------------------------------
    async def work(self, backlog: str | None = None) -> Summary:
        """Finish what a previous run left, then work every new mail once. Needs ``open()``."""
        inbox = self.mail.inbox
        selected = await self._imap.select(inbox)
        state = self.records.mailboxes.get(inbox)
        if state is None:
            state = await self._first_start(inbox, selected.uidvalidity, backlog)
        elif state.uidvalidity != selected.uidvalidity:
            state = self._new_uidvalidity(inbox, state.uidvalidity, selected.uidvalidity)
        for row in self.records.mails.planned(inbox, selected.uidvalidity):
            await self._guarded(inbox, selected.uidvalidity, row.uid, self._finish(row, raw=None))
        await self.postman.flush(self._stopping)
        uids = await self._imap.uids_after(state.last_uid)
        if self.progress is not None:
            self.progress.start(len(uids))
        for uid in uids:
            if self._stopping():
                break  # SIGTERM: the mail in hand was finished; the rest waits for the next start
            await self._guarded(inbox, selected.uidvalidity, uid, self._one(inbox, selected.uidvalidity, uid, state))
            if self.progress is not None:
                self.progress.tick()
        await self._file_pending()
        if self.progress is not None:
            self.progress.end()
        await self.postman.flush(self._stopping)
        await self.outbox.close()
        self._tally()
        return self.summary

    def _tally(self) -> None:
        tally = self.postman.tally
        self.summary.refused = tally.failed
        self.summary.deferred = self.records.deliveries.count(DeliveryStatus.DEFERRED)

    def _new_uidvalidity(self, inbox: str, old: int, new: int) -> MailboxState:
        """UIDs start again: half-done mails wait (``stale``) to be recognised under their new UID."""
        with self.store.transaction():
            self.records.mailboxes.restart(inbox, new)
            stale = self.records.mails.mark_stale(inbox, new)
            self.audit(
                None,
                "uidvalidity",
                f"{inbox} : UIDVALIDITY {old} -> {new} ; les mails déjà traités seront reconnus par leur "
                f"Message-ID ; {stale} mail(s) à moitié traité(s) repris sous leur nouvel UID",
            )
        return self._state(inbox)

    async def _first_start(self, inbox: str, uidvalidity: int, backlog: str | None) -> MailboxState:
        existing = await self._imap.uids_after(0)
        if existing and backlog is None:
            raise NeedsBacklogDecision(
                f"Premier démarrage : la boîte {inbox} contient déjà {len(existing)} mail(s). Relancez avec "
                "--backlog process (tout traiter, réponses comprises), --backlog file (classer et ranger sans "
                "répondre ni transférer) ou --backlog skip (ne traiter que les mails à venir)."
            )
        choice = backlog or "process"
        until = max(existing) if existing else 0
        last = until if choice == "skip" else 0
        with self.store.transaction():
            self.records.mailboxes.add(inbox, uidvalidity, last, choice, until if choice == "file" else 0)
            self.audit(None, "premier-démarrage", f"{inbox} : {len(existing)} mail(s) existant(s), choix « {choice} »")
        return self._state(inbox)

    # ---- one mail, isolated -------------------------------------------------------------------
    async def _guarded(self, inbox: str, uidvalidity: int, uid: int, work: Awaitable[None]) -> None:
        """Run the work on one mail; whatever fails but the connection sets the mail aside for review."""
        try:
            await work
        except ImapError as exc:
            if not isinstance(exc, ImapRefused):
                raise  # the session is gone: the pass stops here and resumes after reconnecting
            await self._set_aside(inbox, uidvalidity, uid, f"refus du serveur IMAP ({exc})")
        except Exception as exc:  # a bug or a hostile mail must not stop the mailbox
            log.exception("mail uid %s : erreur pendant le traitement", uid)
            await self._set_aside(inbox, uidvalidity, uid, f"erreur interne ({type(exc).__name__})")

    async def _set_aside(self, inbox: str, uidvalidity: int, uid: int, reason: str) -> None:
        """Record the failure, flag and file the mail for review if the server lets us; never block."""
        log.warning("mail uid %s mis de côté pour vérification : %s", uid, reason)
        mails, actions = self.records.mails, self.records.actions
        row = mails.at(inbox, uidvalidity, uid)
        with self.store.transaction():
            if row is None:
                mail_id = mails.add(
                    mailbox=inbox,
                    uidvalidity=uidvalidity,
                    uid=uid,
                    message_id=None,
                    digest="",
                    sender="",
                    subject="(illisible)",
                    category="other",
                    urgent=False,
                    programme=self.mail.programme or self.settings.default_programme,
                    decision={"category": "other", "urgent": False, "problems": [f"Traitement impossible : {reason}."]},
                    review=True,
                    received_at=now_iso(),
                )
            else:
                mail_id = row.id
                mails.set_review(mail_id)
                actions.fail_open(mail_id, f"non fait : {reason}")
            self.audit(mail_id, "mis-de-côté", reason)
        folder = self.mail.folders.get("review", REVIEW_FOLDER)
        moved = ""
        try:
            if self.mail.filing == "move" and await self._imap.has_uid(uid):
                await self._imap.ensure_folder(folder, self.folders)
                await self._imap.add_flags(uid, "\\Flagged")
                await self._imap.move(uid, folder)
                moved = folder
            elif await self._imap.has_uid(uid):
                await self._imap.add_flags(uid, "\\Flagged StageBot-review")
        except ImapRefused as exc:
            moved = f"laissé dans {inbox} ({exc})"
        with self.store.transaction():
            actions.finish_filing(mail_id, moved)
            self._complete(mail_id, inbox, uidvalidity, uid, moved or KEYWORDS_TARGET)
        self.summary.review += 1
        self.summary.categories["other" if row is None else row.category] += 1

    def _complete(self, mail_id: int, inbox: str, uidvalidity: int, uid: int, where: str) -> None:
        """The mail is finished and the mailbox's ``last_uid`` moves (inside the caller's transaction)."""
        self.records.mails.finish(mail_id)
        self.records.mailboxes.advance(inbox, uidvalidity, uid)
        self.audit(mail_id, "rangé", where)

    async def _one(self, inbox: str, uidvalidity: int, uid: int, state: MailboxState) -> None:
        fetched = await self._imap.fetch(uid, self.mail.max_bytes)
        if fetched is None:  # gone between SEARCH and FETCH (moved by someone): nothing to do
            return
        # Reading (MIME, charsets, HTML) and classifying a large mail is CPU work: off the event
        # loop, so IDLE, keepalives and Discord keep running meanwhile. A usual mail takes about a
        # millisecond: the hop to a thread would cost more than it saves.
        if len(fetched.raw) > INLINE_BYTES:
            mail, decision = await asyncio.to_thread(self._read_and_decide, fetched)
        else:
            mail, decision = self._read_and_decide(fetched)
        adopted = self._adopt(inbox, uidvalidity, uid, mail)
        if adopted is not None:
            await self._finish(adopted, raw=fetched.raw)
            return
        row = self._plan(inbox, uidvalidity, uid, mail, decision, quiet=uid <= state.backlog_until)
        await self._finish(row, raw=fetched.raw)

    def _read_and_decide(self, fetched: Fetched) -> tuple[Mail, Decision]:
        """Read a mail and decide what to do with it (in a worker thread); never raises for the mail."""
        mail = read_mail(
            fetched.raw, max_bytes=self.mail.max_bytes, own=self.mail.own_addresses, max_text=self.mail.max_text_chars
        )
        if fetched.header_only:
            mail = _with_problem(
                mail,
                f"Mail trop volumineux ({fetched.size} octets, limite {self.mail.max_bytes}) : seuls les en-têtes "
                "ont été lus ; il est conservé dans la boîte pour lecture humaine.",
            )
        try:
            return mail, decide(mail, self.mail, self.settings.default_programme, self.today())
        except Exception:  # a bug must not block the mailbox on one mail: keep it for an officer
            log.exception("classement impossible du mail uid %s", fetched.uid)
            mail = _with_problem(mail, "Classement impossible (erreur interne) : mail conservé pour lecture humaine.")
            return mail, Decision(
                category="other",
                urgent=False,
                route_to=(),
                auto_reply=None,
                reasons=("erreur interne de classement",),
                offer=None,
                programme=self.mail.programme or self.settings.default_programme,
                problems=mail.problems,
            )

    def _adopt(self, inbox: str, uidvalidity: int, uid: int, mail: Mail) -> MailRecord | None:
        """A mail left half-done before a UIDVALIDITY change, found again: resume it under its new UID."""
        mails = self.records.mails
        with self.store.transaction():
            stale = mails.stale(inbox, mail.message_id, mail.digest)
            if stale is None:
                return None
            mails.adopt(stale.id, uidvalidity, uid)
            self.audit(stale.id, "repris", f"uid {stale.uid} -> {uid} après changement d'UIDVALIDITY")
        return mails.get(stale.id)

    # ---- planning -----------------------------------------------------------------------------
    def _plan(
        self, inbox: str, uidvalidity: int, uid: int, mail: Mail, decision: Decision, *, quiet: bool
    ) -> MailRecord:
        """Record the mail, its actions (``plan_actions``) and why anything was left out, in one transaction."""
        mails = self.records.mails
        with self.store.transaction():
            finishing = [i.row.id for i in self.to_file]  # finished but for the filing
            twin = mails.twin(inbox, mail.message_id, mail.digest, finishing)
            plan = plan_actions(mail, decision, self.mail, MailHistory(twin=twin, backlog=quiet))
            mail_id = mails.add(
                mailbox=inbox,
                uidvalidity=uidvalidity,
                uid=uid,
                message_id=mail.message_id,
                digest=mail.digest,
                sender=mail.sender,
                subject=clean(mail.subject, 300),
                category=decision.category,
                urgent=decision.urgent,
                programme=decision.programme,
                decision=payload(mail, decision),
                review=plan.review,
                received_at=now_iso(),
            )
            for note in plan.notes:
                self.audit(mail_id, note.action, note.detail)
            for position, action in enumerate(plan.actions):
                message_id = outgoing_message_id(mail_id, action.kind, self.domain)
                self.records.actions.add(mail_id, position, action.kind, action.target, message_id)
            reasons = "; ".join(decision.reasons[:3])
            self.audit(
                mail_id, "classé", f"uid {uid} : {decision.category}{' URGENT' if decision.urgent else ''} ({reasons})"
            )
        if twin is not None:
            self.summary.duplicates += 1
        return mails.get(mail_id)

    # ---- doing the actions --------------------------------------------------------------------
    async def _finish(self, mail_row: MailRecord, raw: bytes | None) -> None:
        fresh = raw is not None  # fetched in this pass: known to be in the mailbox
        decision = json.loads(mail_row.decision)
        for action in self.records.actions.open(mail_row.id):
            kind = action.kind
            if kind.sends_mail and raw is None:
                fetched = await self._imap.fetch(mail_row.uid, self.mail.max_bytes)
                raw = fetched.raw if fetched else b""
            if kind is ActionKind.FILE:
                await self._file(mail_row, action, fresh=fresh)  # last: its failure sets the mail aside
                continue
            try:
                await self._act(mail_row, decision, action, raw or b"", fresh=fresh)
            except ImapError as exc:
                if not isinstance(exc, ImapRefused):
                    raise
                self._fail(mail_row, action, f"refus du serveur IMAP ({exc})")
            except Exception as exc:  # one action failing must not stop the others, nor the mailbox
                log.exception("mail #%s : action %s impossible", mail_row.id, kind)
                self._fail(mail_row, action, f"erreur interne ({type(exc).__name__})")
        self._count(mail_row, decision)

    async def _act(
        self, mail_row: MailRecord, decision: dict[str, Any], action: ActionRecord, raw: bytes, *, fresh: bool
    ) -> None:
        kind = action.kind
        if kind is ActionKind.OFFER:
            self._store_offer(mail_row, decision, action)
        elif kind is ActionKind.ROUTE:
            await self._route(mail_row, decision, action, raw)
        elif kind is ActionKind.REPLY:
            await self._reply(mail_row, decision, action)
        elif kind is ActionKind.DRAFT:
            await self._draft(decision, action)
        elif kind is ActionKind.FLAG:
            if fresh or await self._imap.has_uid(mail_row.uid):
                await self._imap.add_flags(mail_row.uid, action.target)
            self._set(action, ActionStatus.DONE)

    def _set(self, action: ActionRecord, status: ActionStatus, detail: str = "") -> None:
        self.records.actions.set(action.id, status, detail)

    def _fail(self, mail_row: MailRecord, action: ActionRecord, detail: str) -> None:
        log.warning("mail #%s : %s en échec : %s", mail_row.id, action.kind, detail)
        with self.store.transaction():
            self._set(action, ActionStatus.FAILED, detail)
            self.records.mails.set_review(mail_row.id)
            self.audit(mail_row.id, f"échec-{action.kind}", detail)

    def _store_offer(self, mail_row: MailRecord, decision: dict[str, Any], action: ActionRecord) -> None:
        mail_id = mail_row.id
        result = self.offers.submit(
            decision["offer_text"],
            today=self.today(),
            source="mail",
            subject=decision["subject"],
            sender=mail_row.sender,
            mail_id=mail_id,
            quiet=action.target == BACKLOG_TARGET,
            office=self.mail.own_addresses,
        )
        with self.store.transaction():
            self._set(action, ActionStatus.DONE, f"{result.status} {result.fingerprint}")
            self.audit(mail_id, "offre", f"{result.offer.kind} « {result.offer.title[:80]} » : {result.status}")

    def _forward_bytes(self, decision: dict[str, Any], action: ActionRecord, raw: bytes) -> bytes:
        flag = " URGENT" if decision["urgent"] else ""
        body = [decision["summary"], ""]
        if decision["problems"]:
            body += [f"Attention : {p}" for p in decision["problems"]] + [""]
        if decision.get("reply_to"):
            body.append(f"Répondre à ce message répond directement à {decision['reply_to']}.")
        body.append("Le mail d'origine est joint tel quel." if raw else "Le mail d'origine est resté dans la boîte.")
        return outgoing.forward(
            office=self.mail.address,
            recipients=_recipients(action),
            reply_to=decision.get("reply_to") or "",
            subject=f"[StageBot {decision['category']}{flag}] {decision['subject']}"[:250],
            message_id=action.message_id or "",
            category=decision["category"],
            text="\n".join(body),
            raw=raw,
        )

    async def _route(self, mail_row: MailRecord, decision: dict[str, Any], action: ActionRecord, raw: bytes) -> None:
        # Built before "sending" (a failure here is the mail's), off the loop (it scans the original).
        data = await asyncio.to_thread(self._forward_bytes, decision, action, raw)
        if action.status is ActionStatus.SENDING:
            self.audit(mail_row.id, "transfert-repris", "envoi interrompu : renvoyé avec le même Message-ID")
        todo = self.postman.prepare(action, _recipients(action))
        await self.postman.send(action, self.mail.address, todo, data)

    def _answer_bytes(self, decision: dict[str, Any], message_id: str) -> bytes:
        return outgoing.answer(
            office=self.mail.address,
            to=decision["reply_to"],
            subject=decision["subject"] or "votre question",
            message_id=message_id,
            in_reply_to=decision["in_reply_to"],
            references=decision["references"],
            text=decision["auto_reply"],
        )

    async def _reply(self, mail_row: MailRecord, decision: dict[str, Any], action: ActionRecord) -> None:
        mail_id = mail_row.id
        if action.status is ActionStatus.SENDING:
            # The answer may have left: never send a second one.
            with self.store.transaction():
                self._set(action, ActionStatus.UNCERTAIN, INTERRUPTED)
                self.records.deliveries.all_uncertain(action.id)
                self.records.mails.set_review(mail_id)
                self.audit(mail_id, "réponse-incertaine", "envoi interrompu ; non renvoyée ; à vérifier")
            return
        sender = action.target
        data = self._answer_bytes(decision, action.message_id or "")
        with self.store.transaction():
            history = self.records.replies.history(sender, self.mail.reply_period_hours)
            why_not = reply_refusal(sender, history, self.mail)
            if why_not is not None:
                self._set(action, ActionStatus.SKIPPED, why_not)
                self.audit(mail_id, "réponse-évitée", why_not)
                return
            self.records.replies.add(sender, mail_id)
            todo = self.postman.prepare_in(action, [sender])  # the slot and "sending" land together
        await self.postman.send(action, self.mail.address, todo, data)

    async def _draft(self, decision: dict[str, Any], action: ActionRecord) -> None:
        folder = self.mail.drafts_folder
        message_id = action.message_id or ""
        await self._imap.ensure_folder(folder, self.folders)
        if action.status is ActionStatus.SENDING and await self._imap.contains_message_id(
            folder, message_id, self.mail.inbox
        ):
            self._set(action, ActionStatus.DONE, "déjà déposée")
            return
        message = self._answer_bytes(decision, message_id)
        self._set(action, ActionStatus.SENDING)
        await self._imap.append(message, folder, "\\Draft \\Seen")
        self._set(action, ActionStatus.DONE)
        self.audit(action.mail_id, "brouillon", f"réponse à valider déposée dans {folder}")

    async def _file(self, mail_row: MailRecord, action: ActionRecord, *, fresh: bool = False) -> None:
        """Move (or keep with a keyword) and finish the mail; last action.

        A mail fetched in this pass joins a batch filed with one UID MOVE per folder and one commit
        (``_file_pending``). A crash between the MOVE and the commit leaves the mail planned with only
        this action to do: it is then found gone from the inbox and marked done, not moved twice.
        """
        uid = mail_row.uid
        review = self.records.mails.needs_review(mail_row.id)
        folder = self.mail.folders.get("review", REVIEW_FOLDER) if review else action.target
        if fresh:
            self.to_file.append(_ToFile(mail_row, action, folder, review))
            if len(self.to_file) >= FILE_BATCH:
                await self._file_pending()
            return
        if self.mail.filing == "move" and await self._imap.has_uid(uid):
            await self._imap.ensure_folder(folder, self.folders)
            if review:
                await self._imap.add_flags(uid, "\\Flagged")
            await self._imap.move(uid, folder)
        with self.store.transaction():
            self._set(action, ActionStatus.DONE, folder)
            self._complete(mail_row.id, mail_row.mailbox, mail_row.uidvalidity, uid, folder)

    async def _file_pending(self) -> None:
        """File the batch: per folder one UID MOVE (flags first), then one commit for all."""
        pending, self.to_file = self.to_file, []
        filed: list[_ToFile] = []
        groups: dict[str, list[_ToFile]] = {}
        for item in pending:
            groups.setdefault(item.folder, []).append(item)
        for folder, items in groups.items():
            uids = [i.row.uid for i in items]
            try:
                if self.mail.filing == "move":
                    await self._imap.ensure_folder(folder, self.folders)
                    flagged = [i.row.uid for i in items if i.review]
                    if flagged:
                        await self._imap.add_flags(flagged, "\\Flagged")
                    await self._imap.move(uids, folder)
            except ImapRefused:  # one by one, so one refused mail is set aside and the others filed
                for item in items:
                    row = item.row
                    await self._guarded(row.mailbox, row.uidvalidity, row.uid, self._file(row, item.action))
                continue
            filed += items
        if not filed:
            return
        with self.store.transaction():
            for item in filed:
                row = item.row
                self._set(item.action, ActionStatus.DONE, item.folder)
                self._complete(row.id, row.mailbox, row.uidvalidity, row.uid, item.folder)

    def _count(self, mail_row: MailRecord, decision: dict[str, Any]) -> None:
        statuses = self.records.actions.statuses(mail_row.id)
        s = self.summary
        s.categories[decision["category"]] += 1
        s.urgent += int(decision["urgent"])
        s.routed += int(statuses.get(ActionKind.ROUTE) in {ActionStatus.DONE, ActionStatus.WAITING})
        s.replied += int(statuses.get(ActionKind.REPLY) == ActionStatus.DONE)
        s.drafted += int(statuses.get(ActionKind.DRAFT) == ActionStatus.DONE)
        s.review += int(self.records.mails.needs_review(mail_row.id))

    # ---- between passes -------------------------------------------------------------------------
    def seconds_to_next_send(self) -> float | None:
        """How long until a deferred send is due (0 when one is due now), or None."""
        due = self.postman.next_due()
        return None if due is None else max(0.0, due - self.clock())


def _recipients(action: ActionRecord) -> list[str]:
    """The officers a forward goes to (its target: addresses separated by commas)."""
    return [a.strip() for a in action.target.split(",")]


def _with_problem(mail: Mail, problem: str) -> Mail:
    return replace(mail, problems=(*mail.problems, problem))


@dataclass
class RetryReport:
    """What ``stagebot mail retry`` did."""

    requeued: list[dict[str, Any]]
    sent_now: bool
    delivered: int = 0
    deferred: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, Any]:
        """The machine-readable report."""
        return {
            "requeued": self.requeued,
            "sent_now": self.sent_now,
            "delivered": self.delivered,
            "deferred": self.deferred,
            "failed": self.failed,
        }

    def text(self) -> str:
        """One French paragraph."""
        if not self.requeued:
            return "Aucun envoi refusé définitivement à renvoyer."
        head = f"{len(self.requeued)} envoi(s) refusé(s) remis en file d'attente."
        if not self.sent_now:
            return head + " Le service de messagerie en cours les enverra à son prochain passage."
        return (
            f"{head} Renvoyés maintenant : {self.delivered} accepté(s), {self.deferred} refusé(s) temporairement "
            f"(nouvel essai plus tard), {self.failed} refusé(s) de nouveau définitivement."
        )


async def retry(service: MailService, since: date | datetime | None = None) -> RetryReport:
    """``stagebot mail retry``: final refusals back in the queue, sent now unless a service runs."""
    if isinstance(since, date) and not isinstance(since, datetime):
        since = datetime.combine(since, datetime.min.time(), tzinfo=ZoneInfo(service.settings.timezone))
    rows = service.postman.retry_failed(since)
    report = RetryReport(
        [{"mail_id": r.mail_id, "kind": str(r.kind), "recipient": r.recipient, "code": r.code} for r in rows],
        sent_now=False,
    )
    if not rows:
        return report
    try:
        service.lock.acquire()
    except BotError:
        return report  # `mail run` holds the mailbox: it sends them at its next pass
    try:
        before = replace(service.postman.tally)
        await service.postman.flush()
        await service.outbox.close()
        tally = service.postman.tally
        report.sent_now = True
        report.delivered = tally.delivered - before.delivered
        report.deferred = tally.deferred - before.deferred
        report.failed = tally.failed - before.failed
    finally:
        service.release()
    return report


async def run_once(service: MailService, backlog: str | None) -> Summary:
    """Open, work the backlog once, close."""
    try:
        await service.open()
        return await service.work(backlog)
    finally:
        await service.close()
        service.release()


async def _wait(service: MailService, idle: bool, stop: asyncio.Event) -> bool:
    """Wait for news, a due send, the keepalive period or the stop; False when stopping.

    Under IDLE, IDLE is renewed at ``keepalive_seconds`` (RFC 2177: before 29 minutes) and a NOOP
    checks the connection; without IDLE the mailbox is polled every ``poll_seconds``.
    """
    period = service.mail.keepalive_seconds if idle else float(service.mail.poll_seconds)
    due = service.seconds_to_next_send()
    seconds = max(0.05, min(period, due)) if due is not None else period
    imap = service._imap
    waiter = asyncio.ensure_future(imap.wait_for_news(seconds) if idle else asyncio.sleep(seconds))
    stopper = asyncio.ensure_future(stop.wait())
    lost = asyncio.ensure_future(imap.lost.wait())
    try:
        done, _ = await asyncio.wait({waiter, stopper, lost}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        lost.cancel()
    if waiter not in done:
        waiter.cancel()
        with contextlib.suppress(BaseException):
            await waiter
        if stop.is_set():
            return False
        raise ImapError("Connexion IMAP perdue pendant l'attente.")
    news = waiter.result()
    if not news:
        await imap.noop()  # keepalive; a dead server is noticed here within LIVENESS_SECONDS
    return True


async def run_forever(service: MailService, backlog: str | None, stop: asyncio.Event) -> None:
    """Keep watching: IDLE where offered, polling otherwise; reconnect with backoff after a failure."""
    delay = 1.0
    service.stop = stop
    try:
        service.lock.acquire()
        while not stop.is_set():
            try:
                await service.open()
                selected = await service._imap.select(service.mail.inbox)
                while not stop.is_set():
                    await service.work(backlog)
                    backlog = None
                    delay = 1.0
                    if not await _wait(service, selected.idle, stop):
                        break
            except ImapError as exc:
                log.warning("messagerie interrompue : %s ; nouvel essai dans %.0f s", exc, delay)
                await service.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, service.mail.reconnect_max_seconds)
                continue
            await service.close()
    finally:
        await service.close()
        service.release()
