"""Fuzzing fetch -> archive -> clean -> enrich with Hypothesis (issue 15).

Each example is one hostile payload served for real: a page on a loopback newsroom (random
declared and actual charsets, dates in the page's metadata, markup fragments, text with any
code point, lone surrogates included) or a line of a `.jsonl` file (random JSON escapes and
nesting). It goes through the stage functions the DAG runs. The properties are the ones a
run relies on: no stage raises, every fetched item comes out as exactly one article with a
status (a rejection has a reason), every batch file is valid UTF-8 JSON, and no temp file is
left behind. Each stage also stays within a time bound, so a pathological regex shows up.

The default suite runs a short, deterministic pass (`derandomize=True`); `make fuzz` runs a
long random one (NEWSFLOW_FUZZ_EXAMPLES, NEWSFLOW_FUZZ_RANDOM=1).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.config import Settings
from newsflow.models import read_articles, read_raw
from newsflow.pipeline import clean_stage, enrich_stage, fetch_stage
from newsflow.sources import Source

from .newsroom import Newsroom, article_text, send

EXAMPLES = int(os.environ.get("NEWSFLOW_FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("NEWSFLOW_FUZZ_RANDOM", "") == "1"
STAGE_SECONDS = float(os.environ.get("NEWSFLOW_FUZZ_STAGE_SECONDS", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

CHARSETS = [
    "utf-8",
    "iso-8859-1",
    "windows-1252",
    "utf-16",
    "utf-16-le",
    "shift_jis",
    "koi8-r",
    "gb2312",
    "utf-7",
    "undefined",
    "punycode",
    "idna",
    "unicode_escape",
    "rot13",
    "base64",
    "x-no-such",
    "",
    "utf-8;;",
]
ACTUAL = ["utf-8", "latin-1", "utf-16", "utf-7", "cp1252", "shift_jis"]
DATE_KEYS = ["article:published_time", "article:modified_time", "og:updated_time", "date", "pubdate"]

dates = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.builds(
        lambda d, h, m: f"{d.isoformat()}{'+' if h >= 0 else '-'}{abs(h):02d}:{m:02d}",
        st.datetimes(),
        st.integers(-23, 23),
        st.sampled_from([0, 30, 45, 59]),
    ),
    st.sampled_from(
        [
            "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00+05:00",
            "0000-00-00",
            "2026-02-30",
            "99999-01-01",
            "-1",
            "NaN",
            "1e400",
            "Fri, 31 Dec 9999 23:59:59 -1200",
            "today",
            "",
        ]
    ),
    st.text(max_size=40),
)
fragments = st.sampled_from(
    [
        "<!--",
        "-->",
        "<!-- c -->" * 40,
        "<meta " * 300,
        "<meta",
        "<![CDATA[",
        "]]>",
        "<script>",
        "</script>",
        "<p>",
        "</p>",
        "<div><div><div>",
        "<br/>" * 50,
        "&amp;",
        "&#0;",
        "&#xD800;",
        "&#1114112;",
        "&nbsp;" * 30,
        "<title>",
        "</title>",
        "<html>",
        "<?xml version='1.0'?>",
        "<!DOCTYPE html>",
        "<a href='javascript:x'>",
        "\x00",
        "\r\n" * 20,
        "\u202e",
        "\ufeff",
        "<" * 200,
        ">" * 200,
        "[" * 300,
        "\\ud800",
    ]
)
any_text = st.text(st.characters(codec=None, categories=None), max_size=300)


@st.composite
def pages(draw: st.DrawFn) -> tuple[bytes, str]:
    """(body bytes, Content-Type) of a hostile page."""
    title, paras = article_text(draw(st.integers(0, 50)), draw(st.integers(0, 50)), words=60)
    head = "".join(
        f'<meta property="{draw(st.sampled_from(DATE_KEYS))}" content="{draw(dates)}">'
        for _ in range(draw(st.integers(0, 3)))
    )
    if draw(st.booleans()):
        head += f'<meta charset="{draw(st.sampled_from(CHARSETS))}">'
    body_parts = [f"<p>{p}</p>" for p in paras]
    for _ in range(draw(st.integers(0, 6))):
        body_parts.insert(draw(st.integers(0, len(body_parts))), draw(st.one_of(fragments, any_text)))
    html = f"<html><head><title>{title}{draw(any_text)}</title>{head}</head><body>{''.join(body_parts)}</body></html>"
    actual = draw(st.sampled_from(ACTUAL))
    body = html.encode(
        actual, errors="surrogatepass" if actual.startswith("utf-") and actual != "utf-7" else "replace"
    )
    declared = draw(st.sampled_from(CHARSETS))
    ctype = draw(st.sampled_from(["text/html", "text/plain", "application/xhtml+xml", ""]))
    return body, f"{ctype}; charset={declared}" if ctype and declared else ctype


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), any_text, dates),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def jsonl_lines(draw: st.DrawFn) -> bytes:
    """One line of a `.jsonl` file: a record with hostile fields, raw escapes, or no record at all."""
    _, paras = article_text(draw(st.integers(0, 50)), draw(st.integers(0, 50)), words=60)
    record = {
        "url": f"https://example.org/{draw(st.integers(0, 10**6))}",
        "text": " ".join(paras),
        "title": draw(any_text),
        "published": draw(dates),
        "extra": draw(json_values),
    }
    line = json.dumps(record, ensure_ascii=draw(st.booleans()))
    kind = draw(st.integers(0, 5))
    if kind == 0:  # a raw escape spliced into a string
        escape = draw(st.sampled_from(["\\ud800", "\\udfff\\ud800", "\\u0000", "\\x", "\\", "\\uZZZZ"]))
        line = line.replace('"title": "', '"title": "' + escape, 1)
    elif kind == 1:  # deep nesting
        depth = draw(st.integers(1, 200_000))
        line = line[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}"
    elif kind == 2:  # truncated
        line = line[: draw(st.integers(0, len(line)))]
    return line.encode("utf-8", errors="surrogatepass")


@pytest.fixture(scope="module")
def room():
    with Newsroom(feeds=1, per_feed=1) as newsroom:
        newsroom.routes["/robots.txt"] = lambda req, hit: send(req, 404, b"", "text/plain")
        yield newsroom


def _settings(tmp: Path) -> Settings:
    return Settings(
        home=tmp,
        allow_private=True,
        fetch_timeout=2.0,
        fetch_retries=0,
        page_budget=5.0,
        max_bytes=2_000_000,
        keywords=False,
        related_coverage=False,
    )


def _timed(what: str, fn, *args):  # noqa: ANN001, ANN202 - a test helper
    started = time.monotonic()
    result = fn(*args)
    took = time.monotonic() - started
    assert took < STAGE_SECONDS, f"{what} took {took:.1f}s on one item"
    return result


def _check(settings_: Settings, source: Source, run_id: str) -> None:
    fetched = _timed("fetch", fetch_stage, source, settings_, run_id)
    cleaned = _timed("clean", clean_stage, fetched, settings_, run_id)
    enriched = _timed(
        "enrich", enrich_stage, {"source": source.name, "path": cleaned["path"]}, settings_, run_id, source
    )
    raws = list(read_raw(Path(fetched["raw"])))
    articles = list(read_articles(Path(enriched["path"])))
    assert len(articles) == len(raws) == fetched["fetched"], "every fetched item is exactly one article"
    for art in articles:
        assert art.status in ("", "rejected"), art.status  # decided later by dedupe and index
        assert art.status != "rejected" or art.reason, "a rejection says why"
        for value in (art.published_at, art.updated_at):
            assert value is None or not value.startswith(("9999-12-31T23:59:59-05", "0001-01-01T00:00:00+05"))
    home = Path(settings_.home)
    for path in home.rglob("*.jsonl"):
        for line in path.read_bytes().decode("utf-8").split("\n"):  # valid UTF-8 ...
            if line:
                json.loads(line)  # ... and valid JSON, a line each (U+0085 or U+2028 are no line ends)
    assert not list(home.rglob("*.tmp")), "no temp file left behind"


@FUZZ
@given(page=pages())
def test_fuzz_pages_through_fetch_archive_clean_enrich(room, tmp_path_factory, page):
    body, ctype = page
    tmp = tmp_path_factory.mktemp("fuzz")
    room.routes["/fuzz.html"] = lambda req, hit: send(req, 200, body, ctype)
    feed = (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>"
        f"<item><title>x</title><link>{room.base_url}/fuzz.html</link></item></channel></rss>"
    ).encode()
    room.routes["/fuzz.xml"] = lambda req, hit: send(req, 200, feed, "application/rss+xml")
    _check(_settings(tmp), Source(name="fuzz", type="rss", url=f"{room.base_url}/fuzz.xml"), "fuzz")


@FUZZ
@given(lines=st.lists(jsonl_lines(), min_size=1, max_size=4))
def test_fuzz_jsonl_records_through_fetch_archive_clean_enrich(tmp_path_factory, lines):
    tmp = tmp_path_factory.mktemp("fuzzjsonl")
    folder = tmp / "in"
    folder.mkdir()
    (folder / "records.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    _check(_settings(tmp / "home"), Source(name="fuzzfiles", type="files", path=folder), "fuzz")


links = st.one_of(
    st.sampled_from(
        [
            "http://[::1/x",
            "https://exa mple.org/a",
            "//example.org/a",
            "javascript:x",
            "a" * 3000,
            "http://127.0.0.1:0/x",
            "https://example.org/%zz",
            "http://user:pw@example.org/a?token=t",
            "",
            "https://example.org/\u202e",
            "ftp://x/y",
            "/f0/a0.html",
            "f0/a1.html",
        ]
    ),
    any_text,
)


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    """An RSS feed whose entries hold hostile links, titles, dates and escapes."""
    entries = []
    for _ in range(draw(st.integers(1, 5))):
        fields = {
            "title": draw(any_text),
            "link": draw(links),
            "pubDate": draw(dates),
            "guid": draw(links),
            "description": draw(st.one_of(any_text, fragments)),
        }
        entries.append("<item>" + "".join(f"<{k}>{_xml(v)}</{k}>" for k, v in fields.items()) + "</item>")
    prolog = draw(st.sampled_from(["", "<!-- c -->" * 50, "\ufeff", "<?xml-stylesheet href='x'?>"]))
    return (
        f"<?xml version='1.0' encoding='utf-8'?>{prolog}<rss version='2.0'><channel><title>F</title>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode("utf-8", "surrogatepass")


def _xml(value: str) -> str:
    """Escaped for XML text, control characters and lone surrogates left in on purpose now and then."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@FUZZ
@given(feed=feeds())
def test_fuzz_feeds_fail_readably_or_fetch_every_entry(room, tmp_path_factory, feed):
    from newsflow.fetch import FetchError

    tmp = tmp_path_factory.mktemp("fuzzfeed")
    room.routes["/fuzz-feed.xml"] = lambda req, hit: send(req, 200, feed, "application/rss+xml")
    source = Source(name="fuzzfeed", type="rss", url=f"{room.base_url}/fuzz-feed.xml")
    try:
        _check(_settings(tmp), source, "fuzz")
    except FetchError as exc:  # a feed that cannot be read fails its source, readably
        assert str(exc).startswith("source 'fuzzfeed': feed"), exc
