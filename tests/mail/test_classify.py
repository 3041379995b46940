"""Classification accuracy on the labelled mail set, and the triage command's contract."""

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.mail.classify import classify
from bot.mail.message import read_mail

from .labelled import FOLDER, confusion, results


def test_labelled_set_accuracy_and_every_urgent_mail_flagged() -> None:
    found = results()
    assert len(found) >= 120
    assert {r.expected for r in found} == {
        "offer",
        "convention",
        "absence",
        "incident",
        "evaluation",
        "question",
        "other",
    }
    right = sum(r.expected == r.decision.category for r in found)
    assert right / len(found) >= 0.95, confusion(found)
    missed = [r.file for r in found if r.urgent and not r.decision.urgent]
    assert not missed
    false_alarms = [r.file for r in found if r.decision.urgent and not r.urgent]
    assert len(false_alarms) <= 2, false_alarms


def test_reasons_name_what_decided() -> None:
    mail = read_mail(next(FOLDER.glob("057-*.eml")).read_bytes())  # harassment
    result = classify(mail)
    assert result.category == "incident" and result.urgent
    assert any("harcèlement" in r or "comportement grave" in r for r in result.reasons)


def test_no_automatic_answer_to_automatic_senders_or_incidents() -> None:
    for r in results():
        if r.decision.category in {"other", "incident"}:
            assert r.decision.auto_reply is None, r.file


def test_frequent_questions_get_a_sourced_answer() -> None:
    answered = [r for r in results() if r.expected == "question" and r.decision.auto_reply]
    assert len(answered) >= 10
    for r in answered:
        assert "Source :" in (r.decision.auto_reply or "") and r.decision.auto_reply.startswith("Bonjour")


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STAGEBOT_CONFIG", raising=False)


def test_triage_json_prints_the_contract_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    files = [*sorted(FOLDER.glob("*.eml"))[:3], next(FOLDER.glob("102-*.eml"))]
    status = main(["triage", "--json", *map(str, files)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0 and [line["file"] for line in lines] == [str(f) for f in files]
    for line in lines:
        assert {"file", "category", "urgent", "route_to", "auto_reply", "reasons", "offer"} <= set(line)
    assert lines[0]["category"] == "offer" and lines[0]["offer"]["kind"] == "stage"
    assert lines[3]["category"] == "other" and lines[3]["offer"] is None and lines[3]["auto_reply"] is None


def test_triage_missing_file_is_one_french_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["triage", "--json", "absent.eml"])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == "" and "Impossible de lire absent.eml" in captured.err


def test_offer_check_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = tmp_path / "offre.txt"
    text.write_text("Stage support utilisateurs / helpdesk, 3 mois, 100% télétravail, 3,90 €/h", encoding="utf-8")
    status = main(
        ["offer", "check", "--json", "--programme", "paris1-miage", str(text), str(next(FOLDER.glob("001-*.eml")))]
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert lines[0]["forward"] is False and lines[0]["channel"] is None
    assert set(lines[0]["problems"]) == {"remote_only", "not_development", "below_minimum_pay"}
    assert lines[1]["kind"] == "stage" and lines[1]["forward"] is True and lines[1]["channel"] == "propositions-stages"
    for line in lines:
        assert {"file", "kind", "forward", "channel", "problems", "title", "company", "fingerprint"} <= set(line)
