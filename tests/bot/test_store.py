"""The SQLite store: versioned schema, WAL, clear French errors."""

import sqlite3
from pathlib import Path

import pytest

from bot.store import MIGRATIONS, NoSuchFolder, Store, StoreError


def test_new_file_is_migrated_to_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    store = Store(tmp_path / "sub" / "state.sqlite3")
    assert store.version == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    # Reopening does not migrate again.
    again = Store(tmp_path / "sub" / "state.sqlite3")
    assert again.version == len(MIGRATIONS)
    again.close()


def test_transaction_is_all_or_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    insert = (
        "INSERT INTO questions (asked_at, channel, programme, question, normalized, answered, score, nearest)"
        " VALUES ('t', 'cli', 'p', 'q', 'q', 0, 0, '[]')"
    )
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute(insert)
        raise RuntimeError
    assert store.db.execute("SELECT count(*) FROM questions").fetchone()[0] == 0
    with store.transaction() as db:
        db.execute(insert)
    assert store.db.execute("SELECT count(*) FROM questions").fetchone()[0] == 1


def test_file_from_a_newer_stagebot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    db.close()
    with pytest.raises(StoreError, match="plus récente"):
        Store(path)


def test_a_file_that_is_not_a_database_gets_one_french_sentence(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"ceci n'est pas une base" * 100)
    with pytest.raises(StoreError, match=r"inutilisable") as caught:
        Store(path)
    # Issue 11 point 12: SQLite's own "file is not a database" is not shown.
    assert "n'est pas une base SQLite" in str(caught.value) and "file is not" not in str(caught.value)
    assert caught.value.exit_status == 1  # point 15: the database failing is not bad input


@pytest.mark.parametrize("folder", ["absent/deeper", "/nonexistent-stagebot-root"])
def test_missing_folders_are_never_created(tmp_path: Path, folder: str) -> None:
    # Issue 11 point 14: the folders of the database path were created silently, even at the root.
    path = (tmp_path / folder if not folder.startswith("/") else Path(folder)) / "state.sqlite3"
    with pytest.raises(NoSuchFolder) as caught:
        Store(path)
    assert "n'existe pas" in str(caught.value) and "database" in str(caught.value)
    assert caught.value.exit_status == 2  # a wrong path in the configuration is bad input
    assert not path.parent.exists()


def test_a_folder_where_the_file_should_be_gets_a_french_reason(tmp_path: Path) -> None:
    (tmp_path / "state.sqlite3").mkdir()
    with pytest.raises(StoreError) as caught:
        Store(tmp_path / "state.sqlite3")
    assert "Errno" not in str(caught.value) and "unable" not in str(caught.value)
