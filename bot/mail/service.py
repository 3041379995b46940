"""The mailbox service: every mail read once, classified, routed, answered, filed; nothing lost.

Exactly once. Each mail gets a row and its planned actions in one transaction (``plan``), then each
action moves pending -> (sending) -> done, each step committed before the next starts:
- ``offer``, ``flag``, ``draft`` and ``file`` are idempotent or checked on the server before being
  repeated (a draft is looked up by its Message-ID; a moved mail is no longer in the inbox);
- ``route`` (forward to officers) found ``sending`` after a crash is sent again with the same
  Message-ID: an officer may rarely get it twice, never zero times; the audit log says so;
- ``reply`` (to a student) found ``sending`` after a crash is never sent again: it is marked
  ``uncertain`` and the mail is put up for review. A student never gets two answers.
The mailbox's ``last_uid`` moves in the same transaction as a mail's last action, so a restart
resumes at the first unfinished mail, however long the service was down. A new UIDVALIDITY resets
the UIDs; mails already handled are then recognised by Message-ID (or the digest of their bytes).

Mails are never deleted: they are moved to their folder (or given a keyword), and flagged when an
officer must look.
"""

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.mime.message import MIMEMessage
from typing import Any, Protocol

import aiosmtplib

from bot.errors import BotError, ServiceError
from bot.mail.imap import Imap, ImapError
from bot.mail.message import Mail, read_mail
from bot.mail.triage import Decision, decide
from bot.offers.pipeline import OfferPipeline
from bot.settings import MailSettings, Settings
from bot.store import Store

log = logging.getLogger("stagebot.mail")

BACKLOG_CHOICES = ("process", "file", "skip")


class NeedsBacklogDecision(BotError):
    """First start on a mailbox that already holds mail: an officer must say what to do with it."""


class SmtpTemporaryError(ServiceError):
    """The SMTP server is unreachable or answered 4xx: retry later."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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

    def text(self) -> str:
        """One French paragraph."""
        total = sum(self.categories.values())
        if total == 0:
            return "Aucun nouveau mail."
        cats = ", ".join(f"{name} : {count}" for name, count in self.categories.most_common())
        return (
            f"{total} mail(s) traité(s) ({cats}) ; {self.urgent} urgent(s) ; {self.routed} transfert(s) ; "
            f"{self.replied} réponse(s) envoyée(s) ; {self.drafted} réponse(s) en attente de validation ; "
            f"{self.duplicates} doublon(s) ; {self.review} à vérifier."
        )


class Smtp:
    """One SMTP connection, opened on first use and reused for a batch."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage) -> dict[str, Any]:
        """Send; returns the recipients refused while others accepted. Raises SmtpTemporaryError or
        aiosmtplib's permanent errors (all recipients refused, 5xx)."""
        try:
            if self.client is None or not self.client.is_connected:
                s = self.settings
                self.client = aiosmtplib.SMTP(
                    hostname=s.smtp_host,
                    port=s.smtp_port,
                    use_tls=s.smtp_security == "tls",
                    start_tls=s.smtp_security == "starttls",
                    cert_bundle=str(s.ca_file) if s.ca_file else None,
                    timeout=30,
                )
                await self.client.connect()
                if s.smtp_username:
                    password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                    await self.client.login(s.smtp_username, password)
            refused, _ = await self.client.send_message(message)
            return dict(refused)
        except aiosmtplib.SMTPRecipientsRefused:
            raise
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500:
                raise SmtpTemporaryError(f"Serveur SMTP momentanément indisponible ({exc.code}).") from None
            raise
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self.client = None
            raise SmtpTemporaryError(f"Serveur SMTP injoignable ({type(exc).__name__}).") from None

    async def close(self) -> None:
        """Quit politely."""
        if self.client is not None and self.client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await self.client.quit()
        self.client = None


class Progress(Protocol):
    """What shows progress through a batch (a tqdm bar on the command line)."""

    def start(self, total: int) -> None: ...
    def tick(self) -> None: ...
    def end(self) -> None: ...


class MailService:
    """Works one mailbox with one store."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        today: Callable[[], date] | None = None,
        progress: "Progress | None" = None,
    ) -> None:
        if settings.mail is None:
            raise BotError("Aucune section [mail] dans la configuration : la messagerie n'est pas configurée.")
        self.settings = settings
        self.mail: MailSettings = settings.mail
        self.store = store
        self.today = today or (lambda: datetime.now(UTC).date())
        self.progress = progress
        self.imap: Imap | None = None
        self.smtp = Smtp(self.mail)
        self.folders: set[str] = set()
        self.domain = self.mail.address.split("@")[-1]
        self.summary = Summary()
        self.stop: asyncio.Event | None = None  # set on shutdown: stop between two mails
        channels = settings.discord.channels
        self.offers = OfferPipeline(store, self.mail.programme or settings.default_programme, channels)

    # ---- connection -------------------------------------------------------------------------
    async def open(self) -> None:
        """Connect and log in to IMAP."""
        password = self.mail.password.get_secret_value() if self.mail.password else ""
        ca_file = str(self.mail.ca_file) if self.mail.ca_file else None
        self.imap = Imap(self.mail.imap_host, self.mail.imap_port, self.mail.imap_security, ca_file=ca_file)
        await self.imap.connect(self.mail.username, password)

    async def close(self) -> None:
        """Close both connections."""
        await self.smtp.close()
        if self.imap is not None:
            await self.imap.logout()
        self.imap = None

    @property
    def _imap(self) -> Imap:
        if self.imap is None:
            raise ImapError("Session IMAP non ouverte.")
        return self.imap

    def audit(self, mail_id: int | None, action: str, detail: str) -> None:
        """One line of the audit log (never a mail body)."""
        self.store.db.execute(
            "INSERT INTO audit (at, mail_id, action, detail) VALUES (?, ?, ?, ?)", (_now(), mail_id, action, detail)
        )

    # ---- one pass ---------------------------------------------------------------------------
    async def work(self, backlog: str | None = None) -> Summary:
        """Finish what a previous run left, then work every new mail once. Needs ``open()``."""
        inbox = self.mail.inbox
        selected = await self._imap.select(inbox)
        state = self.store.db.execute("SELECT * FROM mailboxes WHERE mailbox = ?", (inbox,)).fetchone()
        if state is None:
            state = await self._first_start(inbox, selected.uidvalidity, backlog)
        elif state["uidvalidity"] != selected.uidvalidity:
            with self.store.transaction() as db:
                db.execute(
                    "UPDATE mailboxes SET uidvalidity = ?, last_uid = 0, backlog_until = 0 WHERE mailbox = ?",
                    (selected.uidvalidity, inbox),
                )
                self.audit(
                    None,
                    "uidvalidity",
                    f"{inbox} : UIDVALIDITY {state['uidvalidity']} -> {selected.uidvalidity} ; "
                    "les mails déjà traités seront reconnus par leur Message-ID",
                )
            state = self.store.db.execute("SELECT * FROM mailboxes WHERE mailbox = ?", (inbox,)).fetchone()
        unfinished = self.store.db.execute(
            "SELECT * FROM mails WHERE mailbox = ? AND uidvalidity = ? AND state = 'planned' ORDER BY uid",
            (inbox, selected.uidvalidity),
        ).fetchall()
        for row in unfinished:
            await self._finish(row, raw=None)
        uids = await self._imap.uids_after(int(state["last_uid"]))
        if self.progress is not None:
            self.progress.start(len(uids))
        for uid in uids:
            if self.stop is not None and self.stop.is_set():
                break  # SIGTERM: the mail in hand was finished; the rest waits for the next start
            await self._one(inbox, selected.uidvalidity, uid, int(state["backlog_until"]))
            if self.progress is not None:
                self.progress.tick()
        if self.progress is not None:
            self.progress.end()
        await self.smtp.close()
        return self.summary

    async def _first_start(self, inbox: str, uidvalidity: int, backlog: str | None) -> Any:
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
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO mailboxes (mailbox, uidvalidity, last_uid, backlog, backlog_until, started_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (inbox, uidvalidity, last, choice, until if choice == "file" else 0, _now()),
            )
            self.audit(None, "premier-démarrage", f"{inbox} : {len(existing)} mail(s) existant(s), choix « {choice} »")
        return self.store.db.execute("SELECT * FROM mailboxes WHERE mailbox = ?", (inbox,)).fetchone()

    async def _one(self, inbox: str, uidvalidity: int, uid: int, backlog_until: int) -> None:
        fetched = await self._imap.fetch(uid, self.mail.max_bytes)
        if fetched is None:  # gone between SEARCH and FETCH (moved by someone): nothing to do
            return
        mail = read_mail(fetched.raw, max_bytes=self.mail.max_bytes, own=self.mail.own_addresses)
        if fetched.header_only:
            mail = _with_problem(
                mail,
                f"Mail trop volumineux ({fetched.size} octets, limite {self.mail.max_bytes}) : seuls les en-têtes "
                "ont été lus ; il est conservé dans la boîte pour lecture humaine.",
            )
        try:
            decision = decide(mail, self.mail, self.settings.default_programme, self.today())
        except Exception:  # a bug must not block the mailbox on one mail: keep it for an officer
            log.exception("classement impossible du mail uid %s", uid)
            mail = _with_problem(mail, "Classement impossible (erreur interne) : mail conservé pour lecture humaine.")
            decision = Decision(
                category="other",
                urgent=False,
                route_to=(),
                auto_reply=None,
                reasons=("erreur interne de classement",),
                offer=None,
                programme=self.mail.programme or self.settings.default_programme,
                problems=mail.problems,
            )
        row = self._plan(inbox, uidvalidity, uid, mail, decision, quiet=uid <= backlog_until)
        await self._finish(row, raw=fetched.raw)

    def _plan(self, inbox: str, uidvalidity: int, uid: int, mail: Mail, decision: Decision, *, quiet: bool) -> Any:
        """Record the mail and its actions in one transaction."""
        now = _now()
        key, value = ("message_id", mail.message_id) if mail.message_id else ("digest", mail.digest)
        with self.store.transaction() as db:
            twin = db.execute(
                f"SELECT id FROM mails WHERE mailbox = ? AND {key} = ? AND state = 'done'",  # noqa: S608 - key is one of two literals
                (inbox, value),
            ).fetchone()
            review = int(bool(mail.problems))
            cursor = db.execute(
                "INSERT INTO mails (mailbox, uidvalidity, uid, message_id, digest, sender, subject, category, urgent,"
                " programme, decision, state, review, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,'planned',?,?)",
                (
                    inbox,
                    uidvalidity,
                    uid,
                    mail.message_id,
                    mail.digest,
                    mail.sender,
                    mail.subject[:300],
                    decision.category,
                    int(decision.urgent),
                    decision.programme,
                    json.dumps(
                        {
                            **decision.as_json(),
                            "summary": decision.summary(),
                            "sender_name": mail.sender_name,
                            "in_reply_to": mail.message_id,
                            "references": list(mail.references),
                            "reply_to": mail.sender,
                            "subject": mail.subject,
                            "offer_text": mail.offer_text if decision.offer else None,
                        },
                        ensure_ascii=False,
                    ),
                    review,
                    now,
                ),
            )
            mail_id = int(cursor.lastrowid or 0)
            actions: list[tuple[str, str]] = []
            if twin is not None:
                self.audit(mail_id, "doublon", f"même mail que #{twin['id']} : seulement rangé")
            elif not quiet:
                if decision.offer is not None:
                    actions.append(("offer", decision.offer.fingerprint))
                if decision.route_to:
                    actions.append(("route", ", ".join(decision.route_to)))
                if decision.auto_reply:
                    actions.append(("reply" if self.mail.mode == "send" else "draft", mail.sender))
            else:
                self.audit(mail_id, "arriéré", "mail présent au premier démarrage : rangé sans transfert ni réponse")
                if decision.offer is not None:
                    actions.append(("offer", "backlog"))
            if decision.urgent or review or self.mail.filing == "keywords":
                actions.append(("flag", self._flags(decision, review=bool(review))))
            if self.mail.filing == "move":
                actions.append(("file", self.mail.folders.get(decision.category, "Triage/Autres")))
            else:
                actions.append(("file", "(mot-clé)"))
            for position, (kind, target) in enumerate(actions):
                message_id = (
                    f"<stagebot.{mail_id}.{kind}@{self.domain}>" if kind in {"route", "reply", "draft"} else None
                )
                db.execute(
                    "INSERT INTO actions (mail_id, position, kind, status, target, message_id, updated_at)"
                    " VALUES (?, ?, ?, 'pending', ?, ?, ?)",
                    (mail_id, position, kind, target, message_id, now),
                )
            reasons = "; ".join(decision.reasons[:3])
            self.audit(
                mail_id, "classé", f"uid {uid} : {decision.category}{' URGENT' if decision.urgent else ''} ({reasons})"
            )
        if twin is not None:
            self.summary.duplicates += 1
        return db.execute("SELECT * FROM mails WHERE id = ?", (mail_id,)).fetchone()

    def _flags(self, decision: Decision, *, review: bool) -> str:
        flags = []
        if decision.urgent or review:
            flags.append("\\Flagged")
        if self.mail.filing == "keywords":
            flags.append(f"StageBot-{decision.category}")
        return " ".join(flags) or "StageBot"

    # ---- doing the actions --------------------------------------------------------------------
    async def _finish(self, mail_row: Any, raw: bytes | None) -> None:
        mail_id = int(mail_row["id"])
        decision = json.loads(mail_row["decision"])
        actions = self.store.db.execute(
            "SELECT * FROM actions WHERE mail_id = ? AND status IN ('pending', 'sending') ORDER BY position", (mail_id,)
        ).fetchall()
        for action in actions:
            kind = action["kind"]
            if kind in {"route", "reply", "draft"} and raw is None:
                fetched = await self._imap.fetch(int(mail_row["uid"]), self.mail.max_bytes)
                raw = fetched.raw if fetched else b""
            if kind == "offer":
                self._store_offer(mail_row, decision, action)
            elif kind == "route":
                await self._route(mail_row, decision, action, raw or b"")
            elif kind == "reply":
                await self._reply(mail_row, decision, action)
            elif kind == "draft":
                await self._draft(decision, action)
            elif kind == "flag":
                if await self._imap.has_uid(int(mail_row["uid"])):
                    await self._imap.add_flags(int(mail_row["uid"]), action["target"])
                self._set(action, "done")
            elif kind == "file":
                await self._file(mail_row, action)
        self._count(mail_row, decision)

    def _set(self, action: Any, status: str, detail: str = "") -> None:
        self.store.db.execute(
            "UPDATE actions SET status = ?, detail = ?, updated_at = ? WHERE id = ?",
            (status, detail, _now(), action["id"]),
        )

    def _store_offer(self, mail_row: Any, decision: dict[str, Any], action: Any) -> None:
        mail_id = int(mail_row["id"])
        result = self.offers.submit(
            decision["offer_text"],
            today=self.today(),
            source="mail",
            subject=decision["subject"],
            sender=mail_row["sender"],
            mail_id=mail_id,
            quiet=action["target"] == "backlog",
            office=self.mail.own_addresses,
        )
        with self.store.transaction():
            self._set(action, "done", f"{result.status} {result.fingerprint}")
            self.audit(mail_id, "offre", f"{result.offer.kind} « {result.offer.title[:80]} » : {result.status}")

    async def _route(self, mail_row: Any, decision: dict[str, Any], action: Any, raw: bytes) -> None:
        mail_id = int(mail_row["id"])
        if action["status"] == "sending":
            self.audit(mail_id, "transfert-repris", "envoi interrompu : renvoyé avec le même Message-ID")
        message = EmailMessage()
        message["From"] = self.mail.address
        message["To"] = action["target"]
        flag = " URGENT" if decision["urgent"] else ""
        message["Subject"] = f"[StageBot {decision['category']}{flag}] {decision['subject']}"[:250]
        message["Message-ID"] = action["message_id"]
        message["Auto-Submitted"] = "auto-generated"
        message["X-StageBot-Category"] = decision["category"]
        body = [decision["summary"], ""]
        if decision["problems"]:
            body += [f"Attention : {p}" for p in decision["problems"]] + [""]
        body.append("Le mail d'origine est joint tel quel." if raw else "Le mail d'origine est resté dans la boîte.")
        message.set_content("\n".join(body))
        if raw:
            message.make_mixed()
            message.attach(MIMEMessage(message_from_bytes(raw, policy=policy.compat32)))
        self._set(action, "sending")
        try:
            refused = await self.smtp.send(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            self._fail(
                mail_row, action, f"tous les destinataires refusés : {', '.join(r.recipient for r in exc.recipients)}"
            )
            return
        except aiosmtplib.SMTPResponseException as exc:
            self._fail(mail_row, action, f"refus du serveur SMTP ({exc.code})")
            return
        detail = f"refusés : {', '.join(refused)}" if refused else ""
        with self.store.transaction():
            self._set(action, "done", detail)
            self.audit(mail_id, "transfert", f"à {action['target']}" + (f" ; {detail}" if detail else ""))
            if refused:
                self.store.db.execute("UPDATE mails SET review = 1 WHERE id = ?", (mail_id,))

    def _fail(self, mail_row: Any, action: Any, detail: str) -> None:
        with self.store.transaction():
            self._set(action, "failed", detail)
            self.store.db.execute("UPDATE mails SET review = 1 WHERE id = ?", (mail_row["id"],))
            self.audit(int(mail_row["id"]), f"échec-{action['kind']}", detail)

    def _reply_message(self, decision: dict[str, Any], message_id: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.mail.address
        message["To"] = decision["reply_to"]
        subject = decision["subject"] or "votre question"
        message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        message["Message-ID"] = message_id
        if decision["in_reply_to"]:
            message["In-Reply-To"] = decision["in_reply_to"]
            message["References"] = " ".join([*decision["references"], decision["in_reply_to"]])
        message["Auto-Submitted"] = "auto-replied"  # RFC 3834
        message.set_content(decision["auto_reply"])
        return message

    async def _reply(self, mail_row: Any, decision: dict[str, Any], action: Any) -> None:
        mail_id = int(mail_row["id"])
        if action["status"] == "sending":
            # The answer may have left: never send a second one.
            with self.store.transaction():
                self._set(action, "uncertain", "envoi interrompu : la réponse est peut-être partie, non renvoyée")
                self.store.db.execute("UPDATE mails SET review = 1 WHERE id = ?", (mail_id,))
                self.audit(mail_id, "réponse-incertaine", "envoi interrompu ; non renvoyée ; à vérifier")
            return
        since = (datetime.now(UTC) - timedelta(hours=self.mail.reply_period_hours)).isoformat(timespec="seconds")
        sender = action["target"]
        with self.store.transaction() as db:
            recent = db.execute("SELECT 1 FROM replies WHERE sender = ? AND at >= ?", (sender, since)).fetchone()
            if recent:
                self._set(
                    action,
                    "skipped",
                    f"déjà une réponse automatique à {sender} depuis {self.mail.reply_period_hours} h",
                )
                self.audit(
                    mail_id,
                    "réponse-évitée",
                    f"une seule réponse par expéditeur et par {self.mail.reply_period_hours} h",
                )
                return
            db.execute("INSERT INTO replies (sender, at, mail_id) VALUES (?, ?, ?)", (sender, _now(), mail_id))
            self._set(action, "sending")
        try:
            await self.smtp.send(self._reply_message(decision, action["message_id"]))
        except SmtpTemporaryError:
            # Nothing was accepted: the reply can be tried again.
            with self.store.transaction() as db:
                db.execute("DELETE FROM replies WHERE mail_id = ?", (mail_id,))
                self._set(action, "pending")
            raise
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as exc:
            self._fail(mail_row, action, f"réponse refusée par le serveur SMTP ({type(exc).__name__})")
            return
        with self.store.transaction():
            self._set(action, "done")
            self.audit(mail_id, "réponse", f"réponse automatique à {sender}")

    async def _draft(self, decision: dict[str, Any], action: Any) -> None:
        folder = self.mail.drafts_folder
        await self._imap.ensure_folder(folder, self.folders)
        if action["status"] == "sending" and await self._imap.contains_message_id(
            folder, action["message_id"], self.mail.inbox
        ):
            self._set(action, "done", "déjà déposée")
            return
        self._set(action, "sending")
        message = self._reply_message(decision, action["message_id"])
        await self._imap.append(bytes(message), folder, "\\Draft \\Seen")
        self._set(action, "done")
        self.audit(int(action["mail_id"]), "brouillon", f"réponse à valider déposée dans {folder}")

    async def _file(self, mail_row: Any, action: Any) -> None:
        uid = int(mail_row["uid"])
        review = self.store.db.execute("SELECT review FROM mails WHERE id = ?", (mail_row["id"],)).fetchone()[0]
        folder = self.mail.folders.get("review", "Triage/À vérifier") if review else action["target"]
        if self.mail.filing == "move" and await self._imap.has_uid(uid):
            await self._imap.ensure_folder(folder, self.folders)
            if review:
                await self._imap.add_flags(uid, "\\Flagged")
            await self._imap.move(uid, folder)
        with self.store.transaction() as db:
            self._set(action, "done", folder)
            db.execute("UPDATE mails SET state = 'done', done_at = ? WHERE id = ?", (_now(), mail_row["id"]))
            db.execute(
                "UPDATE mailboxes SET last_uid = MAX(last_uid, ?) WHERE mailbox = ? AND uidvalidity = ?",
                (uid, mail_row["mailbox"], mail_row["uidvalidity"]),
            )
            self.audit(int(mail_row["id"]), "rangé", folder)

    def _count(self, mail_row: Any, decision: dict[str, Any]) -> None:
        statuses = dict(
            self.store.db.execute("SELECT kind, status FROM actions WHERE mail_id = ?", (mail_row["id"],)).fetchall()
        )
        s = self.summary
        s.categories[decision["category"]] += 1
        s.urgent += int(decision["urgent"])
        s.routed += int(statuses.get("route") == "done")
        s.replied += int(statuses.get("reply") == "done")
        s.drafted += int(statuses.get("draft") == "done")
        s.review += int(self.store.db.execute("SELECT review FROM mails WHERE id = ?", (mail_row["id"],)).fetchone()[0])


def status(store: Store, *, limit: int = 20) -> dict[str, Any]:
    """What officers want to know about the mailbox: progress, categories, mails to look at, last actions."""
    db = store.db
    return {
        "mailboxes": [dict(r) for r in db.execute("SELECT * FROM mailboxes ORDER BY mailbox")],
        "mails": db.execute("SELECT count(*) FROM mails").fetchone()[0],
        "unfinished": db.execute("SELECT count(*) FROM mails WHERE state != 'done'").fetchone()[0],
        "categories": dict(
            db.execute("SELECT category, count(*) FROM mails GROUP BY category ORDER BY 2 DESC").fetchall()
        ),
        "urgent": db.execute("SELECT count(*) FROM mails WHERE urgent = 1").fetchone()[0],
        "review": [
            {
                "id": r["id"],
                "received_at": r["received_at"],
                "sender": r["sender"],
                "subject": r["subject"],
                "category": r["category"],
                "why": [
                    f"{a['kind']} : {a['status']} {a['detail']}".strip()
                    for a in db.execute(
                        "SELECT kind, status, detail FROM actions WHERE mail_id = ? AND status IN "
                        "('failed', 'uncertain')",
                        (r["id"],),
                    )
                ]
                + json.loads(r["decision"]).get("problems", []),
            }
            for r in db.execute("SELECT * FROM mails WHERE review = 1 ORDER BY id DESC LIMIT ?", (limit,))
        ],
        "offers": dict(db.execute("SELECT status, count(*) FROM offers GROUP BY status").fetchall()),
        "audit": [
            dict(r)
            for r in db.execute("SELECT at, mail_id, action, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        ],
    }


def _with_problem(mail: Mail, problem: str) -> Mail:
    from dataclasses import replace  # noqa: PLC0415

    return replace(mail, problems=(*mail.problems, problem))


async def run_once(service: MailService, backlog: str | None) -> Summary:
    """Open, work the backlog once, close."""
    await service.open()
    try:
        return await service.work(backlog)
    finally:
        await service.close()


async def run_forever(service: MailService, backlog: str | None, stop: asyncio.Event) -> None:
    """Keep watching: IDLE where offered, polling otherwise; reconnect with backoff after a failure."""
    delay = 1.0
    service.stop = stop
    while not stop.is_set():
        try:
            await service.open()
            selected = await service._imap.select(service.mail.inbox)
            while not stop.is_set():
                await service.work(backlog)
                backlog = None
                delay = 1.0
                if selected.idle:
                    waiter = asyncio.ensure_future(service._imap.wait_for_news(service.mail.poll_seconds))
                else:
                    waiter = asyncio.ensure_future(asyncio.sleep(service.mail.poll_seconds))
                stopper = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
                if waiter not in done:
                    waiter.cancel()
                    break
                waiter.result()
        except (ImapError, SmtpTemporaryError) as exc:
            log.warning("messagerie interrompue : %s ; nouvel essai dans %.0f s", exc, delay)
            await service.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, service.mail.reconnect_max_seconds)
            continue
        await service.close()
