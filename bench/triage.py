"""Mail triage measured on labelled folders: category accuracy, confusion, urgent recall/precision, answers.

Usage: .venv/bin/python bench/triage.py [FOLDER ...] [--training] [--failures]
Each folder holds .eml files and labels.csv (file,category,urgent[,programme,facts]). The mailbox is
Paris 1's (paris1-miage), as in the blind sets' brief; `facts` (";"-separated, " OR " alternatives)
are what an automatic answer to a question must carry.

``--training`` also measures the classifier on its own training mails (tests/data, as
``python -m bot.mail.train`` reads them) without letting it see the mails it is judged on: a stratified
5-fold cross-validation and one held-out split (75 % / 25 %), fixed seeds. Needs the dev extras
(scikit-learn). The safety vocabulary is not retrained per fold: it was written with these mails in
view, so its share of the urgent recall here is optimistic; the blind sets say how it generalises.
"""

import argparse
import csv
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.mail.classify import URGENT_MODEL_ALONE, classify
from bot.mail.message import read_mail
from bot.mail.triage import decide
from bot.settings import MailSettings
from tests.knowledge.labelled import carries, parse_facts

CATEGORIES = ("offer", "convention", "absence", "incident", "evaluation", "question", "other")


def run(folder: Path, today: date, failures: bool) -> None:
    settings = MailSettings(address="miagestages@univ-paris1.fr")
    rows = list(csv.DictReader((folder / "labels.csv").open(encoding="utf-8")))
    confusion: Counter[tuple[str, str]] = Counter()
    urgent_tp = urgent_fn = urgent_fp = 0
    answers = Counter[str]()
    times: list[float] = []
    classify_times: list[float] = []
    bad: list[str] = []
    for row in rows:
        raw = (folder / row["file"]).read_bytes()
        started = time.perf_counter()
        mail = read_mail(raw, own=settings.own_addresses)
        decision = decide(mail, settings, "paris1-miage", today)
        times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        classify(mail)
        classify_times.append((time.perf_counter() - started) * 1000)
        expected, got = row["category"], decision.category
        confusion[(expected, got)] += 1
        want_urgent = row.get("urgent", "") == "urgent"
        if want_urgent and decision.urgent:
            urgent_tp += 1
        elif want_urgent:
            urgent_fn += 1
        elif decision.urgent:
            urgent_fp += 1
        reply = decision.auto_reply
        if reply and (want_urgent or expected in {"incident", "other"}):
            answers["forbidden"] += 1
        facts = (row.get("facts") or "").strip()
        if expected == "question" and facts:
            answers["expected"] += 1
            if reply and carries(reply, parse_facts(facts)):
                answers["right"] += 1
            elif reply:
                answers["wrong"] += 1
        if expected != got or want_urgent != decision.urgent:
            flags = ("/urgent" if want_urgent else "", "/urgent" if decision.urgent else "")
            bad.append(f"  - {row['file']}: {expected}{flags[0]} → {got}{flags[1]} {list(decision.reasons[:2])}")
    right = sum(n for (e, g), n in confusion.items() if e == g)
    print(f"## {folder} — {len(rows)} mails")
    print(f"category right: {right}/{len(rows)} ({100 * right / len(rows):.1f} %)")
    total_urgent = urgent_tp + urgent_fn
    precision = urgent_tp / (urgent_tp + urgent_fp) if urgent_tp + urgent_fp else 1.0
    print(f"urgent: {urgent_tp}/{total_urgent} flagged, {urgent_fp} false alarms (precision {100 * precision:.0f} %)")
    print(
        f"auto-answers to questions with facts: {answers['right']}/{answers['expected']} right, "
        f"{answers['wrong']} wrong; answers to incidents/urgent/other: {answers['forbidden']}"
    )
    matrix(confusion)
    print(
        f"time per mail: read + decide median {statistics.median(times):.2f} ms, "
        f"classification alone median {statistics.median(classify_times):.2f} ms, "
        f"max {max(classify_times):.2f} ms"
    )
    if failures:
        print("\n".join(bad))


def matrix(pairs: Counter[tuple[str, str]]) -> None:
    print("| expected \\ got | " + " | ".join(CATEGORIES) + " |")
    print("|---" * (len(CATEGORIES) + 1) + "|")
    for e in CATEGORIES:
        print(f"| {e} | " + " | ".join(str(pairs[(e, g)] or "") for g in CATEGORIES) + " |")


def training_report(title: str, predictions: list, failures: bool) -> None:  # type: ignore[type-arg]
    """Accuracy, confusion and urgency of predictions made by models that did not see those mails."""
    pairs = Counter((p.example.category, p.category) for p in predictions)
    right = sum(n for (e, g), n in pairs.items() if e == g)
    total = len(predictions)
    tp = sum(p.urgent and p.example.urgent for p in predictions)
    fn = sum(p.example.urgent and not p.urgent for p in predictions)
    fp = sum(p.urgent and not p.example.urgent for p in predictions)
    # Which layer flagged the urgent mails: the safety vocabulary, or the trained model alone.
    by_model = sum(
        p.urgent and p.example.urgent and all("modèle" in r for r in p.reasons if r.startswith("urgent"))
        for p in predictions
    )
    print(f"## {title} — {total} mails")
    print(f"category right: {right}/{total} ({100 * right / total:.1f} %)")
    precision = tp / (tp + fp) if tp + fp else 1.0
    print(
        f"urgent: {tp}/{tp + fn} flagged ({by_model} by the model or a weak group with it), "
        f"{fp} false alarms (precision {100 * precision:.0f} %)"
    )
    by_folder = Counter(p.example.folder for p in predictions)
    right_in = Counter(p.example.folder for p in predictions if p.category == p.example.category)
    print("by folder: " + ", ".join(f"{f} {right_in[f]}/{n}" for f, n in sorted(by_folder.items())))
    # The trained models alone, as if there were no rules: how much they would carry on unseen wordings.
    alone = sum(p.model_category == p.example.category for p in predictions)
    print(f"category model alone: {alone}/{total} ({100 * alone / total:.1f} %)")
    for threshold in sorted({0.4, 0.45, 0.5, 0.6, URGENT_MODEL_ALONE}):
        flagged = [p for p in predictions if p.urgent_probability >= threshold]
        hits = sum(p.example.urgent for p in flagged)
        print(f"urgency model alone at {threshold:.2f}: {hits}/{tp + fn} flagged, {len(flagged) - hits} false alarms")
    matrix(pairs)
    if failures:
        for p in predictions:
            if p.category != p.example.category or p.urgent != p.example.urgent:
                got = f"{p.category}{'/urgent' if p.urgent else ''}"
                want = f"{p.example.category}{'/urgent' if p.example.urgent else ''}"
                print(f"  - {p.example.folder}/{p.example.file}: {want} → {got} {list(p.reasons[:2])}")


def training(failures: bool) -> None:
    from bot.mail import train  # noqa: PLC0415 - needs scikit-learn

    data = train.examples()
    started = time.perf_counter()
    training_report("training mails, stratified 5-fold cross-validation", train.cross_validate(data), failures)
    training_report("training mails, held-out 25 % (trained on 75 %)", train.held_out(data), failures)
    print(f"(cross-validation and split: {time.perf_counter() - started:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    parser.add_argument("--failures", action="store_true")
    parser.add_argument("--training", action="store_true", help="cross-validation and held-out split on tests/data")
    args = parser.parse_args()
    for folder in args.folders:
        run(folder, args.today, args.failures)
    if args.training:
        training(args.failures)


if __name__ == "__main__":
    main()
