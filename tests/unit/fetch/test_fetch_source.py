from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.demo_site import DEMO_SITE, serve_site
from newsflow.fetch import FeedFetchError, FetchError, fetch_source
from newsflow.sources import Source

from .conftest import Reply


@pytest.fixture(scope="module")
def demo_base_url():
    with serve_site(DEMO_SITE) as base_url:
        yield base_url


def _rss(name, url, **kw):
    return Source(name=name, type="rss", url=url, publisher="Pub", country="GB", language="en", **kw)


def test_rss_source_fetches_pages(demo_base_url, settings):
    src = _rss("harbour_herald", f"{demo_base_url}/harbour-herald/feed.xml")
    items = list(fetch_source(src, settings))
    assert len(items) == 4
    assert all(i.error == "" and i.status_code == 200 for i in items)
    assert all(i.kind == "html" and i.source == "harbour_herald" for i in items)
    assert all(i.url.startswith(demo_base_url + "/harbour-herald/") for i in items)
    assert all(i.feed_url == src.url for i in items)
    # the source's declarations, and the feed's own <language> (a prior for language detection)
    meta = {"publisher": "Pub", "country": "GB", "language": "en", "feed_language": "en-gb"}
    assert all(i.source_meta == meta for i in items)
    assert all(i.feed_title and i.feed_published and i.fetched_at for i in items)
    assert all("{{BASE_URL}}" not in i.body for i in items)


def test_duplicate_links_in_feed_fetched_once(demo_base_url, settings):
    src = _rss("coastal_wire_daily", f"{demo_base_url}/coastal-wire-daily/feed.xml")
    urls = [i.url for i in fetch_source(src, settings)]
    assert len(urls) == len(set(urls)) == 4


def test_max_items(demo_base_url, settings):
    src = _rss("courrier_du_port", f"{demo_base_url}/courrier-du-port/feed.xml", max_items=2)
    assert len(list(fetch_source(src, settings))) == 2
    capped = dataclasses.replace(settings, max_items_per_source=1)
    assert len(list(fetch_source(dataclasses.replace(src, max_items=None), capped))) == 1


def test_failed_feed_raises(server, settings):
    src = _rss("gone", server.url("/feed.xml"))
    with pytest.raises(FeedFetchError, match="HTTP 404"):
        list(fetch_source(src, settings))


def test_html_instead_of_feed_raises(server, settings):
    url = server.route(
        "/feed.xml",
        Reply(200, b"<!DOCTYPE html><html><body>Home</body></html>", {"Content-Type": "text/html"}),
    )
    with pytest.raises(FeedFetchError, match="HTML page"):
        list(fetch_source(_rss("htmlfeed", url), settings))


def test_failed_page_is_an_error_item(server, settings):
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>ok</title><link>{server.url("/ok.html")}</link></item>
<item><title>gone</title><link>/missing.html</link></item>
<item><title>pdf</title><link>/doc.pdf</link></item>
</channel></rss>""".encode()
    server.route("/feed.xml", Reply(200, feed, {"Content-Type": "application/rss+xml"}))
    server.route("/ok.html", Reply(200, b"<p>fine</p>", {"Content-Type": "text/html; charset=utf-8"}))
    server.route("/doc.pdf", Reply(200, b"%PDF-1.4", {"Content-Type": "application/pdf"}))
    items = list(fetch_source(_rss("mixed", server.url("/feed.xml")), settings))
    assert [(i.url.rsplit("/", 1)[-1], i.error) for i in items] == [
        ("ok.html", ""),
        ("missing.html", "HTTP 404"),
        ("doc.pdf", "not_text: application/pdf"),
    ]
    assert items[1].feed_title == "gone"


def test_private_feed_refused_by_default(demo_base_url, tmp_path):
    from newsflow.config import Settings

    src = _rss("harbour_herald", f"{demo_base_url}/harbour-herald/feed.xml")
    with pytest.raises(FeedFetchError, match="refused"):
        list(fetch_source(src, Settings(home=tmp_path, allow_private=False)))


def _files_source(folder: Path) -> Source:
    return Source(
        name="archive", type="files", path=folder, publisher="Bulletin", country="GB", language="en"
    )


def test_files_source_window(tmp_path, settings):
    recs = [
        {"text": "inside", "published": "2026-11-20T10:00:00+00:00"},
        {"text": "before", "published": "2026-11-19T10:00:00+00:00"},
        {"text": "no date"},
        {"text": "after", "published": "2026-11-21T00:00:00Z", "source": "other"},
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
    (tmp_path / "b.html").write_text(
        '<html><head><meta property="article:published_time" content="2026-11-18T09:00:00+01:00"></head></html>',
        encoding="utf-8",
    )
    (tmp_path / "c.html").write_text("<html><body>undated page</body></html>", encoding="utf-8")
    start = datetime(2026, 11, 20, tzinfo=UTC)
    end = datetime(2026, 11, 21, tzinfo=UTC)
    items = list(fetch_source(_files_source(tmp_path), settings, start, end))
    assert [i.body[:20] for i in items] == ["inside", "no date", "<html><body>undated "]
    assert all(i.source == "archive" and i.source_meta["publisher"] == "Bulletin" for i in items)
    everything = list(fetch_source(_files_source(tmp_path), settings))
    assert len(everything) == 6
    assert everything[3].source == "archive" and everything[3].source_meta["origin"] == "other"


def test_files_source_missing_folder(tmp_path, settings):
    with pytest.raises(FetchError, match="not found"):
        list(fetch_source(_files_source(tmp_path / "nope"), settings))
