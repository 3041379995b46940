"""A second opinion on which entry answers a question: a linear classifier over character n-grams.

The search (knowledge.search) scores how much of a question an entry covers, word by word. This
model reads the question differently: character n-grams of its words (3 to 5 letters, so "gratif",
"gratification" and "gratificaton" share most of their features), words and word pairs, weighted by
TF-IDF and scored by a multinomial logistic regression trained on every entry's phrasings
(``python -m knowledge.train_entries``, scikit-learn at training only). When both agree on the
entry, the answer is far more often right than the search score alone says (measured on the former
blind batches, see bench/README.md), so the answering engine answers agreed matches from a lower
score and holds back disagreements below the sure band.

Run time is a dictionary walk: ``knowledge/entry_model.json.gz`` keeps, for each feature, its IDF and
the few entries it weighs most for (positive weights, pruned at training), read with the standard
library only. The model records a digest of the entries' ids and phrasings: a base edited since the
training makes ``shipped()`` return None, and the engine falls back to the search alone.
"""

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any

from knowledge import modelfile
from knowledge.model import Entry
from knowledge.text import fold

MODEL_PATH = Path(__file__).with_name("entry_model.json.gz")
FORMAT = 1
CHAR_NGRAMS = (3, 4, 5)
# The class of the questions the guides do not answer (out-of-scope questions of the former blind batches).
OUT_OF_SCOPE = "hors-champ"
_WORD = re.compile(r"[a-z0-9]+")


def features(text: str) -> Counter[str]:
    """Raw counts of a text's features: words, word pairs, character n-grams within words."""
    tokens = _WORD.findall(fold(text).replace("'", " ").replace("\u2019", " "))
    bag: Counter[str] = Counter()
    for token in tokens:
        bag[f"w:{token}"] += 1
        padded = f" {token} "
        for n in CHAR_NGRAMS:
            for i in range(len(padded) - n + 1):
                bag[f"c:{padded[i : i + n]}"] += 1
    for first, second in pairwise(tokens):
        bag[f"b:{first} {second}"] += 1
    return bag


def digest(entries: Iterable[Entry]) -> str:
    """What the model was trained from: every entry's id and phrasings."""
    h = hashlib.sha256()
    for entry in entries:
        h.update(entry.id.encode())
        for question in entry.questions:
            h.update(b"\x00" + question.encode())
        h.update(b"\x01")
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class EntryModel:
    """The exported classifier: entry ids, IDF per feature and pruned per-feature weights."""

    entry_ids: tuple[str, ...]
    digest: str
    idf: dict[str, float]
    weights: dict[str, tuple[tuple[int, float], ...]]
    intercepts: tuple[float, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "EntryModel":
        if data.get("format") != FORMAT:
            raise ValueError(f"format de modèle inconnu : {data.get('format')!r}")
        return cls(
            entry_ids=tuple(data["entries"]),
            digest=data["digest"],
            idf=data["idf"],
            weights={f: tuple((int(i), float(w)) for i, w in pairs) for f, pairs in data["weights"].items()},
            intercepts=tuple(data["intercepts"]),
        )

    def vector(self, text: str) -> dict[str, float]:
        """The question's TF-IDF vector (sublinear counts, L2-normalised), known features only."""
        raw = {f: (1 + math.log(n)) * self.idf[f] for f, n in features(text).items() if f in self.idf}
        norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
        return {f: v / norm for f, v in raw.items()}

    def _scores(self, text: str) -> dict[int, float]:
        scores = dict(enumerate(self.intercepts))
        for feature, value in self.vector(text).items():
            for index, weight in self.weights.get(feature, ()):
                scores[index] += value * weight
        return scores

    def rank(self, text: str, allowed: Iterable[str] | None = None, limit: int = 3) -> list[tuple[str, float]]:
        """The entries the model reads in the question (raw scores), best first, among ``allowed`` ids if
        given; the out-of-scope class only when ``allowed`` names it."""
        keep = None if allowed is None else set(allowed)
        ranked = sorted(
            (
                (self.entry_ids[i], s)
                for i, s in self._scores(text).items()
                if (self.entry_ids[i] in keep if keep is not None else self.entry_ids[i] != OUT_OF_SCOPE)
            ),
            key=lambda pair: -pair[1],
        )
        return ranked[:limit]

    def read(self, text: str, allowed: Iterable[str]) -> "Opinion":
        """The model's probabilities over the ``allowed`` entries and the out-of-scope class."""
        keep = {*allowed, OUT_OF_SCOPE}
        scores = {self.entry_ids[i]: s for i, s in self._scores(text).items() if self.entry_ids[i] in keep}
        top = max(scores.values())
        exps = {entry_id: math.exp(s - top) for entry_id, s in scores.items()}
        total = sum(exps.values())
        return Opinion({entry_id: e / total for entry_id, e in exps.items()})


@dataclass(frozen=True)
class Opinion:
    """What the classifier reads in a question: a probability per entry, and for "out of scope"."""

    probabilities: dict[str, float]

    @property
    def out_of_scope(self) -> float:
        return self.probabilities.get(OUT_OF_SCOPE, 0.0)

    @cached_property
    def entry_id(self) -> str | None:
        """The entry it reads most (never the out-of-scope class), None when it knows none."""
        entries = [(p, e) for e, p in self.probabilities.items() if e != OUT_OF_SCOPE]
        return max(entries)[1] if entries else None

    @property
    def probability(self) -> float:
        """The probability of its entry."""
        return self.of(self.entry_id)

    def of(self, entry_id: str | None) -> float:
        return self.probabilities.get(entry_id, 0.0) if entry_id is not None else 0.0


def save(data: dict[str, Any], path: Path = MODEL_PATH) -> None:
    """Write the exported model, reproducibly (knowledge.modelfile)."""
    modelfile.save(data, path)


def load(path: Path = MODEL_PATH) -> EntryModel:
    """Read an exported model."""
    return EntryModel.from_json(modelfile.load(path))


@cache
def shipped(expected_digest: str) -> EntryModel | None:
    """The packaged model if it was trained from the entries whose digest is given, else None."""
    if not MODEL_PATH.exists():
        return None
    model = load()
    return model if model.digest == expected_digest else None
