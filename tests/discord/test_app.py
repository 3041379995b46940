"""The client at its boundary: offer poster, mentions and DMs, and `stagebot run`."""

import asyncio
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import discord
import pytest
from aiohttp import web

from bot.core import Core
from bot.discord.app import OfferPoster, StageBotClient, run
from bot.errors import BotError
from bot.mail.service import MailService, run_once
from bot.records.offers import OfferStatus
from bot.settings import Settings
from bot.store import Store
from tests.mail.conftest import labelled, mail_settings
from tests.servers import Dovecot, SmtpCollector, append

from .doubles import Channel, Member

TODAY = date(2026, 11, 22)
GOOD = """Offre de stage - Développeur Python/Django
Entreprise : Datalyse
Durée : 4 mois
Gratification : 4,50 €/h
Contact : jobs@datalyse.fr"""


def _core(tmp_path: Path, settings: Settings | None = None) -> Core:
    settings = settings or Settings(database=tmp_path / "s.sqlite3")
    return Core(settings, Store(settings.database), lambda: TODAY)


def _channels() -> dict[str, Channel]:
    names = [
        "propositions-stages",
        "propositions-stages-alternances",
        "proposition-emplois-et-stages",
        "offres-a-valider",
    ]
    return {name: Channel(name) for name in names}


async def test_poster_holds_the_backlog_then_posts_without_pings(tmp_path: Path) -> None:
    core = _core(tmp_path)
    channels = _channels()
    poster = OfferPoster(core, channels.get)
    core.pipeline.submit(GOOD, today=TODAY, source="mail")  # there before the bot's first start
    assert await poster.run_once() == 0
    assert not channels["propositions-stages"].messages
    core.pipeline.submit(GOOD.replace("Datalyse", "Kiwi"), today=TODAY, source="mail")
    core.pipeline.submit(
        "Alternance développeur Java, contrat d'apprentissage 2 ans, Paris. rh@sgl.fr", today=TODAY, source="discord"
    )
    core.pipeline.submit("Stage helpdesk support utilisateurs 3 mois 100% télétravail", today=TODAY, source="mail")
    await poster.run_once()
    [stage] = channels["propositions-stages"].messages.values()
    assert stage.kwargs["allowed_mentions"].to_dict() == {"parse": []}  # no @everyone, role or user pings
    assert stage.kwargs["embed"].title.startswith("Stage : ")
    assert len(channels["propositions-stages-alternances"].messages) == 1
    [review] = channels["offres-a-valider"].messages.values()
    assert len(review.kwargs["view"].children) == 2
    await poster.run_once()  # nothing posted twice
    assert len(channels["propositions-stages"].messages) == 1 and len(channels["offres-a-valider"].messages) == 1
    # Closed in place.
    fingerprint = core.pipeline.queue(OfferStatus.POSTED)[0].fingerprint
    kiwi = next(r for r in core.pipeline.queue(OfferStatus.POSTED) if r.company == "Kiwi").fingerprint
    assert core.pipeline.close(kiwi)
    await poster.run_once()
    assert stage.edits and stage.edits[0]["embed"].title.startswith("[POURVUE]")
    del fingerprint


async def test_hourly_cap_is_respected(tmp_path: Path) -> None:
    settings = Settings(database=tmp_path / "s.sqlite3", discord={"posts_per_hour": 2})
    core = _core(tmp_path, settings)
    channels = _channels()
    poster = OfferPoster(core, channels.get)
    await poster.run_once()
    for host in ("Kiwi", "Orbital", "Nimbus"):
        core.pipeline.submit(GOOD.replace("Datalyse", host), today=TODAY, source="mail")
    await poster.run_once()
    await poster.run_once()
    assert len(channels["propositions-stages"].messages) == 2


def test_offer_from_a_mail_in_dovecot_reaches_its_channel(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpCollector
) -> None:
    settings = Settings(
        default_programme="paris1-miage", database=tmp_path / "state.sqlite3", mail=mail_settings(dovecot, smtp)
    )
    core = _core(tmp_path, settings)
    channels = _channels()
    poster = OfferPoster(core, channels.get)
    asyncio.run(poster.run_once())  # the bot runs before the mails arrive
    asyncio.run(append(dovecot.port, [labelled("001"), labelled("008"), labelled("003")]))
    asyncio.run(run_once(MailService(settings, core.store, today=lambda: TODAY), "process"))
    asyncio.run(poster.run_once())
    [card] = channels["propositions-stages"].messages.values()
    assert "Développeur Java/Spring" in card.kwargs["embed"].title
    assert "recrutement@acme-logiciels.fr" in (card.kwargs["embed"].description or "")
    assert len(channels["propositions-stages-alternances"].messages) == 1
    [review] = channels["offres-a-valider"].messages.values()
    assert "support" in review.kwargs["embed"].fields[0].name.lower()


@dataclass
class Message:
    content: str
    author: Member
    channel: Any
    mentions: list[Any] = field(default_factory=list)
    guild: Any = None
    replies: list[dict[str, Any]] = field(default_factory=list)

    async def reply(self, content: str | None = None, **kwargs: Any) -> None:
        self.replies.append({"content": content, **kwargs})


async def test_mentions_are_answered_and_rate_limited(tmp_path: Path) -> None:
    client = StageBotClient(_core(tmp_path))
    me = Member(name="stagebot", bot=True)
    client._connection.user = me  # the logged-in user, as after login
    channel = Channel("general")
    student = Member()
    for _ in range(4):
        message = Message(f"<@{me.id}> c koi la duree min du stage", student, channel, mentions=[me])
        await client.on_message(message)
        assert "308" in (message.replies[0]["embed"].description or "")
        assert message.replies[0]["mention_author"] is False
    fifth = Message(f"<@{me.id}> et la gratification ?", student, channel, mentions=[me])
    await client.on_message(fifth)
    assert "Trop de questions" in fifth.replies[0]["content"]
    ignored = Message("bonjour tout le monde", Member(), channel)
    await client.on_message(ignored)
    assert not ignored.replies
    await client.close()


async def test_run_fails_clearly_when_discord_is_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", "http://127.0.0.1:9/api/v10")
    with pytest.raises(BotError, match="Discord injoignable") as caught:
        await asyncio.wait_for(run(_core(tmp_path), "token.de.test"), 30)
    assert caught.value.exit_status == 1  # issue 11 point 15: not the user's input
    assert "Error" not in str(caught.value)  # point 12: no English exception name


async def test_run_says_when_the_token_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def unauthorized(request: web.Request) -> web.Response:
        del request
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    try:
        with pytest.raises(BotError, match="Jeton Discord refusé") as caught:
            await asyncio.wait_for(run(_core(tmp_path), "mauvais.jeton.xx"), 30)
        assert caught.value.exit_status == 2  # a wrong token in the configuration is bad input
    finally:
        await runner.cleanup()


async def test_staff_channel_messages_from_officers_feed_the_pipeline(tmp_path: Path) -> None:
    from .doubles import officer  # noqa: PLC0415

    settings = Settings(database=tmp_path / "s.sqlite3", discord={"staff_channel": "offres-equipe"})
    client = StageBotClient(_core(tmp_path, settings))
    client._connection.user = Member(name="stagebot", bot=True)
    reactions: list[str] = []

    @dataclass
    class StaffMessage(Message):
        async def add_reaction(self, emoji: str) -> None:
            reactions.append(emoji)

    staff = Channel("offres-equipe")
    await client.on_message(StaffMessage(GOOD, officer(), staff))
    await client.on_message(StaffMessage(GOOD.replace("Datalyse", "Intrus"), Member(), staff))  # not an officer
    assert reactions == ["✅"]
    assert [o.company for o in client.core.pipeline.due(10)] == ["Datalyse"]
    await client.close()


@pytest.mark.parametrize("guild_id", [None, 123])
async def test_commands_are_synced_to_the_development_server_or_globally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, guild_id: int | None
) -> None:
    settings = Settings(database=tmp_path / "s.sqlite3", discord={"guild_id": guild_id} if guild_id else {})
    client = StageBotClient(_core(tmp_path, settings))
    synced: list[Any] = []

    async def sync(*, guild: Any = None) -> list[Any]:
        synced.append(guild.id if guild else "global")
        return []

    monkeypatch.setattr(client.tree, "sync", sync)

    async def no_poster() -> None:
        return None

    monkeypatch.setattr(client, "_post_forever", no_poster)
    await client.setup_hook()
    assert synced == [guild_id or "global"]
    if guild_id:
        assert client.tree.get_commands(guild=discord.Object(id=guild_id))
    await client.close()
