"""Finding the entry that answers a question: IDF-weighted overlap of stems with typo correction.

Each phrasing is reduced to the Snowball stems of its content words (knowledge.text). A query word
unknown to the vocabulary is corrected to its nearest known word with rapidfuzz (typos:
"gratificaton"), at most one edit per four letters.
Candidates come from an inverted index, so a query only scores phrasings sharing a token with it;
the score is the geometric mean of how much of the query and how much of the phrasing match,
weighted by inverse document frequency, blended with rapidfuzz's token_sort_ratio (not token_set_ratio,
which scores 100 whenever one side's tokens are a subset of the other's: "quel temps fait-il" would
match "combien de temps pour signer la convention").
"""

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from knowledge.model import Entry
from knowledge.text import SCOPE_WORDS, stem, tokens, words

TYPO_CUTOFF = 82  # rapidfuzz ratio needed to correct an unknown token to a known one
MIN_TYPO_LENGTH = 4
TYPO_LETTERS_PER_EDIT = 4  # a correction may change one letter per 4 ("sport" is not "support")
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
        surface: set[str] = set()  # the words as written, for typo correction before stemming
        for entry_index, entry in enumerate(self.entries):
            for phrasing in entry.questions:
                surface.update(words(phrasing))
                toks = frozenset(tokens(phrasing))
                if not entry.is_general:
                    # A programme's entry is only ever searched for that programme's students, so
                    # "L3" or "MIAGE" in its phrasing says nothing and must not cost a question
                    # that leaves it out.
                    toks -= SCOPE_WORDS
                if not toks:
                    continue
                row = len(self._phrasings)
                self._phrasings.append((entry_index, phrasing, toks, " ".join(sorted(toks))))
                for token in toks:
                    postings[token].add(row)
        total = max(len(self._phrasings), 1)
        self._postings = {t: tuple(rows) for t, rows in postings.items()}
        self._idf = {t: math.log(1 + total / len(rows)) for t, rows in postings.items()}
        self._vocab = tuple(sorted(surface))
        self._max_idf = math.log(1 + total)
        self._weights = [sum(self._idf[t] for t in toks) for _, _, toks, _ in self._phrasings]

    def correct(self, question_words: tuple[str, ...]) -> tuple[str, ...]:
        """The stems of a question's words, an unknown word replaced by its nearest known word when close."""
        fixed: list[str] = []
        for word in question_words:
            token = stem(word)
            if token in self._idf or len(word) < MIN_TYPO_LENGTH or word.isdigit():
                fixed.append(token)
                continue
            best = process.extractOne(word, self._vocab, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            edits = max(1, len(word) // TYPO_LETTERS_PER_EDIT)
            close = best is not None and Levenshtein.distance(word, best[0], score_cutoff=edits) <= edits
            fixed.append(stem(best[0]) if best and close else token)
        return tuple(fixed)

    def search(self, question: str, *, programme: str | None = None, limit: int = 5) -> list[Hit]:
        """Best entries for a question, the asker's programme first; other programmes' rules excluded."""
        query = frozenset(self.correct(words(question)))
        if programme is not None:
            query = query - SCOPE_WORDS or query
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
            similarity = fuzz.token_sort_ratio(query_text, sorted_text) / 100
            score = OVERLAP_WEIGHT * overlap + (1 - OVERLAP_WEIGHT) * similarity
            # The asker's own programme ranks first, and counts as a better match for the threshold.
            rank = score + PROGRAMME_BOOST if programme is not None and not entry.is_general else score
            current = best.get(entry_index)
            if current is None or rank > current.rank:
                best[entry_index] = Hit(entry, score, phrasing, rank)
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
