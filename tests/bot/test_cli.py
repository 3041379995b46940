"""The calculators on the command line: the JSON contract of docs/CLI.md and French errors."""

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


def test_other_calculators_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # `calc echeance` plans starts within a year before today: the example's today is the guides' year.
    monkeypatch.setattr("bot.cli.common.today", lambda settings: __import__("datetime").date(2026, 11, 22))
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


# ---- issue 11: the newcomer's path ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("extra", "percent", "monthly"),
    [pytest.param([], 80, 1458.43, id="guide-default"), pytest.param(["--base-level"], 70, 1276.12, id="base-level")],
)
def test_professionalisation_pay_defaults_to_the_guide_row(
    capsys: pytest.CaptureFixture[str], extra: list[str], percent: int, monthly: float
) -> None:
    # Point 1: AMU guide Tableau 7 puts every MIAGE year on the 80 % row; --base-level replaces --qualified.
    argv = ["--contract", "professionnalisation", "--age", "24", "--year", "1", "--date", "2026-03-01", "--json"]
    code, out, _ = run(capsys, "calc", "alternance-salaire", *argv, *extra)
    assert code == 0
    assert (json.loads(out)["percent_smic"], json.loads(out)["monthly_gross"]) == (percent, monthly)
    code, _, err = run(capsys, "calc", "alternance-salaire", *argv, "--qualified")
    assert code == 2 and "--qualified" in err


def test_a_config_file_named_in_the_environment_must_exist(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Point 8: STAGEBOT_CONFIG naming a missing file was silently ignored.
    monkeypatch.setenv("STAGEBOT_CONFIG", str(tmp_path / "absent.toml"))
    code, out, err = run(capsys, "calc", "stagiaires", "--headcount", "3")
    assert (code, out) == (2, "")
    assert "introuvable" in err and "STAGEBOT_CONFIG" in err and "absent.toml" in err


@pytest.mark.parametrize(
    ("argv", "expected", "unwanted"),
    [
        # Point 13, each as the issue found it.
        pytest.param(["calc", "duree", "--weeks", "abc"], "La durée doit être un nombre", "heures", id="weeks-abc"),
        pytest.param(
            ["calc", "contrat-dates", "--formation", "l3i", "--contract", "apprentissage", "--ddf", "2026-09-01"],
            "indiquez aussi la fin de formation",
            "(DFF) doit suivre",
            id="ddf-alone",
        ),
        pytest.param(
            ["calc", "contrat-dates", "--formation", "l3i", "--contract", "apprentissage", "--dff", "2027-07-01"],
            "indiquez aussi le début de formation",
            "Durée",
            id="dff-alone-another-year",
        ),
        pytest.param(["ask", "   "], "quelques mots", "Traceback", id="blank-question"),
        pytest.param(["calc", "stagiaires", "--headcount", "0"], "entre 1 et", "Traceback", id="headcount-0"),
        pytest.param(
            ["calc", "gratification", "--start", "2026-06-01", "--end", "2026-08-28", "--day-off", "2026-09-01"],
            "hors de la période",
            "Traceback",
            id="day-off-outside",
        ),
        pytest.param(
            ["calc", "echeance", "--start", "1900-01-01"], "vérifiez l'année", "Traceback", id="echeance-1900"
        ),
        pytest.param(
            ["calc", "alternance-salaire", "--contract", "apprentissage", "--age", "12"],
            "entre 16 et 99",
            "Traceback",
            id="age-range",
        ),
        pytest.param(["kb", "gaps", "--limit", "0"], "entre 1 et 1", "Traceback", id="limit-0"),
        pytest.param(["kb", "gaps", "--limit", "-1"], "entre 1 et 1", "Traceback", id="limit-negative"),
        pytest.param(["triage", "absent.eml"], "fichier ou dossier introuvable", "No such file", id="missing-file"),
    ],
)
def test_bad_input_gets_the_right_sentence(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str, unwanted: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and expected in err and unwanted not in err


def test_a_weekend_only_period_says_no_day_is_worked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calc", "gratification", "--start", "2026-06-06", "--end", "2026-06-07")
    assert code == 0
    assert "Mois par mois : \n" not in out + "\n" and "Aucun jour travaillé" in out


def test_a_date_without_year_says_which_year(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Point 3: in November, "du 1er juin au 28 août" is next summer's.
    monkeypatch.setattr("bot.cli.common.today", lambda settings: __import__("datetime").date(2026, 11, 23))
    code, out, _ = run(capsys, "calc", "gratification", "--start", "1er juin", "--end", "28 août", "--json")
    data = json.loads(out)
    assert code == 0 and (data["start"], data["end"]) == ("2027-06-01", "2027-08-28")
    assert "Année non précisée pour « 1er juin » : StageBot a compris le 1 juin 2027." in data["notes"]


def test_database_folders_are_not_created(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Point 14: the folders of `database` were created silently, even at the root.
    (tmp_path / "config.toml").write_text(f'database = "{tmp_path}/absent/deeper/state.sqlite3"\n')
    code, _, err = run(capsys, "kb", "gaps")
    assert code == 2 and "n'existe pas" in err and "« database »" in err
    assert not (tmp_path / "absent").exists()


def test_help_says_which_exit_status_means_what(capsys: pytest.CaptureFixture[str]) -> None:
    # Point 15.
    code, out, _ = run(capsys, "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "2 quand l'entrée est refusée" in flat and "1 quand StageBot lui-même" in flat


def test_a_question_that_is_not_utf8_is_refused_before_anything_is_printed(tmp_path: Path) -> None:
    # Point 10: the answer was printed, then "Erreur interne (UnicodeEncodeError)", status 1.
    script = Path(sys.executable).parent / "stagebot"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    done = subprocess.run(
        [*command, "ask", b"dur\xe9e minimale du stage"], capture_output=True, cwd=tmp_path, check=False, timeout=60
    )
    assert (done.returncode, done.stdout) == (2, b"")
    assert "UTF-8" in done.stderr.decode() and "Erreur interne" not in done.stderr.decode()
    done = subprocess.run(
        [*command, "ask", "--jsonl"],
        input=b'{"question": "dur\xe9e"}\n',
        capture_output=True,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2 and "Ligne 1" in done.stderr.decode() and "UTF-8" in done.stderr.decode()


def test_a_huge_question_is_refused_at_once(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Point 11: a 1 MB question took 24 s to answer, and a 120 000-character one was stored whole.
    import time  # noqa: PLC0415

    started = time.monotonic()
    code, out, err = run(capsys, "ask", "stage " * 200_000)
    assert (code, out) == (2, "") and "trop longue" in err
    assert time.monotonic() - started < 2
    assert not (tmp_path / "stagebot.sqlite3").exists()
