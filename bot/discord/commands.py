"""The application commands (French names and descriptions) and the buttons.

Handlers are thin: parse the options, call one function of the core or of ``rules``, render an
embed. A bad input gets one French sentence, only to the person who typed it. Officer commands
check the officer role on the server side, whatever Discord's own permission settings say.
"""

import json
import logging
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import discord
from discord import app_commands

from bot import render
from bot.assistant.answer import Answer, index
from bot.assistant.gaps import gaps
from bot.assistant.intents import UNITS
from bot.discord.core import Core
from bot.errors import BotError, InputError
from bot.mail.service import status as mail_status
from bot.parsing import parse_date
from knowledge.timeline import upcoming
from rules import contracts, deadlines, durations, gratification, quota, workstudy
from rules.calendar import REGIONS
from rules.errors import RuleError
from rules.money import fr_amount, fr_number
from rules.programmes import programme, programmes

log = logging.getLogger("stagebot.discord")

NO_PINGS = discord.AllowedMentions.none()
BLUE, GREEN, ORANGE, RED, GREY = 0x2B6CB0, 0x2F855A, 0xDD6B20, 0xC53030, 0x718096
TITLE_MAX, DESCRIPTION_MAX, FIELD_MAX, FOOTER_MAX = 256, 4096, 1024, 2048
AUTOCOMPLETE_MAX = 25


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
    """Answer "réservé aux responsables" and return True when the user is not an officer."""
    if is_officer(interaction, core):
        return False
    await interaction.response.send_message("Commande réservée aux responsables des stages.", ephemeral=True)
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
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str]
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
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str]
    ) -> "ReviewButton":
        del interaction, item
        return cls(match["action"], match["fp"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        core = type(self).core
        if core is None or await refuse_non_officer(interaction, core):
            return
        status = core.pipeline.decide(self.fingerprint, self.action == "ok", officer=str(interaction.user))
        text = {
            "new": "Offre approuvée : elle sera publiée dans son salon.",
            "rejected": "Offre refusée : elle ne sera pas publiée.",
            None: "Offre introuvable.",
        }.get(status, f"Cette offre a déjà été traitée (état : {status}).")
        await interaction.response.send_message(text, ephemeral=True)


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
    sources = " ; ".join(f"{s['document']}, {s['section']}" for s in answer.sources)
    return embed(
        clip(question, TITLE_MAX), answer.answer, colour=BLUE, footer=f"Source : {sources}" if sources else None
    )


def gratification_embed(result: gratification.GratificationResult, region_id: str) -> discord.Embed:
    """The calculator's answer: days, hours, mandatory or not, months, total, warnings, sources."""
    mandatory = "oui" if result.mandatory else "non"
    card = embed(
        f"Gratification du {result.start:%d/%m/%Y} au {result.end:%d/%m/%Y}",
        render.gratification_text(result, region_id=region_id),
        colour=GREEN if result.mandatory else GREY,
        footer="Sources : " + " ; ".join(result.sources),
    )
    card.add_field(name="Jours travaillés", value=str(result.working_days))
    card.add_field(name="Heures", value=fr_number(result.hours))
    card.add_field(name="Gratification obligatoire", value=mandatory)
    for line in result.months[:20]:
        card.add_field(
            name=f"{line.month[5:]}/{line.month[:4]}",
            value=f"{fr_number(line.hours)} h → {fr_amount(line.amount)}",
        )
    return card


def offer_embed(row: dict[str, Any]) -> discord.Embed:
    """An offer card for its channel (closed offers say so)."""
    data = json.loads(row["data"])
    closed = row["status"] == "closed"
    kinds = {"stage": "Stage", "alternance": "Alternance", "emploi": "Emploi"}
    title = ("[POURVUE] " if closed else "") + f"{kinds.get(data['kind'], 'Offre')} : {data['title']}"
    lines = []
    for label, key in (
        ("Organisme", "company"),
        ("Lieu", "location"),
        ("Début", "start"),
        ("Rémunération", "pay"),
        ("Télétravail", "remote"),
    ):
        if data.get(key):
            lines.append(f"**{label}** : {data[key]}")
    if data.get("duration_weeks"):
        lines.append(f"**Durée** : environ {data['duration_weeks']:.0f} semaines")
    if data.get("contact"):
        lines.append(f"**Contact** : {data['contact']}")
    text = data.get("text", "")
    card = embed(title, "\n".join(lines) + ("\n\n" + text if text else ""), colour=GREY if closed else GREEN)
    card.set_footer(text=clip(f"Source : {row['source']} · réf. {row['fingerprint']}", FOOTER_MAX))
    return card


def review_embed(rows: list[dict[str, Any]]) -> discord.Embed:
    """The officers' review queue."""
    if not rows:
        return embed("Offres à valider", "Aucune offre en attente.", colour=GREY)
    card = embed("Offres à valider", f"{len(rows)} offre(s) attendent une décision.", colour=ORANGE)
    for row in rows[:12]:
        data = json.loads(row["data"])
        reasons = [p["reason"] for p in data.get("problem_reasons", [])] or ["type d'offre non reconnu"]
        card.add_field(
            name=clip(f"{row['fingerprint']} · {data['title']}", TITLE_MAX),
            value=clip(" ; ".join(reasons), FIELD_MAX),
            inline=False,
        )
    return card


# ---- the tree ------------------------------------------------------------------------------------
PROGRAMME_CHOICES = [
    app_commands.Choice(name=clip(f"{p.name} — {p.institution}", 100), value=pid) for pid, p in programmes().items()
]
REGION_CHOICES = [app_commands.Choice(name=name, value=name) for name in REGIONS]
UNIT_CHOICES = [app_commands.Choice(name=u, value=u) for u in ("heures", "jours", "semaines", "mois")]


def build_tree(client: discord.Client, core: Core) -> app_commands.CommandTree[Any]:
    """Every application command, bound to the core."""
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    ephemeral = core.settings.discord.ephemeral

    def who(interaction: discord.Interaction[Any]) -> str:
        return core.programme_for(interaction.user.id, interaction.guild_id)

    @tree.command(name="gratification", description="Jours travaillés, heures et gratification minimale mois par mois")
    @app_commands.describe(
        debut="Premier jour du stage (2026-06-01, 01/06/2026 ou « 1 juin 2026 »)",
        fin="Dernier jour du stage",
        heures_par_jour="Heures par jour (7 par défaut, 10 au plus)",
        region="Jours fériés de la région (métropole par défaut)",
        jours_off="Jours non travaillés, séparés par des virgules",
    )
    @app_commands.choices(region=REGION_CHOICES)
    async def gratification_command(
        interaction: discord.Interaction[Any],
        debut: str,
        fin: str,
        heures_par_jour: app_commands.Range[float, 1, 10] | None = None,
        region: str = "metropole",
        jours_off: str | None = None,
    ) -> None:
        def build() -> discord.Embed:
            offs = [parse_date(d) for d in (jours_off or "").split(",") if d.strip()]
            hours = Decimal(str(heures_par_jour)) if heures_par_jour is not None else None
            result = gratification.compute(
                parse_date(debut),
                parse_date(fin),
                hours_per_day=hours,
                region_id=region,
                days_off=offs,
                programme=programme(who(interaction)),
            )
            return gratification_embed(result, region)

        await respond(interaction, build, ephemeral=ephemeral)

    @tree.command(name="dates", description="Les prochaines dates clés de votre programme")
    @app_commands.describe(programme_id="Programme (le vôtre par défaut)")
    @app_commands.rename(programme_id="programme")
    @app_commands.choices(programme_id=PROGRAMME_CHOICES)
    async def dates_command(interaction: discord.Interaction[Any], programme_id: str | None = None) -> None:
        def build() -> discord.Embed:
            chosen = programme_id or who(interaction)
            events = upcoming(chosen, core.today())
            return embed(f"Dates clés — {programme(chosen).name}", render.dates_text(events[:20]))

        await respond(interaction, build, ephemeral=ephemeral)

    @tree.command(name="echeance", description="La date limite de chaque démarche avant le début du stage")
    @app_commands.describe(debut="Premier jour du stage", etranger="Stage à l'étranger")
    async def echeance_command(interaction: discord.Interaction[Any], debut: str, etranger: bool = False) -> None:
        def build() -> discord.Embed:
            start = parse_date(debut)
            steps = deadlines.steps_before(start, who(interaction), abroad=etranger)
            return embed(
                f"Échéances pour un début le {start:%d/%m/%Y}",
                render.steps_text(steps, start=start, today=core.today()),
            )

        await respond(interaction, build, ephemeral=ephemeral)

    async def faq_autocomplete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        hits = index().search(current, programme=who(interaction), limit=AUTOCOMPLETE_MAX) if current.strip() else []
        phrasings = [h.phrasing for h in hits] or [e.questions[0] for e in index().entries[:AUTOCOMPLETE_MAX]]
        unique = list(dict.fromkeys(p[:100] for p in phrasings))
        return [app_commands.Choice(name=p, value=p) for p in unique[:AUTOCOMPLETE_MAX]]

    @tree.command(name="faq", description="Poser une question sur les stages et l'alternance")
    @app_commands.describe(question="Votre question, comme vous la poseriez au bureau des stages")
    @app_commands.autocomplete(question=faq_autocomplete)
    async def faq_command(interaction: discord.Interaction[Any], question: app_commands.Range[str, 2, 300]) -> None:
        answer, answer_id = core.answer(question, interaction.user.id, interaction.guild_id)
        await interaction.response.send_message(
            embed=answer_embed(answer, question),
            view=feedback_view(answer_id),
            ephemeral=ephemeral,
            allowed_mentions=NO_PINGS,
        )

    @tree.command(name="duree", description="Convertir une durée en heures, jours, semaines et mois")
    @app_commands.describe(valeur="Nombre", unite="Unité")
    @app_commands.choices(unite=UNIT_CHOICES)
    async def duree_command(
        interaction: discord.Interaction[Any], valeur: app_commands.Range[float, 0, 10000], unite: str
    ) -> None:
        def build() -> discord.Embed:
            converted = durations.convert(Decimal(str(valeur)), UNITS[unite])
            return embed("Conversion de durée", render.durations_text(converted))

        await respond(interaction, build, ephemeral=ephemeral)

    @tree.command(name="stagiaires", description="Nombre maximal de stagiaires en même temps dans un organisme")
    @app_commands.describe(effectif="Effectif de l'organisme (salariés)")
    async def stagiaires_command(
        interaction: discord.Interaction[Any], effectif: app_commands.Range[int, 0, 1000000]
    ) -> None:
        await respond(
            interaction,
            lambda: embed("Stagiaires simultanés", render.quota_text(quota.max_interns(effectif))),
            ephemeral=ephemeral,
        )

    alternance = app_commands.Group(name="alternance", description="Calculateurs de l'alternance")

    @alternance.command(
        name="salaire", description="Salaire minimum d'un apprenti ou d'un contrat de professionnalisation"
    )
    @app_commands.describe(
        contrat="Type de contrat",
        age="Âge",
        annee="Année du contrat (1, 2 ou 3)",
        qualifie="Déjà titulaire d'un bac pro ou plus (contrat pro)",
    )
    @app_commands.choices(
        contrat=[app_commands.Choice(name=c, value=c) for c in ("apprentissage", "professionnalisation")]
    )
    async def salaire_command(
        interaction: discord.Interaction[Any],
        contrat: str,
        age: app_commands.Range[int, 15, 70],
        annee: app_commands.Range[int, 1, 3],
        qualifie: bool = True,
    ) -> None:
        def build() -> discord.Embed:
            pay = workstudy.minimum_pay(contrat, age, annee, core.today(), qualified=qualifie)
            return embed(
                "Salaire minimum en alternance", render.pay_text(pay), footer="Sources : " + " ; ".join(pay.sources)
            )

        await respond(interaction, build, ephemeral=ephemeral)

    @alternance.command(name="dates", description="Bornes de début et de fin d'un contrat (MIAGE Aix-Marseille)")
    @app_commands.describe(formation="Formation", contrat="Type de contrat")
    @app_commands.choices(
        formation=[app_commands.Choice(name=f, value=f) for f in contracts.FORMATIONS],
        contrat=[app_commands.Choice(name=c, value=c) for c in contracts.CONTRACTS],
    )
    async def alternance_dates_command(interaction: discord.Interaction[Any], formation: str, contrat: str) -> None:
        await respond(
            interaction,
            lambda: embed("Dates du contrat", render.window_text(contracts.window(formation, contrat))),
            ephemeral=ephemeral,
        )

    tree.add_command(alternance)

    programme_group = app_commands.Group(name="programme", description="Votre formation")

    @programme_group.command(name="choix", description="Choisir votre programme (mémorisé pour vos questions)")
    @app_commands.describe(programme_id="Votre programme")
    @app_commands.rename(programme_id="programme")
    @app_commands.choices(programme_id=PROGRAMME_CHOICES)
    async def choix_command(interaction: discord.Interaction[Any], programme_id: str) -> None:
        def build() -> discord.Embed:
            core.choose_programme(interaction.user.id, programme_id)
            chosen = programme(programme_id)
            return embed(
                "Programme enregistré",
                f"Vos réponses suivront désormais les règles de : {chosen.name} ({chosen.institution}).",
            )

        await respond(interaction, build, ephemeral=True)

    @programme_group.command(name="serveur", description="Programme par défaut de ce serveur (responsables)")
    @app_commands.describe(programme_id="Programme par défaut")
    @app_commands.rename(programme_id="programme")
    @app_commands.choices(programme_id=PROGRAMME_CHOICES)
    async def serveur_command(interaction: discord.Interaction[Any], programme_id: str) -> None:
        if await refuse_non_officer(interaction, core):
            return
        if interaction.guild_id is None:
            await interaction.response.send_message("Commande à utiliser sur un serveur.", ephemeral=True)
            return
        guild_id = interaction.guild_id

        def build() -> discord.Embed:
            core.set_guild_programme(guild_id, programme_id)
            return embed("Programme du serveur", f"Par défaut sur ce serveur : {programme(programme_id).name}.")

        await respond(interaction, build, ephemeral=True)

    tree.add_command(programme_group)

    offre = app_commands.Group(name="offre", description="Offres de stage, d'alternance et d'emploi (responsables)")

    @offre.command(
        name="publier", description="Vérifier une offre et la publier dans son salon (ou la mettre en attente)"
    )
    @app_commands.describe(texte="Le texte de l'offre (ou d'un mail qui la contient)")
    async def publier_command(interaction: discord.Interaction[Any], texte: app_commands.Range[str, 20, 4000]) -> None:
        if await refuse_non_officer(interaction, core):
            return

        def build() -> discord.Embed:
            result = core.pipeline.submit(texte, today=core.today(), source="discord")
            text = {
                "new": f"Offre acceptée : elle sera publiée dans #{result.offer.channel}.",
                "review": "Offre mise en attente de validation : " + " ; ".join(p.reason for p in result.offer.problems)
                if result.offer.problems
                else "Offre mise en attente : type d'offre non reconnu.",
                "duplicate": f"Cette offre est déjà connue (réf. {result.fingerprint}) : rien de plus à publier.",
                "updated": f"Offre déjà publiée, mise à jour (réf. {result.fingerprint}).",
                "closed": f"Offre marquée pourvue (réf. {result.fingerprint}).",
            }[result.status]
            return embed(
                clip(result.offer.title or "Offre", TITLE_MAX), text, colour=GREEN if result.status == "new" else ORANGE
            )

        await respond(interaction, build, ephemeral=True)

    @offre.command(name="file", description="Les offres qui attendent la décision d'un responsable")
    async def file_command(interaction: discord.Interaction[Any]) -> None:
        if await refuse_non_officer(interaction, core):
            return
        rows = core.pipeline.queue("review") + core.pipeline.queue("backlog")
        view = review_view([r["fingerprint"] for r in rows]) if rows else None
        await respond(interaction, lambda: (review_embed(rows), view), ephemeral=True)

    @offre.command(name="fermer", description="Marquer une offre pourvue ou retirée (son message est modifié)")
    @app_commands.describe(reference="Référence de l'offre (16 caractères, en bas de sa carte)")
    async def fermer_command(interaction: discord.Interaction[Any], reference: app_commands.Range[str, 16, 16]) -> None:
        if await refuse_non_officer(interaction, core):
            return

        def build() -> discord.Embed:
            if not core.pipeline.close(reference.lower()):
                raise InputError("Aucune offre ouverte avec cette référence.")
            return embed("Offre fermée", "Son message sera modifié dans le salon.", colour=GREY)

        await respond(interaction, build, ephemeral=True)

    tree.add_command(offre)

    @tree.command(
        name="questions", description="Les questions sans réponse, les plus fréquentes d'abord (responsables)"
    )
    async def questions_command(interaction: discord.Interaction[Any]) -> None:
        if await refuse_non_officer(interaction, core):
            return
        await respond(
            interaction,
            lambda: embed("Questions sans réponse", render.gaps_text(gaps(core.store, limit=15))),
            ephemeral=True,
        )

    @tree.command(
        name="avis", description="Les avis des étudiants sur les réponses, les moins utiles d'abord (responsables)"
    )
    async def avis_command(interaction: discord.Interaction[Any]) -> None:
        if await refuse_non_officer(interaction, core):
            return
        rows = core.feedback()
        lines = [f"{r['entry_id']} : {r['yes'] or 0} oui, {r['no'] or 0} non ({r['asked']} questions)" for r in rows]
        await respond(
            interaction,
            lambda: embed("Avis sur les réponses", "\n".join(lines) or "Aucun avis pour l'instant."),
            ephemeral=True,
        )

    @tree.command(
        name="messagerie", description="État de la boîte des stages : catégories, mails à vérifier (responsables)"
    )
    async def messagerie_command(interaction: discord.Interaction[Any]) -> None:
        if await refuse_non_officer(interaction, core):
            return
        await respond(
            interaction,
            lambda: embed("Messagerie", render.mail_status_text(mail_status(core.store, limit=8))),
            ephemeral=True,
        )

    @tree.error
    async def on_error(interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        log.error("commande en erreur : %s", type(error).__name__, exc_info=error)
        text = "Une erreur interne est survenue ; l'équipe a été prévenue par le journal."
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    return tree


def commands_json(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    """The tree as ``stagebot discord commands --json`` prints it (sub-commands as options)."""

    def options(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> list[dict[str, Any]]:
        if isinstance(command, app_commands.Group):
            return [
                {"name": sub.name, "description": sub.description, "required": False, "options": options(sub)}
                for sub in command.commands
            ]
        return [
            {"name": p.display_name, "description": p.description, "required": p.required} for p in command.parameters
        ]

    return [{"name": c.name, "description": c.description, "options": options(c)} for c in tree.get_commands()]
