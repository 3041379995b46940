"""Finding the entry that answers a question: how much of the question an entry covers.

Each entry is indexed by three fields, reduced to the Snowball stems of their content words
(knowledge.text): its phrasings (weight 1), its key terms, tags and section title (0.75) and its
answer (0.6), so a word that only the answer or the guide section uses ("JMI", "MoveOn", "OPCO")
still leads to the entry. A query word unknown to every field is first corrected to its nearest
known word with rapidfuzz (typos: "gratificaton"), at most one edit per four letters.

The score blends three measures, each in 0–1:
- coverage: the IDF-weighted share of the question's words the entry carries in any field. A word
  no entry knows ("crève", "yoga") is unknown, not evidence against: it counts for UNKNOWN_WEIGHT of
  an average word, so a question made mostly of unknown words still cannot reach the threshold;
- phrasing: the best phrasing's overlap, the geometric mean of how much of the question and of the
  phrasing match, so a short phrasing found inside a long question does not score as a full match;
- similarity: rapidfuzz's token_sort_ratio against that phrasing (not token_set_ratio, which scores
  100 whenever one side's tokens are a subset of the other's).
Candidates come from inverted indexes, so a query only scores entries sharing a token with it.
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
FIELD_WEIGHTS = {"phrasing": 1.0, "terms": 0.75, "answer": 0.6}
UNKNOWN_WEIGHT = 1.0  # share of an average word's weight an unknown word takes from the question
COVERAGE_WEIGHT = 0.8
PHRASING_WEIGHT = 0.15  # the rest goes to the string similarity
PHRASE_ONLY_OVERLAP = 0.8  # the phrasing-only score: overlap with one phrasing, the rest similarity
RESCORED = 40  # phrasings given the string similarity after the overlap pass
SHORTLIST = 120  # entries, best covering the question, whose phrasings are compared one by one
PROGRAMME_BOOST = 0.1  # a programme's own rule beats a general one that matches about as well
# A word in more than this share of the entries (and more than COMMON_MIN of them) brings no candidates alone.
COMMON_SHARE = 0.1
COMMON_MIN = 200


@dataclass(frozen=True)
class Hit:
    """An entry and how well the question matches it (0–1)."""

    entry: Entry
    score: float
    phrasing: str
    rank: float  # score plus the programme boost; may exceed 1, used for ordering only
    coverage: float = 0.0  # the measures the score blends, each 0–1 (see the module's docstring)
    overlap: float = 0.0
    similarity: float = 0.0
    exact: float = 0.0


def _fields(entry: Entry) -> dict[str, frozenset[str]]:
    phrasing = frozenset(t for q in entry.questions for t in tokens(q))
    terms = frozenset(t for text in (*entry.terms, *entry.tags, entry.source.section) for t in tokens(text))
    answer = frozenset(tokens(entry.answer.replace("{", " ").replace("}", " ").replace("_", " ")))
    return {"phrasing": phrasing, "terms": terms, "answer": answer}


class Index:
    """The search index over every field of every entry."""

    def __init__(self, entries: tuple[Entry, ...] | list[Entry]) -> None:
        self.entries = tuple(entries)
        self._phrasings: list[tuple[int, str, frozenset[str], str]] = []
        phrase_postings: dict[str, set[int]] = defaultdict(set)
        # token -> {entry index: field weight}; the best field of the entry holding the token counts.
        self._entry_weights: dict[str, dict[int, float]] = defaultdict(dict)
        surface: set[str] = set()  # words as written, for typo correction before stemming
        self._held: dict[str, frozenset[str]] = {}
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
                    phrase_postings[token].add(row)
            surface.update(words(entry.answer))
            surface.update(w for text in entry.terms for w in words(text))
            fields = _fields(entry)
            self._held[entry.id] = fields["phrasing"] | fields["terms"]
            for field, toks in fields.items():
                for token in toks - SCOPE_WORDS:
                    weights = self._entry_weights[token]
                    weights[entry_index] = max(weights.get(entry_index, 0.0), FIELD_WEIGHTS[field])
        total_rows = max(len(self._phrasings), 1)
        total_entries = max(len(self.entries), 1)
        self._postings = {t: tuple(rows) for t, rows in phrase_postings.items()}
        self._idf = {t: math.log(1 + total_rows / len(rows)) for t, rows in phrase_postings.items()}
        self._entry_idf = {t: math.log(1 + total_entries / len(e)) for t, e in self._entry_weights.items()}
        self._vocab = tuple(sorted(surface))
        self._max_idf = math.log(1 + total_rows)
        idf_values = sorted(self._entry_idf.values())
        # An unknown word is rare by definition: it weighs like the rarer known words (upper quartile).
        self._unknown_idf = idf_values[3 * len(idf_values) // 4] if idf_values else 1.0
        self._weights = [sum(self._idf[t] for t in toks) for _, _, toks, _ in self._phrasings]
        self._allowed: dict[str | None, frozenset[int]] = {}
        self._allowed_ids: dict[str | None, frozenset[str]] = {}
        self._by_id = {entry.id: entry for entry in self.entries}

    def _applicable(self, programme: str | None) -> frozenset[int]:
        """Indexes of the entries a student of ``programme`` may be answered with (cached)."""
        if programme not in self._allowed:
            self._allowed[programme] = frozenset(
                i for i, entry in enumerate(self.entries) if entry.applies_to(programme)
            )
        return self._allowed[programme]

    def applicable_ids(self, programme: str | None) -> frozenset[str]:
        """Ids of the entries a student of ``programme`` may be answered with (cached)."""
        if programme not in self._allowed_ids:
            self._allowed_ids[programme] = frozenset(self.entries[i].id for i in self._applicable(programme))
        return self._allowed_ids[programme]

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id."""
        return self._by_id[entry_id]

    def correct(self, question_words: tuple[str, ...]) -> tuple[str, ...]:
        """The stems of a question's words, an unknown word replaced by its nearest known word when close."""
        fixed: list[str] = []
        for word in question_words:
            token = stem(word)
            if token in self._entry_weights or len(word) < MIN_TYPO_LENGTH or word.isdigit():
                fixed.append(token)
                continue
            best = process.extractOne(word, self._vocab, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
            edits = max(1, len(word) // TYPO_LETTERS_PER_EDIT)
            # Typos keep a word's first letter: "republique" is not a typo of "publique".
            close = (
                best is not None
                and best[0][0] == word[0]
                and Levenshtein.distance(word, best[0], score_cutoff=edits) <= edits
            )
            fixed.append(stem(best[0]) if best and close else token)
        return tuple(fixed)

    def query(self, question: str, programme: str | None = None) -> frozenset[str]:
        """A question's stems as the search reads them (typos corrected, scope words dropped)."""
        query = frozenset(self.correct(words(question)))
        if programme is not None:
            query = query - SCOPE_WORDS or query
        return query

    def holds(self, entry_id: str) -> frozenset[str]:
        """The stems of what an entry is about: its phrasings and key terms (its answer may mention more)."""
        return self._held[entry_id]

    def search(self, question: str, *, programme: str | None = None, limit: int = 5) -> list[Hit]:
        """Best entries for a question, the asker's programme first; other programmes' rules excluded."""
        return self.search_query(self.query(question, programme), programme=programme, limit=limit)

    def search_query(self, query: frozenset[str], *, programme: str | None = None, limit: int = 5) -> list[Hit]:
        """Best entries for a question already read into stems (``query``)."""
        if not query:
            return []
        known = [t for t in query if t in self._entry_weights]
        unknown = len(query) - len(known)
        weight_known = sum(self._entry_idf[t] for t in known)
        denominator = weight_known + UNKNOWN_WEIGHT * unknown * self._unknown_idf
        if not known:
            return []
        allowed = self._applicable(programme)
        # Entry coverage: the share of the question's weight each candidate entry carries.
        # Candidates come from the question's rarer words: an entry sharing only "stage" with it cannot
        # win, and scanning every entry that says "stage" would cost time linear in the base.
        common = max(COMMON_SHARE * len(self.entries), COMMON_MIN)
        rare = [t for t in known if len(self._entry_weights[t]) <= common] or known
        entry_candidates: set[int] = set()
        for token in rare:
            entry_candidates.update(self._entry_weights[token])
        coverage = self._coverage(known, entry_candidates & allowed)
        # Phrasing overlap: the same, against one phrasing at a time.
        weight_q = sum(self._idf.get(t, self._max_idf) for t in known) + UNKNOWN_WEIGHT * unknown * self._max_idf / 2
        exact_weight_q = sum(self._idf.get(t, self._max_idf) for t in query)
        # Phrasings are compared only for the entries covering the question best: a phrasing's words
        # are its entry's words, so an entry outside them cannot have a phrasing that matches well.
        shortlist = frozenset(heapq.nlargest(SHORTLIST, coverage, key=coverage.__getitem__))
        rows: set[int] = set()
        for token in rare:
            rows.update(self._postings.get(token, ()))
        overlap, exact_phrase = self._overlaps(query, rows, shortlist, weight_q, exact_weight_q)
        best_phrasing: dict[int, tuple[float, str, str]] = {}
        for value, row in heapq.nlargest(RESCORED, overlap):
            entry_index, phrasing, _, sorted_text = self._phrasings[row]
            if entry_index not in best_phrasing or value > best_phrasing[entry_index][0]:
                best_phrasing[entry_index] = (value, phrasing, sorted_text)
        # The string similarity, the costly part, only for the best few by each measure.
        candidates = set(best_phrasing)
        candidates.update(heapq.nlargest(RESCORED, coverage, key=coverage.__getitem__))
        candidates.update(heapq.nlargest(RESCORED, exact_phrase, key=exact_phrase.__getitem__))
        query_text = " ".join(sorted(query))
        hits: list[Hit] = []
        for entry_index in candidates:
            entry = self.entries[entry_index]
            covered = coverage.get(entry_index, 0.0)
            phrase_score, phrasing, sorted_text = best_phrasing.get(entry_index, (0.0, entry.questions[0], ""))
            similarity = fuzz.token_sort_ratio(query_text, sorted_text) / 100 if sorted_text else 0.0
            blended = (
                COVERAGE_WEIGHT * min(1.0, covered / denominator)
                + PHRASING_WEIGHT * phrase_score
                + (1 - COVERAGE_WEIGHT - PHRASING_WEIGHT) * similarity
            )
            # A question close to one phrasing (the way students were seen to ask) keeps the score
            # that phrasing alone gives it, even when the rest of the entry covers it less.
            close = PHRASE_ONLY_OVERLAP * exact_phrase.get(entry_index, 0.0) + (1 - PHRASE_ONLY_OVERLAP) * similarity
            # One word alone ("temps", "lille") says too little for coverage: only a phrasing as short
            # as the question can answer it.
            score = close if len(query) == 1 else max(blended, close)
            # The asker's own programme ranks first, and counts as a better match for the threshold.
            rank = score + PROGRAMME_BOOST if programme is not None and not entry.is_general else score
            hits.append(
                Hit(
                    entry,
                    score,
                    phrasing,
                    rank,
                    min(1.0, covered / denominator),
                    phrase_score,
                    similarity,
                    exact_phrase.get(entry_index, 0.0),
                )
            )
        return sorted(hits, key=lambda h: (-h.rank, h.entry.is_general, h.entry.id))[:limit]

    def _coverage(self, known: list[str], scored: set[int]) -> dict[int, float]:
        """The IDF weight of the question's known words each candidate entry holds (field-weighted).

        Term at a time, walking whichever is shorter: the word's entries or the candidates.
        """
        coverage: dict[int, float] = dict.fromkeys(scored, 0.0)
        for t in known:
            idf, holders = self._entry_idf[t], self._entry_weights[t]
            if len(holders) < len(scored):
                for entry_index, field_weight in holders.items():
                    if entry_index in coverage:
                        coverage[entry_index] += idf * field_weight
            else:
                for entry_index in scored:
                    held = holders.get(entry_index)
                    if held is not None:
                        coverage[entry_index] += idf * held
        return coverage

    def _overlaps(
        self, query: frozenset[str], rows: set[int], shortlist: frozenset[int], weight_q: float, exact_weight_q: float
    ) -> tuple[list[tuple[float, int]], dict[int, float]]:
        """Each phrasing's overlap with the question (unknown words weighed in, then not), per row and
        the best per entry; only for the shortlisted entries."""
        overlap: list[tuple[float, int]] = []
        exact_phrase: dict[int, float] = {}
        idf_of = self._idf.__getitem__
        sqrt, phrasings, row_weights = math.sqrt, self._phrasings, self._weights
        for row in rows:
            entry_index, _, toks, _ = phrasings[row]
            if entry_index not in shortlist:
                continue
            matched = sum(map(idf_of, query & toks))
            share = matched / row_weights[row]
            overlap.append((sqrt(matched / weight_q * share), row))
            exact = sqrt(matched / exact_weight_q * share)
            if exact > exact_phrase.get(entry_index, -1.0):
                exact_phrase[entry_index] = exact
        return overlap, exact_phrase

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
