from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from newsflow.sources import Source, SourcesError, load_sources, load_sources_lenient

GOOD = """\
# comment
sources:
  - name: harbour_herald
    type: rss
    url: ${BASE:-http://127.0.0.1:8765}/harbour-herald/feed.xml
    publisher: Harbour Herald
    country: gb
    language: EN
    max_items: 50
  - name: archive
    type: files
    path: demo/archive
    enabled: false
    politeness: gentle
  - name: abs-folder
    type: files
    path: ${DATA_DIR}/exports
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_file(tmp_path):
    path = _write(tmp_path, GOOD)
    sources = load_sources(path, env={"DATA_DIR": "/srv/data"})
    assert [s.name for s in sources] == ["harbour_herald", "archive", "abs-folder"]
    hh, archive, absf = sources
    assert hh == Source(
        name="harbour_herald",
        type="rss",
        url="http://127.0.0.1:8765/harbour-herald/feed.xml",
        publisher="Harbour Herald",
        country="GB",
        language="en",
        max_items=50,
    )
    assert hh.line == 3
    assert hh.politeness == "default" and hh.enabled
    assert hh.source_meta == {"publisher": "Harbour Herald", "country": "GB", "language": "en"}
    assert archive.path == (tmp_path / "demo" / "archive").resolve()
    assert archive.enabled is False and archive.politeness == "gentle"
    assert absf.path == Path("/srv/data/exports")
    assert Source.from_dict(hh.to_dict()) == hh
    assert Source.from_dict(archive.to_dict()) == archive


def test_newsapi_source(tmp_path):
    path = _write(
        tmp_path,
        """\
        sources:
          - name: gdelt_harbours
            type: newsapi
            url: https://api.gdeltproject.org/api/v2/doc/doc
            query: '"harbour" sourcelang:english'
          - name: tuned
            type: newsapi
            url: ${API:-https://api.gdeltproject.org/api/v2/doc/doc}
            query: port
            dialect: GDELT
            max_records: 50
            min_interval: 0
        """,
    )
    plain, tuned = load_sources(path, env={})
    assert plain == Source(
        name="gdelt_harbours",
        type="newsapi",
        url="https://api.gdeltproject.org/api/v2/doc/doc",
        query='"harbour" sourcelang:english',
        dialect="gdelt",  # the default
    )
    assert plain.max_records is None and plain.min_interval is None  # the fetcher's defaults
    assert (tuned.dialect, tuned.max_records, tuned.min_interval) == ("gdelt", 50, 0.0)
    assert Source.from_dict(tuned.to_dict()) == tuned


def test_env_expansion(tmp_path):
    path = _write(tmp_path, GOOD)
    (hh, *_) = load_sources(path, env={"BASE": "http://10.0.0.5:9000", "DATA_DIR": "/d"})
    assert hh.url == "http://10.0.0.5:9000/harbour-herald/feed.xml"
    (hh, *_) = load_sources(path, env={"BASE": "", "DATA_DIR": "/d"})  # empty takes the default
    assert hh.url == "http://127.0.0.1:8765/harbour-herald/feed.xml"


def test_unset_variable_names_the_line(tmp_path):
    path = _write(tmp_path, GOOD)
    with pytest.raises(SourcesError) as err:
        load_sources(path, env={})
    assert str(err.value).startswith("sources.yaml line 17: environment variable DATA_DIR is not set")


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        (
            "  - name: a\n    type: rsss\n    url: http://x.example/f",
            3,
            "unknown type 'rsss' (expected one of: rss, files, sitemap, newsapi)",
        ),
        ("  - name: a\n    type: rss", 2, "source 'a': type 'rss' needs a 'url'"),
        ("  - name: a\n    type: files", 2, "source 'a': type 'files' needs a 'path' (a folder)"),
        ("  - name: a\n    type: rss\n    url: ftp://x.example/feed", 4, "source 'a': bad URL scheme"),
        ("  - name: a\n    type: rss\n    url: feed.xml", 4, "source 'a': bad URL scheme"),
        ("  - name: ../etc\n    type: rss\n    url: http://x.example/f", 2, "bad name '../etc'"),
        ("  - name: Big Name\n    type: rss\n    url: http://x.example/f", 2, "bad name 'Big Name'"),
        ("  - type: rss\n    url: http://x.example/f", 2, "source without a 'name'"),
        ("  - name: a\n    type: rss\n    ulr: http://x.example/f", 4, "unknown key 'ulr'"),
        (
            "  - name: a\n    type: rss\n    url: http://x.example/f\n    country: Germany",
            5,
            "country 'GERMANY' is not an ISO 3166-1 alpha-2 code",
        ),
        (
            "  - name: a\n    type: rss\n    url: http://x.example/f\n    max_items: -3",
            5,
            "'max_items' must be a positive whole number",
        ),
        (
            "  - name: a\n    type: rss\n    url: http://x.example/f\n    enabled: maybe",
            5,
            "'enabled' must be true or false",
        ),
        ("  - just a string", 2, "each source must be a mapping"),
        (
            "  - name: a\n    type: newsapi\n    url: https://api.example.org/doc",
            2,
            "source 'a': type 'newsapi' needs a 'query' (in the API's own syntax)",
        ),
        ("  - name: a\n    type: newsapi\n    query: harbour", 2, "source 'a': type 'newsapi' needs a 'url'"),
        (
            "  - name: a\n    type: newsapi\n    url: https://api.example.org/doc\n    query: x\n    dialect: newsapi_org",
            6,
            "source 'a': unknown dialect 'newsapi_org' (expected one of: gdelt)",
        ),
        (
            "  - name: a\n    type: newsapi\n    url: https://api.example.org/doc\n    query: x\n    max_records: 500",
            6,
            "source 'a': 'max_records' must be a whole number from 1 to 250",
        ),
        (
            "  - name: a\n    type: newsapi\n    url: https://api.example.org/doc\n    query: x\n    min_interval: soon",
            6,
            "source 'a': 'min_interval' must be a number of seconds (0 or more)",
        ),
        (
            "  - name: a\n    type: rss\n    url: http://x.example/f\n    query: harbour",
            5,
            "source 'a': 'query' is only for type 'newsapi'",
        ),
        (
            "  - name: a\n    type: rss\n    url: http://x.example/f\n    politeness: slow",
            5,
            "source 'a': unknown politeness class 'slow' (expected one of: default, gentle, local)",
        ),
    ],
)
def test_errors_name_the_line(tmp_path, entry, line, message):
    path = _write(tmp_path, "sources:\n" + entry + "\n")
    with pytest.raises(SourcesError) as err:
        load_sources(path, env={})
    text = str(err.value)
    assert text.startswith(f"sources.yaml line {line}: "), text
    assert message in text


def test_duplicate_names(tmp_path):
    path = _write(
        tmp_path,
        """\
        sources:
          - name: dup
            type: rss
            url: http://a.example/feed
          - name: other
            type: rss
            url: http://b.example/feed
          - name: dup
            type: files
            path: x
        """,
    )
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert str(err.value) == "sources.yaml line 8: duplicate name 'dup' (first defined on line 2)"


def test_lenient_keeps_good_entries(tmp_path):
    path = _write(
        tmp_path,
        """\
        sources:
          - name: good
            type: rss
            url: https://a.example/feed
          - name: bad
            type: rsss
            url: https://b.example/feed
          - name: also_good
            type: files
            path: folder
          - name: nourl
            type: rss
        """,
    )
    sources, errors = load_sources_lenient(path)
    assert [s.name for s in sources] == ["good", "also_good"]
    assert errors == [
        "sources.yaml line 6: unknown type 'rsss' (expected one of: rss, files, sitemap, newsapi)",
        "sources.yaml line 11: source 'nourl': type 'rss' needs a 'url'",
    ]
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert err.value.errors == errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources:\n  - name: a\n    type: [rss\n", "sources.yaml line 4: invalid YAML"),
        ("feeds: []\n", "sources.yaml line 1: no top-level 'sources:' list"),
        ("sources: {name: a}\n", "sources.yaml line 1: 'sources' must be a list"),
        ("- a\n- b\n", "sources.yaml line 1: expected a mapping"),
        ("", "sources.yaml: empty file"),
    ],
)
def test_file_level_errors(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(SourcesError) as err:
        load_sources_lenient(path)
    assert str(err.value).startswith(message), str(err.value)


def test_empty_list_and_missing_file(tmp_path):
    assert load_sources(_write(tmp_path, "sources:\n")) == []
    with pytest.raises(SourcesError, match="file not found"):
        load_sources(tmp_path / "nope.yaml")


def test_bundled_sources_files_load(repo_root):
    for rel in ("include/sources.yaml", "include/demo/sources.yaml"):
        sources = load_sources(repo_root / rel, env={})
        assert {s.name for s in sources} == {
            "harbour_herald",
            "courrier_du_port",
            "hafenbote",
            "coastal_wire_daily",
            "bayside_archive",
        }
        files = [s for s in sources if s.type == "files"]
        assert files[0].path == (repo_root / "include" / "demo" / "archive").resolve()
        assert files[0].path.is_dir()
