"""The ``meta`` table: small values kept once per store (the asker salt, markers such as ``poster_started``)."""

import secrets

from bot.store import Store

ASKER_SALT = "asker_salt"


class Meta:
    """Keys and values that survive a restart."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> str | None:
        """The value of a key, None when it was never set."""
        row = self.store.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def has(self, key: str) -> bool:
        """Whether a key was set."""
        return self.store.db.execute("SELECT 1 FROM meta WHERE key = ?", (key,)).fetchone() is not None

    def put_once(self, key: str, value: str) -> str:
        """Set a key unless it is set already; returns the value kept (the first one written)."""
        self.store.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
        return str(self.store.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    def asker_salt(self) -> str:
        """The salt of the askers' hashes, created on first use and kept: feedback stays tied to its asker."""
        return self.put_once(ASKER_SALT, secrets.token_hex(16))
