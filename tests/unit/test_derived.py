"""The on-disk cache of derived data (`newsflow.derived`): same values as building them, never needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.derived import cached, fingerprint


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEWSFLOW_CACHE_DIR", str(folder))
    return folder


def _text_entry(builds: list[int]) -> dict[str, object]:
    def build() -> str:
        builds.append(1)
        return "value"

    return {
        "build": build,
        "save": lambda value, path: path.write_text(value),
        "load": lambda path: path.read_text(),
    }


def test_built_once_then_read_back(cache_dir: Path) -> None:
    builds: list[int] = []
    assert cached("entry", "k1", **_text_entry(builds)) == "value"  # type: ignore[arg-type]
    assert cached("entry", "k1", **_text_entry(builds)) == "value"  # type: ignore[arg-type]
    assert len(builds) == 1 and (cache_dir / "entry-k1").read_text() == "value"
    assert cached("entry", "k2", **_text_entry(builds)) == "value"  # type: ignore[arg-type]
    assert len(builds) == 2  # another key (another package version): built again
    assert not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp")]


def test_damaged_entry_is_rebuilt(cache_dir: Path) -> None:
    cache_dir.mkdir()
    (cache_dir / "entry-k").write_bytes(b"\xff\xfe not utf-8")
    builds: list[int] = []
    assert cached("entry", "k", **_text_entry(builds)) == "value"  # type: ignore[arg-type]
    assert builds == [1] and (cache_dir / "entry-k").read_text() == "value"


def test_unwritable_cache_builds_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NEWSFLOW_CACHE_DIR", str(blocker / "cache"))
    builds: list[int] = []
    for _ in range(2):
        assert cached("entry", "k", **_text_entry(builds)) == "value"  # type: ignore[arg-type]
    assert len(builds) == 2


def test_fingerprint_follows_files(tmp_path: Path) -> None:
    path = tmp_path / "pkg.py"
    path.write_text("a")
    first = fingerprint("code", path)
    assert fingerprint("code", path) == first
    path.write_text("ab")
    assert fingerprint("code", path) != first
    assert fingerprint("code", tmp_path / "missing") != first


def test_gazetteer_from_cache_equals_built(cache_dir: Path) -> None:
    from newsflow.enrich import places

    places.gazetteer.cache_clear()
    try:
        built = places.gazetteer()  # builds and writes the entry
        assert [p.name for p in cache_dir.iterdir()][0].startswith("gazetteer-")
        places.gazetteer.cache_clear()
        read = places.gazetteer()  # reads it back
        assert read == built == places.build_gazetteer()
        assert read["Damascus"].country == "SY" and read["Syrie"].is_country
    finally:
        places.gazetteer.cache_clear()


def test_langid_from_cache_ranks_as_shipped(cache_dir: Path) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from newsflow.enrich import language

    shipped = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    texts = ["Der Kanzler reiste nach Syrien", "La grève du port", "Лучшие новости дня", "東京の天気", ""]
    language._langid.cache_clear()
    try:
        for _ in range(2):  # built and written, then read back
            identifier = language._langid()
            assert [identifier.rank(t) for t in texts] == [shipped.rank(t) for t in texts]
            language._langid.cache_clear()
        assert any(p.name.startswith("py3langid-") for p in cache_dir.iterdir())
    finally:
        language._langid.cache_clear()
