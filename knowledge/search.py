"""Finding the entry that answers a question: IDF-weighted token overlap with typo correction.

Each phrasing is reduced to content tokens (knowledge.text). A query token unknown to the
vocabulary is corrected to its nearest known token with rapidfuzz (typos: "gratificaton").
Candidates come from an inverted index, so a query only scores phrasings sharing a token with it;
the score is the geometric mean of how much of the query and how much of the phrasing match,
weighted by inverse document frequency, blended with rapidfuzz's token_set_ratio.
"""

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from knowledge.model import Entry
from knowledge.text import tokens

TYPO_CUTOFF = 82  # rapidfuzz ratio needed to correct an unknown token to a known one
MIN_TYPO_LENGTH = 4
OVERLAP_WEIGHT = 0.8  # the rest goes to the string similarity
RESCORED = 40  # candidates given the full score after the overlap pass
PROGRAMME_BOOST = 0.08  # a programme's own rule beats a general one that matches about as well


@dataclass(frozen=True)
class Hit:
    """An entry and how well the question matches it (0–1)."""

    entry: Entry
    score: float
    phrasing: str
    rank: float  # score plus the programme boost; may exceed 1, used for ordering only


class Index:
    """The search index over every phrasing of every entry."""

    def __init__(self, entries: tuple[Entry, ...] | list[Entry]) -> None:
        self.entries = tuple(entries)
        self._phrasings: list[tuple[int, str, frozenset[str], str]] = []
        postings: dict[str, set[int]] = defaultdict(set)
        for entry_index, entry in enumerate(self.entries):
            for phrasing in entry.questions:
                toks = frozenset(tokens(phrasing))
                if not toks:
                    continue
                row = len(self._phrasings)
                self._phrasings.append((entry_index, phrasing, toks, " ".join(sorted(toks))))
                for token in toks:
                    postings[token].add(row)
        total = max(len(self._phrasings), 1)
        self._postings = {t: tuple(rows) for t, rows in postings.items()}
        self._idf = {t: math.log(1 + total / len(rows)) for t, rows in postings.items()}
        self._vocab = tuple(self._postings)
        self._max_idf = math.log(1 + total)
        self._weights = [sum(self._idf[t] for t in toks) for _, _, toks, _ in self._phrasings]

    def correct(self, toks: tuple[str, ...]) -> tuple[str, ...]:
        """Replace unknown tokens by their nearest known token when close enough."""
        fixed: list[str] = []
        for token in toks:
            if token in self._idf or len(token) < MIN_TYPO_LENGTH or token.isdigit():
                fixed.append(token)
                continue
            best = process.extractOne(token, self._vocab, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            fixed.append(best[0] if best else token)
        return tuple(fixed)

    def search(self, question: str, *, programme: str | None = None, limit: int = 5) -> list[Hit]:
        """Best entries for a question, the asker's programme first; other programmes' rules excluded."""
        query = frozenset(self.correct(tokens(question)))
        if not query:
            return []
        weight_q = sum(self._idf.get(t, self._max_idf) for t in query)
        query_text = " ".join(sorted(query))
        candidates: set[int] = set()
        for token in query:
            candidates.update(self._postings.get(token, ()))
        # First pass, cheap: weighted overlap for every candidate; the string similarity is then
        # computed for the best few only, so latency grows with the base far slower than linearly.
        scored: list[tuple[float, int]] = []
        for row in candidates:
            entry_index, _, toks, _ = self._phrasings[row]
            if not self.entries[entry_index].applies_to(programme):
                continue
            matched = sum(self._idf[t] for t in query & toks)
            overlap = math.sqrt((matched / weight_q) * (matched / self._weights[row]))
            scored.append((overlap, row))
        best: dict[int, Hit] = {}
        for overlap, row in heapq.nlargest(RESCORED, scored):
            entry_index, phrasing, toks, sorted_text = self._phrasings[row]
            entry = self.entries[entry_index]
            similarity = fuzz.token_set_ratio(query_text, sorted_text) / 100
            score = OVERLAP_WEIGHT * overlap + (1 - OVERLAP_WEIGHT) * similarity
            # The asker's own programme ranks first, and counts as a better match for the threshold.
            rank = score + PROGRAMME_BOOST if programme is not None and not entry.is_general else score
            current = best.get(entry_index)
            if current is None or rank > current.rank:
                best[entry_index] = Hit(entry, min(1.0, rank), phrasing, rank)
        return sorted(best.values(), key=lambda h: (-h.rank, h.entry.is_general, h.entry.id))[:limit]

    def collisions(self) -> list[tuple[str, str, str]]:
        """Phrasings whose tokens are identical in two entries of the same scope.

        A programme's entry sharing a phrasing with a law entry is intended (the programme's own rule
        wins for its students); two entries of the same programme, or two law entries, are a clash.
        """
        seen: dict[frozenset[str], int] = {}
        clashes: list[tuple[str, str, str]] = []
        for entry_index, phrasing, toks, _ in self._phrasings:
            if toks in seen:
                other_index = seen[toks]
                a, b = self.entries[other_index], self.entries[entry_index]
                shared = set(a.programmes) & set(b.programmes)
                if other_index != entry_index and shared:
                    clashes.append((a.id, b.id, phrasing))
            else:
                seen[toks] = entry_index
        return clashes
