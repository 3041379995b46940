"""Question sets (labelled and blind) and how an answer is graded against them.

A set is a text file of ``programme | question | facts`` lines. Facts are ";"-separated; each fact
may list alternatives separated by " OR " ("4,50 OR 4,5"); all facts must appear (accent- and
case-insensitive) in the answer. Out-of-scope questions have the single fact "REFUS".
An answer is graded right (answered, every fact present), wrong (answered without the facts, or an
out-of-scope question answered) or refused: a wrong answer is worse than an honest refusal.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from bot.assistant.answer import Answer, ask
from knowledge.text import fold
from rules.programmes import programme as get_programme

DATA = Path(__file__).resolve().parents[1] / "data" / "questions.txt"
BLIND = Path(__file__).resolve().parents[1] / "data" / "blind"
LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled"  # former blind batches, now tuning data
TODAY = date(2026, 11, 22)  # the day the set was labelled; figures are those in force then

Grade = Literal["right", "wrong", "refused"]


@dataclass(frozen=True)
class Case:
    programme: str
    question: str
    facts: tuple[tuple[str, ...], ...]  # each fact: its accepted spellings

    @property
    def out_of_scope(self) -> bool:
        return self.facts == (("REFUS",),)


def read_set(path: Path) -> list[Case]:
    """The cases of one set file."""
    out: list[Case] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        programme, question, facts = (part.strip() for part in line.split("|"))
        out.append(Case(programme, question, parse_facts(facts)))
    return out


def parse_facts(spec: str) -> tuple[tuple[str, ...], ...]:
    """``"4,50 OR 4,5; 31 aout"`` → each fact with its accepted spellings."""
    return tuple(tuple(alt.strip() for alt in fact.split(" OR ")) for fact in spec.split(";") if fact.strip())


def carries(text: str, facts: tuple[tuple[str, ...], ...]) -> bool:
    """Whether a text holds every fact in one of its spellings (accents, case and odd spaces ignored)."""
    folded = fold(text).replace("\u202f", " ").replace("\u00a0", " ")
    return all(any(fold(alt) in folded for alt in fact) for fact in facts)


def cases() -> list[Case]:
    """The labelled set (tests/data/questions.txt)."""
    return read_set(DATA)


def grade(case: Case, answer: Answer) -> Grade:
    """Right, wrong or refused."""
    if not answer.answered:
        return "refused"
    if case.out_of_scope:
        return "wrong"
    return "right" if carries(answer.answer, case.facts) else "wrong"


def passes(case: Case, today: date = TODAY, asker: Callable[..., Answer] = ask) -> bool:
    """Whether the case's answer is right (or, out of scope, an honest refusal)."""
    result = grade(case, asker(case.question, case.programme, today))
    return result == "refused" if case.out_of_scope else result == "right"


@dataclass(frozen=True)
class Score:
    """Counts of one set, in scope and out of scope apart."""

    inside: Counter[str]
    outside: Counter[str]
    failing: list[Case]

    def row(self) -> str:
        n_in = sum(self.inside.values()) or 1
        n_out = sum(self.outside.values()) or 1
        return (
            f"{self.inside['right']}/{n_in} right ({100 * self.inside['right'] / n_in:.1f} %), "
            f"{self.inside['wrong']} wrong, {self.inside['refused']} refused; "
            f"out of scope {self.outside['refused']}/{n_out} refused ({100 * self.outside['refused'] / n_out:.1f} %)"
        )


def score(all_cases: list[Case], today: date = TODAY, asker: Callable[..., Answer] = ask) -> Score:
    """Grade every case of a set."""
    inside: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    failing = []
    for case in all_cases:
        result = grade(case, asker(case.question, get_programme(case.programme), today))
        (outside if case.out_of_scope else inside)[result] += 1
        if result != ("refused" if case.out_of_scope else "right"):
            failing.append(case)
    return Score(inside, outside, failing)


def accuracy() -> tuple[float, float, list[Case]]:
    """(in-scope share carrying their facts, out-of-scope share refused, failing cases)."""
    result = score(cases())
    n_in = sum(result.inside.values())
    n_out = sum(result.outside.values())
    return result.inside["right"] / n_in, result.outside["refused"] / n_out, result.failing
