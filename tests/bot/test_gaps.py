"""Unanswered and low-confidence questions: logged from ask, --jsonl and chat; `kb gaps` lists them."""

import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.assistant.answer import Answer
from bot.assistant.gaps import LOW_CONFIDENCE, gaps, log_question, needs_review
from bot.cli import main
from bot.store import Store


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STAGEBOT_CONFIG", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _answer(answered: bool, score: float, nearest: list[tuple[str, float]]) -> Answer:
    return Answer(answered, "…", nearest[0][0] if nearest else None, score, nearest=nearest)


def test_only_refusals_and_low_confidence_need_review() -> None:
    assert needs_review(_answer(False, 0.3, []))
    assert needs_review(_answer(True, LOW_CONFIDENCE - 0.01, [("x/y", 0.6)]))
    assert not needs_review(_answer(True, 0.95, [("x/y", 0.95)]))
    assert not needs_review(_answer(True, 1.0, []))  # calculators


def test_same_question_in_other_words_is_one_gap_most_frequent_first(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    log_question(store, "Horaires de la piscine ?", "lille-l3", _answer(False, 0.4, [("a/b", 0.4)]), "cli")
    log_question(store, "la piscine, horaires", "paris1-miage", _answer(False, 0.45, [("a/c", 0.45)]), "chat")
    log_question(store, "ticket de tram", "lille-l3", _answer(False, 0.2, []), "cli")
    log_question(store, "c'est bien payé ?", "lille-l3", _answer(True, 0.6, [("a/d", 0.6)]), "cli")
    assert not log_question(store, "duree min", "lille-l3", _answer(True, 0.9, [("a/e", 0.9)]), "cli")
    found = gaps(store)
    assert [g.count for g in found] == [2, 1, 1]
    top = found[0]
    assert top.question == "la piscine, horaires"  # the latest wording
    assert top.programmes == ("lille-l3", "paris1-miage")
    assert top.nearest == (("a/c", 0.45), ("a/b", 0.4))
    assert {g.question for g in found[1:]} == {"ticket de tram", "c'est bien payé ?"}
    assert [g.question for g in gaps(store, programme="paris1-miage")] == ["la piscine, horaires"]
    assert len(gaps(store, limit=1)) == 1


def test_ask_and_jsonl_log_what_they_cannot_answer(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run(capsys, "ask", "--json", "comment reserver une salle a la BU")
    assert status == 0 and json.loads(out)["answered"] is False
    run(capsys, "ask", "--json", "c koi la duree min du stage")  # answered with confidence: not logged
    lines = '{"question": "reserver une salle BU"}\n{"question": "horaires piscine", "programme": "lille-l3"}\n'
    sys.stdin = io.StringIO(lines)
    try:
        status, out, _ = run(capsys, "ask", "--jsonl")
    finally:
        sys.stdin = sys.__stdin__
    assert status == 0 and len(out.splitlines()) == 2
    status, out, _ = run(capsys, "kb", "gaps", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["count"] for r in rows] == [2, 1]
    assert rows[0]["question"] == "reserver une salle BU"
    assert rows[1]["programmes"] == ["lille-l3"]
    assert (tmp_path / "stagebot.sqlite3").exists()
    status, out, _ = run(capsys, "kb", "gaps")
    assert status == 0 and "2 × « reserver une salle BU »" in out and "jamais répondue" in out


def test_chat_logs_through_the_core(tmp_path: Path) -> None:
    from bot.console import Console  # noqa: PLC0415
    from bot.core import Core  # noqa: PLC0415
    from bot.records.questions import Questions  # noqa: PLC0415
    from bot.settings import Settings  # noqa: PLC0415

    store = Store(tmp_path / "s.sqlite3")
    console = Console(Core(Settings(), store, lambda: date(2026, 3, 1)), "lille-l3")
    console.reply("quel temps fait il a lille")
    console.reply("/dates")
    logged = [(q.question, q.programme, q.answered) for q in Questions(store).logged()]
    assert logged == [("quel temps fait il a lille", "lille-l3", False)]
    assert {q.channel for q in Questions(store).logged()} == {"chat"}


def test_unusable_database_still_answers_and_says_so_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f'database = "{tmp_path}"\n')  # a folder, not a file
    status, out, err = run(capsys, "ask", "comment reserver une salle a la BU")
    assert status == 0 and "Je ne sais pas" in out
    assert err.count("n'a pas été enregistrée") == 1
    status, _, err = run(capsys, "kb", "gaps")
    # Issue 11 point 15: the database failing is StageBot's failure (1), not bad input (2).
    assert status == 1 and "inutilisable" in err and "Traceback" not in err


def test_what_is_stored_is_a_question_of_reasonable_size(tmp_path: Path) -> None:
    # Issue 11 point 11: a 120 000-character question was stored and printed whole; escape sequences
    # and empty questions were logged.
    store = Store(tmp_path / "s.sqlite3")
    refused = _answer(False, 0.2, [])
    assert log_question(store, "horaires " * 15_000, "lille-l3", refused, "chat")
    assert not log_question(store, "\x1b[A\x1b[B", "lille-l3", refused, "chat")
    assert not log_question(store, "   ", "lille-l3", refused, "chat")
    assert log_question(store, "piscine\x1b[D ouverte ?", "lille-l3", refused, "chat")
    stored = [row[0] for row in store.db.execute("SELECT question FROM questions ORDER BY id")]
    assert len(stored) == 2 and len(stored[0]) == 500 and stored[0].endswith("…")
    assert stored[1] == "piscine ouverte ?"
    from bot.assistant.gaps import gaps_text  # noqa: PLC0415

    assert max(len(line) for line in gaps_text(gaps(store)).splitlines()) < 300
