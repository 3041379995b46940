"""What to do with one mail, decided without SQL, I/O or clock: ``plan_actions`` and the answer caps.

The service (``bot.mail.service``) reads what the plan needs to know from the past (``MailHistory``:
was this mail already handled, was it there at first start; ``ReplyHistory``: answers already sent),
calls these functions, and writes the plan (the mail's actions and the audit lines saying what was
not done and why) in one transaction.

Automatic answers pass a loop guard (``answer_guard``): never to an automatic sender (RFC 3834 and
osTicket's header lists), to a mail answering one of StageBot's own Message-IDs, to a sender that is
not exactly one valid address, to the office or an officer. The caps (``reply_refusal``) are checked
again when the answer is sent, in the transaction that counts it.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.mail.headers import domain_of, normalise
from bot.mail.states import ActionKind

if TYPE_CHECKING:  # types only: this module stays importable without the triage stack
    from bot.mail.message import Mail
    from bot.mail.triage import Decision
    from bot.settings import MailSettings

REVIEW_FOLDER = "Triage/À vérifier"
OTHER_FOLDER = "Triage/Autres"
KEYWORDS_TARGET = "(mot-clé)"  # the file action's target when mails are kept with a keyword
BACKLOG_TARGET = "backlog"  # the offer action's target for a mail there at first start: recorded quietly


@dataclass(frozen=True)
class Action:
    """One thing to do for a mail: its kind and its target (addresses, a folder, flags, a fingerprint)."""

    kind: ActionKind
    target: str


@dataclass(frozen=True)
class Note:
    """One line for the audit log: what was not planned, and why."""

    action: str
    detail: str


@dataclass(frozen=True)
class Plan:
    """The actions for one mail, in order of execution, and the audit lines that explain the plan."""

    actions: tuple[Action, ...]
    notes: tuple[Note, ...]
    review: bool  # an officer must look (the mail was read incompletely)


@dataclass(frozen=True)
class MailHistory:
    """What the plan needs to know from the past about one mail."""

    twin: int | None = None  # id of the same mail (Message-ID or digest) already handled: only filed
    backlog: bool = False  # there at first start under ``--backlog file``: filed without forward or answer


@dataclass(frozen=True)
class ReplyHistory:
    """Automatic answers already sent, as the caps count them."""

    to_sender: bool  # one to this (normalised) sender within ``reply_period_hours``
    to_domain: int  # to the sender's domain in the last hour
    total: int  # to anyone in the last hour


def answer_guard(mail: "Mail", settings: "MailSettings") -> str | None:
    """Why no automatic answer may go to this mail's sender (loop guard), or None."""
    if mail.automatic is not None:
        return f"expéditeur automatique ({mail.automatic})"
    if mail.answers_stagebot:
        return f"répond à un message de StageBot ({mail.answers_stagebot})"
    if not mail.sender:
        return "pas d'expéditeur unique à l'adresse valide"
    if mail.problems:
        return "mail lu incomplètement ou mal formé"
    key = normalise(mail.sender)
    if key in {normalise(a) for a in settings.own_addresses}:
        return "adresse du bureau"
    if key in {normalise(a) for addresses in settings.routing.values() for a in addresses}:
        return "expéditeur responsable des stages"
    return None


def reply_refusal(sender: str, history: ReplyHistory, settings: "MailSettings") -> str | None:
    """Why the caps forbid another automatic answer to this sender now, or None."""
    key, domain = normalise(sender), domain_of(sender)
    period = settings.reply_period_hours
    if period and history.to_sender:
        return f"déjà une réponse automatique à {key} depuis {period} h (une seule par expéditeur et par {period} h)"
    per_domain = settings.replies_per_domain_per_hour
    if history.to_domain >= per_domain:
        return f"plafond de {per_domain} réponse(s) automatique(s) par heure pour le domaine {domain} atteint"
    overall = settings.replies_per_hour
    if history.total >= overall:
        return f"plafond global de {overall} réponse(s) automatique(s) par heure atteint"
    return None


def flags(decision: "Decision", settings: "MailSettings", *, review: bool) -> str:
    """The flag action's target: \\Flagged for an urgent mail or one to look at, the category's keyword."""
    found = []
    if decision.urgent or review:
        found.append("\\Flagged")
    if settings.filing == "keywords":
        found.append(f"StageBot-{decision.category}")
    return " ".join(found) or "StageBot"


def plan_actions(mail: "Mail", decision: "Decision", settings: "MailSettings", history: MailHistory) -> Plan:
    """The actions for one mail: offer, forward, answer or draft, flags, filing (always last).

    A duplicate is only filed; a mail there at first start under ``--backlog file`` has its offer
    recorded quietly and is filed. The forward never goes back to the officer who wrote the mail;
    the answer passes the loop guard. Every suppression is a note for the audit log.
    """
    actions: list[Action] = []
    notes: list[Note] = []
    review = bool(mail.problems)
    if history.twin is not None:
        notes.append(Note("doublon", f"même mail que #{history.twin} : seulement rangé"))
    elif not history.backlog:
        if decision.offer is not None:
            actions.append(Action(ActionKind.OFFER, decision.offer.fingerprint))
        sender = normalise(mail.sender) if mail.sender else ""
        route_to = [a for a in decision.route_to if normalise(a) != sender]
        if len(route_to) < len(decision.route_to):
            notes.append(Note("transfert-évité", f"{mail.sender} a écrit lui-même : pas de renvoi à son adresse"))
        if route_to:
            actions.append(Action(ActionKind.ROUTE, ", ".join(route_to)))
        why_not = answer_guard(mail, settings)
        if decision.auto_reply and why_not is None:
            actions.append(Action(ActionKind.REPLY if settings.mode == "send" else ActionKind.DRAFT, mail.sender))
        elif why_not is not None and (decision.auto_reply or decision.category == "question"):
            notes.append(Note("réponse-évitée", why_not))  # the loop guard, whatever triage decided
    else:
        notes.append(Note("arriéré", "mail présent au premier démarrage : rangé sans transfert ni réponse"))
        if decision.offer is not None:
            actions.append(Action(ActionKind.OFFER, BACKLOG_TARGET))
    if decision.urgent or review or settings.filing == "keywords":
        actions.append(Action(ActionKind.FLAG, flags(decision, settings, review=review)))
    if settings.filing == "move":
        actions.append(Action(ActionKind.FILE, settings.folders.get(decision.category, OTHER_FOLDER)))
    else:
        actions.append(Action(ActionKind.FILE, KEYWORDS_TARGET))
    return Plan(tuple(actions), tuple(notes), review)


def outgoing_message_id(mail_id: int, kind: ActionKind, domain: str) -> str | None:
    """The Message-ID of the mail an action writes (a forward, an answer, a draft), None for the others.

    Derived from the mail's id, so a forward sent again after a crash carries the same one.
    """
    return f"<stagebot.{mail_id}.{kind}@{domain}>" if kind.sends_mail else None


def payload(mail: "Mail", decision: "Decision") -> dict[str, Any]:
    """What is kept of a mail and its decision (``mails.decision``) to act on it after a restart."""
    return {
        **decision.as_json(),
        "summary": decision.summary(),
        "sender_name": mail.sender_name,
        "in_reply_to": mail.message_id,
        "references": list(mail.references),
        "reply_to": mail.sender,
        "subject": mail.subject,
        "offer_text": mail.offer_text if decision.offer else None,
    }
