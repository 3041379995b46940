"""Layers: rules/ and knowledge/ stay pure, the core imports no adapter, nothing imports upward."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "bot",
    "discord",
    "aioimaplib",
    "aiosmtplib",
    "aiosmtpd",
    "imaplib",
    "smtplib",
    "sqlite3",
    "socket",
    "requests",
    "httpx",
    "aiohttp",
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", ["rules", "knowledge"])
def test_pure_packages_import_no_adapter(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, package
    for file in files:
        bad = imported_roots(file) & FORBIDDEN
        assert not bad, f"{file.relative_to(ROOT)} imports {sorted(bad)}"


def test_rules_read_no_clock() -> None:
    for file in (ROOT / "rules").rglob("*.py"):
        text = file.read_text(encoding="utf-8")
        for call in ("date.today(", "datetime.now(", "datetime.today(", "time.time("):
            assert call not in text, f"{file.name} reads the clock with {call}"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


# Layers of bot/: nothing imports upward (issue 12). The assistant and the offers answer in typed
# results and know no adapter; the calculators' text (bot/render.py) knows no feature.
UPWARD = {
    "bot/assistant": ("bot.mail", "bot.discord", "bot.cli", "bot.console"),
    "bot/offers": ("bot.discord", "bot.cli", "bot.console", "bot.mail.service", "bot.mail.triage"),
    "bot/render.py": ("bot.assistant", "bot.mail", "bot.offers", "bot.discord", "bot.cli", "bot.console"),
    # Discord reports the mailbox's state from the store, without the mail service or its clients.
    "bot/discord/commands.py": ("bot.mail.service", "bot.mail.imap", "bot.mail.smtp", "bot.mail.delivery"),
    # What the mailbox decides is pure; its records know the store, not the servers.
    "bot/mail/plan.py": ("bot.mail.service", "bot.mail.imap", "bot.mail.smtp", "bot.mail.records", "sqlite3"),
    "bot/mail/records.py": ("bot.mail.service", "bot.mail.imap", "bot.mail.smtp", "aiosmtplib", "aioimaplib"),
}


@pytest.mark.parametrize("place", sorted(UPWARD))
def test_no_import_runs_back_up(place: str) -> None:
    target = ROOT / place
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    for file in files:
        bad = {m for m in imported_modules(file) if m.startswith(UPWARD[place])}
        assert not bad, f"{file.relative_to(ROOT)} imports {sorted(bad)}"


# The core (the assistant, the offers, the application service and its repositories) and the pure
# packages know no adapter: neither Discord, nor the command line, nor the console (issue 12).
ADAPTERS = ("bot.discord", "bot.cli", "bot.console", "discord")
CORE = ["bot/assistant", "bot/offers", "bot/core.py", "bot/records", "rules", "knowledge"]


def _is_under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in prefixes)


@pytest.mark.parametrize("place", CORE)
def test_the_core_imports_no_adapter(place: str) -> None:
    target = ROOT / place
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files, place
    for file in files:
        bad = {m for m in imported_modules(file) if _is_under(m, ADAPTERS)}
        assert not bad, f"{file.relative_to(ROOT)} imports {sorted(bad)}"


MAIL_CLIENTS = ("aiosmtplib", "aioimaplib")


def module_level_imports(path: Path) -> set[str]:
    """Modules imported when the file is imported: outside every function (``if`` and ``try`` blocks count)."""
    found: set[str] = set()
    pending: list[ast.stmt] = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.ClassDef)):
            if isinstance(node, ast.If) and ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}:
                continue  # read by the type checker only
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []):
                    pending.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])
    return found


def test_discord_imports_no_mail_client_at_module_level() -> None:
    # The SMTP and IMAP clients are the mailbox's; /messagerie loads the mail stack only when asked.
    files = sorted((ROOT / "bot" / "discord").rglob("*.py"))
    assert files
    for file in files:
        bad = {m for m in module_level_imports(file) if _is_under(m, MAIL_CLIENTS)}
        assert not bad, f"{file.relative_to(ROOT)} imports {sorted(bad)}"


def test_importing_discord_loads_no_mail_client() -> None:
    # The same, through every module the Discord adapter imports in turn.
    code = (
        "import sys, bot.discord.app, bot.discord.commands\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {MAIL_CLIENTS!r}))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert found.stdout.strip() == "[]", found.stdout
