"""The pure packages stay pure: rules/ and knowledge/ import no adapter, Discord or mail library."""

import ast
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
}


@pytest.mark.parametrize("place", sorted(UPWARD))
def test_no_import_runs_back_up(place: str) -> None:
    target = ROOT / place
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    for file in files:
        bad = {m for m in imported_modules(file) if m.startswith(UPWARD[place])}
        assert not bad, f"{file.relative_to(ROOT)} imports {sorted(bad)}"
