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

Time: every page has a hard budget (`newsflow.fetch.http.page_budget`) and the source as a
whole `settings.source_budget`: a page not started when the source's budget is spent is not
requested and comes back with an error, so 500 pages answering `503 Retry-After: 30` cannot
hold the task past its `execution_timeout`. The workers are daemon threads and the pool is
never joined: a consumer that stops (or a task that times out) does not wait on a stuck
socket.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from newsflow.config import Settings
from newsflow.fetch.http import FetchResult, fetch_url, page_budget

PAGE_WORKERS = 4
PER_HOST = 4
GRACE = 30.0  # seconds past a page's budget before its result is given up for lost


E = TypeVar("E")


def _link(entry: Any) -> str:
    """Feed entries name their page in `.link`; other entry kinds pass their own `url_of`."""
    return str(entry.link)


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


class DaemonPool:
    """A fixed set of daemon worker threads that is never joined.

    Why not `ThreadPoolExecutor`: leaving its `with` block, and the interpreter's exit, join
    every worker, so one thread stuck in a socket read keeps the task alive past its
    timeout. Here `shutdown` drops the queued work and returns at once.
    """

    def __init__(self, workers: int, name: str = "newsflow-fetch") -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[object], Callable[[], object]] | None] = (
            queue.SimpleQueue()
        )
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True)
            for n in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[[], object]) -> Future[object]:
        future: Future[object] = Future()
        self._jobs.put((future, fn))
        return future

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the consumer
                future.set_exception(exc)

    def shutdown(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)


def _result(entry_url: str, future: Future[object], wait: float) -> FetchResult:
    """The page's result, or an error if its thread is still stuck well past the page budget."""
    try:
        result = future.result(timeout=wait)
        assert isinstance(result, FetchResult)  # the pool runs only `fetch`, which returns one
        return result
    except FutureTimeout:
        future.cancel()
        return FetchResult(url=entry_url, error=f"timeout: no answer within {wait:g}s (fetch abandoned)")
    except Exception as exc:  # fetch_url never raises; this is the last line of defence
        return FetchResult(url=entry_url, error=f"fetch_failed: {type(exc).__name__}: {exc}")


def fetch_pages(
    session: requests.Session,
    entries: Iterable[E],
    settings: Settings,
    workers: int = PAGE_WORKERS,
    per_host: int = PER_HOST,
    url_of: Callable[[E], str] = _link,
) -> Iterator[tuple[E, FetchResult]]:
    """(entry, page) for every entry, in order; `fetch_url` never raises, so neither does this.

    `url_of` reads the page URL of an entry (feed entries have `.link`, sitemap entries `.loc`).
    """
    limiter = HostLimiter(per_host)
    source_limit = float(getattr(settings, "source_budget", 0) or 0)
    source_deadline = time.monotonic() + source_limit if source_limit > 0 else float("inf")
    per_page = page_budget(settings)

    def fetch(entry: E) -> FetchResult:
        url = url_of(entry)
        left = source_deadline - time.monotonic()
        if left <= 0:
            return FetchResult(
                url=url,
                error=f"source budget of {source_limit:g}s spent before this page was requested "
                "(not fetched; raise NEWSFLOW_SOURCE_BUDGET or the next run tries again)",
            )
        name = f"source budget of {source_limit:g}s" if left < per_page else ""
        with limiter.slot(url):
            return fetch_url(session, url, settings, budget=min(per_page, left), budget_name=name)

    if workers <= 1:
        for entry in entries:
            yield entry, fetch(entry)
        return
    window: deque[tuple[E, Future[object]]] = deque()
    pool = DaemonPool(workers)
    wait = per_page + GRACE
    try:
        for entry in entries:
            window.append((entry, pool.submit(functools.partial(fetch, entry))))
            if len(window) >= 2 * workers:
                first, future = window.popleft()
                yield first, _result(url_of(first), future, wait)
        while window:
            first, future = window.popleft()
            yield first, _result(url_of(first), future, wait)
    finally:  # the consumer stopped early: drop what has not started, never wait on a stuck thread
        for _, future in window:
            future.cancel()
        pool.shutdown()
