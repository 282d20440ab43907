"""Conditional GET for sitemaps, with the last body kept so a 304 still answers every window.

A news sitemap is re-read every run; most runs it has not changed. Its `ETag`/`Last-Modified`
are kept with the feeds' (`newsflow.fetch.conditional`, `<state>/feeds.json`) and sent back;
on `304 Not Modified` the sitemap is read from the copy of its last body
(`<state>/sitemaps/<sha1 of the URL>.xml`, one file per sitemap URL, at most `max_bytes`).
Unlike a feed, a 304 does not mean "nothing to do": the run's window may hold entries the
previous run's window did not, so the entries are still filtered by this run's window. A
sitemap without validators is fetched in full every time, as before; so is one whose cached
copy is missing (no validators are sent then).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import requests

from newsflow import clock
from newsflow.config import Settings
from newsflow.fetch import conditional as cg
from newsflow.fetch.http import FetchResult, fetch_url


def cache_path(settings: Settings, url: str) -> Path:
    return Path(settings.state) / "sitemaps" / f"{hashlib.sha1(url.encode('utf-8')).hexdigest()}.xml"


def fetch_sitemap_body(
    session: requests.Session, url: str, settings: Settings
) -> tuple[FetchResult, bytes, bool]:
    """(the fetch, the sitemap's body, whether it came from the cache after a 304)."""
    cached = cache_path(settings, url)
    poll = cg.load_poll_state(settings, url)
    headers = cg.request_headers(poll) if cached.exists() else {}
    with cg.conditional(session, headers) as seen:
        got = fetch_url(session, url, settings)
    if got.status_code == 304 and cached.exists():
        poll, _ = cg.after_poll(poll, 304, seen["headers"], b"", clock.now())
        poll.next_poll_after = ""  # a sitemap is read every run: its window changes
        cg.save_poll_state(settings, url, poll)
        return got, cached.read_bytes(), True
    if got.error:
        return got, b"", False
    body = got.content or got.text.encode("utf-8")
    poll, _ = cg.after_poll(poll, got.status_code, seen["headers"], body, clock.now())
    poll.next_poll_after = ""
    cg.save_poll_state(settings, url, poll)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(cached.name + ".tmp")
    tmp.write_bytes(body)
    tmp.replace(cached)
    return got, body, False
