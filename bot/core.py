"""The application service that Discord, the console and the command line share.

    Core  questions (answered, logged for officers when the base answered badly), each student's and
          each server's programme, the askers' feedback, the offer pipeline, today

It knows no adapter: handlers (bot/discord/, bot/console.py, bot/cli/) parse their input, call one
method here or one function of ``rules``, and render the typed result. Storage goes through the
repositories of bot/records/. The store is opened on first need when none is given, so a command that
logs nothing never creates the database file.
"""

import hashlib
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cached_property

from bot.assistant.answer import Answer, ask
from bot.assistant.gaps import Gap, gaps, log_question, needs_review
from bot.offers.pipeline import OfferPipeline
from bot.records.answers import Answers, EntryFeedback, GivenAnswer
from bot.records.meta import Meta
from bot.records.programmes import ProgrammeChoices
from bot.settings import Settings
from bot.store import Store, StoreError
from rules.programmes import programme

QUESTION_KEPT = 500  # characters of a question kept with its answer for the feedback list
RATE_WINDOW_SECONDS = 60


class Core:
    """The bot's state and use cases, outside any adapter."""

    def __init__(
        self,
        settings: Settings,
        store: Store | None,
        today: Callable[[], date],
        *,
        on_store_error: Callable[[StoreError], None] | None = None,
    ) -> None:
        """``store`` None: open ``settings.database`` on first need.

        ``on_store_error``: when given, a store that cannot be opened does not stop the answers; the
        hook hears it once and questions are no longer logged (the student's answer matters more
        than the officers' list). Without it, the error propagates.
        """
        self.settings = settings
        self.today = today
        self._store = store
        self._on_store_error = on_store_error
        self._store_failed = False
        self._recent: dict[int, deque[float]] = defaultdict(deque)

    @property
    def store(self) -> Store:
        """The SQLite file, opened on first use."""
        if self._store is None:
            self._store = Store(self.settings.database)
        return self._store

    def close(self) -> None:
        """Close the store if it was opened (the core is not used afterwards)."""
        if self._store is not None:
            self._store.close()

    @cached_property
    def pipeline(self) -> OfferPipeline:
        """Offers from Discord (and the mailbox, which builds its own on the same store)."""
        return OfferPipeline(self.store, self.settings.default_programme, self.settings.discord.channels)

    @cached_property
    def _choices(self) -> ProgrammeChoices:
        return ProgrammeChoices(self.store)

    @cached_property
    def _answers(self) -> Answers:
        return Answers(self.store)

    # ---- programmes -------------------------------------------------------------------------
    def programme_for(self, user_id: int, guild_id: int | None) -> str:
        """The student's own choice, else the server's default, else the configured default."""
        chosen = self._choices.of_user(user_id)
        if chosen is None and guild_id is not None:
            chosen = self._choices.of_guild(guild_id)
        return chosen or self.settings.default_programme

    def choose_programme(self, user_id: int, programme_id: str) -> None:
        """Remember a student's programme (validated first)."""
        self._choices.choose(user_id, programme(programme_id).id, datetime.now(UTC))

    def set_guild_programme(self, guild_id: int, programme_id: str) -> None:
        """A server's default programme (officers)."""
        self._choices.set_guild(guild_id, programme(programme_id).id)

    # ---- questions --------------------------------------------------------------------------
    def ask(self, question: str, programme_id: str, channel: str) -> Answer:
        """The answer to a question; logged for the officers when the base answered badly."""
        answer = ask(question, programme(programme_id), self.today())
        self.log_question(question, programme_id, answer, channel)
        return answer

    def log_question(self, question: str, programme_id: str, answer: Answer, channel: str) -> bool:
        """Log a question the base answered badly (the store opened only then); True when logged."""
        if self._store_failed or not needs_review(answer):
            return False
        try:
            return log_question(self.store, question, programme_id, answer, channel)
        except StoreError as exc:
            if self._on_store_error is None:
                raise
            self._store_failed = True
            self._on_store_error(exc)
            return False

    def gaps(self, *, limit: int = 20, programme_id: str | None = None) -> list[Gap]:
        """What the knowledge base lacks, most frequent first (officers)."""
        return gaps(self.store, limit=limit, programme=programme_id)

    @cached_property
    def _salt(self) -> str:
        # Created once per store and kept: feedback stays tied to its asker across restarts.
        return Meta(self.store).asker_salt()

    def _asker(self, user_id: int) -> str:
        # A salted hash: feedback can be tied to its asker without storing who asked.
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()[:24]

    def answer(self, question: str, user_id: int, guild_id: int | None) -> tuple[Answer, int]:
        """A Discord question's answer, logged; returns the answer and its id (for the feedback buttons)."""
        programme_id = self.programme_for(user_id, guild_id)
        answer = self.ask(question, programme_id, "discord")
        answer_id = self._answers.add(
            GivenAnswer(
                at=datetime.now(UTC).isoformat(timespec="seconds"),
                channel="discord",
                asker=self._asker(user_id),
                programme=programme_id,
                question=question[:QUESTION_KEPT],
                entry_id=answer.entry_id if answer.answered else None,
                score=answer.score,
            )
        )
        return answer, answer_id

    def vote(self, answer_id: int, user_id: int, helpful: bool) -> bool:
        """Record the asker's feedback; another user's vote is ignored (False)."""
        return self._answers.vote(answer_id, self._asker(user_id), helpful)

    def feedback(self, limit: int = 15) -> list[EntryFeedback]:
        """Votes per entry, the least helpful first (for officers)."""
        return self._answers.feedback(limit)

    def allow_question(self, user_id: int, now: float) -> bool:
        """Per-user rate limit for mentions and direct messages."""
        window = self._recent[user_id]
        while window and now - window[0] > RATE_WINDOW_SECONDS:
            window.popleft()
        if len(window) >= self.settings.discord.questions_per_minute:
            return False
        window.append(now)
        return True
