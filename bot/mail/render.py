"""The mailbox's decisions, offer checks and state as French text for officers (``stagebot triage``,
``offer check``, ``mail status`` and Discord's ``/messagerie``)."""

from typing import Any

from bot.citations import plain
from bot.mail.triage import Decision
from bot.offers.extract import Offer


def decision_text(name: str, decision: Decision) -> str:
    """A triage decision for people."""
    lines = [f"{name} : {decision.summary()}"]
    if decision.route_to:
        lines.append("  transmis à : " + ", ".join(decision.route_to))
    if decision.auto_reply:
        lines.append("  réponse automatique :\n    " + decision.auto_reply.replace("\n", "\n    "))
    elif decision.no_reply_because:
        lines.append(f"  pas de réponse automatique : {decision.no_reply_because}")
    for problem in decision.problems:
        lines.append(f"  ⚠ {problem}")
    if decision.offer is not None:
        lines.append("  " + offer_text("offre", decision.offer).replace("\n", "\n  "))
    return "\n".join(lines)


def offer_text(name: str, offer: Offer) -> str:
    """An offer check for people."""
    kinds = {"stage": "stage", "alternance": "alternance", "emploi": "emploi", "unknown": "type inconnu"}
    head = f"{name} : {kinds[offer.kind]} — « {offer.title} »" + (f" chez {offer.company}" if offer.company else "")
    if offer.forward:
        return f"{head}\n  à publier dans #{offer.channel}"
    lines = [head, "  à ne pas publier sans l'avis d'un responsable :"]
    lines += [f"  - {p.reason} [{plain(p.source)}]" for p in offer.problems]
    if offer.kind == "unknown":
        lines.append("  - type d'offre non reconnu (stage, alternance ou emploi)")
    return "\n".join(lines)


def mail_status_text(found: dict[str, Any]) -> str:
    """The mailbox's state for officers."""
    lines = []
    for box in found["mailboxes"]:
        lines.append(
            f"Boîte {box['mailbox']} : suivie depuis le {box['started_at'][:10]} (arriéré : {box['backlog']}), "
            f"dernier UID traité {box['last_uid']}."
        )
    if not found["mailboxes"]:
        lines.append("La messagerie n'a encore jamais tourné.")
    cats = ", ".join(f"{c} : {n}" for c, n in found["categories"].items()) or "aucun"
    lines.append(f"{found['mails']} mail(s) ({cats}) ; {found['urgent']} urgent(s) ; {found['unfinished']} en cours.")
    if found["offers"]:
        lines.append("Offres : " + ", ".join(f"{s} : {n}" for s, n in found["offers"].items()) + ".")
    lines.append(f"À vérifier ({len(found['review'])}) :" if found["review"] else "Aucun mail à vérifier.")
    for item in found["review"]:
        why = " ; ".join(item["why"]) or "voir le dossier À vérifier"
        lines.append(f"  #{item['id']} {item['received_at'][:16]} {item['sender']} « {item['subject']} » : {why}")
    failed, deferred = found.get("failed_sends", []), found.get("deferred_sends", [])
    if failed:
        lines.append(f"Envois refusés définitivement ({len(failed)}) ; « stagebot mail retry » les renvoie :")
        lines += [f"  #{f['mail_id']} {f['kind']} à {f['recipient']} : {f['code'] or ''} {f['detail']}" for f in failed]
    if deferred:
        lines.append(f"Envois en attente de nouvel essai ({len(deferred)}) :")
        lines += [
            f"  #{d['mail_id']} {d['kind']} à {d['recipient']} : {d['code'] or ''} {d['detail']} ; "
            f"essai {d['attempts']}, prochain à {d['next_at'][11:19]}"
            for d in deferred
        ]
    if found["audit"]:
        lines.append("Dernières actions :")
        lines += [f"  {a['at'][:19]} #{a['mail_id'] or '-'} {a['action']} : {a['detail']}" for a in found["audit"]]
    return "\n".join(lines)
