"""The guide passage closest to a question, for officers looking at what the base could not answer.

The five guides ship with the package (knowledge/guides/, the text of ../shared/guides/). A passage
is a window of a few lines, scored by the IDF-weighted share of the question's stems
it holds, divided by the square root of its length so a whole chapter does not win by size.
"""

import math
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

from knowledge.text import tokens

EXCERPT_CHARS = 200
WINDOW_LINES = 6
MIN_STEMS = 8


@dataclass(frozen=True)
class Passage:
    """A paragraph of a guide."""

    document: str
    text: str


@cache
def _passages() -> tuple[tuple[Passage, frozenset[str]], ...]:
    folder = resources.files("knowledge") / "guides"
    out: list[tuple[Passage, frozenset[str]]] = []
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if not item.name.endswith(".txt"):
            continue
        lines = [line.strip() for line in item.read_text(encoding="utf-8").splitlines() if line.strip()]
        # Windows of a few lines, half-overlapping: the extraction's paragraphs are unreliable.
        for start in range(0, max(len(lines) - WINDOW_LINES // 2, 1), WINDOW_LINES // 2):
            text = " ".join(lines[start : start + WINDOW_LINES])
            stems = frozenset(tokens(text))
            if len(stems) >= MIN_STEMS:
                out.append((Passage(item.name, text), stems))
    return tuple(out)


@cache
def _idf() -> dict[str, float]:
    passages = _passages()
    counts = Counter(t for _, stems in passages for t in stems)
    return {t: math.log(1 + len(passages) / n) for t, n in counts.items()}


def nearest_passage(question: str) -> Passage | None:
    """The guide paragraph sharing most of the question's meaning, or None when none shares a word."""
    query = set(tokens(question))
    idf = _idf()
    best: tuple[float, Passage] | None = None
    for passage, stems in _passages():
        shared = query & stems
        if not shared:
            continue
        score = sum(idf[t] for t in shared) / math.sqrt(len(stems))
        if best is None or score > best[0]:
            best = (score, passage)
    if best is None:
        return None
    passage = best[1]
    excerpt = passage.text if len(passage.text) <= EXCERPT_CHARS else passage.text[: EXCERPT_CHARS - 1] + "…"
    return Passage(passage.document, excerpt)
