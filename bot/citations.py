"""How a source is cited to a person: the guide's title and section, never an internal file name.

The knowledge base names each guide by the file its text was extracted to (``../shared/guides/``);
that name means nothing to a student and must never reach an answer (issue 13).
"""

import re
from typing import Any

# File in ../shared/guides/ -> the title a reader recognises (from the guides' own first pages).
GUIDE_TITLES = {
    "000_66ecd3d8874ef3f3.txt": "Guide du stage de L3 MIAGE (Université Paris 1 Panthéon-Sorbonne)",
    "001_3d148830f515fa28.txt": "Guide de l'UE Stage, L3 Informatique et L3 MIAGE (Université de Lille)",
    "002_1b58e6cf34c82c9d.txt": "Guide de l'alternance 2025-2026, MIAGE d'Aix-Marseille Université",
    "003_de9fb0c5e9cab43b.txt": (
        "Guide de la convention de stage, formation initiale, Faculté ALLSH (Aix-Marseille Université)"
    ),
    "004_05e47703f26282db.txt": "Article « Réussir son stage » (12 mars 2024)",
}
_FILE_NAME = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


def _field(source: Any, name: str) -> str:
    value = source.get(name) if isinstance(source, dict) else getattr(source, name, None)
    return "" if value is None or str(value) == "None" else str(value).strip()


def guide_title(document: str) -> str:
    """The title of a guide from its file name; other sources (a code article, a web page) as they are."""
    if document in GUIDE_TITLES:
        return GUIDE_TITLES[document]
    return _FILE_NAME.sub("guide de la formation", document)


def cite(source: Any) -> str:
    """« Title, section » for a source given as a dict or an object with ``document`` and ``section``."""
    title = guide_title(_field(source, "document"))
    section = _field(source, "section")
    return f"{title}, {section}" if title and section else title or section


def titles_in(text: str) -> str:
    """A text for people with every guide file name replaced by the guide's title."""
    return _FILE_NAME.sub(lambda m: GUIDE_TITLES.get(m.group(0), "guide de la formation"), text)


def source_of(cited: str) -> dict[str, str]:
    """``"guide.txt, section"`` (how rules/ cite) as the contract's source object."""
    document, _, section = cited.partition(",")
    return {"document": document, "section": section.strip() if section else cited}
