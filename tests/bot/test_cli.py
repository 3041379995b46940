"""The calculators on the command line: the JSON contract of ../shared/CLI.md and French errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STAGEBOT_CONFIG", raising=False)


def test_gratification_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calc", "gratification", "--start", "2026-06-01", "--end", "2026-08-28", "--json")
    assert code == 0
    data = json.loads(out)
    assert {
        "working_days",
        "hours",
        "mandatory",
        "hourly_rate",
        "total_min",
        "smoothed_monthly",
        "months",
        "warnings",
        "sources",
    } <= data.keys()
    assert (data["working_days"], data["hours"], data["mandatory"], data["hourly_rate"]) == (
        64,
        448.0,
        True,
        4.5,
    )
    assert (data["total_min"], data["smoothed_monthly"]) == (2016.0, 672.0)
    assert data["months"][0] == {"month": "2026-06", "days": 22, "hours": 154.0, "rate": 4.5, "amount": 693.0}


def test_gratification_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "calc",
        "gratification",
        "--start",
        "2025-12-22",
        "--end",
        "2025-12-31",
        "--region",
        "alsace-moselle",
        "--day-off",
        "2025-12-29",
        "--hours-per-week",
        "28",
        "--weekdays",
        "mon,tue,wed,thu",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    # Mon–Thu of 22–31 Dec: 22, 23, 24, 29, 30, 31 less 25 (holiday, a Thursday) and 29 (day off) = 5.
    assert data["working_days"] == 5
    assert data["hours"] == 35.0
    assert data["mandatory"] is False
    assert data["total_min"] == 0.0


def test_gratification_text_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calc", "gratification", "--start", "2024-01-01", "--end", "2024-03-31")
    assert code == 0
    assert "gratification obligatoire" in out
    assert "1\u202f948,80 €" in out


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--start", "2026-06-02", "--end", "2026-06-01"], id="end-before-start"),
        pytest.param(["--start", "2026-02-31", "--end", "2026-06-01"], id="31-february"),
        pytest.param(["--start", "hier", "--end", "2026-06-01"], id="hier"),
        pytest.param(["--start", "2026-06-01", "--end", "2026-08-01", "--hours-per-day", "11"], id="11h"),
        pytest.param(["--start", "1926-06-01", "--end", "2026-06-01"], id="century"),
        pytest.param(["--start", "2026-06-01"], id="missing-end"),
        pytest.param(["--start", "2026-06-01", "--end", "2026-08-01", "--programme", "x"], id="programme"),
        pytest.param(["--start", "2026-06-01", "--end", "2026-08-01", "--rate", "abc"], id="rate"),
        pytest.param(
            [
                "--start",
                "2026-06-01",
                "--end",
                "2026-08-01",
                "--hours-per-day",
                "7",
                "--hours-per-week",
                "35",
            ],
            id="both-volumes",
        ),
    ],
)
def test_bad_input_one_french_sentence_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, "calc", "gratification", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert any(
        word in err.lower()
        for word in ("date", "heure", "h par jour", "argument", "programme", "taux", "période", "option")
    )


def test_other_calculators_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "calc", "duree", "--months", "2", "--json")
    assert {k: json.loads(out)[k] for k in ("hours", "days", "weeks", "months")} == {
        "hours": 308.0,
        "days": 44.0,
        "weeks": 8.8,
        "months": 2.0,
    }
    _, out, _ = run(
        capsys,
        "calc",
        "alternance-salaire",
        "--contract",
        "apprentissage",
        "--age",
        "22",
        "--year",
        "1",
        "--date",
        "2026-03-01",
        "--json",
    )
    pay = json.loads(out)
    assert (pay["percent_smic"], pay["smic_hourly"], pay["monthly_gross"]) == (53, 12.02, 966.21)
    assert pay["basis"] and pay["sources"]
    _, out, _ = run(capsys, "calc", "contrat-dates", "--formation", "master", "--contract", "apprentissage", "--json")
    window = json.loads(out)
    assert {
        "ddf",
        "dff",
        "start_earliest",
        "start_latest",
        "end_earliest",
        "end_latest",
        "duration",
    } <= window.keys()
    assert (window["start_earliest"], window["end_latest"]) == ("2025-06-01", "2027-11-03")
    _, out, _ = run(capsys, "calc", "stagiaires", "--headcount", "45", "--json")
    assert json.loads(out)["max_interns"] == 7
    _, out, _ = run(capsys, "calc", "echeance", "--start", "2026-04-13", "--programme", "lille-l3", "--json")
    steps = json.loads(out)["steps"]
    assert {"step", "latest", "source"} <= steps[0].keys()
    assert steps[0]["latest"] == "2026-03-30"


def test_config_error_names_the_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('default_programme = "paris1-miage"\n[discord]\ntokn = "x"\n')
    code, _, err = run(capsys, "calc", "stagiaires", "--headcount", "3")
    assert code == 2
    assert "discord.tokn" in err and "clé inconnue" in err


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "stagebot"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    done = subprocess.run(
        [*command, "calc", "gratification", "--start", "2026-02-30", "--end", "2026-03-30"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().endswith(".")
    assert "Traceback" not in done.stderr
