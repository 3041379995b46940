"""The ``stagebot`` command line: the root parser, the dispatch, and the one place errors become exit statuses.

Each command group lives in its own module and registers its sub-commands with
``set_defaults(func=…)``; a group's arguments, and whatever it imports, are only built when that
group is used (``stagebot --help`` loads no calculator, no rule, no Discord):

    calc, dates          bot/cli/calc.py         the calculators table (bot/calculators.py)
    ask, chat, kb        bot/cli/assistant.py    questions, the console, the knowledge base
    triage, offer, mail  bot/cli/mail.py         mail files, offers, the mailbox service
    discord, run         bot/cli/discord_bot.py  the Discord bot, the main job (composition root)

Bad input prints one French sentence on standard error and exits 2; a failure of StageBot itself,
or of a server it needs, exits 1. The JSON shapes are those of docs/CLI.md.
"""

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli import assistant, calc, discord_bot, mail
from bot.cli.common import CHATTY_LIBRARIES, quiet_libraries
from bot.cli.parser import FrenchParser
from bot.errors import EXIT_BAD_INPUT, EXIT_FAILURE, BotError

__all__ = ["CHATTY_LIBRARIES", "EXIT_BAD_INPUT", "EXIT_FAILURE", "build_parser", "main", "quiet_libraries"]

EXIT_INTERRUPTED = 130  # Ctrl-C outside the console, as shells report it

EPILOG = """\
Statut de sortie : 0 en cas de réussite ; 2 quand l'entrée est refusée (option, date, nombre,
fichier ou configuration invalide : une phrase en français sur la sortie d'erreur) ; 1 quand
StageBot lui-même, ou un serveur dont il dépend (messagerie, base de données, Discord), a échoué.
Configuration : ./config.toml, ou le fichier donné par --config ou STAGEBOT_CONFIG
(modèle : config.example.toml). Aide d'une commande : stagebot COMMANDE --help."""


def build_parser() -> FrenchParser:
    """The root parser; each group adds its sub-commands, built when first used."""
    parser = FrenchParser(
        prog="stagebot",
        description="StageBot : l'assistant des bureaux de stages (calculateurs, questions, offres, messagerie).",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--config", type=Path, metavar="FICHIER", help="fichier de configuration (défaut : ./config.toml)"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMANDE", parser_class=FrenchParser, help="une des commandes :"
    )
    calc.register(sub)
    assistant.register(sub)
    mail.register(sub)
    discord_bot.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``stagebot`` console script."""
    from rules.errors import RuleError  # noqa: PLC0415 - light, but only needed once parsing is done

    try:
        args = build_parser().parse_args(argv)
        from bot.settings import load_settings  # noqa: PLC0415 - pydantic: not for --help

        settings = load_settings(args.config)
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        quiet_libraries(settings.log_level)
        return int(args.func(args, settings))
    except BotError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_status
    except RuleError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\nInterrompu : au revoir !", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the program itself failed: one sentence, details in the debug log
        logging.getLogger("stagebot").debug("internal error", exc_info=True)
        print(f"Erreur interne de StageBot ({type(exc).__name__}) : signalez-la à l'équipe.", file=sys.stderr)
        return EXIT_FAILURE
