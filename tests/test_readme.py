"""The README a newcomer reads first (issue 11 point 19): French, its two commands first, and complete."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_come_first() -> None:
    first_block = README.split("```")[1]
    assert "scripts/run.sh" in first_block and "scripts/test.sh" in first_block
    assert README.index("scripts/run.sh") < README.index("##")


def test_it_is_french_up_to_the_contributors_paragraph() -> None:
    french = README.split("## For contributors")[0]
    prose = " ".join(line for line in french.splitlines() if line and not line.startswith((".venv", ">", "scripts/")))
    assert len(re.findall(r"\b(the|and|with|without|every|is)\b", prose)) <= 2, "English left in the README"
    assert len(re.findall(r"\b(les|des|est|avec|une)\b", prose)) > 50


def test_what_a_newcomer_needs_is_said() -> None:
    assert README.index("config.example.toml") < README.index("mail once")  # copy the example first
    assert "stagebot.sqlite3" in README and "database" in README  # where the SQLite file is written
    assert "../shared" not in README  # nothing outside the repository
    for link in re.findall(r"\]\(([^)#]+)\)", README):
        assert (ROOT / link).exists(), link
    assert "--base-level" in (ROOT / "docs" / "CLI.md").read_text(encoding="utf-8")
