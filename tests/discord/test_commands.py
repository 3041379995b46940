"""The real CommandTree, and each callback called with a test double of Interaction."""

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.cli import main
from bot.core import Core
from bot.discord.commands import FeedbackButton, ReviewButton, build_tree
from bot.settings import Settings
from bot.store import Store

from .doubles import Interaction, Member, call, command, officer

TODAY = date(2026, 3, 1)
NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture
def core(tmp_path: Path) -> Core:
    core = Core(Settings(database=tmp_path / "s.sqlite3"), Store(tmp_path / "s.sqlite3"), lambda: TODAY)
    FeedbackButton.core = core
    ReviewButton.core = core
    return core


@pytest.fixture
def tree(core: Core) -> discord.app_commands.CommandTree[Any]:
    return build_tree(discord.Client(intents=discord.Intents.default()), core)


def test_tree_has_every_command_within_discord_limits(tree: discord.app_commands.CommandTree[Any]) -> None:
    expected = {
        "gratification",
        "dates",
        "echeance",
        "faq",
        "duree",
        "stagiaires",
        "alternance salaire",
        "alternance dates",
        "programme choix",
        "serveur programme",
        "offre publier",
        "offre file",
        "offre fermer",
        "questions",
        "avis",
        "messagerie",
    }
    for path in expected:
        command(tree, path)
    payloads = [c.to_dict(tree) for c in tree.get_commands()]  # what sync would send
    names = [p["name"] for p in payloads]
    assert len(names) == len(set(names))

    def check(payload: dict[str, Any]) -> None:
        assert NAME.match(payload["name"]), payload["name"]
        assert 1 <= len(payload["description"]) <= 100, payload["name"]
        options = payload.get("options", [])
        assert len(options) <= 25
        assert len({o["name"] for o in options}) == len(options)
        for option in options:
            check(option)
            assert len(option.get("choices", [])) <= 25
            for choice in option.get("choices", []):
                assert 1 <= len(choice["name"]) <= 100

    for payload in payloads:
        check(payload)


def test_commands_json_matches_the_contract(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["discord", "commands", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    by_name = {c["name"]: c for c in found}
    assert {"name", "description", "options"} <= set(by_name["gratification"])
    assert [o["name"] for o in by_name["gratification"]["options"]][:2] == ["debut", "fin"]
    assert by_name["gratification"]["options"][0]["required"] is True
    assert {o["name"] for o in by_name["alternance"]["options"]} == {"salaire", "dates"}
    assert not (tmp_path / "stagebot.sqlite3").exists()  # listing the commands writes nothing


async def test_gratification_embed_is_ephemeral_with_months_and_sources(tree: Any) -> None:
    interaction = Interaction()
    await call(tree, "gratification", interaction, debut="1 juin 2026", fin="28/08/2026")
    sent = interaction.response.last
    assert sent["ephemeral"] is True
    card: discord.Embed = sent["embed"]
    fields = {f.name: f.value for f in card.fields}
    assert fields["Gratification obligatoire"] == "oui"
    assert {"06/2026", "07/2026", "08/2026"} <= set(fields)
    assert "Sources" in (card.footer.text or "")
    assert len(card.description or "") <= 4096


async def test_bad_input_is_one_french_sentence_for_the_asker(tree: Any) -> None:
    interaction = Interaction()
    await call(tree, "gratification", interaction, debut="31/02/2026", fin="2026-08-28")
    sent = interaction.response.last
    assert sent["ephemeral"] is True and "embed" not in sent
    assert sent["content"].endswith(".") and "Traceback" not in sent["content"]


async def test_faq_answers_with_feedback_buttons_only_the_asker_can_use(tree: Any, core: Core) -> None:
    student = Member()
    interaction = Interaction(user=student)
    await call(tree, "faq", interaction, question="c koi la duree min du stage")
    sent = interaction.response.last
    assert "308" in (sent["embed"].description or "")
    assert "Source" in (sent["embed"].footer.text or "")
    buttons = list(sent["view"].children)
    assert [b.item.label for b in buttons] == ["Oui", "Non"]
    answer_id = int(buttons[0].item.custom_id.split(":")[2])
    other = Interaction()
    await FeedbackButton("oui", answer_id).callback(other)
    assert "Seule la personne" in other.response.last["content"]
    mine = Interaction(user=student)
    await FeedbackButton("non", answer_id).callback(mine)
    assert mine.response.last["content"] == "Merci pour votre avis !"
    assert core.feedback()[0].no == 1


async def test_faq_autocomplete_offers_at_most_25_choices(tree: Any) -> None:
    faq = command(tree, "faq")
    choices = await faq._params["question"].autocomplete(Interaction(), "gratif")  # the registered callback
    assert 0 < len(choices) <= 25 and all(len(c.name) <= 100 for c in choices)
    assert len(await faq._params["question"].autocomplete(Interaction(), "")) <= 25


async def test_programme_choice_is_remembered_for_the_student(tree: Any) -> None:
    student = Member()
    await call(tree, "programme choix", Interaction(user=student), programme="lille-l3")
    interaction = Interaction(user=student)
    await call(tree, "dates", interaction)
    assert "Lille" in interaction.response.last["embed"].title or "L3" in interaction.response.last["embed"].title
    answer = Interaction(user=student)
    await call(tree, "faq", answer, question="duree minimale du stage")
    assert "12 semaines" in (answer.response.last["embed"].description or "")
    someone_else = Interaction()
    await call(tree, "faq", someone_else, question="duree minimale du stage")
    assert "308" in (someone_else.response.last["embed"].description or "")  # the server's default: Paris 1


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("duree", {"valeur": 12.0, "unite": "semaines"}),
        ("stagiaires", {"effectif": 45}),
        ("alternance salaire", {"contrat": "apprentissage", "age": 22, "annee": 1}),
        ("alternance dates", {"formation": "master", "contrat": "apprentissage"}),
        ("echeance", {"debut": "2026-04-13", "etranger": True}),
    ],
)
async def test_other_calculators_answer_with_an_embed(tree: Any, path: str, kwargs: dict[str, Any]) -> None:
    interaction = Interaction()
    await call(tree, path, interaction, **kwargs)
    sent = interaction.response.last
    assert isinstance(sent["embed"], discord.Embed) and sent["embed"].description


@pytest.mark.parametrize("path", ["offre file", "questions", "avis", "messagerie"])
async def test_officer_commands_refuse_students(tree: Any, path: str) -> None:
    interaction = Interaction(user=Member())
    await call(tree, path, interaction)
    assert interaction.response.last["content"] == "Commande réservée aux responsables des stages."
    allowed = Interaction(user=officer())
    await call(tree, path, allowed)
    assert allowed.response.last["ephemeral"] is True and "embed" in allowed.response.last


async def test_offer_published_by_an_officer_goes_to_review_then_is_approved(tree: Any, core: Core) -> None:
    text = "Stage support utilisateurs et helpdesk, 3 mois, 100 % télétravail, gratification légale. rh@x.fr"
    student = Interaction(user=Member())
    await call(tree, "offre publier", student, texte=text)
    assert "réservée" in student.response.last["content"]
    interaction = Interaction(user=officer())
    await call(tree, "offre publier", interaction, texte=text)
    assert "attente de validation" in (interaction.response.last["embed"].description or "")
    queue = Interaction(user=officer())
    await call(tree, "offre file", queue)
    view = queue.response.last["view"]
    labels = [b.item.label for b in view.children]
    assert labels == ["Publier", "Refuser"]
    fingerprint = view.children[0].item.custom_id.split(":")[2]
    refused = Interaction(user=Member())
    await ReviewButton("ok", fingerprint).callback(refused)
    assert "réservée" in refused.response.last["content"]
    approve = Interaction(user=officer())
    await ReviewButton("ok", fingerprint).callback(approve)
    assert "approuvée" in approve.response.last["content"]
    assert core.pipeline.due(5)[0].fingerprint == fingerprint


async def test_server_default_programme_is_for_officers(tree: Any, core: Core) -> None:
    student = Interaction(user=Member())
    await call(tree, "serveur programme", student, programme="amu-allsh")
    assert "réservée" in student.response.last["content"]
    await call(tree, "serveur programme", Interaction(user=officer(), guild_id=7), programme="amu-allsh")
    assert core.programme_for(Member().id, 7) == "amu-allsh"
    assert core.programme_for(Member().id, 8) == "paris1-miage"


async def test_officer_closes_an_offer(tree: Any, core: Core) -> None:
    result = core.pipeline.submit(
        "Stage développeur Java 4 mois Paris gratification 4,50 €/h rh@a.fr", today=TODAY, source="discord"
    )
    closing = Interaction(user=officer())
    await call(tree, "offre fermer", closing, reference=result.fingerprint)
    assert closing.response.last["embed"].title == "Offre fermée"
    again = Interaction(user=officer())
    await call(tree, "offre fermer", again, reference=result.fingerprint)
    assert again.response.last["content"] == "Aucune offre ouverte avec cette référence."


# ---- issue 11 points 16 and 17 ----------------------------------------------------------------------
OFFICER_COMMANDS = {"offre", "serveur", "questions", "avis", "messagerie"}


def test_officer_commands_are_hidden_and_server_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["discord", "commands", "--json"]) == 0
    by_name = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    for name, found in by_name.items():
        officer_only = name in OFFICER_COMMANDS
        assert found["officers_only"] is officer_only, name
        assert found["guild_only"] is officer_only, name
        assert found["permissions"] == (["manage_guild"] if officer_only else []), name
        assert found["default_member_permissions"] == ("32" if officer_only else None), name


async def test_officer_commands_refuse_direct_messages(tree: Any) -> None:
    interaction = Interaction(user=officer(), guild_id=None)
    await call(tree, "questions", interaction)
    assert interaction.response.last["content"] == "Commande à utiliser sur un serveur."


def test_choices_show_french_labels_with_ids_as_values(tree: Any) -> None:
    def choices(path: str, option: str) -> dict[str, str]:
        param = command(tree, path)._params[option]
        return {c.value: c.name for c in param.choices}

    assert choices("gratification", "region")["reunion"] == "La Réunion"
    assert choices("gratification", "region")["metropole"] == "France métropolitaine"
    assert choices("alternance dates", "formation")["l3i"] == "L3I parcours MIAGE 2025/2026"
    assert choices("alternance dates", "contrat")["stage-alternance"] == "Stage en alternance"
    assert choices("alternance salaire", "contrat")["professionnalisation"] == "Contrat de professionnalisation"


def test_options_are_the_calculators_table(tree: Any) -> None:
    # Point 17: the bounds are the command line's; names and choices are those of the console.
    from bot.calculators import calculators  # noqa: PLC0415

    for calculator in calculators():
        found = command(tree, calculator.name)
        params = {p.display_name: p for p in found.parameters}
        assert list(params) == [o.name for o in calculator.chat_options], calculator.name
        for option in calculator.chat_options:
            param = params[option.name]
            assert param.required is option.required and param.description == option.help
            assert [(c.value, c.name) for c in param.choices] == list(option.choices)
            if option.high is not None:
                assert (param.min_value, param.max_value) == (option.low, option.high), option.name
    age = command(tree, "alternance salaire")._params["age"]
    assert (age.min_value, age.max_value) == (16, 99)
    assert command(tree, "stagiaires")._params["effectif"].min_value == 1


def test_commands_json_has_types_choices_autocomplete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    main(["discord", "commands", "--json"])
    by_name = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    options = {o["name"]: o for o in by_name["gratification"]["options"]}
    assert options["debut"]["type"] == "string" and options["heures_par_jour"]["type"] == "number"
    assert (options["heures_par_jour"]["min_value"], options["heures_par_jour"]["max_value"]) == (1, 10)
    assert {"name": "La Réunion", "value": "reunion"} in options["region"]["choices"]
    assert by_name["faq"]["options"][0]["autocomplete"] is True
    salaire = next(o for o in by_name["alternance"]["options"] if o["name"] == "salaire")
    assert salaire["type"] == "subcommand"
    assert {o["name"]: o["type"] for o in salaire["options"]}["niveau_base"] == "boolean"


async def test_professionalisation_pay_uses_the_guide_row_by_default(tree: Any) -> None:
    interaction = Interaction()
    await call(tree, "alternance salaire", interaction, contrat="professionnalisation", age=24)
    assert "80 % du SMIC" in (interaction.response.last["embed"].description or "")
    base = Interaction()
    await call(tree, "alternance salaire", base, contrat="professionnalisation", age=24, niveau_base=True)
    assert "70 % du SMIC" in (base.response.last["embed"].description or "")


def test_every_offer_outcome_and_decision_has_its_words() -> None:
    # Issue 12: the offers' labels were mapped three times; one table now serves the command and the reactions.
    from bot.discord.commands import SUBMITTED, decided_text  # noqa: PLC0415
    from bot.offers.pipeline import OfferOutcome  # noqa: PLC0415
    from bot.records.offers import OfferStatus  # noqa: PLC0415

    assert set(SUBMITTED) == set(OfferOutcome)
    assert decided_text(None) == "Offre introuvable."
    assert "approuvée" in decided_text(OfferStatus.NEW) and "refusée" in decided_text(OfferStatus.REJECTED)
    assert decided_text(OfferStatus.POSTED) == "Cette offre a déjà été traitée (état : posted)."
