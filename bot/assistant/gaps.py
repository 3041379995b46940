"""What the knowledge base lacks: unanswered and low-confidence questions, logged and grouped.

Every question the assistant refuses, or answers with a score below ``LOW_CONFIDENCE``, is written
to the store with its nearest entries. ``gaps`` groups the same question asked in different words
(same content stems), most frequent first, so an officer sees at once which phrasing or entry to add.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from bot.assistant.answer import THRESHOLD, Answer
from bot.parsing import clean_line
from bot.records.questions import LoggedQuestion, Questions
from bot.store import Store
from knowledge.passages import nearest_passage
from knowledge.text import tokens
from rules.money import fr_number

LOW_CONFIDENCE = THRESHOLD + 0.1  # answered, but close enough to the threshold to deserve a look
STORED_MAX = 500  # characters kept of a question: enough to recognise it, never a megabyte per row


@dataclass(frozen=True)
class Gap:
    """One question (in all the ways it was asked) the base answered badly or not at all."""

    question: str  # the latest wording
    count: int
    answered: int  # how many times it got an answer (low confidence) rather than a refusal
    last_asked: str
    programmes: tuple[str, ...]
    best_score: float
    nearest: tuple[tuple[str, float], ...]  # entry ids and scores, best first
    passage: tuple[str, str] | None = None  # the closest guide paragraph: (guide file, excerpt)

    def as_json(self) -> dict[str, object]:
        """For ``stagebot kb gaps --json``."""
        return {
            "question": self.question,
            "count": self.count,
            "answered": self.answered,
            "last_asked": self.last_asked,
            "programmes": list(self.programmes),
            "best_score": round(self.best_score, 3),
            "nearest": [{"entry_id": e, "score": round(s, 3)} for e, s in self.nearest],
            "passage": {"document": self.passage[0], "text": self.passage[1]} if self.passage else None,
        }


def needs_review(answer: Answer) -> bool:
    """Whether an answer goes to the officers' list: refused, or answered with low confidence.

    Calculator answers (score 1) never do.
    """
    return not answer.answered or answer.score < LOW_CONFIDENCE


def log_question(store: Store, question: str, programme: str, answer: Answer, channel: str) -> bool:
    """Record the question if it needs review; True when it was recorded."""
    if not needs_review(answer):
        return False
    # Terminal escape sequences and control characters are not part of a question; nothing left, nothing logged.
    question = " ".join(clean_line(question).split())
    if not question:
        return False
    question = question if len(question) <= STORED_MAX else question[: STORED_MAX - 1] + "…"
    normalized = " ".join(sorted(set(tokens(question)))) or question.lower()
    Questions(store).add(
        LoggedQuestion(
            asked_at=datetime.now(UTC).isoformat(timespec="seconds"),
            channel=channel,
            programme=programme,
            question=question,
            normalized=normalized,
            answered=answer.answered,
            score=answer.score,
            entry_id=answer.entry_id,
            nearest=tuple(answer.nearest),
        )
    )
    return True


def gaps(store: Store, *, limit: int = 20, programme: str | None = None) -> list[Gap]:
    """The logged questions grouped by meaning, most frequent first (then most recent)."""
    groups: dict[str, list[LoggedQuestion]] = {}
    for logged in Questions(store).logged(programme):
        groups.setdefault(logged.normalized, []).append(logged)
    result: list[Gap] = []
    for rows in groups.values():
        latest = rows[-1]
        best: dict[str, float] = {}
        for row in rows:
            for entry_id, score in row.nearest:
                best[entry_id] = max(best.get(entry_id, 0.0), score)
        nearest = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:3]
        passage = nearest_passage(latest.question)
        result.append(
            Gap(
                question=latest.question,
                count=len(rows),
                answered=sum(r.answered for r in rows),
                last_asked=latest.asked_at,
                programmes=tuple(sorted({r.programme for r in rows})),
                best_score=max(r.score for r in rows),
                nearest=tuple(nearest),
                passage=(passage.document, passage.text) if passage else None,
            )
        )
    result.sort(key=lambda g: g.last_asked, reverse=True)
    result.sort(key=lambda g: g.count, reverse=True)  # stable: most recent first among equals
    return result[:limit]


GAP_SHOWN = 200  # characters of a logged question shown in the officers' list


def gaps_text(gaps: list[Gap]) -> str:
    """What the knowledge base lacks, for officers."""
    if not gaps:
        return "Aucune question sans réponse enregistrée."
    lines = []
    for gap in gaps:
        fate = (
            "jamais répondue"
            if gap.answered == 0
            else f"répondue {gap.answered} fois avec peu de confiance"
            if gap.answered == gap.count
            else f"répondue {gap.answered} fois sur {gap.count}, avec peu de confiance"
        )
        question = gap.question if len(gap.question) <= GAP_SHOWN else gap.question[: GAP_SHOWN - 1] + "…"
        lines.append(
            f"{gap.count} × « {question} » ({', '.join(gap.programmes)} ; {fate} ; "
            f"dernière fois le {gap.last_asked[:10]})"
        )
        if gap.nearest:
            lines.append(
                "    entrées proches : "
                + ", ".join(f"{e} ({fr_number(Decimal(str(round(s, 2))))})" for e, s in gap.nearest)
            )
        if gap.passage:
            lines.append(f"    passage du guide le plus proche ({gap.passage[0]}) : « {gap.passage[1]} »")
    return "\n".join(lines)
