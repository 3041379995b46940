"""What the Discord handlers share: settings, store, offer pipeline, today, and per-user choices.

Nothing here talks to Discord; handlers (bot/discord/commands.py) parse, call one function of the
core or of ``rules``, and render.
"""

import hashlib
import secrets
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from bot.assistant.answer import Answer, ask
from bot.assistant.gaps import log_question
from bot.offers.pipeline import OfferPipeline
from bot.settings import Settings
from bot.store import Store
from rules.programmes import programme


@dataclass
class Core:
    """The bot's state outside Discord."""

    settings: Settings
    store: Store
    today: Callable[[], date]
    pipeline: OfferPipeline = field(init=False)
    _recent: dict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def __post_init__(self) -> None:
        self.pipeline = OfferPipeline(self.store, self.settings.default_programme, self.settings.discord.channels)

    # ---- programmes -------------------------------------------------------------------------
    def programme_for(self, user_id: int, guild_id: int | None) -> str:
        """The student's own choice, else the server's default, else the configured default."""
        row = self.store.db.execute("SELECT programme FROM user_programmes WHERE user_id = ?", (user_id,)).fetchone()
        if row:
            return str(row[0])
        if guild_id is not None:
            row = self.store.db.execute(
                "SELECT programme FROM guild_programmes WHERE guild_id = ?", (guild_id,)
            ).fetchone()
            if row:
                return str(row[0])
        return self.settings.default_programme

    def choose_programme(self, user_id: int, programme_id: str) -> None:
        """Remember a student's programme (validated first)."""
        programme(programme_id)
        self.store.db.execute(
            "INSERT INTO user_programmes (user_id, programme, chosen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET programme = excluded.programme, chosen_at = excluded.chosen_at",
            (user_id, programme_id, datetime.now(UTC).isoformat(timespec="seconds")),
        )

    def set_guild_programme(self, guild_id: int, programme_id: str) -> None:
        """A server's default programme (officers)."""
        programme(programme_id)
        self.store.db.execute(
            "INSERT INTO guild_programmes (guild_id, programme) VALUES (?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET programme = excluded.programme",
            (guild_id, programme_id),
        )

    # ---- questions --------------------------------------------------------------------------
    @cached_property
    def _salt(self) -> str:
        # Created once per store and kept: feedback stays tied to its asker across restarts.
        self.store.db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('asker_salt', ?)", (secrets.token_hex(16),)
        )
        return str(self.store.db.execute("SELECT value FROM meta WHERE key = 'asker_salt'").fetchone()[0])

    def _asker(self, user_id: int) -> str:
        # A salted hash: feedback can be tied to its asker without storing who asked.
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()[:24]

    def answer(self, question: str, user_id: int, guild_id: int | None) -> tuple[Answer, int]:
        """The answer to a question, logged; returns the answer and its id (for the feedback buttons)."""
        programme_id = self.programme_for(user_id, guild_id)
        answer = ask(question, programme(programme_id), self.today())
        log_question(self.store, question, programme_id, answer, "discord")
        cursor = self.store.db.execute(
            "INSERT INTO answers (at, channel, asker, programme, question, entry_id, score)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                datetime.now(UTC).isoformat(timespec="seconds"),
                "discord",
                self._asker(user_id),
                programme_id,
                question[:500],
                answer.entry_id if answer.answered else None,
                answer.score,
            ),
        )
        return answer, int(cursor.lastrowid or 0)

    def vote(self, answer_id: int, user_id: int, helpful: bool) -> bool:
        """Record the asker's feedback; another user's vote is ignored (False)."""
        cursor = self.store.db.execute(
            "UPDATE answers SET helpful = ? WHERE id = ? AND asker = ?", (int(helpful), answer_id, self._asker(user_id))
        )
        return cursor.rowcount > 0

    def feedback(self, limit: int = 15) -> list[dict[str, Any]]:
        """Votes per entry, the least helpful first (for officers)."""
        rows = self.store.db.execute(
            "SELECT entry_id, count(*) AS asked, sum(helpful = 1) AS yes, sum(helpful = 0) AS no FROM answers"
            " WHERE entry_id IS NOT NULL GROUP BY entry_id HAVING yes + no > 0 ORDER BY (no * 1.0 / (yes + no)) DESC,"
            " asked DESC LIMIT ?",
            (limit,),
        )
        return [dict(r) for r in rows]

    def allow_question(self, user_id: int, now: float) -> bool:
        """Per-user rate limit for mentions and direct messages."""
        window = self._recent[user_id]
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= self.settings.discord.questions_per_minute:
            return False
        window.append(now)
        return True
