"""The bad-input catalogue, through the pipeline stages into the embedded search server.

One feed (`mixed`) lists good articles next to every kind of bad page; other sources are
bad feeds. Each bad input must end with a clear outcome (a rejection reason in the final
batch and the ledger, or a failed source with a readable error) while the good articles
of the same run are indexed and the ledger adds up. Inputs already covered one by one in
tests/unit are listed in docs/failure-behaviour.md; here they run together.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from newsflow.index import make_client
from newsflow.models import read_articles
from newsflow.sources import Source

from .newsroom import Newsroom, article_html, article_text, reset_mid_body, send
from .runner import archive_vs_index, assert_balanced, index_docs, run_stages

pytestmark = pytest.mark.integration

WORDS = (
    "The café on Quay Street reopened on Monday after the storm damaged its naïve mural of Zürich "
    "harbour. Owners said the repairs took eleven days and cost more than expected, but regulars "
    "returned at once. The council thanked volunteers who cleared the seafront and promised new "
    "shutters for every kiosk before the spring tides reach the promenade again next month."
)


def _article(title: str, text: str, extra_head: str = "", seed: int = 0) -> str:
    """A page around `text`, with generated paragraphs of its own (the extractor drops text it saw before)."""
    more = "".join(f"<p>{p}</p>" for p in article_text(7, seed)[1])
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{extra_head}</head><body><article>"
        f"<h1>{title}</h1><p>{text}</p>{more}</article></body></html>"
    )


def _route(
    status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", headers: dict | None = None
):
    def handler(req: BaseHTTPRequestHandler, hit: int) -> None:
        send(req, status, body, ctype, headers)

    return handler


def _slow(req: BaseHTTPRequestHandler, hit: int) -> None:
    time.sleep(2.5)
    send(req, 200, article_html(0, 9))


def _busy_then_ok(req: BaseHTTPRequestHandler, hit: int) -> None:
    if hit == 1:
        send(req, 429, b"slow down", "text/plain", {"Retry-After": "1"})
    else:
        send(req, 200, article_html(0, 8))


def _huge(req: BaseHTTPRequestHandler, hit: int) -> None:
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Connection", "close")
    req.end_headers()
    req.close_connection = True
    for _ in range(400):  # 400 x 8 KB, no Content-Length: the reader must stop at the cap
        req.wfile.write(b"<p>" + b"x" * 8189)


ITEM = "<item><title>{title}</title>{link}{date}</item>"


def _feed(base: str, items: list[tuple[str, str | None, bool]]) -> bytes:
    parts = []
    for title, link, dated in items:
        parts.append(
            ITEM.format(
                title=title,
                link=f"<link>{link if '://' in link or link.startswith(('ftp', 'javascript')) else link}</link>"
                if link is not None
                else "",
                date="<pubDate>Fri, 20 Nov 2026 10:00:00 +0000</pubDate>" if dated else "",
            )
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Mixed</title>"
        f"<link>{base}/</link>" + "".join(parts) + "</channel></rss>"
    ).encode()


# (path, what the final batch must say: a reason prefix, or "indexed")
PAGES: list[tuple[str, str]] = [
    ("/f0/a0.html", "indexed"),
    ("/f0/a1.html", "indexed"),
    ("/f0/a2.html", "indexed"),  # listed with a relative link
    ("/f0/a3.html", "indexed"),  # listed without a date
    ("/latin1.html", "indexed"),  # Latin-1 bytes, no charset anywhere
    ("/wrong-charset.html", "indexed"),  # says ISO-8859-1, is UTF-8
    ("/mojibake.html", "indexed"),  # UTF-8 text that was mis-decoded once upstream
    ("/script.html", "indexed"),  # scripts, styles, handlers, tags in the title
    ("/busy.html", "indexed"),  # 429 with Retry-After, then the page
    ("/doc.pdf", "fetch_error: not_text: application/pdf"),
    ("/blob", "fetch_error: not_text: image/png"),
    ("/huge.html", "fetch_error: too_large: > 200000 bytes"),
    ("/gone404.html", "fetch_error: HTTP 404"),
    ("/gone410.html", "fetch_error: HTTP 410"),
    ("/broken.html", "fetch_error: HTTP 503"),  # after 2 retries
    ("/slow.html", "fetch_error: timeout after 1s"),
    ("/reset.html", "fetch_error: connection error"),
    ("/private/memo.html", "fetch_error: refused: robots.txt"),
]


@pytest.fixture
def site():
    with Newsroom(feeds=1, per_feed=10) as room:
        base = room.base_url
        latin = _article("Caf\u00e9 reopens", WORDS, seed=1).encode("latin-1")
        room.routes.update(
            {
                "/robots.txt": _route(
                    200,
                    b"User-agent: newsflow\nDisallow: /private/\n\nUser-agent: *\nDisallow:\n",
                    "text/plain",
                ),
                "/latin1.html": _route(200, latin, "text/html"),
                "/wrong-charset.html": _route(
                    200, _article("Caf\u00e9 wrong", WORDS, seed=2).encode(), "text/html; charset=iso-8859-1"
                ),
                "/mojibake.html": _route(
                    200, _article("Mojibake", WORDS.replace("café", "cafÃ©"), seed=3).encode()
                ),
                "/script.html": _route(
                    200,
                    _article(
                        "Harbour <b>news</b>",
                        WORDS.replace("Monday", "Monday <span onclick='steal()'>today</span>")
                        + "<script>alert('owned')</script><style>p{color:red}</style>",
                        "<script>document.write('<p>injected</p>')</script>",
                        seed=4,
                    ).encode(),
                ),
                "/busy.html": _busy_then_ok,
                "/doc.pdf": _route(200, b"%PDF-1.7 fictional", "application/pdf"),
                "/blob": _route(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, ""),
                "/huge.html": _huge,
                "/loop-a.html": _route(302, b"", "text/plain", {"Location": "/loop-b.html"}),
                "/loop-b.html": _route(302, b"", "text/plain", {"Location": "/loop-a.html"}),
                "/gone404.html": _route(404, b"no", "text/plain"),
                "/gone410.html": _route(410, b"gone", "text/plain"),
                "/broken.html": _route(503, b"down", "text/plain"),
                "/slow.html": _slow,
                "/reset.html": reset_mid_body,
                "/private/memo.html": _route(200, _article("Memo", WORDS, seed=5).encode()),
            }
        )
        items: list[tuple[str, str | None, bool]] = [
            (f"Item {path}", base + path, path != "/f0/a3.html") for path, _ in PAGES if path != "/f0/a2.html"
        ]
        items += [
            ("Relative link", "f0/a2.html", True),
            ("Listed twice", base + "/f0/a1.html", True),
            ("No link at all", None, True),
            ("Not http", "ftp://files.example.org/a.txt", True),
            ("Redirect loop", base + "/loop-a.html", True),
        ]
        room.routes["/mixed.xml"] = _route(200, _feed(base, items), "application/rss+xml")
        feeds = {
            "/malformed.xml": b"<?xml version='1.0'?><rss version='2.0'><channel><title>Broken</title><item><link>",
            "/html-feed.xml": b"<!DOCTYPE html><html><body><h1>Our news</h1></body></html>",
            "/empty.xml": b"<?xml version='1.0'?><rss version='2.0'><channel><title>Quiet</title></channel></rss>",
            "/empty-body.xml": b"",
            "/laughs.xml": b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'ha'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
            b"<rss version='2.0'><channel><title>&b;</title></channel></rss>",
            "/xxe.xml": b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
            b"<rss version='2.0'><channel><title>&x;</title></channel></rss>",
        }
        for path, body in feeds.items():
            room.routes[path] = _route(200, body, "application/xml")
        yield room


def test_bad_input_catalogue(site, rsettings, caplog):
    caplog.set_level(logging.INFO, logger="newsflow")
    settings = dataclasses.replace(rsettings, fetch_timeout=1.0)
    base = site.base_url
    sources = [Source(name="mixed", type="rss", url=base + "/mixed.xml")] + [
        Source(name=name, type="rss", url=base + path)
        for name, path in [
            ("malformed", "/malformed.xml"),
            ("html_feed", "/html-feed.xml"),
            ("empty", "/empty.xml"),
            ("empty_body", "/empty-body.xml"),
            ("laughs", "/laughs.xml"),
            ("xxe", "/xxe.xml"),
        ]
    ]
    run = run_stages(settings, sources, "bad-input")
    assert run.error is None, run.error
    assert_balanced(run.ledger)

    # Bad feeds: the source fails with a readable reason; the run goes on.
    failed = run.ledger.sources_failed
    assert "malformed feed" in failed["malformed"]
    assert "got an HTML page instead of RSS/Atom" in failed["html_feed"]
    assert "empty body" in failed["empty_body"]
    assert "declares XML entities" in failed["laughs"]
    assert "declares XML entities" in failed["xxe"]
    assert "empty" not in failed, "a valid feed without items is not an error"
    assert run.ledger.per_source.get("empty", {}).get("fetched", 0) == 0

    # Every page of the mixed feed has its outcome.
    final = {
        a.url: a
        for b in run.index["batches"]
        if b["source"] == "mixed"
        for a in read_articles(Path(b["path"]))
    }
    for path, outcome in PAGES:
        art = final.get(base + path)
        assert art is not None, f"{path} vanished"
        if outcome == "indexed":
            assert art.status == "new", (path, art.status, art.reason)
        else:
            assert art.status == "rejected" and art.reason.startswith(outcome), (path, art.reason)
    loops = [a for url, a in final.items() if "/loop-" in url]
    assert len(loops) == 1 and loops[0].reason == "fetch_error: too many redirects"
    assert len(final) == len(PAGES) + 1, "listed twice = fetched once; no link / ftp link = not fetched"
    assert "entries without a usable link were skipped" in caplog.text
    assert (
        site.hits["/f0/a1.html"] == 1
        and site.hits["/busy.html"] == 2
        and site.hits["/broken.html"] == 3
        and site.hits["/private/memo.html"] == 0
    )
    assert site.hits["/robots.txt"] == len(sources), "robots.txt is read once per host and task (source)"
    assert run.ledger.rejected_by_reason == {"fetch_error": 10}

    # What reached the index is plain text, correctly decoded, and nothing else got there.
    client = make_client(settings)
    _, docs = archive_vs_index(settings, client)
    assert len(docs) == 9
    by_url = {d["url"]: d for d in index_docs(client, settings)}
    for path in ("/latin1.html", "/wrong-charset.html", "/mojibake.html"):
        text = by_url[base + path]["text"]
        assert "café" in text and "naïve" in text and "Zürich" in text and "Ã" not in text, (path, text[:120])
    scripted = by_url[base + "/script.html"]
    for field in ("text", "title", "description"):
        value = scripted.get(field) or ""
        assert (
            "<" not in value and "alert(" not in value and "steal()" not in value and "color:red" not in value
        ), value


def test_an_item_without_a_date_is_kept(site, rsettings):
    settings = dataclasses.replace(rsettings, fetch_timeout=1.0)
    base = site.base_url
    site.routes["/undated.xml"] = _route(
        200, _feed(base, [("No date", base + "/f0/a5.html", False)]), "application/rss+xml"
    )
    run = run_stages(settings, [Source(name="undated", type="rss", url=base + "/undated.xml")], "undated")
    assert run.error is None and run.ledger.new == 1
    assert_balanced(run.ledger)
