"""The assistant's one entry point: a question in, a sourced French answer (or an honest refusal) out."""

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any, Literal

from bot.assistant.intents import route
from knowledge.base import load
from knowledge.figures import render
from knowledge.search import Index
from knowledge.text import fold

THRESHOLD = 0.55
REFUSAL = (
    "Je ne sais pas répondre à cette question avec les guides dont je dispose. "
    "Reformulez-la, ou écrivez au bureau des stages de votre formation."
)


# What an answer is: drawn from the knowledge base, a verdict of the rules on the student's own
# situation, a calculator's result, an honest refusal, or a sentence about unreadable input. The
# mailbox only ever mails the first three, and only when the band is "sure".
AnswerKind = Literal["knowledge", "verdict", "calculator", "refusal", "input_error"]
Band = Literal["sure", "likely", "none"]


@dataclass(frozen=True)
class Answer:
    """What ``stagebot ask --json`` prints."""

    answered: bool
    answer: str
    entry_id: str | None
    score: float
    sources: list[dict[str, str]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    nearest: list[tuple[str, float]] = field(default_factory=list)  # entry ids and scores, best first
    kind: AnswerKind = "knowledge"
    band: Band = "sure"  # "likely": answered with the best entry, the next ones offered

    def as_json(self) -> dict[str, Any]:
        """The contract's object."""
        return {
            "answered": self.answered,
            "answer": self.answer,
            "entry_id": self.entry_id,
            "score": round(self.score, 3),
            "sources": self.sources,
            "suggestions": self.suggestions,
            "kind": self.kind,
            "band": self.band,
        }

    def as_text(self) -> str:
        """For people: the answer and where it comes from."""
        lines = [self.answer]
        if self.answered and self.sources:
            lines.append("Source : " + " ; ".join(f"{s['document']}, {s['section']}" for s in self.sources))
        if self.suggestions:
            lines.append("Questions proches : " + " | ".join(self.suggestions))
        return "\n".join(lines)


@cache
def index() -> Index:
    """The search index over the packaged knowledge base (built once per process)."""
    return Index(load().entries)


def ask(question: str, programme: str, today: date, *, search_index: Index | None = None) -> Answer:
    """Answer a question for a student of ``programme`` on ``today``."""
    text = question.strip()
    if not text:
        return Answer(False, "Posez votre question en quelques mots.", None, 0.0, kind="input_error", band="none")
    calc = route(fold(text), programme, today)
    if calc is not None:
        if calc.entry_id == "calc/erreur":
            return Answer(False, calc.text, None, 0.0, kind="input_error", band="none")
        return Answer(
            True, calc.text, calc.entry_id, 1.0, [{"document": d, "section": s} for d, s in calc.sources], kind="calculator"
        )
    hits = (search_index or index()).search(text, programme=programme, limit=4)
    nearest = [(h.entry.id, h.score) for h in hits[:3]]
    if hits and hits[0].score >= THRESHOLD:
        best = hits[0]
        return Answer(
            True,
            render(best.entry.answer, today),
            best.entry.id,
            best.score,
            [{"document": best.entry.source.document, "section": best.entry.source.section}],
            nearest=nearest,
        )
    suggestions = [h.entry.questions[0] for h in hits[:3]]
    score = hits[0].score if hits else 0.0
    return Answer(
        False, REFUSAL, hits[0].entry.id if hits else None, score, [], suggestions, nearest, kind="refusal", band="none"
    )
