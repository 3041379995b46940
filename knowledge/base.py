"""Loading the knowledge base: every data file validated, ids unique, templates known."""

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from knowledge.model import Entry, KnowledgeFile
from rules.sources import Source


class KnowledgeError(ValueError):
    """A data file is invalid; the message names the file and the entry."""


@dataclass(frozen=True)
class KnowledgeBase:
    """All entries, by id."""

    entries: tuple[Entry, ...]

    def by_id(self, entry_id: str) -> Entry:
        """One entry by its full id."""
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)


def parse_file(name: str, text: str) -> list[Entry]:
    """Entries of one TOML data file, with the file's defaults applied."""
    try:
        raw = tomllib.loads(text)
        spec = KnowledgeFile.model_validate(raw)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise KnowledgeError(f"{name} : {exc}") from None
    entries: list[Entry] = []
    for index, item in enumerate(spec.entry):
        data = dict(item)
        local_id = str(data.pop("id", f"#{index}"))
        section = data.pop("section", None)
        document = data.pop("document", spec.document)
        data.setdefault("programmes", spec.programmes)
        try:
            entries.append(
                Entry.model_validate(
                    {
                        "id": f"{spec.prefix}/{local_id}",
                        "source": Source(document=str(document), section=None if section is None else str(section)),
                        **data,
                    }
                )
            )
        except ValidationError as exc:
            raise KnowledgeError(f"{name}, entrée {local_id} : {exc}") from None
    return entries


def load_from(paths: list[tuple[str, str]]) -> KnowledgeBase:
    """Build a base from (file name, TOML text) pairs; ids must be unique across files."""
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for name, text in paths:
        for entry in parse_file(name, text):
            if entry.id in seen:
                raise KnowledgeError(f"{name} : identifiant « {entry.id} » déjà défini dans {seen[entry.id]}")
            seen[entry.id] = name
            entries.append(entry)
    return KnowledgeBase(tuple(entries))


def data_files() -> list[tuple[str, str]]:
    """The packaged data files, sorted by name."""
    folder = resources.files("knowledge") / "data"
    return sorted(
        (item.name, item.read_text(encoding="utf-8")) for item in folder.iterdir() if item.name.endswith(".toml")
    )


@cache
def load() -> KnowledgeBase:
    """The packaged knowledge base (validated once per process)."""
    return load_from(data_files())


def data_folder() -> Path:
    """Where the data files live, for messages to officers."""
    return Path(str(resources.files("knowledge") / "data"))
