"""Key dates as the guides give them (issue 11 point 4): nothing invented, nothing carried to another year."""

import contextlib
import io
import re
from datetime import date, timedelta

import pytest

from knowledge.timeline import notes, upcoming
from rules.programmes import programme, programmes

SCHOOL_YEAR = re.compile(r"(20\d\d)/(20\d\d)")


@pytest.mark.parametrize("programme_id", sorted(programmes()))
def test_a_school_year_in_a_label_is_the_year_of_its_date(programme_id: str) -> None:
    # "3 juillet 2027 : Fin de formation L3I (DFF 2025/2026)" was shown from November 2026.
    for since in (date(2025, 1, 1) + timedelta(days=61 * n) for n in range(24)):
        for event in upcoming(programme(programme_id), since):
            if found := SCHOOL_YEAR.search(event.label):
                assert int(found[1]) <= event.start.year <= int(found[2]), (since, event)


def test_amu_dates_of_one_year_are_not_carried_over() -> None:
    after = upcoming(programme("amu-miage"), date(2026, 11, 22))
    assert not any(
        "L3I" in e.label or "M1" in e.label or "validation des missions d'alternance" in e.label for e in after
    )
    assert [e.start for e in after if "Master 2025/2027" in e.label] == [date(2027, 9, 3)]
    assert any("2025/2026" in n for n in notes(programme("amu-miage")))
    during = upcoming(programme("amu-miage"), date(2026, 1, 1))
    assert [e.start for e in during if e.label == "Fin de formation L3I (DFF 2025/2026)"] == [date(2026, 7, 3)]


def test_paris1_shows_the_guide_words_not_an_invented_first_of_june() -> None:
    events = upcoming(programme("paris1-miage"), date(2026, 11, 22))
    assert date(2027, 6, 1) not in {e.start for e in events}
    window = next(e for e in events if "fenêtre" in e.label)
    assert (window.start, window.exact) == (date(2027, 8, 31), True)
    assert "fin des partiels du deuxième semestre" in window.label
    defence = next(e for e in events if "soutenance" in e.label)
    assert (defence.when, defence.exact) == ("début septembre 2027", False)
    assert (defence.start, defence.end) == (date(2027, 9, 1), date(2027, 9, 10))


def test_words_for_part_of_a_month_are_kept_and_bounded() -> None:
    quiz = next(e for e in upcoming(programme("lille-l3"), date(2026, 9, 1)) if e.label == "Quiz avancement 1")
    assert (quiz.when, quiz.exact, quiz.start, quiz.end) == (
        "mi-novembre 2026",
        False,
        date(2026, 11, 11),
        date(2026, 11, 20),
    )
    # Still listed while it may be going on, not after.
    assert any(e.label == "Quiz avancement 1" for e in upcoming(programme("lille-l3"), date(2026, 11, 20)))
    assert not any(e.label == "Quiz avancement 1" for e in upcoming(programme("lille-l3"), date(2026, 11, 21)))


def test_a_calendar_without_years_says_so_when_a_day_falls_on_a_weekend() -> None:
    # Lille's calendar gives "11 avril", "19 juin" without a year: placed each year, they can fall on a
    # weekend (11 April 2027 is a Sunday), so the dates say they are indicative and where the year's are.
    events = upcoming(programme("lille-l3"), date(2026, 11, 23))
    assert any(e.start == date(2027, 4, 11) and e.start.weekday() == 6 for e in events)
    assert any("sans année" in n and "Moodle" in n for n in notes(programme("lille-l3")))


def test_people_read_guide_titles_never_file_names() -> None:
    from bot.cli import main  # noqa: PLC0415

    for argv in (
        ["dates", "--programme", "lille-l3"],
        ["calc", "gratification", "--start", "2026-06-01", "--end", "2026-08-28"],
        ["calc", "contrat-dates", "--formation", "l3i", "--contract", "apprentissage"],
        ["calc", "stagiaires", "--headcount", "30"],
    ):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(argv) == 0
        assert ".txt" not in out.getvalue(), (argv, out.getvalue())
