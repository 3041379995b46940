"""Programme choices: a student's own (``user_programmes``) and a Discord server's default (``guild_programmes``)."""

from datetime import datetime

from bot.store import Store


class ProgrammeChoices:
    """Who follows which programme."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def of_user(self, user_id: int) -> str | None:
        """The programme a student chose, if any."""
        row = self.store.db.execute("SELECT programme FROM user_programmes WHERE user_id = ?", (user_id,)).fetchone()
        return None if row is None else str(row[0])

    def of_guild(self, guild_id: int) -> str | None:
        """A server's default programme, if officers set one."""
        row = self.store.db.execute("SELECT programme FROM guild_programmes WHERE guild_id = ?", (guild_id,)).fetchone()
        return None if row is None else str(row[0])

    def choose(self, user_id: int, programme_id: str, at: datetime) -> None:
        """Remember (or replace) a student's choice."""
        self.store.db.execute(
            "INSERT INTO user_programmes (user_id, programme, chosen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET programme = excluded.programme, chosen_at = excluded.chosen_at",
            (user_id, programme_id, at.isoformat(timespec="seconds")),
        )

    def set_guild(self, guild_id: int, programme_id: str) -> None:
        """Set (or replace) a server's default."""
        self.store.db.execute(
            "INSERT INTO guild_programmes (guild_id, programme) VALUES (?, ?)"
            " ON CONFLICT (guild_id) DO UPDATE SET programme = excluded.programme",
            (guild_id, programme_id),
        )
