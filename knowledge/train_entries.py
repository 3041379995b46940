"""Train the entry classifier (knowledge/entry_model.py) from the knowledge base's phrasings.

    python -m knowledge.train_entries           # write knowledge/entry_model.json.gz
    python -m knowledge.train_entries --check   # exit 1 if the shipped model is not what training gives

Needs the dev extras (scikit-learn); the run time reads the exported JSON with the standard library.
Only the entries' own phrasings are used: the question sets under tests/data stay for measuring.
"""

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from knowledge.base import load as load_base
from knowledge.entry_model import FORMAT, MODEL_PATH, digest, features, load, save
from knowledge.model import Entry

C = 20.0  # inverse regularisation; chosen on the held-out phrasings and the former blind batches
KEEP_PER_FEATURE = 6  # the entries each feature weighs most for (positive weights only)
DECIMALS = 4


def fit(entries: Sequence[Entry] | None = None) -> dict[str, Any]:
    """Train on every phrasing (of the packaged base, or of ``entries``) and export the pruned model."""
    from sklearn.feature_extraction import DictVectorizer  # noqa: PLC0415 - dev extra
    from sklearn.feature_extraction.text import TfidfTransformer  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    if entries is None:
        entries = load_base().entries
    texts, labels = [], []
    for index, entry in enumerate(entries):
        for question in entry.questions:
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
    intercepts = [0.0] * len(entries)
    for i, c in enumerate(classes):
        intercepts[c] = round(float(model.intercept_[i]), DECIMALS)
    return {
        "format": FORMAT,
        "entries": [e.id for e in entries],
        "digest": digest(entries),
        "idf": {str(n): round(float(v), DECIMALS) for n, v in zip(names, tfidf.idf_, strict=True) if str(n) in weights},
        "weights": weights,
        "intercepts": intercepts,
        "trained_on": {"phrasings": len(texts), "entries": len(entries), "C": C, "keep": KEEP_PER_FEATURE},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Entraîne le classifieur d'entrées de la base de connaissances.")
    parser.add_argument("--check", action="store_true", help="vérifie que le modèle livré est à jour")
    args = parser.parse_args(argv)
    data = fit()
    if args.check:
        current = load(MODEL_PATH) if MODEL_PATH.exists() else None
        if current is None or current.digest != data["digest"] or current.weights.keys() != data["weights"].keys():
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
