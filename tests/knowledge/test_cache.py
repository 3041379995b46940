"""The start-up cache: read back when built from the same files, never trusted blindly, never needed."""

import os
from pathlib import Path

import pytest

from knowledge import cache


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STAGEBOT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("STAGEBOT_NO_CACHE", raising=False)
    return tmp_path


def test_a_built_object_is_read_back_from_the_cache(folder: Path) -> None:
    builds: list[int] = []

    def build() -> dict[str, int]:
        builds.append(1)
        return {"value": 42}

    assert cache.cached("probe", build) == {"value": 42}
    assert cache.cached("probe", build) == {"value": 42}
    assert len(builds) == 1
    (written,) = folder.glob("probe-*.pickle")
    assert written.name == f"probe-{cache.digest()}.pickle"
    assert not written.stat().st_mode & 0o077  # the user's own


def test_a_cache_others_may_write_is_not_read(folder: Path) -> None:
    cache.cached("probe", lambda: "first")
    (written,) = folder.glob("probe-*.pickle")
    written.chmod(0o666)
    assert cache.cached("probe", lambda: "rebuilt") == "rebuilt"


def test_a_cache_from_other_files_is_replaced(folder: Path) -> None:
    (folder / "probe-0123456789abcdef0123.pickle").write_bytes(b"not a pickle")
    assert cache.cached("probe", lambda: "fresh") == "fresh"
    assert [p.name for p in folder.glob("probe-*.pickle")] == [f"probe-{cache.digest()}.pickle"]


def test_a_broken_or_unwritable_cache_only_costs_time(folder: Path) -> None:
    (folder / f"probe-{cache.digest()}.pickle").write_bytes(b"\x80\x05broken")
    (folder / f"probe-{cache.digest()}.pickle").chmod(0o600)
    assert cache.cached("probe", lambda: "rebuilt") == "rebuilt"
    blocked = folder / "file"
    blocked.write_text("")
    os.environ["STAGEBOT_CACHE_DIR"] = str(blocked / "below")  # a folder that cannot be created
    assert cache.cached("probe", lambda: "built") == "built"


def test_any_edit_of_the_knowledge_or_the_rules_changes_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("knowledge", "rules"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "data.txt").write_text("v1")
    monkeypatch.setattr(cache, "ROOT", tmp_path)
    cache.digest.cache_clear()
    try:
        first = cache.digest()
        cache.digest.cache_clear()
        (tmp_path / "knowledge" / "data.txt").write_text("v2")
        assert cache.digest() != first
    finally:
        cache.digest.cache_clear()
