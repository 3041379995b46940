"""Test doubles at the Discord boundary: an Interaction, members, channels and messages."""

from dataclasses import dataclass, field
from itertools import count
from types import SimpleNamespace
from typing import Any

from discord import app_commands

_ids = count(1000)


@dataclass
class Role:
    name: str
    id: int = field(default_factory=lambda: next(_ids))


@dataclass
class Permissions:
    manage_guild: bool = False


@dataclass
class Member:
    id: int = field(default_factory=lambda: next(_ids))
    roles: list[Role] = field(default_factory=list)
    guild_permissions: Permissions = field(default_factory=Permissions)
    bot: bool = False
    name: str = "etudiant"

    def __str__(self) -> str:
        return self.name


def officer() -> Member:
    return Member(roles=[Role("Responsable stages")], name="responsable")


class Response:
    """interaction.response: records what was sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        if self.sent:
            raise AssertionError("an interaction can be answered once")
        self.sent.append({"content": content, **kwargs})

    def is_done(self) -> bool:
        return bool(self.sent)

    @property
    def last(self) -> dict[str, Any]:
        return self.sent[-1]


class Followup:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        self.sent.append({"content": content, **kwargs})


@dataclass
class Interaction:
    user: Member = field(default_factory=Member)
    guild_id: int | None = 42
    response: Response = field(default_factory=Response)
    followup: Followup = field(default_factory=Followup)


@dataclass
class Sent:
    id: int
    kwargs: dict[str, Any]
    edits: list[dict[str, Any]] = field(default_factory=list)

    async def edit(self, **kwargs: Any) -> None:
        self.edits.append(kwargs)


class Channel:
    """A text channel: keeps what was posted, and partial messages for edits."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.id = next(_ids)
        self.messages: dict[int, Sent] = {}

    async def send(self, content: str | None = None, **kwargs: Any) -> Sent:
        message = Sent(next(_ids), {"content": content, **kwargs})
        self.messages[message.id] = message
        return message

    def get_partial_message(self, message_id: int) -> Sent:
        return self.messages[message_id]


def command(tree: app_commands.CommandTree[Any], path: str) -> Any:
    """A command of the tree by its path: "gratification", "offre publier"."""
    names = path.split()
    found: Any = tree.get_command(names[0])
    for name in names[1:]:
        found = found.get_command(name)
    assert found is not None, path
    return found


async def call(tree: app_commands.CommandTree[Any], path: str, interaction: Interaction, **options: Any) -> None:
    """Run a command as Discord would: its checks, its options by their names, the tree's error handler."""
    found = command(tree, path)
    try:
        await found._invoke_with_namespace(interaction, SimpleNamespace(**options))
    except app_commands.AppCommandError as error:
        await tree.on_error(interaction, error)
