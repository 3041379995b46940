"""A start-up cache of the search index and the entry classifier, kept between processes.

Building the index (stemming every phrasing and answer) and reading the classifier take about 0.7 s;
unpickling both takes about 0.04 s, which is what keeps a cold ``stagebot ask`` under a second.

The cache is a pickle in the user's cache folder (``$STAGEBOT_CACHE_DIR``, else
``$XDG_CACHE_HOME/stagebot``, else ``~/.cache/stagebot``), named by a digest of everything it is
built from: the code and data files of ``knowledge/`` and ``rules/``, the stemmer's version and
Python's. Any edit gives a new name, so a stale cache is never read. It is read only when the file
belongs to the user and nobody else may write it (a pickle runs code when read), written atomically,
and a cache that cannot be written or read is rebuilt silently: it only ever saves time.
"""

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

import snowballstemmer

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
_SOURCES = ("knowledge", "rules")


def folder() -> Path:
    """Where the cache lives."""
    explicit = os.environ.get("STAGEBOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stagebot"


@cache
def digest() -> str:
    """What the cached objects are built from: the files of knowledge/ and rules/, the stemmer, Python."""
    h = hashlib.sha256()
    h.update(f"{sys.version}|{getattr(snowballstemmer, '__version__', '')}".encode())
    for name in _SOURCES:
        for path in sorted((ROOT / name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(ROOT)).encode() + b"\x00")
                h.update(path.read_bytes())
    return h.hexdigest()[:20]


def _trusted(path: Path) -> bool:
    status = path.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def cached(name: str, build: Callable[[], T]) -> T:
    """The object ``build()`` returns, read from the cache when it was built from the same files."""
    if os.environ.get("STAGEBOT_NO_CACHE"):
        return build()
    path = folder() / f"{name}-{digest()}.pickle"
    try:
        if path.exists() and _trusted(path):
            with path.open("rb") as stored:
                value: T = pickle.load(stored)  # noqa: S301 - our own file, checked above
                return value
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    built = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        for old in path.parent.glob(f"{name}-*.pickle"):
            old.unlink(missing_ok=True)  # built from other files: never read again
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{name}-", delete=False) as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        Path(handle.name).replace(path)
    except OSError:
        pass
    return built
