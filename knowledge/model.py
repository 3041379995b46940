"""The knowledge base's schema: entries drawn from the guides, validated by pydantic."""

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rules.programmes import programmes
from rules.sources import Source

ALL = "all"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")


class Entry(BaseModel):
    """One fact a student or a host can act on, with the phrasings students use to ask for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    programmes: tuple[str, ...] = Field(min_length=1)
    questions: tuple[str, ...] = Field(min_length=2)
    answer: str = Field(min_length=10)
    source: Source
    tags: tuple[str, ...] = ()
    # Key terms of the guide section the entry is drawn from (named events, portals, bodies, forms)
    # that no phrasing uses: indexed with the answer, at a lower weight than the phrasings.
    terms: tuple[str, ...] = ()
    figure_year: int | None = None  # the year a figure quoted by the guide holds for
    kind: Literal["fact", "procedure", "contact", "date", "law"] = "fact"

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"identifiant « {value} » : attendu « programme-ou-theme/nom-en-minuscules »")
        return value

    @field_validator("programmes")
    @classmethod
    def _known_programmes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for programme in value:
            if programme != ALL and programme not in programmes():
                raise ValueError(f"programme inconnu « {programme} »")
        return value

    def applies_to(self, programme: str | None) -> bool:
        """Whether this entry is a rule of ``programme`` (law entries apply to all)."""
        return ALL in self.programmes or programme is None or programme in self.programmes

    @property
    def is_general(self) -> bool:
        """Law or advice that holds for every programme."""
        return ALL in self.programmes


class KnowledgeFile(BaseModel):
    """One data file: its defaults and its entries."""

    model_config = ConfigDict(extra="forbid")
    prefix: str = Field(pattern=r"^[a-z0-9-]+$")
    document: str
    programmes: tuple[str, ...]
    entry: list[dict[str, object]] = Field(min_length=1)
