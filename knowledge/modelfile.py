"""The shipped model files (the mail classifier, the entry classifier): JSON, gzipped reproducibly.

Sorted keys and a fixed gzip header (no file name, no time), so training twice on the same data
writes the same bytes and a stale file shows in ``git diff``.
"""

import gzip
import json
from pathlib import Path
from typing import Any


def save(data: dict[str, Any], path: Path) -> None:
    """Write a model file."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
        f.write(text.encode("utf-8"))


def load(path: Path) -> Any:
    """Read a model file's JSON."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)
