"""The question reader's vocabulary, loaded from knowledge/vocabulary/words.toml and validated.

One meaning per variant: a word may not be the variant of two canonical words, nor a canonical word
and another's variant (the old tables mapped "distanciel" both to remote work and to video calls).
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class VocabularyError(ValueError):
    """The vocabulary file is invalid; the message says where."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stopwords: list[str] = Field(min_length=1)
    phrases: list[tuple[str, str]]
    synonyms: dict[str, list[str]]

    @field_validator("phrases")
    @classmethod
    def _patterns_compile(cls, value: list[tuple[str, str]]) -> list[tuple[str, str]]:
        for pattern, _ in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"expression « {pattern} » invalide : {exc}") from None
        return value


@dataclass(frozen=True)
class Vocabulary:
    """Stopwords, phrase rewrites and synonyms (variant → canonical word)."""

    stopwords: frozenset[str]
    phrases: tuple[tuple[re.Pattern[str], str], ...]
    synonyms: dict[str, str]


def parse(text: str) -> Vocabulary:
    """Validate a vocabulary file's text."""
    try:
        spec = _Spec.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise VocabularyError(f"words.toml : {exc}") from None
    synonyms: dict[str, str] = {}
    for canonical, variants in spec.synonyms.items():
        for variant in variants:
            if variant in synonyms and synonyms[variant] != canonical:
                raise VocabularyError(f"words.toml : « {variant} » a deux sens ({synonyms[variant]} et {canonical})")
            if variant in spec.synonyms and variant != canonical:
                raise VocabularyError(f"words.toml : « {variant} » est à la fois un mot et une variante")
            synonyms[variant] = canonical
    return Vocabulary(
        frozenset(spec.stopwords),
        tuple((re.compile(p), r) for p, r in spec.phrases),
        synonyms,
    )


@cache
def vocabulary() -> Vocabulary:
    """The packaged vocabulary (validated once per process)."""
    return parse((resources.files("knowledge") / "vocabulary" / "words.toml").read_text(encoding="utf-8"))
