"""`stagebot kb check --coverage`: the JSON shape, the exit status, one French sentence when the guides are missing."""

import json
from pathlib import Path

import pytest

from rules.sources import GUIDES
from tests.bot.test_cli import _no_config, run  # noqa: F401 - the command-line runner and its autouse fixture


def _guides(folder: Path, lille: str) -> Path:
    folder.mkdir()
    for name in GUIDES:
        (folder / name).write_text(lille if name.startswith("001_") else "", encoding="utf-8")
    return folder


def test_coverage_json_lists_lines_and_counts_the_uncovered(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _guides(tmp_path / "guides", "Soutenances : 26–30 juin\nréunion le 17 mars\n")
    monkeypatch.setenv("STAGEBOT_GUIDES", str(folder))
    code, out, _ = run(capsys, "kb", "check", "--coverage", "--json")
    data = json.loads(out)
    assert code == 1
    assert data["uncovered"] == 1
    assert [(line["line"], line["entry"] is None) for line in data["lines"]] == [(1, False), (2, True)]
    assert set(data["lines"][0]) >= {"document", "line", "text", "facts", "entry", "exception"}


def test_coverage_text_is_french_and_clean_guides_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _guides(tmp_path / "guides", "Soutenances : 26–30 juin\n")
    monkeypatch.setenv("STAGEBOT_GUIDES", str(folder))
    code, out, _ = run(capsys, "kb", "check", "--coverage")
    assert code == 0
    assert "1 lignes porteuses de faits : 1 couvertes par une entrée, 0 en exception, 0 non couverte(s)." in out


def test_missing_guides_give_one_sentence_and_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGEBOT_GUIDES", str(tmp_path / "nowhere"))
    code, out, err = run(capsys, "kb", "check", "--coverage")
    assert code == 2
    assert out == ""
    assert "Guides introuvables" in err
    assert "Traceback" not in err
