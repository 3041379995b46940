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
