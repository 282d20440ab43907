"""A generated fictional newsroom on loopback, plus hand-made bad responses.

`Newsroom(feeds, per_feed)` serves `/feed-<n>.xml` (RSS 2.0) and `/f<n>/a<m>.html` article
pages generated on the fly from a seed, so 20,000 articles cost no disk and no memory.
Every text is made up here from word lists: distinct enough that no two articles are
near-duplicates. `routes` maps extra paths to handlers writing raw responses, for the
bad-input catalogue (resets mid-body, slow answers, redirect loops, ...).

Used by tests/reliability and by benchmarks/soak.py.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WHO = (
    "The harbour board",
    "A ferry captain",
    "The town council",
    "Local fishers",
    "A school choir",
    "The lighthouse trust",
    "Dock workers",
    "The island clinic",
    "A bakery owner",
    "Volunteer divers",
    "The rowing club",
    "Market traders",
    "The coastguard",
    "A retired teacher",
    "The library staff",
    "Young sailors",
    "The tram company",
    "A cheese maker",
    "The weather office",
    "Bridge engineers",
)
DID = (
    "approved",
    "postponed",
    "celebrated",
    "repaired",
    "questioned",
    "funded",
    "measured",
    "rebuilt",
    "painted",
    "inspected",
    "opened",
    "closed",
    "mapped",
    "restored",
    "doubled",
    "counted",
    "announced",
    "tested",
    "cleaned",
    "planned",
)
WHAT = (
    "the north breakwater",
    "a new cargo crane",
    "the winter timetable",
    "the eel nursery",
    "a floating classroom",
    "the cliff path",
    "the old salt store",
    "a solar ferry",
    "the fish auction hall",
    "the tide gauge",
    "a seaweed farm",
    "the harbour wall",
    "the oyster beds",
    "a night market",
    "the pilot boat",
    "the boat lift",
    "a reading room",
    "the signal tower",
    "the ice plant",
    "a sea pool",
)
WHERE = (
    "in Port Avelin",
    "near Gull Point",
    "at Quay Street",
    "beyond the Old Basin",
    "on Kestrel Isle",
    "by the Narrow Sea",
    "in Lower Marrow",
    "at Saltcombe Pier",
    "near the Red Buoy",
    "in Ferrow Bay",
)
WHY = (
    "after weeks of storms",
    "before the spring tides",
    "to cut fuel bills",
    "for the first time in years",
    "despite a tight budget",
    "following a public vote",
    "while the ferry was idle",
    "as visitors returned",
    "with help from students",
    "ahead of the regatta",
)
EXTRA = (
    "Officials said the work would take {n} days.",
    "About {n} residents attended the meeting.",
    "The cost was put at {n} thousand crowns.",
    "Some {n} boats were affected.",
    "A spokesperson promised an update within {n} weeks.",
    "Records go back {n} years.",
)


SYLLABLES = (
    "ka",
    "lo",
    "mer",
    "vin",
    "ta",
    "sel",
    "dor",
    "ri",
    "an",
    "bel",
    "co",
    "fen",
    "gar",
    "hul",
    "is",
    "jor",
    "ke",
    "lun",
    "mo",
    "nes",
    "or",
    "pel",
    "qua",
    "ros",
    "sun",
    "tor",
    "ul",
    "vas",
)


def _name(rnd: random.Random) -> str:
    """A made-up proper noun: real news is full of names, and they keep unrelated texts apart."""
    return "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()


def article_text(feed: int, item: int, words: int = 160) -> tuple[str, list[str]]:
    """(title, paragraphs) of a fictional article, the same for the same (feed, item)."""
    rnd = random.Random(feed * 1_000_003 + item)
    title = f"{rnd.choice(WHO)} {rnd.choice(DID)} {rnd.choice(WHAT)} {rnd.choice(WHERE)} ({feed}-{item})"
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = []
        for _ in range(3):
            s = (
                f"{_name(rnd)} of {rnd.choice(WHO).lower()} {rnd.choice(DID)} {rnd.choice(WHAT)} {_name(rnd)} "
                f"{rnd.choice(WHERE)} {rnd.choice(WHY)}, {_name(rnd)} {_name(rnd)} said."
            )
            sentences.append(s)
            sentences.append(rnd.choice(EXTRA).format(n=rnd.randint(2, 9999)))
        para = " ".join(sentences)
        paragraphs.append(para)
        count += len(para.split())
    return title, paragraphs


def article_html(feed: int, item: int) -> bytes:
    title, paragraphs = article_text(feed, item)
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>\n{body}\n</article></body></html>"
    ).encode()


def feed_xml(base: str, feed: int, items: int, published: datetime) -> bytes:
    entries = []
    for m in range(items):
        title, _ = article_text(feed, m)
        when = format_datetime(published - timedelta(minutes=m))
        entries.append(
            f"<item><title>{title}</title><link>{base}/f{feed}/a{m}.html</link>"
            f"<guid isPermaLink='true'>{base}/f{feed}/a{m}.html</guid><pubDate>{when}</pubDate></item>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Generated feed {feed}</title><link>{base}/</link><description>fictional</description>"
        + "".join(entries)
        + "</channel></rss>"
    ).encode()


Handler = Callable[[BaseHTTPRequestHandler, int], None]
"""Writes a whole raw response; gets the request handler and the hit number of its path."""


def send(
    req: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    ctype: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> None:
    req.send_response(status)
    if ctype:
        req.send_header("Content-Type", ctype)
    for k, v in (headers or {}).items():
        req.send_header(k, v)
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    if req.command != "HEAD":
        req.wfile.write(body)


def reset_mid_body(req: BaseHTTPRequestHandler, hit: int) -> None:
    """Promise 20,000 bytes, send 3,000, then reset the connection (RST, not a clean close)."""
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Content-Length", "20000")
    req.end_headers()
    req.wfile.write(b"<html><body><p>" + b"partial " * 370)
    req.wfile.flush()
    req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    req.connection.close()
    req.close_connection = True


class Newsroom:
    """`feeds` generated RSS feeds of `per_feed` articles each, plus `routes` for bad input."""

    def __init__(
        self,
        feeds: int = 3,
        per_feed: int = 10,
        published: datetime | None = None,
        page_delay: float = 0.0,
        validators: bool = False,
    ) -> None:
        self.validators = validators  # feeds send an ETag and answer a matching If-None-Match with 304
        self.feeds = feeds
        self.per_feed = per_feed
        self.published = published or datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
        self.page_delay = page_delay
        self.routes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.user_agents: set[str] = set()
        outer = self

        class Req(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                outer.hits[self.path] += 1
                outer.user_agents.add(self.headers.get("User-Agent", ""))
                try:
                    outer._answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def handle(self) -> None:
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a client that went away (a task process exiting) is not news

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Req)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def feed_url(self, n: int) -> str:
        return f"{self.base_url}/feed-{n}.xml"

    def _answer(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path
        if path in self.routes:
            self.routes[path](req, self.hits[path])
            return
        if path.startswith("/feed-") and path.endswith(".xml"):
            n = int(path[6:-4])
            if n < self.feeds:
                body = feed_xml(self.base_url, n, self.per_feed, self.published)
                etag = f'"{zlib.crc32(body):08x}"'
                if self.validators and req.headers.get("If-None-Match") == etag:
                    send(req, 304, b"", "", {"ETag": etag})
                    return
                send(
                    req,
                    200,
                    body,
                    "application/rss+xml; charset=utf-8",
                    {"ETag": etag} if self.validators else None,
                )
                return
        if path.startswith("/f") and path.endswith(".html") and "/a" in path:
            feed, _, item = path[2:-5].partition("/a")
            if feed.isdigit() and item.isdigit() and int(feed) < self.feeds and int(item) < self.per_feed:
                if self.page_delay:
                    time.sleep(self.page_delay)
                send(req, 200, article_html(int(feed), int(item)))
                return
        send(req, 404, b"not here", "text/plain")

    def __enter__(self) -> Newsroom:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
