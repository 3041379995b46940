"""The ``answers`` table: each answer given on Discord, and whether its asker found it helpful."""

from dataclasses import dataclass

from bot.store import Store


@dataclass(frozen=True)
class GivenAnswer:
    """One answer as logged for the feedback buttons; ``asker`` is a salted hash, never a Discord id."""

    at: str  # ISO timestamp, UTC
    channel: str
    asker: str
    programme: str
    question: str
    entry_id: str | None
    score: float


@dataclass(frozen=True)
class EntryFeedback:
    """The votes on one knowledge-base entry."""

    entry_id: str
    asked: int
    yes: int
    no: int


class Answers:
    """Answers and their feedback."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, answer: GivenAnswer) -> int:
        """Log an answer; returns its id (carried by the feedback buttons)."""
        cursor = self.store.db.execute(
            "INSERT INTO answers (at, channel, asker, programme, question, entry_id, score)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                answer.at,
                answer.channel,
                answer.asker,
                answer.programme,
                answer.question,
                answer.entry_id,
                answer.score,
            ),
        )
        return int(cursor.lastrowid or 0)

    def vote(self, answer_id: int, asker: str, helpful: bool) -> bool:
        """Record a vote if ``asker`` asked that question; False otherwise (nothing changes)."""
        cursor = self.store.db.execute(
            "UPDATE answers SET helpful = ? WHERE id = ? AND asker = ?", (int(helpful), answer_id, asker)
        )
        return cursor.rowcount > 0

    def feedback(self, limit: int) -> list[EntryFeedback]:
        """Votes per entry, the least helpful first, then the most asked."""
        rows = self.store.db.execute(
            "SELECT entry_id, count(*) AS asked, sum(helpful = 1) AS yes, sum(helpful = 0) AS no FROM answers"
            " WHERE entry_id IS NOT NULL GROUP BY entry_id HAVING yes + no > 0 ORDER BY (no * 1.0 / (yes + no)) DESC,"
            " asked DESC LIMIT ?",
            (limit,),
        )
        return [EntryFeedback(str(r["entry_id"]), int(r["asked"]), int(r["yes"] or 0), int(r["no"] or 0)) for r in rows]
