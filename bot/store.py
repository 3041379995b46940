"""The one SQLite file that holds what must survive a restart (stdlib sqlite3, WAL, versioned schema).

The schema version is SQLite's ``user_version``; each entry of ``MIGRATIONS`` takes the file one
version further inside one transaction, so a file is always at a version the code knows. A file
from a newer StageBot is refused rather than guessed at.

Errors: ``StoreError`` (a ``ConfigError``): the file cannot be opened, is not a database, or is
newer than this code. Its message is one French sentence naming the file.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import ConfigError

MIGRATIONS: tuple[str, ...] = (
    # 1: questions the assistant could not answer, or answered with low confidence (issue 3).
    """
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        asked_at TEXT NOT NULL,             -- ISO timestamp, UTC
        channel TEXT NOT NULL,              -- cli, chat, discord, mail
        programme TEXT NOT NULL,
        question TEXT NOT NULL,
        normalized TEXT NOT NULL,           -- sorted content stems: groups the same question
        answered INTEGER NOT NULL,
        score REAL NOT NULL,
        entry_id TEXT,
        nearest TEXT NOT NULL               -- JSON [[entry_id, score], …], best first
    );
    CREATE INDEX questions_normalized ON questions (normalized);
    """,
)


class StoreError(ConfigError):
    """The SQLite file cannot be used."""


class Store:
    """An open SQLite file at the latest schema version."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: every write is either a single statement or inside `transaction()`.
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit survives a power cut, which the mailbox's exactly-once promise needs.
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise StoreError(f"Base de données « {self.path} » inutilisable : {exc}.") from None

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StoreError(
                f"Base de données « {self.path} » créée par une version plus récente de StageBot "
                f"(schéma {version}, celle-ci connaît {len(MIGRATIONS)})."
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first; the BEGIN inside makes the migration and its version atomic.
            self.db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")

    @property
    def version(self) -> int:
        """The schema version of the open file."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Several writes that land together or not at all."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        """Close the file (WAL content is checkpointed by SQLite)."""
        self.db.close()
