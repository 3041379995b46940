"""``stagebot ask``, ``ask --jsonl``, ``dates`` and ``chat`` as docs/CLI.md describes them."""

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.console import Console
from bot.core import Core
from bot.settings import Settings
from bot.store import Store
from tests.bot.test_cli import run


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STAGEBOT_CONFIG", raising=False)


def test_ask_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--programme", "paris1-miage", "--json", "c koi la duree min du stage")
    assert code == 0
    data = json.loads(out)
    assert {"answered", "answer", "entry_id", "score", "sources", "suggestions"} <= data.keys()
    assert data["answered"] is True
    assert data["entry_id"] == "paris1-miage/duree-minimale"
    assert data["sources"] == [{"document": "000_66ecd3d8874ef3f3.txt", "section": "Modalités"}]


def test_ask_refuses_politely(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "ask", "--json", "recette de la pizza aux anchois")
    data = json.loads(out)
    assert data["answered"] is False
    assert "Je ne sais pas" in data["answer"]


def test_ask_jsonl_keeps_order(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        {"question": "cle moodle stage miage", "programme": "lille-l3"},
        {"question": "apprenti 22 ans en M1 combien", "programme": "amu-miage"},
        {"question": "quelle est la meteo demain"},
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(json.dumps(x) for x in lines) + "\n"))
    code, out, _ = run(capsys, "ask", "--jsonl")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["answered"] for r in results] == [True, True, False]
    assert "85fjrx" in results[0]["answer"]
    assert results[1]["entry_id"] == "calc/alternance-salaire"


def test_ask_jsonl_bad_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("pas du json\n"))
    code, _, err = run(capsys, "ask", "--jsonl")
    assert code == 2
    assert "Ligne 1" in err


def test_dates_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "dates", "--programme", "lille-l3", "--from", "2027-01-01", "--json")
    assert code == 0
    dates = json.loads(out)["dates"]
    assert {"date", "end", "label", "where", "source"} <= dates[0].keys()
    assert any(d["date"] == "2027-04-11" for d in dates)
    assert any(d["date"] == "2027-06-26" and d["end"] == "2027-06-30" for d in dates)


def test_chat_commands_and_exit() -> None:
    today = __import__("datetime").date(2026, 11, 22)
    console = Console(Core(Settings(), Store(":memory:"), lambda: today), "paris1-miage")
    assert "2\u202f016,00 €" in (console.reply("/gratification 1 juin 2026 28 août 2026") or "")
    assert "Programme choisi : lille-l3" in (console.reply("/programme lille-l3") or "")
    assert "12 semaines" in (console.reply("c koi la duree min du stage") or "")
    assert "n'existe pas" in (console.reply("/gratification 2026-02-31 2026-06-01") or "")
    assert "Commande inconnue" in (console.reply("/pizza") or "")
    assert console.reply("/quitter") is None
    out = io.StringIO()
    assert console.loop(io.StringIO("/stagiaires 45\n"), out) == 0
    assert "au plus 7 stagiaire(s)" in out.getvalue()


def test_main_job_without_token_starts_the_console(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("adresse mail du bureau des stages\n/quitter\n"))
    assert main(["run", "--console-fallback"]) == 0  # what scripts/run.sh runs
    assert "miagestages@univ-paris1.fr" in capsys.readouterr().out


def test_run_without_token_fails_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "Aucun jeton Discord" in err and "STAGEBOT_DISCORD__TOKEN" in err and "Traceback" not in err


def test_run_with_an_unreachable_mailbox_fails_clearly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.servers import free_port  # noqa: PLC0415

    (tmp_path / "config.toml").write_text(
        f'[mail]\nimap_host = "127.0.0.1"\nimap_port = {free_port()}\nimap_security = "none"\n', encoding="utf-8"
    )
    monkeypatch.setenv("STAGEBOT_DISCORD__TOKEN", "jeton.de.test")
    assert main(["run"]) == 1  # issue 11 point 15: a server StageBot needs failing is not bad input
    err = capsys.readouterr().err
    assert "Serveur IMAP 127.0.0.1" in err and "injoignable" in err and "jeton" not in err
    assert "connexion refusée" in err and "Error" not in err  # the reason in French, no Python class name
