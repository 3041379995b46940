"""Where a rule, a figure or an answer comes from: the one ``Source`` type of StageBot.

A guide is named by the file its text was extracted to (``../shared/guides/``) and a section of it;
a legal text by its name and, when cited by article, the article. How a source is shown to a person
(the guide's title, never its file name) is the adapters' business: ``bot/citations.py``.
"""

from pydantic import BaseModel, ConfigDict, Field

# The guides, by the file their text was extracted to (the only place these names are typed in code).
GUIDE_PARIS1 = "000_66ecd3d8874ef3f3.txt"
GUIDE_LILLE = "001_3d148830f515fa28.txt"
GUIDE_AMU_MIAGE = "002_1b58e6cf34c82c9d.txt"
GUIDE_AMU_ALLSH = "003_de9fb0c5e9cab43b.txt"
GUIDE_ARTICLE = "004_05e47703f26282db.txt"
GUIDES = (GUIDE_PARIS1, GUIDE_LILLE, GUIDE_AMU_MIAGE, GUIDE_AMU_ALLSH, GUIDE_ARTICLE)


class Source(BaseModel):
    """A document (a guide file, a code, a decree) and, when it has one, the section or article cited."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    document: str = Field(min_length=1)
    section: str | None = Field(default=None, min_length=1)


def source(document: str, section: str | None = None) -> Source:
    """A source, positionally (the tables of rules/ cite hundreds of them)."""
    return Source(document=document, section=section)
