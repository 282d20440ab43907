"""The `newsapi` source type (GDELT DOC 2.0 dialect) against a real loopback server that
implements the API subset we use over a fixed set of dated articles, and serves their pages."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from newsflow import clock
from newsflow.fetch import FetchError, fetch_source
from newsflow.fetch.newsapi import (
    MIN_SPAN,
    ApiArticle,
    NewsApiError,
    country_code,
    language_code,
    list_window,
    parse_articles,
    request_url,
)
from newsflow.models import read_raw
from newsflow.pipeline import fetch_stage
from newsflow.sources import Source

API = "/api/v2/doc/doc"
QUERY = '"harbour" sourcelang:english'
STAMP = "%Y%m%d%H%M%S"


@dataclass(frozen=True)
class Art:
    slug: str
    seen: str  # GDELT seendate, 20261118T063000Z
    language: str = "English"
    country: str = "United Kingdom"


# Three days of fictional articles; the server's bounds are inclusive (GDELT's are taken so),
# so the fetcher asks up to the window's last second and 00:00:00 articles land in their own day.
ARTICLES = [
    Art("d17-morning", "20261117T080000Z"),
    Art("d17-noon", "20261117T121500Z", "French", "France"),
    Art("d17-last-second", "20261117T235959Z"),
    Art("d18-midnight", "20261118T000000Z"),
    Art("d18-early-a", "20261118T063000Z", "German", "Germany"),
    Art("d18-early-b", "20261118T063000Z"),
    Art("d18-early-a", "20261118T064500Z", "German", "Germany"),  # listed twice: fetched once
    Art("d18-evening", "20261118T184500Z"),
    Art("d19-night", "20261119T010000Z"),
    Art("d19-morning", "20261119T090000Z", "Spanish", "Bahamas, The"),
    Art("d19-gone", "20261119T150000Z"),  # its page answers 404
    Art("d19-late", "20261119T220000Z"),
]
DAYS = {
    17: ["d17-morning", "d17-noon", "d17-last-second"],
    18: ["d18-midnight", "d18-early-a", "d18-early-b", "d18-evening"],
    19: ["d19-night", "d19-morning", "d19-gone", "d19-late"],
}

Override = Callable[[dict[str, str], int], tuple[int, bytes, dict[str, str]] | None]


@dataclass
class NewsApiServer:
    """ArtList over `articles`: [startdatetime, enddatetime] (inclusive), DateAsc, maxrecords."""

    articles: list[Art]
    requests: list[tuple[float, dict[str, str]]] = field(default_factory=list)
    page_hits: dict[str, int] = field(default_factory=dict)
    override: Override | None = None  # (params, API hit number) -> a reply instead of the answer
    base_url: str = ""

    def url(self, path: str) -> str:
        return self.base_url + path

    def answer(self, params: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        fixed = {"mode": "ArtList", "format": "json", "sort": "DateAsc", "query": QUERY}
        if any(params.get(k) != v for k, v in fixed.items()):
            return 400, f"bad request: {params}".encode(), {"Content-Type": "text/plain"}
        start = datetime.strptime(params["startdatetime"], STAMP).replace(tzinfo=UTC)
        end = datetime.strptime(params["enddatetime"], STAMP).replace(tzinfo=UTC)
        seen = lambda a: datetime.strptime(a.seen, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)  # noqa: E731
        found = sorted((a for a in self.articles if start <= seen(a) <= end), key=seen)
        found = found[: int(params["maxrecords"])]
        if not found:
            return 200, b"{}", {"Content-Type": "application/json; charset=utf-8"}
        body = {
            "articles": [
                {
                    "url": self.url(f"/news/{a.slug}"),
                    "url_mobile": "",
                    "title": f"Title of {a.slug}",
                    "seendate": a.seen,
                    "socialimage": "",
                    "domain": "harbour.example",
                    "language": a.language,
                    "sourcecountry": a.country,
                }
                for a in found
            ]
        }
        return 200, json.dumps(body).encode(), {"Content-Type": "application/json; charset=utf-8"}

    def windows(self) -> list[tuple[str, str]]:
        return [(p["startdatetime"], p["enddatetime"]) for _, p in self.requests]


@pytest.fixture(autouse=True)
def run_stands_after_the_test_days() -> Iterator[None]:
    """The runs here stand in late November 2026, whatever the machine's clock says."""
    with clock.run_time(datetime(2026, 11, 25, tzinfo=UTC)):
        yield


@pytest.fixture
def api() -> Iterator[NewsApiServer]:
    state = NewsApiServer(list(ARTICLES))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()  # headers and body are two writes: no Nagle wait between them
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            parts = urlsplit(self.path)
            if parts.path == API:
                params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                with lock:
                    state.requests.append((time.monotonic(), params))
                    hit = len(state.requests)
                reply = (state.override(params, hit) if state.override else None) or state.answer(params)
            elif parts.path.startswith("/news/") and parts.path != "/news/d19-gone":
                slug = parts.path.rsplit("/", 1)[1]
                with lock:
                    state.page_hits[slug] = state.page_hits.get(slug, 0) + 1
                page = (
                    f"<html><head><title>{slug}</title></head><body><article><p>Fictional words "
                    f"about {slug}.</p></article></body></html>"
                ).encode()
                reply = (200, page, {"Content-Type": "text/html; charset=utf-8"})
            else:
                reply = (404, b"not here", {"Content-Type": "text/plain"})
            status, body, headers = reply
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _source(api: NewsApiServer, **fields: object) -> Source:
    values: dict = {"min_interval": 0.0, **fields}
    return Source(
        name="gdelt_harbours", type="newsapi", url=api.url(API), query=QUERY, dialect="gdelt", **values
    )


def _day(d: int, hour: int = 0) -> datetime:
    return datetime(2026, 11, d, hour, tzinfo=UTC)


def _slugs(items) -> list[str]:
    return [i.url.rsplit("/", 1)[1] for i in items]


def test_a_three_day_backfill_gets_each_article_once_in_its_own_day(api, settings):
    src = _source(api)
    seen: list[str] = []
    for day, expected in DAYS.items():
        report: dict = {}
        items = list(fetch_source(src, settings, _day(day), _day(day + 1), report=report, live=False))
        assert _slugs(items) == expected, day  # in seendate order, each URL once
        assert report["status"] == "ok"
        assert report["notes"] == [
            f"source gdelt_harbours: news API listed {len(expected)} articles seen "
            f"2026-11-{day} 00:00 to 2026-11-{day + 1} 00:00 UTC (1 requests)"
        ]
        seen += _slugs(items)
    assert sorted(seen) == sorted({a.slug for a in ARTICLES})
    assert api.windows() == [(f"202611{d}000000", f"202611{d}235959") for d in DAYS]
    assert all(n == 1 for n in api.page_hits.values())
    assert all(p["maxrecords"] == "250" for _, p in api.requests)


def test_items_carry_the_api_metadata_and_failed_pages_become_errors(api, settings):
    items = {i.url.rsplit("/", 1)[1]: i for i in fetch_source(_source(api), settings, _day(18), _day(19))}
    early = items["d18-early-a"]
    assert early.feed_title == "Title of d18-early-a"
    assert early.feed_published == "2026-11-18T06:30:00+00:00"  # the first time it was seen
    assert early.source_meta["api_language"] == "de" and early.source_meta["api_country"] == "DE"
    assert early.source_meta["api_domain"] == "harbour.example"
    assert early.feed_url == api.url(API) and early.kind == "html" and not early.error
    assert "Fictional words about d18-early-a" in early.body

    report: dict = {}
    day19 = list(fetch_source(_source(api), settings, _day(19), _day(20), report=report))
    gone = next(i for i in day19 if i.url.endswith("/d19-gone"))
    assert gone.error == "HTTP 404" and gone.status_code == 404
    morning = next(i for i in day19 if i.url.endswith("/d19-morning"))
    assert morning.source_meta["api_language"] == "es" and morning.source_meta["api_country"] == "BS"
    assert report["last_item"][1].endswith("/d19-late")


def test_a_full_answer_is_split_in_halves_until_nothing_is_cut(api, settings):
    report: dict = {}
    items = list(fetch_source(_source(api, max_records=3), settings, _day(18), _day(19), report=report))
    assert _slugs(items) == DAYS[18]
    assert all(p["maxrecords"] == "3" for _, p in api.requests)
    windows = api.windows()
    # The whole day (full), then its morning half first (full again), then the afternoon half.
    assert windows[:3] == [
        ("20261118000000", "20261118235959"),
        ("20261118000000", "20261118115959"),
        ("20261118000000", "20261118055959"),
    ]
    assert ("20261118120000", "20261118235959") in windows
    assert len(report["notes"]) == 1 and f"({len(windows)} requests)" in report["notes"][0]


def test_a_window_still_full_at_the_smallest_split_is_noted(api, settings):
    api.articles = [Art(f"crowd-{n}", "20261120T100000Z") for n in range(5)]
    report: dict = {}
    items = list(fetch_source(_source(api, max_records=3), settings, _day(20), _day(21), report=report))
    assert len(items) == 3  # what the API would give; the rest is lost, and the ledger says so
    # 24 h, 12 h, ... 45 min, 22.5 min: the 22.5-minute window holding 10:00 is not split again.
    assert report["notes"][1] == (
        "source gdelt_harbours: news API window 2026-11-20 09:45:00 to 10:07:30 still returned 3 articles "
        "at the smallest split; articles of that window may be cut"
    )
    assert MIN_SPAN <= timedelta(minutes=22, seconds=30) < 2 * MIN_SPAN
    assert len(api.requests) == 13  # 24 h, 12 h, ... 22.5 min: two halves per full level


@pytest.mark.parametrize("body", [b"{}", b"", b'{"articles": []}'])
def test_an_empty_answer_means_no_articles(api, settings, body):
    api.override = lambda params, hit: (200, body, {"Content-Type": "application/json"})
    report: dict = {}
    assert list(fetch_source(_source(api), settings, _day(18), _day(19), report=report)) == []
    assert "listed 0 articles" in report["notes"][0]
    assert len(api.requests) == 1 and not api.page_hits


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"articles": [{"url": "http://x/', "answer is not JSON"),
        (b"Please limit requests to one every 5 seconds.", "'Please limit requests to one every 5 seconds.'"),
        (b"[1, 2]", "JSON but not an object"),
        (b'{"articles": {"url": "x"}}', "'articles' is dict, not a list"),
    ],
)
def test_an_unreadable_answer_fails_the_source_clearly(api, settings, body, message):
    api.override = lambda params, hit: (200, body, {"Content-Type": "text/html"})
    with pytest.raises(NewsApiError) as err:
        list(fetch_source(_source(api), settings, _day(18), _day(19)))
    text = str(err.value)
    assert text.startswith("source 'gdelt_harbours': news API http://127.0.0.1:")
    assert "request for 2026-11-18 00:00:00 to 2026-11-19 00:00:00" in text and message in text
    assert isinstance(err.value, FetchError) and not api.page_hits


def test_a_failing_sub_window_fails_the_whole_source_before_any_page(api, settings):
    settings = replace(settings, fetch_retries=0)
    api.override = lambda params, hit: (500, b"oops", {"Content-Type": "text/plain"}) if hit == 3 else None
    with pytest.raises(
        NewsApiError, match=r"request for 2026-11-18 00:00:00 to 2026-11-18 06:00:00 failed: HTTP 500"
    ):
        list(fetch_source(_source(api, max_records=3), settings, _day(18), _day(19)))
    assert not api.page_hits


def test_429_retry_after_is_honoured(api, settings):
    busy = (429, b"Please limit requests", {"Retry-After": "1", "Content-Type": "text/plain"})
    api.override = lambda params, hit: busy if hit == 1 else None
    started = time.monotonic()
    items = list(fetch_source(_source(api), settings, _day(17), _day(18)))
    assert _slugs(items) == DAYS[17]
    assert len(api.requests) == 2  # the refused request and its retry
    assert api.requests[1][0] - api.requests[0][0] >= 0.95
    assert time.monotonic() - started >= 0.95


def test_429_that_persists_fails_with_the_servers_wait(api, settings):
    settings = replace(settings, fetch_retries=0)
    api.override = lambda params, hit: (
        429,
        b"slow down",
        {"Retry-After": "120", "Content-Type": "text/plain"},
    )
    with pytest.raises(NewsApiError) as err:
        list(fetch_source(_source(api), settings, _day(17), _day(18)))
    assert "failed: HTTP 429 (rate limited; Retry-After: 120" in str(err.value)
    assert "min_interval" in str(err.value)


def test_requests_are_spaced_by_min_interval_within_and_across_runs(api, settings):
    src = _source(api, max_records=3, min_interval=0.4)
    list(fetch_source(src, settings, _day(17), _day(18)))  # 3 articles: split once (3 requests)
    list(fetch_source(src, settings, _day(19), _day(20)))  # a new run: the spacing is kept on disk
    times = [t for t, _ in api.requests]
    assert len(times) >= 6
    # Spacing is kept where requests are sent; the server sees arrival times, which a loaded
    # machine (and the robots.txt check before a session's first request) can shift by tens
    # of ms. Without the spacing these requests arrive a few ms apart.
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.25
    assert (Path(settings.state) / "newsapi.json").exists()


def test_a_run_without_a_window_asks_for_the_24_hours_before_the_runs_time(api, settings):
    list(fetch_source(_source(api), settings))
    start, last = (datetime.strptime(s, STAMP).replace(tzinfo=UTC) for s in api.windows()[0])
    end = last + timedelta(seconds=1)
    assert end == clock.now() and end - start == timedelta(hours=24)


def test_fetch_stage_archives_the_days_items_with_status_and_notes(api, settings):
    result = fetch_stage(_source(api), settings, "backfill__2026-11-18", _day(18), _day(19), live=False)
    assert result["status"] == "ok" and result["fetched"] == 4 and result["error"] == ""
    assert result["notes"] == [
        "source gdelt_harbours: news API listed 4 articles seen 2026-11-18 00:00 to 2026-11-19 00:00 UTC (1 requests)"
    ]
    path = Path(result["raw"])
    assert path.parent.name == "date=2026-11-18" and path.parent.parent.name == "source=gdelt_harbours"
    archived = list(read_raw(path))
    assert _slugs(archived) == DAYS[18]
    assert all(i.source == "gdelt_harbours" and i.feed_published.startswith("2026-11-18") for i in archived)


def test_request_url_keeps_the_endpoints_own_parameters():
    url = request_url(
        "https://api.example.org/doc?key=abc&mode=TimelineVol", 'a "b c"', _day(18), _day(18, 6), 250
    )
    assert url == (
        "https://api.example.org/doc?key=abc&query=a%20%22b%20c%22&mode=ArtList&format=json&maxrecords=250"
        "&sort=DateAsc&startdatetime=20261118000000&enddatetime=20261118060000"
    )


def test_parsing_names_and_dates():
    assert (
        language_code("English") == "en" and language_code("Greek") == "el" and language_code("Klingon") == ""
    )
    assert country_code("United Kingdom") == "GB" and country_code("Russia") == "RU"
    assert country_code("Gambia, The") == "GM" and country_code("Atlantis") == ""
    articles, undated = parse_articles(
        '{"articles": [{"url": "http://a/1", "seendate": "20261118T063000Z", "title": "Tab\there"},'
        ' {"url": "http://a/2", "seendate": "yesterday"}, {"title": "no url"}]}'
    )
    assert [a.url for a in articles] == ["http://a/1"] and undated == 1
    assert articles[0].seen == _day(18).replace(hour=6, minute=30) and articles[0].title == "Tab\there"


def test_list_window_keeps_only_the_window_whatever_the_api_returns():
    """An API whose bounds are looser than asked: entries outside [start, end) are dropped."""

    def ask(start: datetime, end: datetime) -> tuple[list[ApiArticle], int]:
        stamps = [_day(17, 23), _day(18), _day(18, 12), _day(19), _day(19, 1)]
        return [ApiArticle(url=f"http://a/{t:%d%H}", seen=t) for t in stamps], 0

    listing = list_window(ask, _day(18), _day(19), max_records=250)
    assert [a.url for a in listing.articles] == ["http://a/1800", "http://a/1812"]
    assert listing.requests == 1 and not listing.full


def test_an_error_told_in_json_with_http_200_fails_the_source(api, settings):
    """Issue 15: `{"status": "error", ...}` is a refusal, not an empty window marked done."""
    body = b'{"status": "error", "code": "apiKeyInvalid", "message": "Your API key is invalid."}'
    api.override = lambda params, hit: (200, body, {"Content-Type": "application/json"})
    with pytest.raises(NewsApiError, match="answer is an error: .*apiKeyInvalid"):
        list(fetch_source(_source(api), settings, _day(18), _day(19)))


def test_a_lone_surrogate_title_costs_nothing_but_its_character(api, settings):
    """Issue 15: a title with a lone-surrogate escape used to fail the archive write of the whole source."""
    real = api.answer

    def answer(params):
        status, body, headers = real(params)
        return status, body.replace(b'"Title of d18-early-b"', b'"Title \\ud800 of d18-early-b"'), headers

    api.override = lambda params, hit: answer(params)
    result = fetch_stage(_source(api), settings, "surrogate", _day(18), _day(19), live=False)
    archived = {i.url.rsplit("/", 1)[1]: i for i in read_raw(Path(result["raw"]))}
    assert result["fetched"] == 4 and archived["d18-early-b"].error == ""
    assert archived["d18-early-b"].feed_title == "Title \ufffd of d18-early-b"
