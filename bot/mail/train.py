"""Train the mail classifier from the labelled mails in tests/data/ and write bot/mail/model.json.gz.

Usage: .venv/bin/python -m bot.mail.train [--check] [--out PATH]
(needs the dev extras: scikit-learn and NumPy are used here only, never at run time).

Reproducible: the folders are read in sorted order, the vocabulary is sorted, the solvers are
deterministic (lbfgs, fixed seeds), the weights are rounded and the file is written with sorted keys
and a fixed gzip header, so training twice gives the same bytes. ``--check`` retrains in memory and
fails when the shipped file differs (a forgotten retraining after a change of features or data).
"""

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.mail.classify import CATEGORIES
from bot.mail.features import featurize
from bot.mail.message import Mail, read_mail
from bot.mail.model import FORMAT, MODEL_PATH, pack, save

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
# The labelled folders the shipped model is trained on (each: *.eml and labels.csv file,category,urgent).
FOLDERS = (
    DATA / "mails",
    DATA / "mail_corpus" / "students",
    DATA / "mail_corpus" / "others",
    # The blind batches of 2026-11-23, measured once, then used to widen the urgency vocabulary.
    DATA / "mail_corpus" / "blind-1",
    DATA / "mail_corpus" / "blind-2",
)
MIN_DF = 2  # a feature seen in one mail only says nothing general
CATEGORY_C = 20.0  # inverse regularisation of the category model (chosen by cross-validation)
URGENT_C = 20.0
URGENT_THRESHOLD = 0.35  # below 0.5 on purpose: urgency wants recall; the safety rules add more
DECIMALS = 4
SEED = 0


@dataclass(frozen=True)
class Example:
    """One labelled mail."""

    folder: str
    file: str
    mail: Mail
    category: str
    urgent: bool
    row: dict[str, str]


def examples(folders: Sequence[Path] = FOLDERS) -> list[Example]:
    """Every labelled mail of the folders, in a fixed order."""
    out = []
    for folder in folders:
        with (folder / "labels.csv").open(encoding="utf-8") as f:
            rows = sorted(csv.DictReader(f), key=lambda r: r["file"])
        for row in rows:
            path = folder / row["file"]
            if not path.is_file() or row["category"] not in CATEGORIES:
                continue  # a label written before its mail (a writer still going)
            mail = read_mail(path.read_bytes())
            out.append(Example(folder.name, row["file"], mail, row["category"], row["urgent"] == "urgent", row))
    return out


def fit(train: Sequence[Example]) -> dict[str, Any]:
    """Train both linear models on these examples; the exported weights as a JSON-ready dict."""
    import numpy as np  # noqa: PLC0415 - training only
    from scipy.sparse import csr_matrix  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    bags = [featurize(e.mail) for e in train]
    df = Counter(f for bag in bags for f in bag)
    vocabulary = sorted(f for f, n in df.items() if n >= MIN_DF)
    index = {f: i for i, f in enumerate(vocabulary)}
    rows, cols, values = [], [], []
    for r, bag in enumerate(bags):
        for f, v in bag.items():
            if f in index:
                rows.append(r)
                cols.append(index[f])
                values.append(v)
    x = csr_matrix((values, (rows, cols)), shape=(len(bags), len(vocabulary)), dtype=np.float64)
    n = len(bags)
    # Smooth idf as scikit-learn's TfidfTransformer computes it, rounded as it is shipped.
    idf = np.round(np.log((1 + n) / (1 + np.array([df[f] for f in vocabulary], dtype=np.float64))) + 1, DECIMALS)
    x = x.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = csr_matrix(x.multiply(1 / norms[:, None]))
    y = [e.category for e in train]
    category = LogisticRegression(C=CATEGORY_C, max_iter=5000, random_state=SEED)
    category.fit(x, y)
    urgent = LogisticRegression(C=URGENT_C, max_iter=5000, class_weight="balanced", random_state=SEED)
    urgent.fit(x, [e.urgent for e in train])
    classes = list(category.classes_)
    order = [classes.index(c) for c in CATEGORIES if c in classes]
    coef = np.round(category.coef_[order].T, DECIMALS)
    return {
        "format": FORMAT,
        "classes": [str(classes[i]) for i in order],
        "features": "\n".join(vocabulary),
        "idf": pack(idf.tolist()),
        "coef": pack(coef.ravel().tolist()),
        "intercept": np.round(category.intercept_[order], DECIMALS).tolist(),
        "urgent_coef": pack(np.round(urgent.coef_[0], DECIMALS).tolist()),
        "urgent_intercept": round(float(urgent.intercept_[0]), DECIMALS),
        "urgent_threshold": URGENT_THRESHOLD,
        "meta": {
            "mails": n,
            "by_category": dict(sorted(Counter(y).items())),
            "urgent": sum(e.urgent for e in train),
            "min_df": MIN_DF,
            "category_c": CATEGORY_C,
            "urgent_c": URGENT_C,
        },
    }


@dataclass(frozen=True)
class Prediction:
    """One held-out mail's label and decision."""

    example: Example
    category: str
    urgent: bool
    reasons: tuple[str, ...]
    model_category: str  # the category model alone, before the certain rules and urgency
    urgent_probability: float  # the urgency model alone


def predict(model_data: dict[str, Any], test: Sequence[Example]) -> list[Prediction]:
    """The full classification (certain rules, urgency, model) of ``test`` with a model trained elsewhere."""
    from bot.mail.classify import classify  # noqa: PLC0415
    from bot.mail.model import LinearModel  # noqa: PLC0415

    model = LinearModel(model_data)
    out = []
    for e in test:
        found = classify(e.mail, model=model)
        scored = model.score(e.mail)
        out.append(Prediction(e, found.category, found.urgent, found.reasons, scored.best, scored.urgent_probability))
    return out


def cross_validate(data: Sequence[Example], folds: int = 5) -> list[Prediction]:
    """Stratified k-fold (by category and urgency, fixed seed): every mail decided by a model not trained on it."""
    from sklearn.model_selection import StratifiedKFold  # noqa: PLC0415

    strata = [e.category + ("/urgent" if e.urgent else "") for e in data]
    out: list[Prediction] = []
    for train_index, test_index in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(data, strata):
        model = fit([data[i] for i in train_index])
        out += predict(model, [data[i] for i in test_index])
    return out


def held_out(data: Sequence[Example], share: float = 0.25) -> list[Prediction]:
    """One stratified split (fixed seed): trained on the rest, decided on ``share`` of the mails."""
    from sklearn.model_selection import train_test_split  # noqa: PLC0415

    strata = [e.category + ("/urgent" if e.urgent else "") for e in data]
    train, test = train_test_split(list(data), test_size=share, random_state=SEED, stratify=strata)
    return predict(fit(train), test)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--check", action="store_true", help="fail when the shipped model is not what training gives")
    args = parser.parse_args(argv)
    data = fit(examples())
    if args.check:
        import tempfile  # noqa: PLC0415

        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "model.json.gz"
            save(data, fresh)
            same = fresh.read_bytes() == args.out.read_bytes()
        print("modèle à jour" if same else f"{args.out} diffère de l'entraînement : relancez python -m bot.mail.train")
        return 0 if same else 1
    save(data, args.out)
    meta = data["meta"]
    print(f"{args.out}: {meta['mails']} mails, {data['features'].count(chr(10)) + 1} features, {meta['by_category']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
