"""The decision for one mail: category, urgency, officers to route to, automatic answer, offer.

Stateless (``stagebot triage`` runs it on files): the once-per-sender limit on automatic answers
and everything else that needs memory is the mailbox service's (bot/mail/service.py).
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.assistant.answer import Answer, ask
from bot.assistant.intents import find_dates
from bot.citations import cite
from bot.mail.classify import classify
from bot.mail.message import Mail
from bot.offers.extract import Offer, read_offer
from bot.settings import MailSettings
from knowledge.text import fold, fold_plain
from rules.programmes import Programme, by_mention_rank, programme

_QUESTION_SENTENCE = re.compile(
    r"\?|\b(combien|est ce que|quand|comment|quel|quelle|puis je|peut on|ai je|savoir si|est il)\b"
)
# What may be mailed as an answer: the knowledge base, a rule's verdict or a calculator, when the
# engine is sure. Never a refusal, never an input error (a calculator's error sentence).
ANSWERING_KINDS = frozenset({"knowledge", "verdict", "calculator"})
SIGNATURE = (
    "Cette réponse a été rédigée automatiquement par StageBot à partir des guides de votre formation. "
    "Si elle ne répond pas à votre question, répondez simplement à ce message : un responsable des stages "
    "vous lira.\n\nLe bureau des stages"
)


@dataclass(frozen=True)
class Decision:
    """What ``stagebot triage --json`` prints for a mail, and what the service acts on."""

    category: str
    urgent: bool
    route_to: tuple[str, ...]
    auto_reply: str | None
    reasons: tuple[str, ...]
    offer: Offer | None
    programme: str
    dates: tuple[date, ...] = ()
    answer: Answer | None = None
    no_reply_because: str | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        """The contract's object (without ``file``), with a few extra keys."""
        return {
            "category": self.category,
            "urgent": self.urgent,
            "route_to": list(self.route_to),
            "auto_reply": self.auto_reply,
            "reasons": list(self.reasons),
            "offer": self.offer.as_json() if self.offer else None,
            "programme": self.programme,
            "dates": [d.isoformat() for d in self.dates],
            "problems": list(self.problems),
        }

    def summary(self) -> str:
        """The one line put on top of a routed mail."""
        dates = ", ".join(d.strftime("%d/%m/%Y") for d in self.dates[:4]) or "aucune"
        flag = "URGENT — " if self.urgent else ""
        return (
            f"{flag}Catégorie : {self.category} ; raisons : {'; '.join(self.reasons[:4])} ; "
            f"programme : {self.programme} ; dates citées : {dates}"
        )


def detect_programme(text: str, default: Programme, sender: str = "") -> Programme:
    """The programme a mail is about: its sender's university (a student's address says where they
    study, whatever city the stage is in), else the places and names it mentions, else the mailbox's.

    Each profile says how it is named and which sender domains are its students' (rules/programmes.py)."""
    folded = fold_plain(text)
    domain = sender.rpartition("@")[2].lower()
    ranked = by_mention_rank()
    for profile in ranked:
        if profile.has_sender(domain) and (not profile.domain_needs_mention or profile.mentioned_in(folded)):
            return profile
    for profile in ranked:
        if profile.mentioned_in(folded):
            return profile
    return default


def may_send(answer: Answer, min_score: float) -> bool:
    """Whether an answer may be mailed without an officer: a real answer the engine is sure of."""
    return (
        answer.answered
        and answer.kind in ANSWERING_KINDS
        and answer.band == "sure"
        and answer.score >= min_score
        and bool(answer.answer.strip())
    )


def best_answer(mail: Mail, programme: Programme, today: date, min_score: float = 0.0) -> Answer | None:
    """The best answer that may be sent to the questions a mail asks, for ``programme``, or None."""
    sentences = [mail.subject] if mail.subject else []
    sentences += [s.strip() for s in re.split(r"(?<=[?.!])\s+|\n+", mail.body) if s.strip()]
    candidates = [s for s in sentences if _QUESTION_SENTENCE.search(fold_plain(s))]
    if len(mail.body) < 600:  # a short mail may carry its numbers outside the question sentence
        candidates.append(" ".join(mail.body.split()))
    best: Answer | None = None
    # A one-sentence mail is both a sentence and the whole body: asked once.
    for sentence in list(dict.fromkeys(c[:300] for c in candidates[:8])):
        answer = ask(sentence, programme, today)
        if may_send(answer, min_score) and (best is None or answer.score > best.score):
            best = answer
    return best


def reply_text(answer: Answer, sender_name: str) -> str:
    """A polite French answer with its source."""
    greeting = f"Bonjour {sender_name.split(maxsplit=1)[0]}," if sender_name.strip() else "Bonjour,"
    source = " ; ".join(cite(s) for s in answer.sources)  # the guide's title, never its file name
    lines = [greeting, "", answer.answer]
    if source:
        lines += ["", f"Source : {source}."]
    lines += ["", SIGNATURE]
    return "\n".join(lines)


def decide(mail: Mail, settings: MailSettings, default_programme: str, today: date) -> Decision:
    """Classify a mail and decide what to do with it."""
    result = classify(mail)
    # Resolved once here: the mailbox's programme checks offers; the one the mail is about answers it.
    mailbox = programme(settings.programme or default_programme)
    about = detect_programme(mail.text, mailbox, mail.sender)
    routes: list[str] = list(settings.routing.get(result.category, []))
    if result.urgent:
        routes += settings.routing.get("urgent", [])
    route_to = tuple(dict.fromkeys(routes))
    offer = None
    if result.category == "offer":
        offer = read_offer(
            mail.offer_text,
            mailbox.id,
            today,
            subject=mail.subject,
            sender=mail.sender,
            office=settings.own_addresses,
        )
    answer: Answer | None = None
    auto_reply = None
    no_reply = None
    if mail.automatic is not None:
        no_reply = f"expéditeur automatique ({mail.automatic})"
    elif result.urgent:
        no_reply = "mail urgent : un responsable répond"
    elif result.category != "question":
        no_reply = f"catégorie {result.category}"
    elif mail.problems:
        no_reply = "mail lu incomplètement"
    else:
        # The programme the mail is about answers it: a Lille student gets Lille's rules.
        answer = best_answer(mail, about, today, settings.auto_reply_min_score)
        if answer is None:
            no_reply = "la base ne répond pas avec assez de confiance"
        else:
            auto_reply = reply_text(answer, mail.sender_name)
    reasons = list(result.reasons)
    if answer is not None and auto_reply is not None and answer.entry_id:
        reasons.append(f"réponse de la base : {answer.entry_id} ({answer.score:.2f})")
    return Decision(
        category=result.category,
        urgent=result.urgent,
        route_to=route_to,
        auto_reply=auto_reply,
        reasons=tuple(reasons),
        offer=offer,
        programme=about.id,
        dates=tuple(find_dates(fold(mail.text), today)),
        answer=answer,
        no_reply_because=no_reply,
        problems=mail.problems,
    )
