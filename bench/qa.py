"""Question answering measured on three sets side by side: labelled, held-out phrasings, blind.

Usage: .venv/bin/python bench/qa.py [--blind FILE ...] [--today 2026-11-23] [--failures]
- labelled: tests/data/questions.txt (the set the entries were written with: memory, not understanding);
- held-out: each phrasing of each entry removed from the base in turn, then asked for the entry's
  programme; right when the engine's best entry is that entry (answered or offered first);
- held-out batches: each former blind batch (tests/data/labelled/questions-batch*.txt) asked of the
  engine whose classifier was trained without that batch's questions (they are its training data);
- blind: sets written from the guides by people who never saw the entries (tests/data/blind/);
  never tune on them: a batch that informed a change moves to tests/data/labelled/.
Right, wrong and refused are counted apart; latency p50/p99 of ``ask`` over every blind question.
"""

import argparse
import platform
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.assistant.answer import ask
from knowledge.base import load
from knowledge.model import ALL
from knowledge.search import Index
from rules.programmes import Programme
from rules.programmes import programme as profile_of
from tests.knowledge.labelled import BLIND, DATA, LABELLED, TODAY, Score, read_set, score


def held_out() -> tuple[int, int, int]:
    """(right entry first, answered with another entry, total) over every held-out phrasing."""
    entries = list(load().entries)
    right = wrong = total = 0
    for position, entry in enumerate(entries):
        if len(entry.questions) < 2:
            continue
        for phrasing in entry.questions:
            kept = tuple(q for q in entry.questions if q != phrasing)
            reduced = [*entries[:position], entry.model_copy(update={"questions": kept}), *entries[position + 1 :]]
            programme = entry.programmes[0] if entry.programmes[0] != ALL else "paris1-miage"
            hits = Index(reduced).search(phrasing, programme=programme, limit=1)
            total += 1
            if hits and hits[0].entry.id == entry.id:
                right += 1
            elif hits:
                wrong += 1
    return right, wrong, total


def held_out_engine(folds: int = 5, today: date = date(2026, 11, 23)) -> dict[str, Counter[str]]:
    """The whole engine on held-out phrasings: every fifth phrasing removed from the base and from the
    classifier's training, then asked. Per engine (search alone, search and classifier): how many were
    answered with their own entry (right), with another entry (wrong), refused, or answered by a
    calculator or a verdict (other)."""
    from knowledge.entry_model import EntryModel  # noqa: PLC0415
    from knowledge.train_entries import fit  # noqa: PLC0415 - scikit-learn, dev extra

    entries = list(load().entries)
    tally: dict[str, Counter[str]] = {"search alone": Counter(), "search + classifier": Counter()}
    for fold in range(folds):
        reduced, asked, counter = [], [], 0
        for entry in entries:
            kept = []
            for phrasing in entry.questions:
                if counter % folds == fold:
                    programme = entry.programmes[0] if entry.programmes[0] != ALL else "paris1-miage"
                    asked.append((entry.id, phrasing, programme))
                else:
                    kept.append(phrasing)
                counter += 1
            reduced.append(entry.model_copy(update={"questions": tuple(kept)}))
        index = Index(reduced)
        model = EntryModel.from_json(fit(reduced))
        for name, used in (("search alone", None), ("search + classifier", model)):
            for entry_id, phrasing, programme in asked:
                got = ask(phrasing, profile_of(programme), today, search_index=index, entry_model=used)
                if not got.answered:
                    tally[name]["refused"] += 1
                elif got.kind != "knowledge" or got.entry_id is None:
                    tally[name]["other"] += 1
                else:
                    tally[name]["right" if got.entry_id == entry_id else "wrong"] += 1
    return tally


def held_out_batches(today: date = date(2026, 11, 23)) -> list[tuple[str, Score]]:
    """Each former blind batch asked with the classifier retrained without its questions: the batches
    are the classifier's training data, so this is the figure that says how it carries over."""
    from knowledge.entry_model import EntryModel  # noqa: PLC0415
    from knowledge.train_entries import fit, labelled_questions  # noqa: PLC0415 - scikit-learn, dev extra

    labels = labelled_questions()
    search = Index(load().entries)
    rows = []
    for path in sorted(LABELLED.glob("questions-batch*.txt")):
        cases = read_set(path)
        asked = {case.question for case in cases}
        model = EntryModel.from_json(fit(questions=[(e, q) for e, q in labels if q not in asked]))

        def without(question: str, profile: Programme, day: date, model: EntryModel = model):  # type: ignore[no-untyped-def]
            return ask(question, profile, day, search_index=search, entry_model=model)

        rows.append((path.name, score(cases, today, without)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blind", nargs="*", type=Path, default=sorted(BLIND.glob("questions-*.txt")))
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    parser.add_argument("--failures", action="store_true", help="list the failing questions of each set")
    parser.add_argument("--no-held-out", action="store_true")
    args = parser.parse_args()
    machine = platform.processor() or platform.machine()
    print(f"# {time.strftime('%Y-%m-%d')} — {machine}, Python {platform.python_version()}, today={args.today}")
    labelled = score(read_set(DATA))
    print(f"labelled ({DATA.name}): {labelled.row()}")
    for path in sorted(LABELLED.glob("questions-*.txt")):
        print(f"labelled, former blind batch ({path.name}): {score(read_set(path), args.today).row()}")
    if args.failures:
        for case in labelled.failing:
            got = ask(case.question, profile_of(case.programme), TODAY)
            status = "answered" if got.answered else "refused"
            print(f"  - [{case.programme}] {case.question} → {status} {got.entry_id} ({got.score:.2f})")
    if not args.no_held_out:
        right, wrong, total = held_out()
        print(
            f"held-out phrasings: right entry first {right}/{total} ({100 * right / total:.1f} %), other entry {wrong}"
        )
        for name, counts in held_out_engine().items():
            total = sum(counts.values())
            row = ", ".join(
                f"{k} {counts[k]} ({100 * counts[k] / total:.1f} %)" for k in ("right", "wrong", "refused", "other")
            )
            print(f"held-out phrasings, whole engine ({name}, 5 folds): {row}")
        batches = held_out_batches(args.today)
        for name, result in batches:
            print(f"held-out batch, classifier trained without it ({name}): {result.row()}")
        inside = sum((r.inside for _, r in batches), Counter())
        outside = sum((r.outside for _, r in batches), Counter())
        print(f"held-out batches, all: {Score(inside, outside, []).row()}")
    latencies: list[float] = []

    def timed(question: str, profile: Programme, today: date):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        answer = ask(question, profile, today)
        latencies.append((time.perf_counter() - started) * 1000)
        return answer

    for path in args.blind:
        result = score(read_set(path), args.today, timed)
        print(f"blind ({path.name}): {result.row()}")
        if args.failures:
            for case in result.failing:
                got = ask(case.question, profile_of(case.programme), args.today)
                status = "answered" if got.answered else "refused"
                print(f"  - [{case.programme}] {case.question} → {status} {got.entry_id} ({got.score:.2f})")
    if latencies:
        ordered = sorted(latencies)
        print(
            f"ask latency over {len(ordered)} blind questions: p50 {statistics.median(ordered):.2f} ms, "
            f"p99 {ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]:.2f} ms"
        )


if __name__ == "__main__":
    main()
