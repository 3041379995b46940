"""The labelled question set of tests/data/questions.txt and the accuracy measure over it."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.assistant.answer import ask
from knowledge.text import fold

DATA = Path(__file__).resolve().parents[1] / "data" / "questions.txt"
TODAY = date(2026, 11, 22)  # the day the set was labelled; figures are those in force then


@dataclass(frozen=True)
class Case:
    programme: str
    question: str
    facts: tuple[str, ...]

    @property
    def out_of_scope(self) -> bool:
        return self.facts == ("REFUS",)


def cases() -> list[Case]:
    out: list[Case] = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        programme, question, facts = (part.strip() for part in line.split("|"))
        out.append(Case(programme, question, tuple(f.strip() for f in facts.split(";"))))
    return out


def passes(case: Case) -> bool:
    answer = ask(case.question, case.programme, TODAY)
    if case.out_of_scope:
        return not answer.answered
    text = fold(answer.answer).replace("\u202f", " ")
    return answer.answered and all(fold(f) in text for f in case.facts)


def accuracy() -> tuple[float, float, list[Case]]:
    """(in-scope share carrying their facts, out-of-scope share refused, failing cases)."""
    all_cases = cases()
    failing = [c for c in all_cases if not passes(c)]
    inside = [c for c in all_cases if not c.out_of_scope]
    outside = [c for c in all_cases if c.out_of_scope]
    in_ok = 1 - sum(1 for c in failing if not c.out_of_scope) / len(inside)
    out_ok = 1 - sum(1 for c in failing if c.out_of_scope) / len(outside)
    return in_ok, out_ok, failing
