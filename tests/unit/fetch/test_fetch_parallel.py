"""Pages of a feed fetched a few at a time: feed order kept, per-host limit held, errors kept per page."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from newsflow.fetch.http import make_session
from newsflow.fetch.parallel import HostLimiter, fetch_pages

from .conftest import Reply


@dataclass
class Entry:
    link: str


class InFlight:
    """A route that records how many requests the server was answering at once."""

    def __init__(self, body: bytes, delay: float) -> None:
        self.body, self.delay = body, delay
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, hit: int) -> Reply:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.delay)
        with self.lock:
            self.now -= 1
        return Reply(200, self.body, {"Content-Type": "text/html; charset=utf-8"})


def test_pages_come_back_in_feed_order_with_their_own_errors(server, settings):
    links = []
    for n in range(10):
        # the first pages answer slowest, so finishing order differs from feed order
        reply = Reply(
            200, f"<p>page {n}</p>".encode(), {"Content-Type": "text/html"}, delay=0.05 * (10 - n) / 10
        )
        links.append(server.route(f"/p{n}.html", reply))
    links.insert(5, server.url("/missing.html"))
    with make_session(settings) as session:
        got = list(fetch_pages(session, [Entry(link) for link in links], settings, workers=4))
    assert [entry.link for entry, _ in got] == links
    assert [page.text for _, page in got if not page.error] == [f"<p>page {n}</p>" for n in range(10)]
    assert [page.error for _, page in got if page.error] == ["HTTP 404"]


def test_per_host_limit_bounds_requests_in_flight(server, settings):
    route = InFlight(b"<p>x</p>", delay=0.15)
    links = [server.route(f"/slow{n}.html", route) for n in range(8)]
    with make_session(settings) as session:
        pages = [
            page
            for _, page in fetch_pages(session, [Entry(u) for u in links], settings, workers=6, per_host=2)
        ]
    assert all(p.ok for p in pages) and len(pages) == 8
    assert route.peak == 2  # six workers, but never more than two at the one host

    route_wide = InFlight(b"<p>y</p>", delay=0.15)
    links = [server.route(f"/wide{n}.html", route_wide) for n in range(8)]
    with make_session(settings) as session:
        list(fetch_pages(session, [Entry(u) for u in links], settings, workers=4, per_host=4))
    assert 2 < route_wide.peak <= 4


def test_stopping_early_and_one_worker(server, settings):
    links = [
        server.route(f"/q{n}.html", Reply(200, b"<p>q</p>", {"Content-Type": "text/html"})) for n in range(20)
    ]
    with make_session(settings) as session:
        pages = fetch_pages(session, [Entry(u) for u in links], settings, workers=3)
        first = next(pages)
        pages.close()  # the consumer stops: pending fetches are dropped, nothing raises
        assert first[0].link == links[0] and first[1].ok
        serial = [
            entry.link
            for entry, _ in fetch_pages(session, [Entry(u) for u in links[:3]], settings, workers=1)
        ]
    assert serial == links[:3]
    assert sum(server.hits[f"/q{n}.html"] for n in range(20)) < 20 + 3


def test_host_limiter_gives_one_semaphore_per_host():
    limiter = HostLimiter(3)
    assert limiter.slot("http://a.example/x") is limiter.slot("http://A.example/y")
    assert limiter.slot("http://a.example/x") is not limiter.slot("http://b.example/x")
    assert HostLimiter(0).limit == 1
