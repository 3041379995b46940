"""The Discord client: commands, mentions and direct messages, the offer poster, and the mailbox.

``run`` is the main job with a token: Discord and the mailbox service in one process, stopped
cleanly on SIGTERM or SIGINT (the mail being worked is finished first; posts are never half-done).
"""

import asyncio
import contextlib
import logging
import re
import signal
import time
from typing import Any

import discord

from bot.core import Core
from bot.discord.commands import (
    NO_PINGS,
    FeedbackButton,
    ReviewButton,
    answer_embed,
    build_tree,
    feedback_view,
    is_officer_member,
    offer_embed,
    review_embed,
    review_view,
    submitted_mark,
)
from bot.errors import ConfigError, ServiceError, os_reason

log = logging.getLogger("stagebot.discord")

POST_EVERY_SECONDS = 30


class OfferPoster:
    """Posts queued offers in their channels, review cards in the review channel, edits in place."""

    def __init__(self, core: Core, channel_by_name: Any) -> None:
        self.core = core
        self.channel_by_name = channel_by_name  # name -> a messageable channel, or None

    async def run_once(self) -> int:
        """One round; returns how many messages were sent or edited."""
        pipeline, settings = self.core.pipeline, self.core.settings.discord
        done = 0
        held = pipeline.hold_backlog()
        if held:
            log.info("premier démarrage : %d offre(s) déjà en file gardées pour les responsables", held)
        mentions = NO_PINGS
        prefix = ""
        if settings.ping_role:
            prefix = f"<@&{settings.ping_role}> " if settings.ping_role.isdigit() else ""
            mentions = discord.AllowedMentions(everyone=False, users=False, roles=True)
        for offer in pipeline.due(settings.posts_per_hour):
            channel = self.channel_by_name(offer.channel)
            if channel is None:
                log.warning("salon introuvable : #%s", offer.channel)
                continue
            message = await channel.send(content=prefix or None, embed=offer_embed(offer), allowed_mentions=mentions)
            pipeline.mark_posted(offer.fingerprint, channel.id, message.id)
            done += 1
        for offer in pipeline.to_edit():
            channel = self.channel_by_name(offer.channel)
            if channel is not None and offer.message_id is not None:
                with contextlib.suppress(discord.NotFound):
                    await channel.get_partial_message(offer.message_id).edit(embed=offer_embed(offer))
                    done += 1
            pipeline.edited(offer.fingerprint)
        waiting = pipeline.unannounced_reviews()
        review = self.channel_by_name(settings.review_channel)
        if waiting and review is not None:
            message = await review.send(
                embed=review_embed(waiting),
                view=review_view([o.fingerprint for o in waiting]),
                allowed_mentions=NO_PINGS,
            )
            pipeline.announced([o.fingerprint for o in waiting], message.id)
            done += 1
        return done


class StageBotClient(discord.Client):
    """The bot."""

    def __init__(self, core: Core) -> None:
        intents = discord.Intents.default()  # mentions and DMs carry their content without the privileged intent
        super().__init__(intents=intents, allowed_mentions=NO_PINGS)
        self.core = core
        self.tree = build_tree(self, core)
        self.poster = OfferPoster(core, self.channel_named)
        FeedbackButton.core = core
        ReviewButton.core = core

    def channel_named(self, name: str | None) -> Any:
        """A text channel by name in the configured server (or any server the bot is in)."""
        if not name:
            return None
        guild_id = self.core.settings.discord.guild_id
        for guild in self.guilds:
            if guild_id is not None and guild.id != guild_id:
                continue
            channel = discord.utils.get(guild.text_channels, name=name)
            if channel is not None:
                return channel
        return None

    async def setup_hook(self) -> None:
        """Persistent buttons, command sync (development server at once, global otherwise), poster."""
        self.add_dynamic_items(FeedbackButton, ReviewButton)
        guild_id = self.core.settings.discord.guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        self.poster_task = asyncio.create_task(self._post_forever())

    async def _post_forever(self) -> None:
        await self.wait_until_ready()
        while not self.is_closed():
            try:
                await self.poster.run_once()
            except discord.HTTPException as exc:  # discord.py already waits out rate limits
                log.warning("publication d'offres interrompue : %s", exc.status)
            await asyncio.sleep(POST_EVERY_SECONDS)

    async def on_message(self, message: discord.Message) -> None:
        """Mentions and direct messages get an answer; the staff channel feeds the offer pipeline."""
        if message.author.bot or self.user is None:
            return
        staff = self.core.settings.discord.staff_channel
        if staff and getattr(message.channel, "name", None) == staff:
            await self._staff_offer(message)
            return
        direct = isinstance(message.channel, discord.DMChannel)
        if not direct and self.user not in message.mentions:
            return
        question = re.sub(r"<@!?\d+>", "", message.content).strip()
        if not question:
            await message.reply(
                "Posez-moi votre question, par exemple : « durée minimale du stage ? »", mention_author=False
            )
            return
        if not self.core.allow_question(message.author.id, time.monotonic()):
            await message.reply("Trop de questions d'un coup : réessayez dans une minute.", mention_author=False)
            return
        guild_id = message.guild.id if message.guild else None
        answer, answer_id = self.core.answer(question, message.author.id, guild_id)
        await message.reply(
            embed=answer_embed(answer, question),
            view=feedback_view(answer_id),
            mention_author=False,
            allowed_mentions=NO_PINGS,
        )

    async def _staff_offer(self, message: discord.Message) -> None:
        if not is_officer_member(message.author, self.core) or len(message.content) < 40:
            return
        result = self.core.pipeline.submit(message.content, today=self.core.today(), source="staff")
        with contextlib.suppress(discord.HTTPException):
            await message.add_reaction(submitted_mark(result))


async def run(core: Core, token: str, mail_service: Any = None, backlog: str | None = None) -> None:
    """Discord and, when configured, the mailbox, until SIGTERM or SIGINT."""
    from bot.mail.service import run_forever  # noqa: PLC0415

    client = StageBotClient(core)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Future[Any]] = [asyncio.ensure_future(client.start(token))]
    if mail_service is not None:
        tasks.append(asyncio.ensure_future(run_forever(mail_service, backlog, stop)))
    stopper: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({*tasks, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    await client.close()
    for task in tasks:
        if task not in done:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, 30)
    for task in done:
        if task is not stopper and task.exception() is not None:
            raise _french(task.exception())


def _french(error: BaseException | None) -> BaseException:
    if isinstance(error, discord.LoginFailure):  # the configuration's token: bad input (status 2)
        return ConfigError("Jeton Discord refusé : vérifiez STAGEBOT_DISCORD__TOKEN.")
    if isinstance(error, OSError):
        return ServiceError(f"Discord injoignable ({os_reason(error)}) : vérifiez la connexion du serveur.")
    if isinstance(error, (discord.GatewayNotFound, discord.HTTPException, asyncio.TimeoutError)):
        return ServiceError("Discord injoignable : vérifiez la connexion du serveur.")
    return error if error is not None else ServiceError("Arrêt inattendu du bot Discord.")
