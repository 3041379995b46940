"""The urgency detector's vocabulary: concept groups read from bot/mail/safety.toml and validated.

A mail is urgent when a "strong" group matches what it says (subject, newest part, forwarded content,
attached documents; not the quoted history of a reply), or a "weak" group matches and the trained
urgency model leans the same way, or the trained model alone is confident enough
(bot/mail/classify.py combines them). Each group documents what belongs in it; the loader compiles
every expression and checks each group's examples and counter-examples, so a broken or over-eager
edit of the file fails at load time (and in the test-suite), never silently in the mailbox.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.mail.features import fold

SAFETY_PATH = Path(__file__).with_name("safety.toml")
HOSTILE_PATH = Path(__file__).with_name("hostile.toml")  # phishing and spam, same format
UNLESS_WINDOW = 60  # characters before a match where a hypothetical or a negation cancels it


class SafetyError(ValueError):
    """The safety vocabulary file is invalid (the message says where)."""


def alternation(patterns: list[str] | tuple[str, ...]) -> str:
    """One expression matching what any of ``patterns`` matches."""
    return "|".join(f"(?:{p})" for p in patterns)


def _check_patterns(value: list[str]) -> list[str]:
    """Every expression compiles and none matches the empty text (it would match every mail).

    The group's alternation is compiled once (and kept in ``re``'s cache for the matcher); the
    expressions one by one only when it fails, to name the culprit: start-up stays short.
    """
    if not value:
        return value
    try:
        compiled = re.compile(alternation(value))
        if not compiled.search(""):
            return value
    except re.error:
        pass
    for pattern in value:
        try:
            single = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"expression invalide {pattern!r} : {exc}") from exc
        if single.search(""):
            raise ValueError(f"l'expression {pattern!r} reconnaît le texte vide")
    raise ValueError("expressions incompatibles une fois réunies (groupes de capture nommés ?)")


class Group(BaseModel):
    """One concept group of the safety vocabulary."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z_]*$")
    label: str = Field(min_length=3)
    description: str = Field(min_length=10)
    strength: Literal["strong", "weak"]
    patterns: list[str] = Field(min_length=1)
    unless: list[str] = []
    examples: list[str] = Field(min_length=1)
    counter_examples: list[str] = []

    @field_validator("patterns", "unless")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        return _check_patterns(value)

    @model_validator(mode="after")
    def _examples_match(self) -> "Group":
        matcher = Matcher(self)
        for example in self.examples:
            if matcher.find(normalise(example)) is None:
                raise ValueError(f"le groupe {self.name} ne reconnaît pas son exemple « {example} »")
        return self


class Vocabulary(BaseModel):
    """The whole file: the groups and the model support weak groups need."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weak_support: float = Field(ge=0, le=1)
    unless_all: list[str] = []
    group: list[Group] = Field(min_length=1)

    @field_validator("unless_all")
    @classmethod
    def _all_compile(cls, value: list[str]) -> list[str]:
        return _check_patterns(value)

    @model_validator(mode="after")
    def _consistent(self) -> "Vocabulary":
        names = [g.name for g in self.group]
        if len(names) != len(set(names)):
            raise ValueError("deux groupes portent le même nom")
        matchers = [Matcher(g, self.unless_all) for g in self.group if g.strength == "strong"]
        for g in self.group:
            for sentence in g.counter_examples:
                hits = [m.group.name for m in matchers if m.find(normalise(sentence)) is not None]
                if hits:
                    raise ValueError(f"le contre-exemple « {sentence} » du groupe {g.name} est reconnu par {hits}")
        return self


def normalise(text: str) -> str:
    """The text the expressions read: folded, one space between words."""
    return " ".join(fold(text).split())


class Matcher:
    """A group's compiled expressions."""

    def __init__(self, group: Group, unless_all: list[str] | tuple[str, ...] = ()) -> None:
        self.group = group
        # One alternation per group: one scan of the text instead of one per expression (2.5 times faster).
        self.pattern = re.compile(alternation(group.patterns))
        self.unless = [re.compile(alternation(group.unless))] if group.unless else []
        if unless_all:
            self.unless.append(re.compile(alternation(unless_all)))

    def find(self, text: str) -> str | None:
        """The first words of ``text`` this group recognises (not cancelled by an ``unless``), or None."""
        for match in self.pattern.finditer(text):
            window = text[max(0, match.start() - UNLESS_WINDOW) : match.end()]
            if not any(u.search(window) for u in self.unless):
                return match.group(0)
        return None


@dataclass(frozen=True)
class Hit:
    """A group that matched, and the words that matched it."""

    name: str
    label: str
    strength: str
    words: str


@dataclass(frozen=True)
class Safety:
    """The loaded, validated vocabulary."""

    weak_support: float
    matchers: tuple[Matcher, ...]

    def hits(self, text: str) -> list[Hit]:
        """Every group whose expressions match ``text`` (raw; normalised here)."""
        normalised = normalise(text)
        found = []
        for matcher in self.matchers:
            words = matcher.find(normalised)
            if words is not None:
                g = matcher.group
                found.append(Hit(g.name, g.label, g.strength, words.strip()))
        return found


def load(path: Path = SAFETY_PATH) -> Safety:
    """Read and validate a safety vocabulary file; SafetyError names the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        vocabulary = Vocabulary.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise SafetyError(f"{path.name} : {exc}") from exc
    return Safety(vocabulary.weak_support, tuple(Matcher(g, vocabulary.unless_all) for g in vocabulary.group))


@cache
def shipped() -> Safety:
    """The urgency vocabulary that ships in the package (read once per process)."""
    return load()


@cache
def hostile() -> Safety:
    """The phishing and spam vocabulary that ships in the package (read once per process)."""
    return load(HOSTILE_PATH)
