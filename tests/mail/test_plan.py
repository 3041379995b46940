"""What is planned for one mail (``plan_actions``) and the answer caps, without SQL, server or clock."""

from dataclasses import replace

import pytest

from bot.mail.message import Mail, read_mail
from bot.mail.plan import (
    Action,
    MailHistory,
    Note,
    ReplyHistory,
    outgoing_message_id,
    plan_actions,
    reply_refusal,
)
from bot.mail.states import ActionKind, ActionStatus, DeliveryStatus, MailState
from bot.mail.triage import Decision
from bot.settings import MailSettings

from .conftest import OFFICERS

STUDENT = "lea.martin@etu.univ-paris1.fr"
K = ActionKind


def _mail(sender: str = STUDENT, **changes: object) -> Mail:
    raw = f"From: {sender}\r\nTo: stages@example.org\r\nSubject: Question\r\nMessage-ID: <q@x>\r\n\r\nBonjour\r\n"
    return replace(read_mail(raw.encode()), **changes)  # type: ignore[arg-type]


def _decision(**changes: object) -> Decision:
    values: dict[str, object] = {
        "category": "question",
        "urgent": False,
        "route_to": tuple(OFFICERS["question"]),
        "auto_reply": "Bonjour, voici la réponse.",
        "reasons": ("question",),
        "offer": None,
        "programme": "paris1-miage",
    }
    values.update(changes)
    return Decision(**values)  # type: ignore[arg-type]


def _settings(**changes: object) -> MailSettings:
    return MailSettings.model_validate({"routing": OFFICERS, "mode": "send", **changes})


def _kinds(actions: tuple[Action, ...]) -> list[tuple[ActionKind, str]]:
    return [(a.kind, a.target) for a in actions]


FOLDER = "Triage/Questions"


@pytest.mark.parametrize(
    ("mail", "decision", "settings", "history", "actions", "notes"),
    [
        (
            _mail(),
            _decision(),
            _settings(),
            MailHistory(),
            [(K.ROUTE, "scolarite@example.org"), (K.REPLY, STUDENT), (K.FILE, FOLDER)],
            [],
        ),
        (
            _mail(),
            _decision(),
            _settings(mode="draft"),
            MailHistory(),
            [(K.ROUTE, "scolarite@example.org"), (K.DRAFT, STUDENT), (K.FILE, FOLDER)],
            [],
        ),
        (
            _mail(),
            _decision(urgent=True),
            _settings(filing="keywords"),
            MailHistory(),
            [
                (K.ROUTE, "scolarite@example.org"),
                (K.REPLY, STUDENT),
                (K.FLAG, "\\Flagged StageBot-question"),
                (K.FILE, "(mot-clé)"),
            ],
            [],
        ),
        (
            _mail(),
            _decision(),
            _settings(),
            MailHistory(twin=7),
            [(K.FILE, FOLDER)],
            [Note("doublon", "même mail que #7 : seulement rangé")],
        ),
        (
            _mail(),
            _decision(),
            _settings(),
            MailHistory(backlog=True),
            [(K.FILE, FOLDER)],
            [Note("arriéré", "mail présent au premier démarrage : rangé sans transfert ni réponse")],
        ),
        (
            _mail("scolarite@example.org"),
            _decision(),
            _settings(),
            MailHistory(),
            [(K.FILE, FOLDER)],
            [
                Note("transfert-évité", "scolarite@example.org a écrit lui-même : pas de renvoi à son adresse"),
                Note("réponse-évitée", "expéditeur responsable des stages"),
            ],
        ),
        (
            _mail(automatic="Auto-Submitted: auto-replied"),
            _decision(),
            _settings(),
            MailHistory(),
            [(K.ROUTE, "scolarite@example.org"), (K.FILE, FOLDER)],
            [Note("réponse-évitée", "expéditeur automatique (Auto-Submitted: auto-replied)")],
        ),
        (
            _mail(problems=("Pièce jointe illisible.",)),
            _decision(),
            _settings(),
            MailHistory(),
            [(K.ROUTE, "scolarite@example.org"), (K.FLAG, "\\Flagged"), (K.FILE, FOLDER)],
            [Note("réponse-évitée", "mail lu incomplètement ou mal formé")],
        ),
        (
            _mail("stages@example.org"),
            _decision(category="other", route_to=(), auto_reply=None),
            _settings(),
            MailHistory(),
            [(K.FILE, "Triage/Autres")],
            [],  # no answer was meant: nothing to explain
        ),
    ],
    ids=[
        "question",
        "draft-mode",
        "urgent-keywords",
        "duplicate",
        "backlog",
        "officer-writes",
        "automatic-sender",
        "read-incompletely",
        "office-not-a-question",
    ],
)
def test_plan_actions(
    mail: Mail,
    decision: Decision,
    settings: MailSettings,
    history: MailHistory,
    actions: list[tuple[ActionKind, str]],
    notes: list[Note],
) -> None:
    plan = plan_actions(mail, decision, settings, history)
    assert _kinds(plan.actions) == actions
    assert list(plan.notes) == notes
    assert plan.review == bool(mail.problems)


@pytest.mark.parametrize(
    ("history", "refusal"),
    [
        (ReplyHistory(False, 0, 0), None),
        (ReplyHistory(True, 0, 0), "déjà une réponse automatique à lea.martin@etu.univ-paris1.fr depuis 24 h"),
        (ReplyHistory(False, 10, 10), "plafond de 10 réponse(s) automatique(s) par heure pour le domaine"),
        (ReplyHistory(False, 9, 30), "plafond global de 30 réponse(s) automatique(s) par heure atteint"),
    ],
    ids=["free", "same-sender", "per-domain", "overall"],
)
def test_reply_caps(history: ReplyHistory, refusal: str | None) -> None:
    found = reply_refusal(STUDENT, history, _settings())
    assert found == refusal if refusal is None else found is not None and found.startswith(refusal)


def test_no_period_means_no_per_sender_cap() -> None:
    assert reply_refusal(STUDENT, ReplyHistory(True, 0, 0), _settings(reply_period_hours=0)) is None


def test_message_ids_of_what_stagebot_writes() -> None:
    assert outgoing_message_id(12, K.ROUTE, "example.org") == "<stagebot.12.route@example.org>"
    assert outgoing_message_id(12, K.REPLY, "example.org") == "<stagebot.12.reply@example.org>"
    assert outgoing_message_id(12, K.FILE, "example.org") is None


@pytest.mark.parametrize(
    ("enum", "stored"),
    [
        (ActionKind, {"offer", "route", "reply", "draft", "flag", "file"}),
        (ActionStatus, {"pending", "sending", "waiting", "done", "failed", "uncertain", "skipped"}),
        (MailState, {"planned", "done", "stale"}),
        (DeliveryStatus, {"pending", "sending", "deferred", "done", "failed", "uncertain"}),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
def test_states_are_the_strings_stored_since_schema_2(enum: type, stored: set[str]) -> None:
    assert {str(member) for member in enum} == stored  # type: ignore[attr-defined]
