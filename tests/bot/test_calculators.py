"""The one calculators table: its choices are the rules' own, its flags the command line's contract."""

from datetime import date

import pytest

from bot.calculators import Context, Kind, calculator, calculators, read, run
from bot.errors import InputError
from rules import contracts, workstudy
from rules.calendar import REGIONS
from rules.programmes import programmes

CONTEXT = Context("paris1-miage", date(2026, 11, 22))


def test_choices_are_the_rules_values() -> None:
    assert [v for v, _ in calculator("gratification").option("region").choices] == list(REGIONS)
    assert [v for v, _ in calculator("alternance dates").option("formation").choices] == list(contracts.FORMATIONS)
    assert [v for v, _ in calculator("alternance dates").option("contrat").choices] == list(contracts.CONTRACTS)
    assert [v for v, _ in calculator("dates").option("programme").choices] == list(programmes())
    age = calculator("alternance salaire").option("age")
    assert (age.low, age.high) == (workstudy.MIN_AGE, workstudy.MAX_AGE)


@pytest.mark.parametrize("found", calculators(), ids=lambda c: c.name)
def test_names_and_texts_fit_discord(found: object) -> None:
    from bot.calculators import Calculator  # noqa: PLC0415

    assert isinstance(found, Calculator)
    assert 1 <= len(found.help) <= 100
    for option in found.options:
        assert option.name == option.name.lower() and " " not in option.name
        assert 1 <= len(option.help) <= 100 and all(len(label) <= 100 for _, label in option.choices)
        assert option.flag is not None or found.unit_flags, option.name


def test_command_line_contract_flags() -> None:
    # docs/CLI.md: the flags scripts rely on.
    flags = {c.cli[-1]: {o.flag for o in c.options if o.flag} for c in calculators()}
    assert {
        "--start",
        "--end",
        "--hours-per-day",
        "--hours-per-week",
        "--weekdays",
        "--day-off",
        "--region",
        "--rate",
        "--programme",
    } <= flags["gratification"]
    assert {"--contract", "--age", "--year", "--date", "--base-level"} <= flags["alternance-salaire"]
    assert {"--formation", "--contract", "--ddf", "--dff"} <= flags["contrat-dates"]
    assert flags["stagiaires"] == {"--headcount"}
    assert {"--start", "--abroad", "--programme"} <= flags["echeance"]
    assert {"--programme", "--from"} <= flags["dates"]
    assert set(calculator("duree").unit_flags.values()) == {"--hours", "--days", "--weeks", "--months"}


def test_every_surface_reads_values_the_same_way() -> None:
    typed = read(calculator("alternance salaire"), {"contrat": "professionnalisation", "age": 24, "niveau_base": True})
    text = read(
        calculator("alternance salaire"),
        {"contrat": "Contrat de professionnalisation", "age": "24", "niveau_base": "oui"},
    )
    assert typed == text and typed["annee"] == 1
    with pytest.raises(InputError, match="L'âge doit être entre 16 et 99 \\(reçu 12\\)"):
        read(calculator("alternance salaire"), {"contrat": "apprentissage", "age": 12})
    with pytest.raises(InputError, match="Il manque l'effectif"):
        read(calculator("stagiaires"), {})
    assert read(calculator("gratification"), {"debut": "1 juin", "fin": "2 juin", "jours_off": ["1/6, 2/6"]})[
        "jours_off"
    ] == ["1/6", "2/6"]
    assert Kind.DATES is calculator("gratification").option("jours_off").kind


def test_outcomes_carry_text_and_the_contract_json() -> None:
    outcome = run(calculator("stagiaires"), {"effectif": "45"}, CONTEXT)
    assert outcome.json["max_interns"] == 7 and "au plus 7 stagiaire(s)" in outcome.text
    dates = run(calculator("dates"), {"programme": "lille-l3"}, CONTEXT).json["dates"]
    assert {"date", "end", "label", "where", "source"} <= dates[0].keys()


def test_a_contract_window_already_over_says_so() -> None:
    outcome = run(calculator("alternance dates"), {"formation": "l3i", "contrat": "apprentissage"}, CONTEXT)
    assert CONTEXT.today > date(2025, 12, 1)  # the guide's 2025/2026 window closed on 1 December 2025
    assert "Cette fenêtre est passée" in outcome.text and outcome.text.splitlines()[-1].startswith("Source")
