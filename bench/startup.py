"""Start-up of the command line: a cold ``stagebot --help``, ``ask`` and a calculator, whole process.

Each command is run as a new process (Python's start-up and imports included), once to warm the
file cache, then ``--runs`` times; the wall time of each run is measured from outside with
``time.perf_counter`` and the minimum, median and maximum printed. The same figures can be taken
with ``/usr/bin/time -v``. Targets (issue 11): ``--help`` under 0.3 s, ``ask`` under 1 s.

    .venv/bin/python bench/startup.py [--runs 10]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGEBOT = Path(sys.executable).parent / "stagebot"
COMMANDS = {
    "stagebot --help": ["--help"],
    "stagebot ask": ["ask", "c koi la duree min du stage"],
    "stagebot calc gratification": ["calc", "gratification", "--start", "2026-06-01", "--end", "2026-08-28"],
    "stagebot dates": ["dates", "--programme", "lille-l3"],
}


def timed(argv: list[str], cwd: str) -> float:
    """Wall seconds of one whole run."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(STAGEBOT), *argv], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as cwd:  # no config.toml: the defaults, as on a fresh clone
        print("| command | runs | min (s) | median (s) | max (s) |\n|---|---|---|---|---|")
        for name, argv in COMMANDS.items():
            timed(argv, cwd)  # warm-up, not counted
            times = [timed(argv, cwd) for _ in range(runs)]
            print(f"| `{name}` | {runs} | {min(times):.3f} | {statistics.median(times):.3f} | {max(times):.3f} |")


if __name__ == "__main__":
    main()
