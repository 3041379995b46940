"""The console (``stagebot chat``): the calculators table's commands, and a real terminal (issue 11 points 5, 6)."""

import os
import pty
import re
import select
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from bot.calculators import calculators
from bot.console import Console
from bot.core import Core
from bot.settings import Settings
from bot.store import Store
from knowledge.base import load

TODAY = date(2026, 11, 23)


def chat(programme_id: str) -> Console:
    """A console whose core logs to a throw-away store."""
    return Console(Core(Settings(), Store(":memory:"), lambda: TODAY), programme_id)


def test_dates_takes_its_programme() -> None:
    # Point 6: "/dates lille-l3" ignored its argument.
    console = chat("paris1-miage")
    assert "Pré-convention" in (console.reply("/dates lille-l3") or "")
    assert "Pré-convention" not in (console.reply("/dates") or "")
    assert "Pré-convention" in (console.reply("/dates programme=lille-l3") or "")


def test_extra_words_are_refused_not_dropped() -> None:
    # Point 6: "/gratification A B 7 8" dropped the 8 silently.
    answer = chat("paris1-miage").reply("/gratification 2026-06-01 2026-08-28 7 8") or ""
    assert answer.startswith("Trop d'arguments pour /gratification : « 8 » en trop.")


def test_options_by_name_flags_and_years() -> None:
    console = chat("lille-l3")
    pay = console.reply("/alternance salaire professionnalisation 24") or ""
    assert "80 % du SMIC" in pay  # point 1: the guide's row, as on the command line and Discord
    assert "70 % du SMIC" in (console.reply("/alternance salaire professionnalisation 24 niveau_base") or "")
    steps = console.reply("/echeance 13 avril etranger") or ""
    assert "13 avril 2027" in steps and "international" in steps and "Année non précisée" in steps
    assert "Alsace-Moselle" in (console.reply("/gratification 2026-06-01 2026-08-28 region=alsace-moselle") or "")
    assert console.reply("/alternance") == "Précisez : /alternance salaire, /alternance dates."


def test_lines_that_are_not_questions_are_not_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    console = chat("paris1-miage")
    monkeypatch.setattr(console.core, "ask", lambda q, p, c: asked.append(q))
    assert console.reply("\x1b[A\x1b[B\n") == ""  # arrow keys without line editing
    assert "UTF-8" in (console.reply(b"dur\xe9e\n".decode("utf-8", "surrogateescape")) or "")
    assert "trop long" in (console.reply("stage " * 500) or "")
    assert asked == [] and console.history == []


def test_every_command_an_answer_mentions_exists_in_the_console_and_on_discord() -> None:
    # Point 6: answers pointed to /alternance, which existed only on Discord.
    console = chat("paris1-miage")
    own = {"programme", "faq", "aide", "historique", "quitter"}
    names = {c.name for c in calculators()} | {c.name.split()[0] for c in calculators()} | own
    mentioned = set()
    for entry in load().entries:
        for first, second in re.findall(r"(?:^|(?<=[\s(«]))/([a-z]+)(?: ([a-z]+))?", entry.answer):
            mentioned.add(f"{first} {second}" if f"{first} {second}" in names else first)
    assert mentioned and mentioned <= names, mentioned - names
    for name in mentioned - own:
        assert "Commande inconnue" not in (console.reply(f"/aide {name}") or "")


# ---- a real terminal ------------------------------------------------------------------------------
def _stagebot() -> list[str]:
    script = Path(sys.executable).parent / "stagebot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


class Terminal:
    """``stagebot chat`` in a pseudo-terminal, as a person would use it."""

    def __init__(self, cwd: Path) -> None:
        self.output = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: StageBot, with a terminal for standard input and output
            os.chdir(cwd)
            os.environ.update({"TERM": "xterm", "STAGEBOT_CONFIG": str(cwd / "config.toml")})
            command = [*_stagebot(), "chat"]
            os.execv(command[0], command)  # noqa: S606 - the test runs StageBot itself, no shell wanted

    def read_until(self, wanted: bytes, timeout: float = 30) -> bytes:
        deadline = time.monotonic() + timeout
        while wanted not in self.output:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"{wanted!r} not seen in {self.output[-400:]!r}")
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            self.output += chunk
        assert wanted in self.output, self.output[-400:]
        return self.output

    def type(self, keys: bytes) -> None:
        """Type keys, then wait for the next prompt."""
        prompts = self.output.count(b"> ")
        os.write(self.fd, keys)
        deadline = time.monotonic() + 30
        while self.output.count(b"> ") <= prompts:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"no prompt after {keys!r}: {self.output[-400:]!r}"
            self.output += os.read(self.fd, 4096)

    def status(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@pytest.fixture
def terminal(tmp_path: Path) -> Terminal:
    (tmp_path / "config.toml").write_text(f'database = "{tmp_path / "state.sqlite3"}"\n', encoding="utf-8")
    term = Terminal(tmp_path)
    term.read_until(b"> ")
    return term


LEFT, UP = b"\x1b[D", b"\x1b[A"


@pytest.mark.slow
def test_arrows_edit_and_recall_and_ctrl_c_says_goodbye(terminal: Terminal, tmp_path: Path) -> None:
    # Point 5: arrows arrived as "^[[A" and were logged as questions; Ctrl-C printed a traceback.
    terminal.type(b"recette pizza" + LEFT * 5 + b"de la \r")
    terminal.type(UP + b"\r")  # the history brings the last question back
    os.write(terminal.fd, b"\x03")  # Ctrl-C
    output = terminal.read_until(b"Au revoir !").decode("utf-8", "replace")
    assert terminal.status() == 0
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    assert output.count("Je ne sais pas répondre") == 2
    questions = [
        row[0] for row in sqlite3.connect(tmp_path / "state.sqlite3").execute("SELECT question FROM questions")
    ]
    assert questions == ["recette de la pizza", "recette de la pizza"]


@pytest.mark.slow
def test_ctrl_d_says_goodbye(terminal: Terminal, tmp_path: Path) -> None:
    os.write(terminal.fd, b"\x04")  # Ctrl-D on an empty line
    output = terminal.read_until(b"Au revoir !").decode("utf-8", "replace")
    assert terminal.status() == 0 and "Traceback" not in output
    assert not (tmp_path / "state.sqlite3").exists()  # nothing was asked, nothing was logged


def test_a_huge_line_is_read_no_further_than_needed_and_refused() -> None:
    import io  # noqa: PLC0415

    from bot.console import MAX_LINE  # noqa: PLC0415

    class Counting(io.StringIO):
        read = 0

        def readline(self, size: int = -1) -> str:  # type: ignore[override]
            line = super().readline(size)
            Counting.read = max(Counting.read, len(line))
            return line

    stdin = Counting("x" * 5_000_000 + "\nc koi la duree min du stage\n")
    stdout = io.StringIO()
    assert chat("paris1-miage").loop(stdin, stdout) == 0
    assert Counting.read <= MAX_LINE + 1  # never a 5 MB string in memory
    assert "trop longue" in stdout.getvalue()
    assert "308" in stdout.getvalue()  # the next question is answered
