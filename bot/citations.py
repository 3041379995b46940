"""How a source is cited to a person: the guide's title and section, never an internal file name.

The knowledge base and rules/ name each guide by the file its text was extracted to
(``rules.sources``); that name means nothing to a student and must never reach an answer (issue 13).
Every ``Source`` becomes text here, and only here.
"""

import re

from rules.sources import GUIDE_AMU_ALLSH, GUIDE_AMU_MIAGE, GUIDE_ARTICLE, GUIDE_LILLE, GUIDE_PARIS1, Source

# Each guide -> the title a reader recognises (from the guides' own first pages).
GUIDE_TITLES = {
    GUIDE_PARIS1: "Guide du stage de L3 MIAGE (Université Paris 1 Panthéon-Sorbonne)",
    GUIDE_LILLE: "Guide de l'UE Stage, L3 Informatique et L3 MIAGE (Université de Lille)",
    GUIDE_AMU_MIAGE: "Guide de l'alternance 2025-2026, MIAGE d'Aix-Marseille Université",
    GUIDE_AMU_ALLSH: "Guide de la convention de stage, formation initiale, Faculté ALLSH (Aix-Marseille Université)",
    GUIDE_ARTICLE: "Article « Réussir son stage » (12 mars 2024)",
}
_FILE_NAME = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


def guide_title(document: str) -> str:
    """The title of a guide from its file name; other sources (a code article, a web page) as they are."""
    if document in GUIDE_TITLES:
        return GUIDE_TITLES[document]
    return _FILE_NAME.sub("guide de la formation", document)


def cite(source: Source) -> str:
    """« Title, section » for people; the title alone when the source has no section."""
    title = guide_title(source.document.strip())
    return f"{title}, {source.section.strip()}" if source.section else title


def plain(source: Source) -> str:
    """« document, section » as the JSON contracts and the officers' notes carry it (file names kept)."""
    return f"{source.document}, {source.section}" if source.section else source.document


def as_json(source: Source) -> dict[str, str | None]:
    """The contract's source object (``section`` null when the document is cited whole)."""
    return {"document": source.document, "section": source.section}


def titles_in(text: str) -> str:
    """A text for people with every guide file name replaced by the guide's title."""
    return _FILE_NAME.sub(lambda m: GUIDE_TITLES.get(m.group(0), "guide de la formation"), text)
