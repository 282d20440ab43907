"""Sources with history (news sitemaps, replay from the raw archive) and polite feed polling
(conditional GET, backoff, Retry-After), against a real loopback server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsflow import clock
from newsflow.archive import archive_batch
from newsflow.fetch import FeedFetchError, fetch_source
from newsflow.fetch.conditional import BACKOFF_AFTER, load_poll_state
from newsflow.fetch.sitemap import SitemapError, parse_sitemap
from newsflow.models import RawItem
from newsflow.sources import Source

from .conftest import Reply

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
PAGE = (
    b"<html><head><title>t</title></head><body><article><p>Some fictional words.</p></article></body></html>"
)
HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/xml"}


def _urlset(server, entries: list[tuple[str, str, str]]) -> bytes:
    """entries: (path, news date or '', lastmod or '')."""
    parts = []
    for path, news, lastmod in entries:
        server.route(path, Reply(200, PAGE, HTML))
        body = f"<loc>{server.url(path)}</loc>"
        if lastmod:
            body += f"<lastmod>{lastmod}</lastmod>"
        if news:
            body += f"<news:news><news:publication_date>{news}</news:publication_date><news:title>T {path}</news:title></news:news>"
        parts.append(f"<url>{body}</url>")
    return f'<?xml version="1.0"?><urlset {NS}>{"".join(parts)}</urlset>'.encode()


def _day(d: int) -> datetime:
    return datetime(2026, 11, d, tzinfo=UTC)


def test_sitemap_keeps_only_the_window_and_prefers_the_news_date(server, settings):
    sitemap = _urlset(
        server,
        [
            ("/a17", "2026-11-17T10:00:00Z", ""),
            ("/a18", "2026-11-18T09:00:00+01:00", "2026-11-20"),  # news date wins over lastmod
            ("/b18", "", "2026-11-18"),  # lastmod only
            ("/a19", "2026-11-19T00:00:00Z", ""),  # the window's end is exclusive
            ("/undated", "", ""),
        ],
    )
    src = Source(name="gazette", type="sitemap", url=server.route("/sitemap.xml", Reply(200, sitemap, XML)))
    report: dict = {}
    items = list(fetch_source(src, settings, _day(18), _day(19), report=report))
    assert sorted(i.url.rsplit("/", 1)[1] for i in items) == ["a18", "b18"]
    assert all(not i.error and i.feed_published.startswith("2026-11-18") for i in items)
    assert report["last_item"][1].endswith("/a18")
    assert server.hits["/a17"] == 0 and server.hits["/undated"] == 0


def test_sitemap_index_skips_children_older_than_the_window(server, settings):
    old = server.route("/old.xml", Reply(200, _urlset(server, [("/x", "2026-11-01T00:00:00Z", "")]), XML))
    new = server.route("/new.xml", Reply(200, _urlset(server, [("/y", "2026-11-18T06:00:00Z", "")]), XML))
    index = (
        f"<sitemapindex {NS}><sitemap><loc>{old}</loc><lastmod>2026-11-02</lastmod></sitemap>"
        f"<sitemap><loc>{new}</loc><lastmod>2026-11-18T07:00:00Z</lastmod></sitemap></sitemapindex>"
    ).encode()
    src = Source(name="gazette", type="sitemap", url=server.route("/index.xml", Reply(200, index, XML)))
    items = list(fetch_source(src, settings, _day(18), _day(19)))
    assert [i.url for i in items] == [server.url("/y")]
    assert server.hits["/old.xml"] == 0


def test_sitemap_errors_are_clear():
    with pytest.raises(SitemapError, match="root element <rss>"):
        parse_sitemap(b"<rss><channel/></rss>")
    with pytest.raises(SitemapError, match="refused|malformed"):
        parse_sitemap(b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e "x">]><urlset>&e;</urlset>')


FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>
<item><title>One</title><link>LINK</link><pubDate>Fri, 20 Nov 2026 09:00:00 +0000</pubDate></item>
</channel></rss>"""


def _feed_server(server, etag: bool = True):
    page = server.route("/p1", Reply(200, PAGE, HTML))
    body = FEED.replace(b"LINK", page.encode())

    def feed(hit: int) -> Reply:
        sent = server.request_headers["/feed.xml"]
        headers = {"Content-Type": "application/rss+xml"}
        if etag:
            headers["ETag"] = '"v1"'
            if sent.get("If-None-Match") == '"v1"':
                return Reply(304, b"", headers)
        else:
            headers["Last-Modified"] = "Fri, 20 Nov 2026 09:00:00 GMT"
            if sent.get("If-Modified-Since") == headers["Last-Modified"]:
                return Reply(304, b"", headers)
        return Reply(200, body, headers)

    return server.route("/feed.xml", feed)


@pytest.mark.parametrize("etag", [True, False])
def test_conditional_get_sends_the_kept_validator_and_reads_nothing_on_304(server, settings, etag):
    src = Source(name="herald", type="rss", url=_feed_server(server, etag))
    assert len(list(fetch_source(src, settings))) == 1
    report: dict = {}
    assert list(fetch_source(src, settings, report=report)) == []
    sent = server.request_headers["/feed.xml"]
    if etag:
        assert sent["If-None-Match"] == '"v1"' and "If-Modified-Since" not in sent
    else:
        assert sent["If-Modified-Since"] == "Fri, 20 Nov 2026 09:00:00 GMT"
    assert report["status"] == "not_modified" and server.hits["/p1"] == 1
    assert load_poll_state(settings, src.url).unchanged_streak == 1


def test_a_feed_that_rarely_changes_is_polled_less_often(server, settings):
    src = Source(name="herald", type="rss", url=_feed_server(server))
    for _ in range(1 + BACKOFF_AFTER):  # one change, then BACKOFF_AFTER unchanged polls
        list(fetch_source(src, settings))
    polls = server.hits["/feed.xml"]
    report: dict = {}
    assert list(fetch_source(src, settings, report=report)) == []
    assert server.hits["/feed.xml"] == polls, "the backed-off feed must not be requested"
    assert report["status"] == "not_polled" and "next poll after" in report["notes"][0]


def test_retry_after_sets_the_next_poll(server, settings):
    settings = settings.__class__(**{**settings.__dict__, "fetch_retries": 0})
    url = server.route(
        "/feed.xml", Reply(503, b"busy", {"Retry-After": "3600", "Content-Type": "text/plain"})
    )
    src = Source(name="herald", type="rss", url=url)
    with pytest.raises(Exception, match="503"):
        list(fetch_source(src, settings))
    after = datetime.fromisoformat(load_poll_state(settings, url).next_poll_after)
    assert timedelta(minutes=59) < after - datetime.now(UTC) <= timedelta(hours=1)


def test_backfill_of_a_feed_replays_the_archive_and_says_so(settings):
    def item(url: str, published: str, fetched: str) -> RawItem:
        return RawItem(
            source="herald",
            url=url,
            kind="html",
            body="<p>x</p>",
            fetched_at=fetched,
            feed_published=published,
        )

    archive_batch(
        settings,
        "herald",
        "live1",
        [
            item("http://h/a", "2026-11-18T10:00:00+00:00", "1"),
            item("http://h/b", "2026-11-19T10:00:00+00:00", "1"),
        ],
        _day(19).date(),
    )
    archive_batch(
        settings, "herald", "live2", [item("http://h/a", "2026-11-18T10:00:00+00:00", "2")], _day(20).date()
    )
    src = Source(name="herald", type="rss", url="http://127.0.0.1:9/never-requested.xml")
    report: dict = {}
    items = list(fetch_source(src, settings, _day(18), _day(19), report=report, live=False))
    assert [(i.url, i.fetched_at) for i in items] == [
        (
            "http://h/a",
            "2",
        )
    ]
    assert report["status"] == "outside_live_window"
    assert "1 items were replayed from the raw archive" in report["notes"][0]
    # An old window is not live even without saying so: old against the run's clock.
    with clock.run_time(_day(25)):
        assert list(fetch_source(src, settings, _day(1), _day(2), report={})) == []


def test_a_window_is_live_against_the_runs_clock_not_the_machines(settings):
    """The same window is polled when the run stands just after it, replayed when it stands weeks later."""
    src = Source(name="herald", type="rss", url="http://127.0.0.1:9/feed.xml")
    with (
        clock.run_time(_day(19) + timedelta(hours=1)),
        pytest.raises(FeedFetchError, match="could not be fetched"),
    ):
        list(fetch_source(src, settings, _day(18), _day(19), report={}))  # polled: the feed is down
    report: dict = {}
    with clock.run_time(_day(19) + timedelta(days=30)):
        assert list(fetch_source(src, settings, _day(18), _day(19), report=report)) == []
    assert report["status"] == "outside_live_window"


def test_retries_of_one_run_are_one_poll_and_always_poll(server, settings):
    """A failed try retried by Airflow polls again; the retries neither back off nor count as polls."""
    src = Source(name="herald", type="rss", url=_feed_server(server))
    first = datetime(2026, 11, 21, 1, tzinfo=UTC)
    runs = [first + timedelta(minutes=30 * n) for n in range(1 + BACKOFF_AFTER)]
    for run in runs:  # one change, then BACKOFF_AFTER unchanged polls, each its own run
        with clock.run_time(run):
            list(fetch_source(src, settings))
    streak, polls = load_poll_state(settings, src.url).unchanged_streak, server.hits["/feed.xml"]
    assert streak == BACKOFF_AFTER and load_poll_state(settings, src.url).next_poll_after
    for _ in range(3):  # the last run's task is retried three times
        report: dict = {}
        with clock.run_time(runs[-1]):
            list(fetch_source(src, settings, report=report))
        assert report["status"] != "not_polled", report
    assert server.hits["/feed.xml"] == polls + 3
    assert load_poll_state(settings, src.url).unchanged_streak == streak
    report = {}
    with clock.run_time(runs[-1] + timedelta(minutes=5)):  # a run within the backoff waits
        list(fetch_source(src, settings, report=report))
    assert report["status"] == "not_polled"
