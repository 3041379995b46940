"""The answering engine on the classes of failure issue 9 lists (each case cites its source)."""

from datetime import date

import pytest

from bot.assistant.answer import ask
from knowledge.text import fold
from rules.programmes import programme as get_programme
from rules.sources import Source

TODAY = date(2026, 11, 23)
PARIS1 = get_programme("paris1-miage")


@pytest.mark.parametrize(
    ("programme", "question", "kind", "facts"),
    [
        # Class 6: a situation and "is it allowed?" gets a verdict with the rule's figure.
        ("paris1-miage", "mon stage finit le 15 septembre c'est ok ?", "verdict", ("non", "31 août")),
        ("paris1-miage", "10 semaines payées 600 € par mois ça passe ?", "verdict", ("sous le minimum", "350 h")),
        ("paris1-miage", "exactement 308 h, je dois etre payé ?", "verdict", ("non obligatoire",)),
        ("lille-l3", "stage de 10 semaines en L3 info c'est accepté ?", "verdict", ("12 semaines",)),
        ("paris1-miage", "mon stage c'est du support utilisateurs, c'est accepté ?", "verdict", ("support",)),
        # Class 7: a number with a unit no longer hijacks the question into a converter.
        ("paris1-miage", "12 h par jour, c'est autorisé ?", "verdict", ("10 h",)),
        ("amu-allsh", "ma boite m'a fait bosser 50h cette semaine, c'est legal ?", "verdict", ("48 h",)),
        ("paris1-miage", "12 semaines en heures ca fait combien", "calculator", ("420",)),
        # Class 8: the year of the question picks the rate (LEGAL.md: 4.35 €/h in 2024-2025).
        ("paris1-miage", "la gratif en 2025 c'etait combien de l'heure", "knowledge", ("4,35",)),
        # Class 9: the programme's own maximum wins over the law's 6 months (Lille guide: 5 months).
        ("lille-l3", "quelle est la duree maximale du stage", "knowledge", ("5 mois",)),
        # Class 10: English questions are understood; answers stay French and say so.
        ("paris1-miage", "How long is the internship?", "knowledge", ("308", "answer in french")),
        # Days of presence counted by the student (D124-6: a day is 7 h), 364 h > 308 h.
        ("amu-allsh", "au total ca fait 52 jours de presence, la structure doit me gratifier ?", "verdict", ("364",)),
        ("amu-allsh", "Mon stage fait 40 jours de 7h, ils sont obligés de me payer ?", "verdict", ("280", "308")),
        # A stated pay checked once the hours say the stage must be paid (LEGAL.md: 4.50 €/h in 2026).
        ("amu-allsh", "stage de 50 jours à 7h/jour, ils proposent 3,90€ de l'heure, c'est ok ?", "verdict", ("4,50",)),
        # An hourly pay without a length: the rule once the stage must be paid.
        ("amu-allsh", "ils veulent me donner 5 €/h pour mon stage, ils ont le droit ?", "verdict", ("4,5", "308")),
        # A refused subject says what the programme asks for (Paris 1 guide, Modalités: "Sujets OK").
        ("paris1-miage", "stage helpdesk support utilisateurs, c valide ?", "verdict", ("développement",)),
        ("amu-allsh", "My host wants 11-hour days during the festival. Is that allowed?", "verdict", ("10 h",)),
        ("lille-l3", "est ce que je peux finir mon stage le 15 septembre ?", "verdict", ("31 août",)),
        # Abroad, Monaco, Andorra, French Polynesia, New Caledonia: not mandatory (ALLSH guide, iv.);
        # the overseas departments follow the French rule.
        ("amu-allsh", "stage de 3 mois à Monaco, ils sont pas obligés de me payer ?", "verdict", ("non obligatoire",)),
        ("amu-allsh", "stage de 3 mois a Barcelone payé 3 € de l'heure c'est legal ?", "verdict", ("non obligatoire",)),
        ("amu-allsh", "stage de 3 mois en Guadeloupe, ils doivent me payer ?", "verdict", ("obligatoire (462 h",)),
        # Issue 11, point 2: 300 h is under the threshold, and the answer says so.
        ("paris1-miage", "stage de 300h c gratifié ou pas", "verdict", ("non obligatoire", "308")),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) > 12 else None,
)
def test_answers_carry_the_facts(programme: str, question: str, kind: str, facts: tuple[str, ...]) -> None:
    answer = ask(question, get_programme(programme), TODAY)
    assert answer.answered, answer.answer
    assert answer.kind == kind
    for fact in facts:
        assert fold(fact) in fold(answer.answer), (fact, answer.answer)
    assert answer.sources


def test_a_verdict_cites_the_programme_guide() -> None:
    answer = ask("mon stage finit le 15 septembre c'est ok ?", PARIS1, TODAY)
    assert Source(document="000_66ecd3d8874ef3f3.txt", section="Modalités") in answer.sources


def test_dates_without_a_year_are_their_next_occurrence() -> None:
    # In November, "du 1er juin au 28 août" is next summer (issue 11, point 3), and the answer says which year.
    answer = ask("stage du 1er juin au 28 aout combien je touche", PARIS1, TODAY)
    assert "2027" in answer.answer
    # A year written once holds for both ends of the range.
    answer = ask("stage du 29 juin au 28 aout 2026 c'est gratifié ?", PARIS1, TODAY)
    assert answer.answered and "29 juin 2026" in answer.answer


def test_refusal_names_the_office_and_nearest_questions() -> None:
    answer = ask("quel est le meilleur film de l'annee", PARIS1, TODAY)
    assert not answer.answered and answer.kind == "refusal"
    assert "miagestages@univ-paris1.fr" in answer.answer


def test_one_generic_word_is_not_enough() -> None:
    assert not ask("quel temps fait il a lille", get_programme("lille-l3"), TODAY).answered


def test_a_calculator_error_is_an_input_error_never_an_answer() -> None:
    answer = ask("stage du 30 fevrier 2027 au 3 mars 2027 gratifié ?", PARIS1, TODAY)
    assert answer.kind in {"input_error", "knowledge", "verdict", "refusal"}
    answer = ask("stage du 10 juin 2027 au 1 juin 2027 combien", PARIS1, TODAY)
    assert not answer.answered and answer.kind == "input_error"


def test_a_subject_verdict_needs_a_stage_context() -> None:
    answer = ask("quel taux de TVA je mets sur mes factures d'auto-entrepreneur ?", PARIS1, TODAY)
    assert answer.kind != "verdict"


def test_huge_questions_are_read_up_to_a_cap() -> None:
    answer = ask("stage " * 200_000, PARIS1, TODAY)
    assert answer.kind in {"knowledge", "refusal"}


def test_text_for_people_cites_titles_and_one_source_line() -> None:
    # Issue 11, point 7 (one source line) and issue 13 (a guide by its title, never its file name).
    text = ask("stage du 1er juin au 28 aout 2027 combien je touche", PARIS1, TODAY).as_text()
    assert text.count("Source") == 1
    assert ".txt" not in text
    text = ask("c koi la duree min du stage", PARIS1, TODAY).as_text()
    assert "Guide du stage de L3 MIAGE" in text and ".txt" not in text


@pytest.mark.parametrize(
    ("text", "weeks", "end"),
    [
        # A delay is not the stage's length; the day the student writes is not their stage's end.
        ("mon stage commence dans 3 semaines et rien n'est saisi sur Ipro", None, None),
        ("Nous sommes fin novembre et il n'a envoyé aucune candidature", None, None),
        ("on est le 23/11, mon stage finit le 15 septembre", None, date(2027, 9, 15)),
        ("un stage de 3 semaines en juin", 3, None),
    ],
)
def test_situation_reads_only_the_stage(text: str, weeks: int | None, end: date | None) -> None:
    from bot.assistant.intents import find_dates  # noqa: PLC0415
    from bot.offers.extract import situation_facts  # noqa: PLC0415

    situation = situation_facts(text, find_dates(fold(text), TODAY))
    assert situation.facts.duration_weeks == weeks
    assert situation.end == end


def test_what_the_first_entry_leaves_out_is_answered_too() -> None:
    # "combien de l'heure" finds the rate; "négocier" is left and finds the advice on negotiating.
    answer = ask("la gratif minimum c combien de l'heure ? et on peut negocier au dessus ?", PARIS1, TODAY)
    assert answer.answered
    assert "4,5" in answer.answer and "négoci" in answer.answer.lower(), answer.answer


def test_a_long_message_is_answered_from_the_sentence_that_asks() -> None:
    # Former blind batch 4 (tuning data): refused before the sentence focus, with the right entry first.
    message = (
        "C'est un peu delicat... mon tuteur de stage fait des remarques sexistes depuis deux semaines et je "
        "sais pas a qui en parler sans que ca se retourne contre moi. Qui je peux contacter a la fac ?"
    )
    answer = ask(message, get_programme("amu-allsh"), TODAY)
    assert answer.answered and "respect-egalite@univ-amu.fr" in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("programme", "question", "kept", "dropped"),
    [
        # The figures given are context; what the asking sentence names decides the verdicts kept.
        ("lille-l3", "ma boite veut rallonger mon stage de 2 semaines, c quoi la demarche ?", (), ("12 semaines",)),
        (
            "paris1-miage",
            "Je suis en stage 35h par semaine du 1er juin au 28 aout 2027. C'est assez long pour valider ?",
            ("durée",),
            ("48 h",),
        ),
        (
            "paris1-miage",
            "Mon stage : 3 mois, 35h par semaine, 600 € par mois. Est-ce que je suis sous-payé ?",
            ("sous le minimum",),
            ("48 h",),
        ),
        # Nothing named ("c'est ok ?"): every verdict on the situation.
        ("paris1-miage", "stage de 10 semaines à 600 € par mois, c'est ok ?", ("sous le minimum", "durée"), ()),
    ],
)
def test_verdicts_answer_what_the_question_asks(
    programme: str, question: str, kept: tuple[str, ...], dropped: tuple[str, ...]
) -> None:
    answer = ask(question, get_programme(programme), TODAY)
    text = fold(answer.answer)
    assert all(fold(fact) in text for fact in kept), answer.answer
    assert not any(fold(fact) in text for fact in dropped), answer.answer


def test_a_part_is_not_answered_alone_when_the_message_is_out_of_scope() -> None:
    # "je voudrais y préparer mes candidatures de stage" alone would match the applications' advice.
    answer = ask(
        "la cafet de la fac est ouverte le samedi ? je voudrais y preparer mes candidatures de stage",
        get_programme("lille-l3"),
        TODAY,
    )
    assert not answer.answered


def test_english_dates_are_read_for_a_verdict() -> None:
    # A host writing in English, either order of day and month (Paris 1: 2 months, 308 h minimum).
    for question in (
        "We would host your student 35h a week from 1 June to 31 July 2027, is that long enough for the L3?",
        "Our intern would be with us from June 14th to July 16th, 2027. Is that long enough?",
    ):
        answer = ask(question, PARIS1, TODAY)
        assert answer.kind == "verdict" and "308" in answer.answer, answer.answer
