"""The ``questions`` table: questions the knowledge base refused or answered with low confidence."""

import json
from dataclasses import dataclass

from bot.store import Store


@dataclass(frozen=True)
class LoggedQuestion:
    """One question as logged for the officers."""

    asked_at: str  # ISO timestamp, UTC
    channel: str  # cli, chat, discord, mail
    programme: str
    question: str
    normalized: str  # sorted content stems: groups the same question asked in other words
    answered: bool
    score: float
    entry_id: str | None
    nearest: tuple[tuple[str, float], ...]  # entry ids and scores, best first


class Questions:
    """The officers' list of questions to look at."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, question: LoggedQuestion) -> None:
        """Log one question (its nearest scores kept to three decimals)."""
        self.store.db.execute(
            "INSERT INTO questions (asked_at, channel, programme, question, normalized, answered, score, entry_id,"
            " nearest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                question.asked_at,
                question.channel,
                question.programme,
                question.question,
                question.normalized,
                int(question.answered),
                question.score,
                question.entry_id,
                json.dumps([[e, round(s, 3)] for e, s in question.nearest]),
            ),
        )

    def logged(self, programme: str | None = None) -> list[LoggedQuestion]:
        """Every logged question (of one programme, or all), oldest first."""
        rows = self.store.db.execute(
            "SELECT * FROM questions WHERE ? IS NULL OR programme = ? ORDER BY id", (programme, programme)
        )
        return [
            LoggedQuestion(
                asked_at=str(r["asked_at"]),
                channel=str(r["channel"]),
                programme=str(r["programme"]),
                question=str(r["question"]),
                normalized=str(r["normalized"]),
                answered=bool(r["answered"]),
                score=float(r["score"]),
                entry_id=None if r["entry_id"] is None else str(r["entry_id"]),
                nearest=tuple((str(e), float(s)) for e, s in json.loads(str(r["nearest"]))),
            )
            for r in rows
        ]
