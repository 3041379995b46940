"""FAQ latency and memory against knowledge-base size, with a difflib baseline in the same run.

Usage: .venv/bin/python bench/faq.py [--sizes 200,2000,20000] [--queries 200]
The base is expanded synthetically: each real entry is cloned with its phrasings plus a distinct
made-up word, so the index grows the way a larger base would (more phrasings, larger vocabulary).
"""

import argparse
import difflib
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.base import load
from knowledge.model import Entry
from knowledge.search import Index
from knowledge.text import tokens
from tests.knowledge.labelled import cases

SYLLABLES = ("ka", "ro", "mi", "te", "lu", "za", "po", "ne", "vi", "su", "da", "fe")


def expand(entries: tuple[Entry, ...], size: int, rng: random.Random) -> list[Entry]:
    out = list(entries)
    n = 0
    while len(out) < size:
        base = entries[n % len(entries)]
        word = "".join(rng.choice(SYLLABLES) for _ in range(4))
        out.append(
            base.model_copy(
                update={
                    "id": f"synth{n}/{base.id.split('/')[1]}",
                    "questions": tuple(f"{q} {word}" for q in base.questions),
                }
            )
        )
        n += 1
    return out[:size]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200,2000,20000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--baseline-queries", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(7)
    questions = [(c.question, c.programme) for c in cases()][: args.queries]
    real = load().entries
    machine = platform.processor() or platform.machine()
    print(f"# {time.strftime('%Y-%m-%d')} — {machine}, Python {platform.python_version()}")
    print(
        "| entries | phrasings | build (ms) | p50 (ms) | p99 (ms) | peak memory (MiB) "
        "| difflib p50 (ms) | difflib p99 (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        entries = expand(real, size, rng)
        tracemalloc.start()
        Index(entries).search(questions[0][0], programme=questions[0][1])
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        started = time.perf_counter()
        index = Index(entries)
        build_ms = (time.perf_counter() - started) * 1000
        latencies = []
        for question, programme in questions:
            t0 = time.perf_counter()
            index.search(question, programme=programme)
            latencies.append((time.perf_counter() - t0) * 1000)
        phrasings = [" ".join(tokens(q)) for e in entries for q in e.questions]
        base_lat = []
        for question, _ in questions[: args.baseline_queries]:
            t0 = time.perf_counter()
            difflib.get_close_matches(" ".join(tokens(question)), phrasings, n=3, cutoff=0.5)
            base_lat.append((time.perf_counter() - t0) * 1000)
        print(
            f"| {size} | {len(phrasings)} | {build_ms:.0f} | {statistics.median(latencies):.2f} | "
            f"{percentile(latencies, 0.99):.2f} | {peak:.1f} | {statistics.median(base_lat):.1f} | "
            f"{percentile(base_lat, 0.99):.1f} |"
        )


if __name__ == "__main__":
    main()
