"""The one SQLite file that holds what must survive a restart (stdlib sqlite3, WAL, versioned schema).

The schema version is SQLite's ``user_version``; each entry of ``MIGRATIONS`` takes the file one
version further inside one transaction, so a file is always at a version the code knows. A file
from a newer StageBot is refused rather than guessed at.

Errors: ``StoreError`` (a ``ServiceError``, exit status 1): the file cannot be opened, is not a
database, or is newer than this code; ``NoSuchFolder`` (exit status 2): the configured path lies in
a folder that does not exist, which StageBot never creates. Each message is one French sentence
naming the file.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import EXIT_BAD_INPUT, ServiceError, os_reason, sqlite_reason

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
    # 2: the mailbox service's exactly-once state, its audit log, and the offers seen (issue 4).
    """
    CREATE TABLE mailboxes (
        mailbox TEXT PRIMARY KEY,
        uidvalidity INTEGER NOT NULL,
        last_uid INTEGER NOT NULL,          -- every UID up to this one is finished
        backlog TEXT NOT NULL,              -- first-start decision: process, file or skip
        backlog_until INTEGER NOT NULL,     -- UIDs up to this one were there at first start
        started_at TEXT NOT NULL
    );
    CREATE TABLE mails (
        id INTEGER PRIMARY KEY,
        mailbox TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        message_id TEXT,
        digest TEXT NOT NULL,
        sender TEXT NOT NULL,
        subject TEXT NOT NULL,
        category TEXT NOT NULL,
        urgent INTEGER NOT NULL,
        programme TEXT NOT NULL,
        decision TEXT NOT NULL,             -- JSON: the triage decision
        state TEXT NOT NULL,                -- planned, done
        review INTEGER NOT NULL DEFAULT 0,  -- an officer must look (unreadable, failed or uncertain send)
        received_at TEXT NOT NULL,
        done_at TEXT,
        UNIQUE (mailbox, uidvalidity, uid)
    );
    CREATE INDEX mails_message_id ON mails (message_id);
    CREATE INDEX mails_digest ON mails (digest);
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        mail_id INTEGER NOT NULL REFERENCES mails (id),
        position INTEGER NOT NULL,          -- order of execution
        kind TEXT NOT NULL,                 -- route, reply, draft, offer, flag, file
        status TEXT NOT NULL,               -- pending, sending, done, failed, uncertain, skipped
        target TEXT NOT NULL,               -- addresses or folder
        message_id TEXT,                    -- of the mail StageBot sends for this action
        detail TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        UNIQUE (mail_id, kind)
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        mail_id INTEGER,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX audit_mail ON audit (mail_id);
    CREATE TABLE replies (
        sender TEXT NOT NULL,
        at TEXT NOT NULL,
        mail_id INTEGER NOT NULL
    );
    CREATE INDEX replies_sender ON replies (sender, at);
    CREATE TABLE offers (
        fingerprint TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL,
        mail_id INTEGER,
        source TEXT NOT NULL,               -- mail, discord, staff
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        company TEXT NOT NULL,
        forward INTEGER NOT NULL,
        data TEXT NOT NULL,                 -- JSON: the offer object of `stagebot offer check`
        status TEXT NOT NULL                -- new, posted, review, rejected, closed
    );
    """,
    # 3: the Discord side (issue 5): where offers were posted, answers and their feedback, choices.
    """
    ALTER TABLE offers ADD COLUMN channel TEXT;
    ALTER TABLE offers ADD COLUMN channel_id INTEGER;
    ALTER TABLE offers ADD COLUMN message_id INTEGER;
    ALTER TABLE offers ADD COLUMN posted_at TEXT;
    ALTER TABLE offers ADD COLUMN needs_edit INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE offers ADD COLUMN sender TEXT;
    ALTER TABLE offers ADD COLUMN decided_by TEXT;
    CREATE INDEX offers_status ON offers (status);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        channel TEXT NOT NULL,
        asker TEXT NOT NULL,                -- a salted hash, never the Discord id itself
        programme TEXT NOT NULL,
        question TEXT NOT NULL,
        entry_id TEXT,
        score REAL NOT NULL,
        helpful INTEGER                     -- 1 yes, 0 no, NULL no vote
    );
    CREATE TABLE user_programmes (user_id INTEGER PRIMARY KEY, programme TEXT NOT NULL, chosen_at TEXT NOT NULL);
    CREATE TABLE guild_programmes (guild_id INTEGER PRIMARY KEY, programme TEXT NOT NULL);
    """,
    # 4: one row per recipient of each mail StageBot sends, so a 4xx is retried for the refused
    # recipients only and a 5xx is kept, listed and retried on demand (issue 13); caps on answers
    # per domain.
    """
    CREATE TABLE outbox (
        action_id INTEGER PRIMARY KEY REFERENCES actions (id),
        sender TEXT NOT NULL,               -- envelope MAIL FROM
        message BLOB,                       -- the bytes to send again; NULL once every recipient is done
        created_at TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        action_id INTEGER NOT NULL REFERENCES actions (id),
        recipient TEXT NOT NULL,
        status TEXT NOT NULL,               -- pending, sending, deferred, done, failed, uncertain
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at REAL NOT NULL DEFAULT 0,    -- epoch seconds of the next attempt when deferred
        code INTEGER,                       -- the server's last reply code, when it gave one
        step TEXT NOT NULL DEFAULT '',      -- connect, mail, rcpt, data
        detail TEXT NOT NULL DEFAULT '',
        first_at REAL NOT NULL,             -- epoch seconds of the first attempt (give-up clock)
        updated_at TEXT NOT NULL,
        UNIQUE (action_id, recipient)
    );
    CREATE INDEX deliveries_status ON deliveries (status, next_at);
    ALTER TABLE replies ADD COLUMN domain TEXT NOT NULL DEFAULT '';
    CREATE INDEX replies_at ON replies (at);
    CREATE INDEX replies_domain ON replies (domain, at);
    CREATE INDEX actions_status ON actions (status);
    CREATE INDEX mails_state ON mails (state);
    """,
)


class StoreError(ServiceError):
    """The SQLite file cannot be used."""


class NoSuchFolder(StoreError):
    """The file's folder does not exist: a wrong ``database`` path, i.e. bad input."""

    exit_status = EXIT_BAD_INPUT


class Store:
    """An open SQLite file at the latest schema version."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:" and not self.path.parent.is_dir():
            raise NoSuchFolder(
                f"Le dossier « {self.path.parent} » de la base de données « {self.path.name} » n'existe pas : "
                "créez-le, ou corrigez la clé « database » de config.toml."
            )
        try:
            # Autocommit mode: every write is either a single statement or inside `transaction()`.
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit survives a power cut, which the mailbox's exactly-once promise needs.
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.Error as exc:
            raise StoreError(f"Base de données « {self.path} » inutilisable : {sqlite_reason(exc)}.") from None
        except OSError as exc:
            raise StoreError(f"Base de données « {self.path} » inutilisable : {os_reason(exc)}.") from None

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
