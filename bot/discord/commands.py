"""The application commands (French names and descriptions) and the buttons.

    calculators    /gratification, /dates, /echeance, /duree, /stagiaires, /alternance salaire|dates:
                   built from the one table (bot/calculators.py), as the console and the command line are
    FaqCommand     /faq, with autocomplete and feedback buttons
    ProgrammeGroup /programme choix (each student's programme)
    ServerGroup    /serveur programme (officers: the server's default programme)
    OfferGroup     /offre publier|file|fermer (officers)
    reports        /questions, /avis, /messagerie (officers)

Handlers are thin: read the options, call one function of the core or of the calculators, render an
embed. A bad input gets one French sentence, only to the person who typed it. Officer commands are
hidden from members without Manage Server by default (``default_permissions``), refused in direct
messages (``guild_only``), and checked on the server side by ``officers_only`` whatever Discord's own
permission settings say: the configured role, or Manage Server.
"""

import inspect
import logging
import re
from collections.abc import Callable
from typing import Any, Optional

import discord
from discord import app_commands

from bot.assistant.answer import Answer, index
from bot.calculators import Calculator, Context, Kind, Outcome, calculators, run
from bot.citations import cite
from bot.core import Core
from bot.errors import BotError, InputError
from bot.offers.pipeline import OfferOutcome, Submitted
from bot.records.offers import OfferRecord, OfferStatus
from rules.errors import RuleError
from rules.gratification import GratificationResult
from rules.money import fr_amount, fr_number
from rules.programmes import programme as profile
from rules.programmes import programmes

log = logging.getLogger("stagebot.discord")

NO_PINGS = discord.AllowedMentions.none()
BLUE, GREEN, ORANGE, RED, GREY = 0x2B6CB0, 0x2F855A, 0xDD6B20, 0xC53030, 0x718096
TITLE_MAX, DESCRIPTION_MAX, FIELD_MAX, FOOTER_MAX = 256, 4096, 1024, 2048
AUTOCOMPLETE_MAX = 25
OFFICER_PERMISSIONS = discord.Permissions(
    manage_guild=True
)  # who sees officer commands until the server says otherwise
NOT_OFFICER = "Commande réservée aux responsables des stages."
NOT_IN_SERVER = "Commande à utiliser sur un serveur."


def clip(text: str, limit: int) -> str:
    """Text cut to a Discord length limit, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def embed(title: str, text: str, *, colour: int = BLUE, footer: str | None = None) -> discord.Embed:
    """A plain embed within Discord's limits."""
    card = discord.Embed(title=clip(title, TITLE_MAX), description=clip(text, DESCRIPTION_MAX), colour=colour)
    if footer:
        card.set_footer(text=clip(footer, FOOTER_MAX))
    return card


def is_officer(interaction: discord.Interaction[Any], core: Core) -> bool:
    """Whether the user of an interaction is an officer (checked here, on the server side)."""
    return is_officer_member(interaction.user, core)


def is_officer_member(member: Any, core: Core) -> bool:
    """An officer: the configured role (by name or id) or the Manage Server permission."""
    wanted = core.settings.discord.officer_role
    roles = getattr(member, "roles", [])
    if any(str(role.id) == wanted or role.name == wanted for role in roles):
        return True
    permissions = getattr(member, "guild_permissions", None)
    return bool(permissions and permissions.manage_guild)


class NotAllowed(app_commands.CheckFailure):
    """An officer command used by a student or outside a server; ``str`` is the French answer."""


def officers_only(core: Core) -> Callable[[Any], Any]:
    """The server-side officer check, as an ``app_commands.check`` bound to the core."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        if interaction.guild_id is None:
            raise NotAllowed(NOT_IN_SERVER)
        if not is_officer(interaction, core):
            raise NotAllowed(NOT_OFFICER)
        return True

    predicate.officers_only = True  # type: ignore[attr-defined] # read by commands_json
    return app_commands.check(predicate)


async def respond(
    interaction: discord.Interaction[Any],
    build: Callable[[], discord.Embed | tuple[discord.Embed, discord.ui.View | None]],
    *,
    ephemeral: bool,
) -> None:
    """Run one core call and send its embed; a French sentence (to the asker only) on bad input."""
    try:
        built = build()
    except (BotError, RuleError) as exc:
        await interaction.response.send_message(str(exc), ephemeral=True)
        return
    card, view = built if isinstance(built, tuple) else (built, None)
    kwargs: dict[str, Any] = {"embed": card, "ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if view is not None:
        kwargs["view"] = view
    await interaction.response.send_message(**kwargs)


async def refuse_non_officer(interaction: discord.Interaction[Any], core: Core) -> bool:
    """For buttons (not commands): answer "réservé aux responsables" and return True for a student."""
    if is_officer(interaction, core):
        return False
    await interaction.response.send_message(NOT_OFFICER, ephemeral=True)
    return True


# ---- buttons (persistent: they work after a restart) ---------------------------------------------
class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"avis:(?P<vote>oui|non):(?P<id>\d+)"):
    """« Cette réponse vous a aidé ? » Oui / Non; only the asker's vote counts."""

    core: Core | None = None  # set by the client at start

    def __init__(self, vote: str, answer_id: int) -> None:
        label, style = ("Oui", discord.ButtonStyle.success) if vote == "oui" else ("Non", discord.ButtonStyle.secondary)
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"avis:{vote}:{answer_id}"))
        self.vote, self.answer_id = vote, answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> "FeedbackButton":
        del interaction, item
        return cls(match["vote"], int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        core = type(self).core
        if core is None:
            return
        counted = core.vote(self.answer_id, interaction.user.id, self.vote == "oui")
        text = (
            "Merci pour votre avis !" if counted else "Seule la personne qui a posé la question peut donner son avis."
        )
        await interaction.response.send_message(text, ephemeral=True)


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"offre:(?P<action>ok|non):(?P<fp>[0-9a-f]{16})"
):
    """An officer's decision on an offer waiting for review."""

    core: Core | None = None

    def __init__(self, action: str, fingerprint: str) -> None:
        label, style = (
            ("Publier", discord.ButtonStyle.success) if action == "ok" else ("Refuser", discord.ButtonStyle.danger)
        )
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"offre:{action}:{fingerprint}"))
        self.action, self.fingerprint = action, fingerprint

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> "ReviewButton":
        del interaction, item
        return cls(match["action"], match["fp"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        core = type(self).core
        if core is None or await refuse_non_officer(interaction, core):
            return
        status = core.pipeline.decide(self.fingerprint, self.action == "ok", officer=str(interaction.user))
        await interaction.response.send_message(decided_text(status), ephemeral=True)


def feedback_view(answer_id: int) -> discord.ui.View:
    """The two feedback buttons under an answer."""
    view = discord.ui.View(timeout=None)
    view.add_item(FeedbackButton("oui", answer_id))
    view.add_item(FeedbackButton("non", answer_id))
    return view


def review_view(fingerprints: list[str]) -> discord.ui.View:
    """Publish / refuse buttons, two per offer (at most 12 offers: Discord allows 25 components)."""
    view = discord.ui.View(timeout=None)
    for fingerprint in fingerprints[:12]:
        view.add_item(ReviewButton("ok", fingerprint))
        view.add_item(ReviewButton("non", fingerprint))
    return view


# ---- embeds --------------------------------------------------------------------------------------
def answer_embed(answer: Answer, question: str) -> discord.Embed:
    """An answer from the knowledge base, with its source, or the polite refusal with suggestions."""
    if not answer.answered:
        card = embed(clip(question, TITLE_MAX), answer.answer, colour=GREY)
        if answer.suggestions:
            card.add_field(name="Questions proches", value=clip("\n".join(answer.suggestions), FIELD_MAX), inline=False)
        return card
    sources = " ; ".join(map(cite, answer.sources))
    return embed(
        clip(question, TITLE_MAX), answer.answer, colour=BLUE, footer=f"Source : {sources}" if sources else None
    )


def outcome_embed(outcome: Outcome) -> discord.Embed:
    """A calculator's answer; the gratification adds days, hours, mandatory or not, and each month."""
    result = outcome.result
    if not isinstance(result, GratificationResult):
        footer = "Sources : " + " ; ".join(map(cite, outcome.sources)) if outcome.sources else None
        return embed(outcome.title, outcome.text, footer=footer)
    card = embed(
        outcome.title,
        outcome.text,
        colour=GREEN if result.mandatory else GREY,
        footer="Sources : " + " ; ".join(map(cite, result.sources)),
    )
    card.add_field(name="Jours travaillés", value=str(result.working_days))
    card.add_field(name="Heures", value=fr_number(result.hours))
    card.add_field(name="Gratification obligatoire", value="oui" if result.mandatory else "non")
    for line in result.months[:20]:
        card.add_field(
            name=f"{line.month[5:]}/{line.month[:4]}",
            value=f"{fr_number(line.hours)} h → {fr_amount(line.amount)}",
        )
    return card


# ---- offers: what officers read -----------------------------------------------------------------
# One table for every outcome of a submitted offer: the sentence after /offre publier, and the staff
# channel's reaction. A backlog offer never comes from Discord; it is listed for completeness.
SUBMITTED: dict[OfferOutcome, tuple[str, str]] = {
    OfferOutcome.NEW: ("✅", "Offre acceptée : elle sera publiée dans #{channel}."),
    OfferOutcome.REVIEW: ("🕵️", "Offre mise en attente de validation : {problems}"),
    OfferOutcome.BACKLOG: ("🗄️", "Offre mise de côté : un responsable décidera de sa publication."),
    OfferOutcome.DUPLICATE: ("🔁", "Cette offre est déjà connue (réf. {fingerprint}) : rien de plus à publier."),
    OfferOutcome.UPDATED: ("✏️", "Offre déjà publiée, mise à jour (réf. {fingerprint})."),
    OfferOutcome.CLOSED: ("🔒", "Offre marquée pourvue (réf. {fingerprint})."),
}
UNKNOWN_KIND = "Offre mise en attente : type d'offre non reconnu."
# An officer's decision on an offer under review, by the status it leaves the offer in.
DECIDED: dict[OfferStatus, str] = {
    OfferStatus.NEW: "Offre approuvée : elle sera publiée dans son salon.",
    OfferStatus.REJECTED: "Offre refusée : elle ne sera pas publiée.",
}
KIND_LABELS = {"stage": "Stage", "alternance": "Alternance", "emploi": "Emploi"}


def submitted_mark(result: Submitted) -> str:
    """The staff channel's reaction to an offer pasted there."""
    return SUBMITTED[result.status][0]


def submitted_text(result: Submitted) -> str:
    """What became of an offer, in one sentence."""
    if result.status is OfferOutcome.REVIEW and not result.offer.problems:
        return UNKNOWN_KIND
    return SUBMITTED[result.status][1].format(
        channel=result.offer.channel,
        fingerprint=result.fingerprint,
        problems=" ; ".join(p.reason for p in result.offer.problems),
    )


def decided_text(status: OfferStatus | None) -> str:
    """The answer to a review button."""
    if status is None:
        return "Offre introuvable."
    return DECIDED.get(status, f"Cette offre a déjà été traitée (état : {status}).")


def offer_embed(offer: OfferRecord) -> discord.Embed:
    """An offer card for its channel (closed offers say so)."""
    details = offer.details
    closed = offer.status is OfferStatus.CLOSED
    title = ("[POURVUE] " if closed else "") + f"{KIND_LABELS.get(details.kind, 'Offre')} : {details.title}"
    lines = [
        f"**{label}** : {value}"
        for label, value in (
            ("Organisme", details.company),
            ("Lieu", details.location),
            ("Début", details.start),
            ("Rémunération", details.pay),
            ("Télétravail", details.remote),
        )
        if value
    ]
    if details.duration_weeks:
        lines.append(f"**Durée** : environ {details.duration_weeks:.0f} semaines")
    if details.contact:
        lines.append(f"**Contact** : {details.contact}")
    text = details.text
    card = embed(title, "\n".join(lines) + ("\n\n" + text if text else ""), colour=GREY if closed else GREEN)
    card.set_footer(text=clip(f"Source : {offer.source} · réf. {offer.fingerprint}", FOOTER_MAX))
    return card


def review_embed(offers: list[OfferRecord]) -> discord.Embed:
    """The officers' review queue."""
    if not offers:
        return embed("Offres à valider", "Aucune offre en attente.", colour=GREY)
    card = embed("Offres à valider", f"{len(offers)} offre(s) attendent une décision.", colour=ORANGE)
    for offer in offers[:12]:
        reasons = list(offer.details.problems) or ["type d'offre non reconnu"]
        card.add_field(
            name=clip(f"{offer.fingerprint} · {offer.details.title}", TITLE_MAX),
            value=clip(" ; ".join(reasons), FIELD_MAX),
            inline=False,
        )
    return card


# ---- the calculators, from the table --------------------------------------------------------------
def _annotation(option: Any) -> Any:
    base: Any
    if option.kind is Kind.NUMBER:
        base = app_commands.Range[float, option.low, option.high] if option.high is not None else float
    elif option.kind is Kind.INTEGER:
        base = app_commands.Range[int, option.low, option.high] if option.high is not None else int
    elif option.kind is Kind.FLAG:
        base = bool
    else:  # dates, choices and programmes are text; the table's reader checks them
        base = str
    return base if option.required else Optional[base]  # noqa: UP045 - a runtime annotation discord.py reads


def calculator_command(calculator: Calculator, core: Core, parent: app_commands.Group | None = None) -> Any:
    """One calculator as an application command: its options, bounds and choices are the table's."""

    async def callback(interaction: discord.Interaction[Any], **values: Any) -> None:
        def build() -> discord.Embed:
            who = core.programme_for(interaction.user.id, interaction.guild_id)
            return outcome_embed(run(calculator, values, Context(who, core.today())))

        await respond(interaction, build, ephemeral=core.settings.discord.ephemeral)

    parameters = [
        inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction)
    ]
    parameters += [
        inspect.Parameter(
            option.name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=_annotation(option),
            default=inspect.Parameter.empty if option.required else None,
        )
        for option in calculator.chat_options
    ]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command: app_commands.Command[Any, ..., Any] = app_commands.Command(
        name=calculator.name.split()[-1], description=calculator.help, callback=callback, parent=parent
    )
    app_commands.describe(**{o.name: o.help for o in calculator.chat_options})(command)
    choices = {
        o.name: [app_commands.Choice(name=label, value=value) for value, label in o.choices]
        for o in calculator.chat_options
        if o.choices
    }
    if choices:
        app_commands.choices(**choices)(command)
    return command


def calculator_commands(core: Core) -> list[Any]:
    """Every calculator of the table; two-word names become a group (/alternance salaire)."""
    groups: dict[str, app_commands.Group] = {}
    found: list[Any] = []
    for calculator in calculators():
        words = calculator.name.split()
        parent = None
        if len(words) == 2:
            if words[0] not in groups:
                groups[words[0]] = app_commands.Group(name=words[0], description=GROUP_DESCRIPTIONS[words[0]])
                found.append(groups[words[0]])
            parent = groups[words[0]]
        command = calculator_command(calculator, core, parent)
        if parent is None:
            found.append(command)
        else:
            parent.add_command(command)
    return found


GROUP_DESCRIPTIONS = {"alternance": "Calculateurs de l'alternance (salaire minimum, dates du contrat)"}


# ---- the other commands --------------------------------------------------------------------------
PROGRAMME_CHOICES = [
    app_commands.Choice(name=clip(f"{p.name} — {p.institution}", 100), value=pid) for pid, p in programmes().items()
]


def faq_command(core: Core) -> Any:
    """/faq: a question to the knowledge base, with autocomplete and feedback buttons."""

    async def faq_autocomplete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        who = core.programme_for(interaction.user.id, interaction.guild_id)
        hits = index().search(current, programme=who, limit=AUTOCOMPLETE_MAX) if current.strip() else []
        phrasings = [h.phrasing for h in hits] or [e.questions[0] for e in index().entries[:AUTOCOMPLETE_MAX]]
        unique = list(dict.fromkeys(p[:100] for p in phrasings))
        return [app_commands.Choice(name=p, value=p) for p in unique[:AUTOCOMPLETE_MAX]]

    @app_commands.command(name="faq", description="Poser une question sur les stages et l'alternance")
    @app_commands.describe(question="Votre question, comme vous la poseriez au bureau des stages")
    @app_commands.autocomplete(question=faq_autocomplete)
    async def faq(interaction: discord.Interaction[Any], question: app_commands.Range[str, 2, 300]) -> None:
        answer, answer_id = core.answer(question, interaction.user.id, interaction.guild_id)
        await interaction.response.send_message(
            embed=answer_embed(answer, question),
            view=feedback_view(answer_id),
            ephemeral=core.settings.discord.ephemeral,
            allowed_mentions=NO_PINGS,
        )

    return faq


class ProgrammeGroup(app_commands.Group, name="programme", description="Votre formation"):
    """Each student's programme, remembered for their questions and calculators."""

    def __init__(self, core: Core) -> None:
        super().__init__()
        self.core = core

    @app_commands.command(name="choix", description="Choisir votre programme (mémorisé pour vos questions)")
    @app_commands.describe(programme="Votre programme")
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    async def choix(self, interaction: discord.Interaction[Any], programme: str) -> None:
        def build() -> discord.Embed:
            self.core.choose_programme(interaction.user.id, programme)
            chosen = profile(programme)
            return embed(
                "Programme enregistré",
                f"Vos réponses suivront désormais les règles de : {chosen.name} ({chosen.institution}).",
            )

        await respond(interaction, build, ephemeral=True)


class OfficerGroup(app_commands.Group):
    """A group of officer commands: hidden by default, server only, checked on the server side."""

    def __init__(self, core: Core) -> None:
        super().__init__()
        self.core = core
        for command in self.commands:
            officers_only(core)(command)


class ServerGroup(
    OfficerGroup,
    name="serveur",
    description="Réglages du serveur (responsables)",
    guild_only=True,
    default_permissions=OFFICER_PERMISSIONS,
):
    """The server's settings."""

    @app_commands.command(name="programme", description="Programme par défaut de ce serveur")
    @app_commands.describe(programme="Programme par défaut des membres qui n'en ont pas choisi")
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    async def programme(self, interaction: discord.Interaction[Any], programme: str) -> None:
        guild_id = interaction.guild_id or 0  # officers_only refuses direct messages

        def build() -> discord.Embed:
            self.core.set_guild_programme(guild_id, programme)
            return embed("Programme du serveur", f"Par défaut sur ce serveur : {profile(programme).name}.")

        await respond(interaction, build, ephemeral=True)


class OfferGroup(
    OfficerGroup,
    name="offre",
    description="Offres de stage, d'alternance et d'emploi (responsables)",
    guild_only=True,
    default_permissions=OFFICER_PERMISSIONS,
):
    """Offers by hand: publish, the review queue, close."""

    @app_commands.command(
        name="publier", description="Vérifier une offre et la publier dans son salon (ou la mettre en attente)"
    )
    @app_commands.describe(texte="Le texte de l'offre (ou d'un mail qui la contient)")
    async def publier(self, interaction: discord.Interaction[Any], texte: app_commands.Range[str, 20, 4000]) -> None:
        core = self.core

        def build() -> discord.Embed:
            result = core.pipeline.submit(texte, today=core.today(), source="discord")
            return embed(
                clip(result.offer.title or "Offre", TITLE_MAX),
                submitted_text(result),
                colour=GREEN if result.status is OfferOutcome.NEW else ORANGE,
            )

        await respond(interaction, build, ephemeral=True)

    @app_commands.command(name="file", description="Les offres qui attendent la décision d'un responsable")
    async def file(self, interaction: discord.Interaction[Any]) -> None:
        offers = self.core.pipeline.queue(OfferStatus.REVIEW) + self.core.pipeline.queue(OfferStatus.BACKLOG)
        view = review_view([o.fingerprint for o in offers]) if offers else None
        await respond(interaction, lambda: (review_embed(offers), view), ephemeral=True)

    @app_commands.command(name="fermer", description="Marquer une offre pourvue ou retirée (son message est modifié)")
    @app_commands.describe(reference="Référence de l'offre (16 caractères, en bas de sa carte)")
    async def fermer(self, interaction: discord.Interaction[Any], reference: app_commands.Range[str, 16, 16]) -> None:
        core = self.core

        def build() -> discord.Embed:
            if not core.pipeline.close(reference.lower()):
                raise InputError("Aucune offre ouverte avec cette référence.")
            return embed("Offre fermée", "Son message sera modifié dans le salon.", colour=GREY)

        await respond(interaction, build, ephemeral=True)


def report_commands(core: Core) -> list[Any]:
    """/questions, /avis, /messagerie: what officers read."""
    officers = officers_only(core)
    hidden = app_commands.default_permissions(manage_guild=True)
    server = app_commands.guild_only()

    @app_commands.command(
        name="questions", description="Les questions sans réponse, les plus fréquentes d'abord (responsables)"
    )
    async def questions(interaction: discord.Interaction[Any]) -> None:
        from bot.assistant.gaps import gaps_text  # noqa: PLC0415

        await respond(
            interaction,
            lambda: embed("Questions sans réponse", gaps_text(core.gaps(limit=15))),
            ephemeral=True,
        )

    @app_commands.command(
        name="avis", description="Les avis des étudiants sur les réponses, les moins utiles d'abord (responsables)"
    )
    async def avis(interaction: discord.Interaction[Any]) -> None:
        lines = [f"{f.entry_id} : {f.yes} oui, {f.no} non ({f.asked} questions)" for f in core.feedback()]
        await respond(
            interaction,
            lambda: embed("Avis sur les réponses", "\n".join(lines) or "Aucun avis pour l'instant."),
            ephemeral=True,
        )

    @app_commands.command(
        name="messagerie", description="État de la boîte des stages : catégories, mails à vérifier (responsables)"
    )
    async def messagerie(interaction: discord.Interaction[Any]) -> None:
        from bot.mail import render  # noqa: PLC0415 - only when an officer asks
        from bot.mail.records import mailbox_status  # noqa: PLC0415 - the store's report, no mail library

        await respond(
            interaction,
            lambda: embed("Messagerie", render.mail_status_text(mailbox_status(core.store, limit=8))),
            ephemeral=True,
        )

    reports: tuple[Any, ...] = (questions, avis, messagerie)
    return [officers(hidden(server(report))) for report in reports]


def build_tree(client: discord.Client, core: Core) -> app_commands.CommandTree[Any]:
    """Every application command, bound to the core."""
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    commands: list[Any] = [
        *calculator_commands(core),
        faq_command(core),
        ProgrammeGroup(core),
        ServerGroup(core),
        OfferGroup(core),
        *report_commands(core),
    ]
    for command in commands:
        tree.add_command(command)

    @tree.error
    async def on_error(interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        if isinstance(error, NotAllowed):
            text = str(error)
        else:
            log.error("commande en erreur : %s", type(error).__name__, exc_info=error)
            text = "Une erreur interne est survenue ; l'équipe a été prévenue par le journal."
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    return tree


# ---- the contract's listing ----------------------------------------------------------------------
_OPTION_KEYS = ("choices", "autocomplete", "min_value", "max_value", "min_length", "max_length")


def _option_json(option: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": option["name"],
        "description": option["description"],
        "required": bool(option.get("required", False)),
        "type": discord.AppCommandOptionType(option["type"]).name,
    }
    found.update({key: option[key] for key in _OPTION_KEYS if key in option})
    if option.get("options"):
        found["options"] = [_option_json(sub) for sub in option["options"]]
    return found


def _officers_only(command: Any) -> bool:
    if isinstance(command, app_commands.Group):
        return all(_officers_only(sub) for sub in command.commands)
    return any(getattr(check, "officers_only", False) for check in command.checks)


def commands_json(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    """The tree as ``stagebot discord commands --json`` prints it: what sync would send, and who may use it."""
    found = []
    for command in tree.get_commands():
        payload = command.to_dict(tree)
        permissions = payload.get("default_member_permissions")
        found.append(
            {
                "name": payload["name"],
                "description": payload["description"],
                "options": [_option_json(option) for option in payload.get("options", [])],
                "default_member_permissions": None if permissions is None else str(permissions),
                "permissions": []
                if permissions is None
                else [n for n, on in discord.Permissions(int(permissions)) if on],
                "guild_only": not payload.get("dm_permission", True),
                "officers_only": _officers_only(command),
            }
        )
    return found
