"""One mailbox service per database: an exclusive lock on ``<database>.lock``.

Two instances on one mailbox (``mail run`` plus ``mail once``) duplicated a forward and one died on
EXPUNGEISSUED (issue 13). ``flock`` is released by the kernel when the process ends, however it
ends (SIGKILL included), so a crash never leaves a stale lock behind.
"""

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

from bot.errors import BotError


class AlreadyRunning(BotError):
    """Another StageBot process is working this mailbox."""


class MailboxLock:
    """The lock of one database; ``acquire`` refuses at once when another process holds it."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = Path(f"{database}.lock")
        self.file: IO[str] | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self.file is not None

    def acquire(self) -> None:
        """Take the lock, or raise ``AlreadyRunning`` with one French sentence."""
        if self.file is not None or str(self.database) == ":memory:":
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            file.close()
            raise AlreadyRunning(
                f"Un autre StageBot traite déjà la messagerie de la base « {self.database} » : "
                "arrêtez-le avant d'en lancer un second."
            ) from None
        file.seek(0)
        file.truncate()
        file.write(f"{os.getpid()}\n")
        file.flush()
        self.file = file

    def release(self) -> None:
        """Give the lock back (closing the file releases it)."""
        if self.file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self.file.fileno(), fcntl.LOCK_UN)
            self.file.close()
            self.file = None
