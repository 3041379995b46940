"""argparse speaks French (issue 11 point 12): usage, headings, help of every option, and errors."""

import argparse
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.cli.parser import FRENCH, PROGRAMMER_ONLY, FrenchParser

ENGLISH = re.compile(
    r"usage:|positional arguments|options:|show this help|error:|\b(required|invalid|choose|expected)\b", re.I
)


def argparse_messages() -> set[str]:
    """Every sentence the running Python's argparse passes through gettext."""
    source = inspect.getsource(argparse)
    found = set(re.findall(r"""\b_\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\)""", source))
    plural = re.findall(r"""ngettext\(\s*'([^']*)',\s*'([^']*)'""", source)
    return {(a or b).encode().decode("unicode_escape") for a, b in found} | {m for pair in plural for m in pair}


def test_every_argparse_message_a_user_can_see_is_translated() -> None:
    missing = argparse_messages() - FRENCH.keys() - PROGRAMMER_ONLY
    assert not missing, f"argparse messages without French: {sorted(missing)}"


def parsers(parser: FrenchParser, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], FrenchParser]]:
    parser.built()
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from parsers(child, (*path, name))


ALL = list(parsers(build_parser()))


@pytest.mark.parametrize(("path", "parser"), ALL, ids=[" ".join(p) or "stagebot" for p, _ in ALL])
def test_help_is_french_and_every_option_is_described(path: tuple[str, ...], parser: FrenchParser) -> None:
    text = parser.format_help()
    assert text.startswith("usage : ")
    assert not ENGLISH.search(text), text
    for action in parser._actions:
        assert action.help, f"{' '.join(path)} {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["calc", "gratification", "--start", "2026-06-01"], "Option ou argument obligatoire manquant : --end"),
        (["calc", "gratification", "--start"], "--start : une valeur est attendue"),
        (["calc", "pizza"], "valeur 'pizza' refusée (choix possibles :"),
        (["calc", "duree", "--weeks", "2", "--days", "3"], "option incompatible avec --weeks"),
        (["calc", "stagiaires", "--headcount", "3", "--en-trop"], "Arguments non reconnus : --en-trop"),
        (["calc", "alternance-salaire", "--contract", "interim", "--age", "20"], "--contract : valeur 'interim'"),
        (["kb", "gaps", "--limit", "abc"], "--limit : La limite doit être un nombre entier"),
        (["nimporte"], "COMMANDE : valeur 'nimporte' refusée"),
    ],
)
def test_usage_errors_are_one_french_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.rstrip().endswith(".")
    assert expected in err, err
    assert not ENGLISH.search(err), err


def test_root_help_lists_commands_and_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "usage : stagebot" in out and "options\u00a0:" in out and "afficher cette aide et quitter" in out
    for command in ("calc", "ask", "dates", "chat", "kb", "triage", "offer", "mail", "discord", "run"):
        assert f"    {command} " in out


def test_network_failures_are_said_in_french() -> None:
    import socket  # noqa: PLC0415
    import ssl  # noqa: PLC0415

    from bot.errors import network_reason  # noqa: PLC0415

    assert network_reason(ConnectionRefusedError(111, "Connection refused")) == "connexion refusée"
    assert network_reason(socket.gaierror(-2, "Name or service not known")) == "nom de serveur inconnu"
    assert network_reason(TimeoutError()) == "délai dépassé"
    assert network_reason(ssl.SSLCertVerificationError("certificate verify failed")) == "certificat du serveur refusé"
    assert network_reason(ConnectionResetError(104, "reset")) == "connexion coupée par le serveur"
