"""``stagebot discord commands`` and ``stagebot run``: the Discord bot, and the main job's composition root."""

import argparse
import json
import logging
from typing import TYPE_CHECKING, Any

from bot.cli.parser import FrenchParser, add_lazy_parser
from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.core import Core
    from bot.settings import Settings


def register(sub: "argparse._SubParsersAction[FrenchParser]") -> None:
    """``discord`` and ``run``."""
    add_lazy_parser(
        sub, "discord", help="bot Discord : les commandes telles qu'elles seraient synchronisées", build=_build_discord
    )
    add_lazy_parser(sub, "run", help="bot Discord et messagerie ensemble (jeton Discord obligatoire)", build=_build_run)


def _build_discord(parser: FrenchParser) -> None:
    dsub = parser.add_subparsers(
        dest="discord", required=True, metavar="ACTION", parser_class=FrenchParser, help="une des actions :"
    )
    commands = dsub.add_parser("commands", help="les commandes telles qu'elles seraient synchronisées")
    commands.add_argument("--json", action="store_true", help="JSON (docs/CLI.md)")
    commands.set_defaults(func=run_discord_commands)


def _build_run(parser: FrenchParser) -> None:
    parser.add_argument(
        "--console-fallback",
        action="store_true",
        help="sans jeton Discord, ouvrir l'assistant dans la console au lieu d'échouer (commande du README)",
    )
    parser.add_argument(
        "--backlog",
        choices=("process", "file", "skip"),
        help="premier démarrage de la messagerie : process (traiter), file (classer), skip (ignorer)",
    )
    parser.set_defaults(func=run_main)


def _core(settings: "Settings", *, memory: bool = False) -> "Core":
    from bot.cli.common import core  # noqa: PLC0415
    from bot.store import Store  # noqa: PLC0415

    # discord.py warns about voice support at start; StageBot has no voice.
    logging.getLogger("discord.client").setLevel(logging.ERROR)
    # Opened now: a database that cannot be used stops the start, not the first command.
    return core(settings, Store(":memory:" if memory else settings.database))


def _option_text(option: dict[str, Any], indent: str) -> list[str]:
    mark = "" if option.get("required") or option.get("type", "").startswith("subcommand") else " (facultatif)"
    lines = [f"{indent}{option['name']}{mark} : {option['description']}"]
    if option.get("choices"):
        lines.append(f"{indent}    choix : " + ", ".join(f"{c['name']} ({c['value']})" for c in option["choices"]))
    for sub in option.get("options", []):
        lines += _option_text(sub, indent + "    ")
    return lines


def run_discord_commands(args: argparse.Namespace, settings: "Settings") -> int:
    """``stagebot discord commands``: the application commands as they would be synced."""
    import discord  # noqa: PLC0415

    from bot.discord.commands import build_tree, commands_json  # noqa: PLC0415

    core = _core(settings, memory=True)  # listing the commands reads and writes nothing
    tree = build_tree(discord.Client(intents=discord.Intents.default()), core)
    found = commands_json(tree)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 0
    for command in found:
        who = " [responsables, sur un serveur]" if command["officers_only"] else ""
        print(f"/{command['name']} — {command['description']}{who}")
        for option in command["options"]:
            print("\n".join(_option_text(option, "    ")))
    return 0


def run_main(args: argparse.Namespace, settings: "Settings") -> int:
    """The main job: the Discord bot and the mailbox; without a token, a clear error (or the console)."""
    token = settings.discord.token.get_secret_value() if settings.discord.token is not None else ""
    if not token.strip():
        if args.console_fallback:
            from bot.cli.assistant import run_chat  # noqa: PLC0415

            print("Aucun jeton Discord configuré (STAGEBOT_DISCORD__TOKEN) : démarrage de l'assistant dans la console.")
            return run_chat(args, settings)
        raise ConfigError(
            "Aucun jeton Discord : définissez STAGEBOT_DISCORD__TOKEN (ou [discord] token dans config.toml), "
            "ou utilisez « stagebot chat » pour l'assistant dans la console."
        )
    import asyncio  # noqa: PLC0415

    from bot.cli.common import today  # noqa: PLC0415
    from bot.discord.app import run  # noqa: PLC0415
    from bot.mail.service import MailService, run_once  # noqa: PLC0415

    core = _core(settings)
    service = None
    if settings.mail is not None:
        service = MailService(settings, core.store, today=lambda: today(settings))
        # Fail at start, in one sentence, rather than retry forever on a wrong address or password;
        # this first pass also works what arrived while StageBot was stopped.
        print(asyncio.run(run_once(service, args.backlog)).text())
    logging.getLogger("stagebot").info(
        "démarrage : Discord%s", " et messagerie" if service else " (pas de section [mail] : pas de messagerie)"
    )
    asyncio.run(run(core, token.strip(), service))
    return 0
