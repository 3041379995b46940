"""``stagebot calc …`` and ``stagebot dates``: the calculators table (bot/calculators.py) as sub-commands.

Every option comes from the table: its flag, help, choices and bounds are those the console and
Discord show. Values are checked by the table's reader after argparse, so a wrong value gets the
same French sentence on every surface.
"""

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli.parser import FrenchParser, add_lazy_parser

if TYPE_CHECKING:
    from bot.calculators import Calculator, Option
    from bot.settings import Settings


def register(sub: "argparse._SubParsersAction[FrenchParser]") -> None:
    """``calc`` (its calculators built when first used) and ``dates``."""
    add_lazy_parser(
        sub, "calc", help="calculateurs : gratification, durées, alternance, échéances, stagiaires", build=_build_calc
    )
    add_lazy_parser(sub, "dates", help="les dates clés du programme à partir d'un jour", build=_build_dates)


def _build_calc(parser: FrenchParser) -> None:
    from bot.calculators import calculators  # noqa: PLC0415

    csub = parser.add_subparsers(
        dest="calc", required=True, metavar="CALCUL", parser_class=FrenchParser, help="un des calculateurs :"
    )
    for calculator in calculators():
        if calculator.cli[0] == "calc":
            leaf = csub.add_parser(
                calculator.cli[1],
                help=calculator.help[0].lower() + calculator.help[1:],
                description=calculator.help + ".",
            )
            add_options(leaf, calculator)


def _build_dates(parser: FrenchParser) -> None:
    from bot.calculators import calculator  # noqa: PLC0415

    add_options(parser, calculator("dates"))


def _help(option: "Option") -> str:
    from bot.calculators import Kind  # noqa: PLC0415

    text = option.help[0].lower() + option.help[1:]
    if option.kind is Kind.CHOICE and any(value != label for value, label in option.choices):
        text += " ; " + ", ".join(f"{value} : {label}" for value, label in option.choices)
    elif option.kind in (Kind.CHOICE, Kind.PROGRAMME):
        text += " ; " + ", ".join(value for value, _ in option.choices)
    if option.low is not None and option.high is not None:
        text += f" ; de {option.low} à {option.high}"
    return text.replace("%", "%%")


def add_options(parser: FrenchParser, calculator: "Calculator") -> None:
    """The calculator's command-line options, ``--json``, and its dispatch."""
    from bot.calculators import Kind  # noqa: PLC0415

    metavars = {Kind.DATE: "AAAA-MM-JJ", Kind.DATES: "AAAA-MM-JJ", Kind.PROGRAMME: "ID", Kind.WEEKDAYS: "mon,tue,…"}
    groups: dict[str, Any] = {}
    for option in calculator.options:
        if option.flag is None:
            continue
        target: Any = parser
        if option.exclusive:
            if option.exclusive not in groups:
                groups[option.exclusive] = parser.add_mutually_exclusive_group()
            target = groups[option.exclusive]
        kwargs: dict[str, Any] = {"dest": option.name, "help": _help(option)}
        if option.kind is Kind.FLAG:
            kwargs["action"] = "store_true"
        else:
            kwargs["metavar"] = metavars.get(option.kind, "N")
            kwargs["required"] = option.required
            if option.kind is Kind.DATES:
                kwargs["action"] = "append"
            if option.kind is Kind.CHOICE:
                kwargs["choices"] = [value for value, _ in option.choices]
                kwargs["metavar"] = option.name.upper()
        target.add_argument(option.flag, **kwargs)
    if calculator.unit_flags:
        units = parser.add_mutually_exclusive_group(required=True)
        for unit, flag in calculator.unit_flags.items():
            label = calculator.option("unite").label(unit)
            units.add_argument(flag, dest=f"unit_{unit}", metavar="N", help=f"durée en {label}")
    parser.add_argument("--json", action="store_true", help="sortie JSON (docs/CLI.md)")
    parser.set_defaults(func=run_calculator, calculator_name=calculator.name)


def run_calculator(args: argparse.Namespace, settings: "Settings") -> int:
    """Read the options, compute, print the text or the contract's JSON."""
    from bot.calculators import Context, calculator, run  # noqa: PLC0415
    from bot.cli.common import emit, today  # noqa: PLC0415

    chosen = calculator(args.calculator_name)
    raw: dict[str, object] = {o.name: getattr(args, o.name, None) for o in chosen.options}
    for unit in chosen.unit_flags:
        if getattr(args, f"unit_{unit}", None) is not None:
            raw["unite"], raw["valeur"] = unit, getattr(args, f"unit_{unit}")
    outcome = run(chosen, raw, Context(settings.default_programme, today(settings)))
    emit(args, outcome.json, outcome.text)
    return 0
