"""Coverage of the guides: every fact-bearing line is carried by an entry or justified as an exception."""

from datetime import date

import pytest

from knowledge.coverage import Exemption, coverage, exemptions, facts, guides_folder

TODAY = date(2026, 11, 22)
LILLE = "001_3d148830f515fa28.txt"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("16 sept ici Présentation des stages", ("date:16/9",), id="abbreviated-month"),
        pytest.param("26–30 juin M5 soutenances", ("date:26/6", "date:30/6"), id="day-range"),
        pytest.param("du 26 au 30 juin", ("date:26/6", "date:30/6"), id="day-range-words"),
        pytest.param("01/06/2025 ≤ DDC ≤", ("nom:ddc", "date:1/6/2025"), id="numeric-date"),
        pytest.param(
            "mi-novembre moodle Quiz avancement 1", ("nom:moodle", "nom:quiz avancement", "date:mi-11"), id="part"
        ),
        pytest.param("gratification de 4,5 € / h (ie. 693 € / mois)", ("4.5 €", "693 €"), id="money"),
        pytest.param("8 116,00€ pour l’année", ("8116 €",), id="thousands-and-zeros"),
        pytest.param("18 à 20 ans", ("18 an", "20 an"), id="unit-range"),
        pytest.param("le 45ème jour de présence", ("45 jour",), id="ordinal"),
        pytest.param("Accueil : 9h00 à 12h30", ("9 h", "12 h 30"), id="clock"),
        pytest.param("Téléphone : 04.91.14.08.70", ("tel:0491140870",), id="phone-dots"),
        pytest.param("04 13 550 550", ("tel:0413550550",), id="phone-groups"),
        pytest.param(
            "https://portail.!l.univ-lille.fr/ls6/stage", ("url:portail.fil.univ-lille.fr/ls6/stage",), id="ligature"
        ),
        pytest.param("(feg-", (), id="cut-address-head-without-at"),
        pytest.param("miage-marseille@univ-amu.fr)", ("mail:miage-marseille@univ-amu.fr",), id="cut-address-tail"),
        pytest.param("Bâtiment EGGER – 2ème étage – C209", ("nom:egger", "salle:c209"), id="room"),
        pytest.param("La Caisse Primaire d’Assurance Maladie (CPAM)", ("nom:cpam",), id="alias-and-acronym"),
        pytest.param("Acquérir de nouvelles connaissances", (), id="no-fact"),
        pytest.param("3 / 63", (), id="page-number"),
    ],
)
def test_fact_detection(line: str, expected: tuple[str, ...]) -> None:
    assert facts(line) == expected


def test_written_forms_meet_at_one_token() -> None:
    assert facts("4,50 €/h") == facts("4.5 euros de l'heure")
    assert facts("1er septembre 2025") == facts("01/09/2025")
    assert facts("308 heures") == facts("308 h")
    assert facts("Statut National Étudiant Entrepreneur") == facts("SNEE")


def test_an_invented_fact_line_is_reported_uncovered() -> None:
    guide = (
        "Soutenances : 26–30 juin\n"  # carried by the Lille entries
        "Le jury se réunit le 17 mars, écrivez à jury-bidon@univ-lille.fr\n"  # carried by none
        "Bonne chance à tous\n"  # no fact
    )
    report = coverage(TODAY, guides={LILLE: guide}, exceptions=[])
    assert [(line.line, line.entry is not None) for line in report.lines] == [(1, True), (2, False)]
    assert report.uncovered == 1
    assert report.lines[1].facts == ("mail:jury-bidon@univ-lille.fr", "date:17/3")
    data = report.as_json()
    assert data["uncovered"] == 1
    assert data["lines"][1] == {
        "document": LILLE,
        "line": 2,
        "text": "Le jury se réunit le 17 mars, écrivez à jury-bidon@univ-lille.fr",
        "facts": ["mail:jury-bidon@univ-lille.fr", "date:17/3"],
        "entry": None,
        "exception": None,
    }
    excused = coverage(TODAY, guides={LILLE: guide}, exceptions=[Exemption(LILLE, "exemple inventé", frozenset({2}))])
    assert excused.uncovered == 0
    assert excused.lines[1].exception == "exemple inventé"


def test_a_fact_of_another_programme_does_not_cover() -> None:
    # Paris 1's mailbox is in a Paris 1 entry: it does not cover a line of the Lille guide.
    report = coverage(TODAY, guides={LILLE: "écrire à miagestages@univ-paris1.fr"}, exceptions=[])
    assert report.uncovered == 1


def test_every_exception_has_a_reason_and_a_target() -> None:
    for exemption in exemptions():
        assert exemption.reason.strip()
        assert exemption.lines or exemption.contains


def test_every_fact_of_the_guides_is_carried_or_excused() -> None:
    assert guides_folder().is_dir(), f"guides absent from {guides_folder()}: set STAGEBOT_GUIDES"
    report = coverage(TODAY)
    uncovered = [
        f"{line.document}:{line.line} {line.text.strip()} {line.facts}"
        for line in report.lines
        if line.entry is None and line.exception is None
    ]
    assert report.uncovered == 0, uncovered
    assert report.unused == (), "exceptions that excuse nothing: remove them"
    assert len(report.lines) > 800  # the detection still finds the guides' facts
