"""argparse in French: its usage, headings, help and errors, and sub-commands built only when used.

argparse reads every sentence it prints through ``gettext`` (its module-level ``_`` and
``ngettext``). ``FrenchParser`` points those two names at the table below while it parses or
formats help, and puts them back afterwards, so nothing else in the process is affected. A usage
error is one French sentence on standard error and exit status 2.

``add_lazy_parser`` registers a sub-command whose arguments are added by a ``build`` function the
first time the sub-command is parsed or its help shown: ``stagebot --help`` imports no calculator,
no rule and no Discord.
"""

import argparse
import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

from bot.errors import EXIT_BAD_INPUT, BotError

STATUSES = "Statut de sortie : 0 réussite ; 2 entrée refusée ; 1 échec de StageBot ou d'un serveur dont il dépend."

# argparse's messages (Python 3.11 and later), in French. tests/bot/test_cli_french.py checks that
# every message of the running Python's argparse that a user can see is here.
FRENCH: dict[str, str] = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s : %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "expected one argument": "une valeur est attendue",
    "expected at most one argument": "une valeur au plus est attendue",
    "expected at least one argument": "au moins une valeur est attendue",
    "expected %s argument": "%s valeur est attendue",
    "expected %s arguments": "%s valeurs sont attendues",
    "ignored explicit argument %r": "cette option ne prend pas de valeur (reçu %r)",
    "invalid %(type)s value: %(value)r": "valeur refusée : %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "valeur %(value)r refusée (choix possibles : %(choices)s)",
    "not allowed with argument %s": "option incompatible avec %s",
    "one of the arguments %s is required": "une de ces options est obligatoire : %s",
    "the following arguments are required: %s": "option ou argument obligatoire manquant : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "commande %(parser_name)r inconnue (choix : %(choices)s)",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "unexpected option string: %s": "option inattendue : %s",
    "subcommands": "sous-commandes",
    "show program's version number and exit": "afficher la version et quitter",
}
# Messages argparse raises only for a mistake in StageBot's own parser (never for a user's input).
PROGRAMMER_ONLY = frozenset(
    {
        "'required' is an invalid argument for positionals",
        "%r is not callable",
        ".__call__() not defined",
        'argument "-" with mode %r',
        "cannot have multiple subparser arguments",
        "cannot merge actions - two groups are named %r",
        "conflicting subparser alias: %s",
        "conflicting subparser: %s",
        "dest= is required for options like %r",
        "invalid conflict_resolution value: %r",
        "mutually exclusive arguments must be optional",
        "conflicting option string: %s",
        "conflicting option strings: %s",
    }
)


def french(message: str) -> str:
    """argparse's ``gettext``: the French sentence when there is one."""
    return FRENCH.get(message, message)


def french_plural(singular: str, plural: str, count: int) -> str:
    """argparse's ``ngettext``."""
    return french(singular if count == 1 else plural)


@contextlib.contextmanager
def _in_french() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = french, french_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class FrenchFormatter(argparse.RawDescriptionHelpFormatter):
    """Help laid out as written (the epilogs are paragraphs), headings with a French colon."""

    def start_section(self, heading: str | None) -> None:
        # "options :" — French puts a (non-breaking) space before the colon argparse appends.
        super().start_section(f"{heading}\u00a0" if heading else heading)


class FrenchParser(argparse.ArgumentParser):
    """argparse speaking French; a usage error is one French sentence and exit status 2."""

    def __init__(self, *args: Any, build: Callable[["FrenchParser"], None] | None = None, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", FrenchFormatter)
        with _in_french():
            super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
        self._build = build

    def built(self) -> "FrenchParser":
        """Add the sub-command's arguments now if they were left for later."""
        if self._build is not None:
            build, self._build = self._build, None
            build(self)
        return self

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self.built()
        with _in_french():
            return super().parse_known_args(args, namespace)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        with _in_french():  # "unrecognized arguments" is worded here, outside parse_known_args
            return super().parse_args(args, namespace)

    def format_help(self) -> str:
        self.built()
        with _in_french():
            return super().format_help()

    def format_usage(self) -> str:
        self.built()
        with _in_french():
            return super().format_usage()

    def error(self, message: str) -> NoReturn:
        sentence = message[0].upper() + message[1:] if message else "Commande incomplète"
        self.exit(EXIT_BAD_INPUT, f"{sentence.rstrip('.')} (aide : {self.prog} --help).\n")


def add_lazy_parser(
    sub: "argparse._SubParsersAction[FrenchParser]", name: str, *, help: str, build: Callable[[FrenchParser], None]
) -> FrenchParser:
    """A sub-command whose arguments ``build`` adds the first time they are needed."""
    return sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".", epilog=STATUSES, build=build)


def typed(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse ``type`` whose French error argparse shows after the option's name."""

    def wrapper(text: str) -> Any:
        try:
            return convert(text)
        except (BotError, ValueError) as exc:
            raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None

    return wrapper
