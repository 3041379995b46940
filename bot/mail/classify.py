"""Which of the seven categories of ../shared/CLI.md a mail belongs to, and whether it is urgent.

Three layers, each saying why in the reasons:
1. Certain rules. An automatic reply or a bounce (RFC 3834 headers, delivery reports, out-of-office
   text: bot/mail/message.py) is `other`. A mailing (newsletter, job board, platform notification)
   is `offer` when the model reads offers in it, else `other`. Phishing and spam
   (bot/mail/hostile.toml, and senders imitating a known brand) are `other`.
2. Urgency, a detector of its own (bot/mail/safety.toml: concept groups in French and English,
   plus the trained urgency model): an urgent mail is always `incident`.
3. The trained category model (bot/mail/model.py, trained by ``python -m bot.mail.train``): the most
   probable category, with the words that weighed most for it.
"""

import re
from dataclasses import dataclass

from bot.mail.message import Mail
from bot.mail.model import LinearModel, Scored
from bot.mail.model import shipped as shipped_model
from bot.mail.safety import Hit, Safety, hostile
from bot.mail.safety import shipped as shipped_safety

CATEGORIES = ("offer", "convention", "absence", "incident", "evaluation", "question", "other")
# The urgency model alone flags a mail from this probability on; with a "weak" safety group, from
# the file's weak_support. Chosen by cross-validation on the training mails (bench/triage.py --training):
# at 0.5 the model alone flags 64 of 75 urgent mails for 2 false alarms, at 0.45 65 for 8.
URGENT_MODEL_ALONE = 0.5
URGENT_TEXT_CHARS = 4000  # the start of a mail says what happened; bounds the time per mail
# Brands phishing imitates, and the domains they really send from.
_BRANDS = {
    "docusign": ("docusign.net", "docusign.com"),
    "yousign": ("yousign.com", "yousign.fr", "yousign.app"),
    "microsoft": ("microsoft.com", "microsoftonline.com", "office.com", "outlook.com"),
    "office365": ("microsoft.com", "office.com"),
    "m365": ("microsoft.com",),
    "paypal": ("paypal.com", "paypal.fr"),
    "ameli": ("ameli.fr", "assurance-maladie.fr"),
    "impots": ("impots.gouv.fr", "dgfip.finances.gouv.fr"),
    "colissimo": ("laposte.fr", "colissimo.fr"),
    "chronopost": ("chronopost.fr",),
}
_BRAND_IN_DOMAIN = re.compile("|".join(_BRANDS))


@dataclass(frozen=True)
class Classification:
    """A category, whether it is urgent, and why."""

    category: str
    urgent: bool
    reasons: tuple[str, ...]
    scores: dict[str, float]  # the category model's probabilities ({} when a certain rule decided alone)


def impersonated_brand(sender: str) -> str | None:
    """The brand a sender's domain imitates ("docusign-secure-notify.net"), or None."""
    domain = sender.rpartition("@")[2]
    found = _BRAND_IN_DOMAIN.search(domain)
    if found is None:
        return None
    official = _BRANDS[found.group(0)]
    return None if any(domain == d or domain.endswith("." + d) for d in official) else found.group(0)


def said(mail: Mail) -> str:
    """What the urgency and hostility rules read: subject, newest part, forwarded content, documents.

    Not the quoted history of a reply: an officer's answer quoting an old incident is not a new one.
    """
    parts = [mail.subject, mail.body]
    if mail.forwarded:
        parts.append(mail.quoted)
    parts.append(mail.documents)
    return "\n".join(parts)[:URGENT_TEXT_CHARS]


def urgency(hits: list[Hit], scored: Scored, safety: Safety) -> tuple[bool, list[str]]:
    """Whether a mail is urgent and why: a strong group, a weak group the model supports, or the model."""
    p = scored.urgent_probability
    reasons = [f"urgent : {h.label} (« {h.words} »)" for h in hits if h.strength == "strong"]
    reasons += [
        f"urgent : {h.label} (« {h.words} », modèle {p:.0%})"
        for h in hits
        if h.strength == "weak" and p >= safety.weak_support
    ]
    if not reasons and p >= URGENT_MODEL_ALONE:
        words = ", ".join(scored.reasons("urgent", 3))
        reasons.append(f"urgent : modèle d'urgence {p:.0%} ({words})")
    return bool(reasons), reasons


def classify(mail: Mail, model: LinearModel | None = None, safety: Safety | None = None) -> Classification:
    """Classify one mail (the shipped model and vocabulary unless others are given, as in cross-validation)."""
    if mail.automatic is not None and not mail.mailing:
        return Classification("other", False, (f"expéditeur automatique : {mail.automatic}",), {})
    text = said(mail)
    hostile_hits = hostile().hits(text)
    brand = impersonated_brand(mail.sender)
    if hostile_hits or brand:
        reasons = [f"indésirable : {h.label} (« {h.words} »)" for h in hostile_hits]
        if brand:
            reasons.append(f"indésirable : l'expéditeur imite {brand} ({mail.sender.rpartition('@')[2]})")
        return Classification("other", False, tuple(reasons), {})
    scored = (model or shipped_model()).score(mail)
    probabilities = scored.probabilities
    if mail.automatic is not None:  # a mailing: offers to pass on, or nothing to act on
        category = "offer" if probabilities["offer"] >= probabilities["other"] else "other"
        reasons = [f"envoi automatique : {mail.automatic}", f"modèle : {category} ({probabilities[category]:.0%})"]
        return Classification(category, False, (*reasons, *scored.reasons(category)), probabilities)
    safety = safety or shipped_safety()
    urgent, urgent_reasons = urgency(safety.hits(text), scored, safety)
    if urgent:
        return Classification("incident", True, tuple(urgent_reasons), probabilities)
    category = scored.best
    reasons = [f"modèle : {category} ({probabilities[category]:.0%})", *scored.reasons(category)]
    return Classification(category, False, tuple(reasons), probabilities)
