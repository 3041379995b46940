"""Train the entry classifier (knowledge/entry_model.py) from the knowledge base's phrasings.

    python -m knowledge.train_entries           # write knowledge/entry_model.json.gz
    python -m knowledge.train_entries --check   # exit 1 if the shipped model is not what training gives

Needs the dev extras (scikit-learn); the run time reads the exported JSON with the standard library.
Trained on every entry's phrasings and on the questions of the former blind batches, each labelled
with the entry that carries its facts (tests/data/labelled/entry-labels.txt, written by
scripts/label_questions.py): people who never saw the entries ask in words no phrasing has, and
learning from them carried over to the batch left out (bench/README.md). The labelled set
(tests/data/questions.txt) and the blind batches (tests/data/blind/) are never trained on.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from knowledge import modelfile
from knowledge.base import load as load_base
from knowledge.entry_model import FORMAT, MODEL_PATH, OUT_OF_SCOPE, digest, features, save
from knowledge.model import Entry

C = 20.0  # inverse regularisation; chosen on the held-out phrasings and the former blind batches
# The entries each feature weighs most for (positive weights only); 6 lost 19 of 525 left-out questions.
KEEP_PER_FEATURE = 20
DECIMALS = 4
LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled" / "entry-labels.txt"


def labelled_questions(path: Path = LABELS) -> list[tuple[str, str]]:
    """(entry id, question) pairs of the former blind batches; none when the file is absent."""
    if not path.exists():
        return []
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            entry_id, _programme, question = (part.strip() for part in line.split("|", 2))
            pairs.append((entry_id, question))
    return pairs


def fit(entries: Sequence[Entry] | None = None, questions: Sequence[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Train on every phrasing (of the packaged base, or of ``entries``) and on labelled questions
    (``questions``, by default those of the former blind batches), and export the pruned model.
    A question labelled with an entry not in ``entries`` is left out."""
    from sklearn.feature_extraction import DictVectorizer  # noqa: PLC0415 - dev extra
    from sklearn.feature_extraction.text import TfidfTransformer  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    if entries is None:
        entries = load_base().entries
    if questions is None:
        questions = labelled_questions()
    texts, labels = [], []
    for index, entry in enumerate(entries):
        for question in entry.questions:
            texts.append(features(question))
            labels.append(index)
    position = {entry.id: index for index, entry in enumerate(entries)}
    if any(entry_id == OUT_OF_SCOPE for entry_id, _ in questions):
        position[OUT_OF_SCOPE] = len(entries)  # questions the guides do not answer: a class of their own
    extra = [(position[entry_id], question) for entry_id, question in questions if entry_id in position]
    for index, question in extra:
        texts.append(features(question))
        labels.append(index)
    vectorizer = DictVectorizer()
    counts = vectorizer.fit_transform(texts)
    tfidf = TfidfTransformer(sublinear_tf=True)
    matrix = tfidf.fit_transform(counts)
    model = LogisticRegression(C=C, max_iter=5000).fit(matrix, labels)
    names = vectorizer.get_feature_names_out()
    classes = [int(c) for c in model.classes_]
    weights: dict[str, list[list[float]]] = {}
    for column, name in enumerate(names):
        row = model.coef_[:, column]
        best = sorted(range(len(classes)), key=lambda i: -row[i])[:KEEP_PER_FEATURE]
        kept = [[classes[i], round(float(row[i]), DECIMALS)] for i in best if row[i] > 0]
        if kept:
            weights[str(name)] = kept
    intercepts = [0.0] * len(position)
    for i, c in enumerate(classes):
        intercepts[c] = round(float(model.intercept_[i]), DECIMALS)
    return {
        "format": FORMAT,
        "entries": list(position),
        "digest": digest(entries),
        "idf": {str(n): round(float(v), DECIMALS) for n, v in zip(names, tfidf.idf_, strict=True) if str(n) in weights},
        "weights": weights,
        "intercepts": intercepts,
        "trained_on": {
            "phrasings": len(texts) - len(extra),
            "questions": len(extra),
            "entries": len(entries),
            "C": C,
            "keep": KEEP_PER_FEATURE,
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Entraîne le classifieur d'entrées de la base de connaissances.")
    parser.add_argument("--check", action="store_true", help="vérifie que le modèle livré est à jour")
    args = parser.parse_args(argv)
    data = fit()
    if args.check:
        current = modelfile.load(MODEL_PATH) if MODEL_PATH.exists() else None
        if current is None or any(current.get(k) != data[k] for k in ("digest", "trained_on")) or (
            current["weights"].keys() != data["weights"].keys()
        ):
            sys.stderr.write("Le modèle livré n'est pas à jour : lancez python -m knowledge.train_entries.\n")
            return 1
        sys.stdout.write("Modèle à jour.\n")
        return 0
    save(data)
    size = MODEL_PATH.stat().st_size
    summary = f"{len(data['entries'])} entrées, {len(data['weights'])} traits, {size // 1024} Kio"
    sys.stdout.write(f"{MODEL_PATH.name} : {summary}.\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
