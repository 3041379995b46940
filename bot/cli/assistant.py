"""``stagebot ask``, ``chat`` and ``kb``: questions, the console, and the knowledge base for officers."""

import argparse
import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO, TextIO

from bot.cli.common import programme_id
from bot.cli.parser import FrenchParser, add_lazy_parser, typed
from bot.errors import EXIT_BAD_INPUT, EXIT_FAILURE, InputError

if TYPE_CHECKING:
    from bot.settings import Settings
    from rules.programmes import Programme

# A JSON line holds a question and a programme: far less than this. Longer lines are not read whole.
MAX_JSONL_LINE = 64 * 1024


def register(sub: "argparse._SubParsersAction[FrenchParser]") -> None:
    """``ask``, ``chat`` and ``kb``."""
    add_lazy_parser(sub, "ask", help="poser une question (ou --jsonl : une question JSON par ligne)", build=_build_ask)
    add_lazy_parser(
        sub, "chat", help="conversation dans la console (mêmes commandes que sur Discord)", build=_build_chat
    )
    add_lazy_parser(sub, "kb", help="base de connaissances : vérification, questions sans réponse", build=_build_kb)


def _programme_help() -> str:
    from rules.programmes import programmes  # noqa: PLC0415

    return f"programme : {', '.join(programmes())} (défaut : celui de la configuration)"


def _build_ask(parser: FrenchParser) -> None:
    parser.add_argument("question", nargs="?", help="la question, entre guillemets")
    parser.add_argument("--programme", metavar="ID", help=_programme_help())
    parser.add_argument("--json", action="store_true", help="sortie JSON (docs/CLI.md)")
    parser.add_argument("--jsonl", action="store_true", help='lire {"question", "programme"} par ligne sur l\'entrée')
    parser.set_defaults(func=run_ask)


def _build_chat(parser: FrenchParser) -> None:
    parser.set_defaults(func=run_chat)


def _build_kb(parser: FrenchParser) -> None:
    from bot.cli.common import limit  # noqa: PLC0415

    kbsub = parser.add_subparsers(
        dest="kb", required=True, metavar="ACTION", parser_class=FrenchParser, help="une des actions :"
    )
    check = kbsub.add_parser(
        "check", help="valider la base (schéma, sources, doublons, gabarits, questions de référence)"
    )
    check.add_argument(
        "--coverage", action="store_true", help="chaque ligne des guides portant un fait, et l'entrée qui le porte"
    )
    check.add_argument("--json", action="store_true", help="sortie JSON (avec --coverage)")
    check.set_defaults(func=run_kb_check)
    gaps = kbsub.add_parser("gaps", help="questions sans réponse ou peu sûres, les plus fréquentes d'abord")
    gaps.add_argument("--limit", type=typed(limit), default=20, metavar="N", help="nombre de lignes, de 1 à 1000 (20)")
    gaps.add_argument("--programme", metavar="ID", help="seulement ce programme")
    gaps.add_argument("--json", action="store_true", help="JSON, une question par ligne")
    gaps.set_defaults(func=run_kb_gaps)


def _json_line(line: str) -> dict[str, object]:
    try:
        item = json.loads(line)
    except ValueError:
        return {}
    return item if isinstance(item, dict) else {}


def read_jsonl(stream: BinaryIO | TextIO, default_programme: str) -> Iterator[tuple[str, "Programme"]]:
    """(question, programme) for each non-empty line; a French error names the first bad line."""
    from bot.parsing import read_question  # noqa: PLC0415
    from rules.programmes import programme  # noqa: PLC0415

    number = 0
    while True:
        raw = stream.readline(MAX_JSONL_LINE + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_JSONL_LINE:
            raise InputError(f"Ligne {number} trop longue (plus de {MAX_JSONL_LINE // 1024} Kio).")
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            raise InputError(f"Ligne {number} : ce n'est pas un texte UTF-8 valide.") from None
        if not line.strip():
            continue
        item = _json_line(line)
        question, chosen = item.get("question"), item.get("programme") or default_programme
        if not isinstance(question, str) or not isinstance(chosen, str):
            raise InputError(f'Ligne {number} illisible : attendu {{"question": "…", "programme": "…"}}.')
        try:
            yield read_question(question), programme(chosen)
        except (InputError, ValueError) as exc:
            raise InputError(f"Ligne {number} : {exc}") from None


def run_ask(args: argparse.Namespace, settings: "Settings") -> int:
    """``stagebot ask``: one question, or JSON lines on standard input."""
    from bot.cli.common import core, emit  # noqa: PLC0415
    from bot.parsing import read_question  # noqa: PLC0415

    service = core(settings, tolerant=True)
    try:
        if args.jsonl:
            stream = getattr(sys.stdin, "buffer", sys.stdin)  # bytes: a line that is not UTF-8 is named, not fatal
            for question, chosen in read_jsonl(stream, settings.default_programme):
                answer = service.ask(question, chosen.id, "cli")
                print(json.dumps(answer.as_json(), ensure_ascii=False), flush=True)
            return 0
        if args.question is None:
            raise InputError("Posez une question entre guillemets, ou utilisez --jsonl.")
        question = read_question(args.question)
        answer = service.ask(question, programme_id(args.programme, settings), "cli")
        emit(args, answer.as_json(), answer.as_text())
        return 0
    finally:
        service.close()


def run_chat(args: argparse.Namespace, settings: "Settings") -> int:
    """``stagebot chat``: the console conversation."""
    del args
    from bot.cli.common import core  # noqa: PLC0415
    from bot.console import Console  # noqa: PLC0415

    service = core(settings, tolerant=True)
    try:
        return Console(service, settings.default_programme).loop(sys.stdin, sys.stdout)
    finally:
        service.close()


def run_kb_check(args: argparse.Namespace, settings: "Settings") -> int:
    """``stagebot kb check [--coverage]``: validate the knowledge base; status 1 when it has problems."""
    from bot.cli.common import today  # noqa: PLC0415
    from knowledge.check import check  # noqa: PLC0415

    if args.coverage:
        from knowledge.base import KnowledgeError  # noqa: PLC0415
        from knowledge.coverage import coverage  # noqa: PLC0415

        try:
            report = coverage(today(settings))
        except KnowledgeError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_BAD_INPUT
        print(report.dumps() if args.json else report.text())
        return EXIT_FAILURE if report.uncovered else 0

    problems, summary = check(today(settings))
    print(summary)
    for problem in problems:
        print(f"✗ {problem}")
    return EXIT_FAILURE if problems else 0


def run_kb_gaps(args: argparse.Namespace, settings: "Settings") -> int:
    """``stagebot kb gaps``: what the base lacks, most frequent first, with the nearest entries."""
    from bot.assistant.gaps import gaps_text  # noqa: PLC0415
    from bot.cli.common import core  # noqa: PLC0415

    chosen = programme_id(args.programme, settings) if args.programme else None
    service = core(settings)
    try:
        found = service.gaps(limit=args.limit, programme_id=chosen)
    finally:
        service.close()
    if args.json:
        for gap in found:
            print(json.dumps(gap.as_json(), ensure_ascii=False))
        return 0
    print(gaps_text(found))
    return 0
