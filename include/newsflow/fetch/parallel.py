"""Fetch a feed's pages a few at a time over one session, in feed order.

Why: fetching is waiting. One page after the other leaves the CPU idle for
the whole round trip; a small bounded pool over the task's single `requests`
session overlaps the waits while the session's connection pool keeps the
connections alive (keep-alive: one TCP/TLS handshake per connection, not per page).

Bounds, so a run stays polite and its memory flat:
- at most `PAGE_WORKERS` requests in flight per task;
- at most `PER_HOST` of them to one host (a semaphore per host), which is also the
  session's pool size per host (`newsflow.fetch.http.make_session`), so every
  request in flight has a kept-alive connection to use;
- at most `2 * PAGE_WORKERS` pages fetched ahead of the consumer, and results are
  yielded in the feed's order, so the raw archive reads the same whatever the timing.

Across sources, Airflow maps one task per source and its pool (`politeness`) bounds
the tasks; this module only bounds what happens inside one task.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

import requests

from newsflow.config import Settings
from newsflow.fetch.http import FetchResult, fetch_url

PAGE_WORKERS = 4
PER_HOST = 4


class _HasLink(Protocol):
    link: str


E = TypeVar("E", bound=_HasLink)


class HostLimiter:
    """One semaphore per host: at most `limit` requests to a host at a time."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def slot(self, url: str) -> threading.BoundedSemaphore:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        with self._lock:
            if host not in self._slots:
                self._slots[host] = threading.BoundedSemaphore(self.limit)
            return self._slots[host]


def fetch_pages(
    session: requests.Session,
    entries: Iterable[E],
    settings: Settings,
    workers: int = PAGE_WORKERS,
    per_host: int = PER_HOST,
    url_of: Callable[[E], str] = lambda entry: entry.link,  # type: ignore[attr-defined]
) -> Iterator[tuple[E, FetchResult]]:
    """(entry, page) for every entry, in order; `fetch_url` never raises, so neither does this.

    `url_of` reads the page URL of an entry (feed entries have `.link`, sitemap entries `.loc`).
    """
    limiter = HostLimiter(per_host)

    def fetch(entry: E) -> FetchResult:
        url = url_of(entry)
        with limiter.slot(url):
            return fetch_url(session, url, settings)

    if workers <= 1:
        for entry in entries:
            yield entry, fetch(entry)
        return
    window: deque[tuple[E, Future[FetchResult]]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newsflow-fetch") as pool:
        try:
            for entry in entries:
                window.append((entry, pool.submit(fetch, entry)))
                if len(window) >= 2 * workers:
                    first, future = window.popleft()
                    yield first, future.result()
            while window:
                first, future = window.popleft()
                yield first, future.result()
        finally:  # the consumer stopped early: drop what has not started
            for _, future in window:
                future.cancel()
