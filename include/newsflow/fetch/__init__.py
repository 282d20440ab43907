"""fetch stage: turn a Source into raw items.

- `rss`: the feed is fetched and parsed; if that fails, `fetch_source` raises `FeedFetchError`
  (before yielding anything) so the Airflow task fails and is retried: a feed that can't be
  read is an outage of the source, not a rejected article. Each entry's page is then fetched
  with one session (connection reuse); a page that fails becomes a RawItem with `error`
  set (counted as rejected). No window filter is applied to feeds: a feed only shows what is
  current, and items published just before the window would otherwise be lost; the
  canonical-URL dedupe makes re-fetching them harmless.
- `files`: the folder is read with `read_paths`; items that carry a date (a JSON record's
  `published`, an HTML page's `article:published_time`) are kept only inside
  [window_start, window_end); items without a date are always included.

At most `source.max_items` items (default `settings.max_items_per_source`) come from one source.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from newsflow.config import Settings
from newsflow.fetch.feeds import FeedEntry, FeedError, parse_feed
from newsflow.fetch.files import read_paths
from newsflow.fetch.http import FetchResult, fetch_url, make_session
from newsflow.models import RawItem
from newsflow.sources import Source

__all__ = [
    "FeedEntry",
    "FeedError",
    "FeedFetchError",
    "FetchError",
    "FetchResult",
    "fetch_source",
    "fetch_url",
    "make_session",
    "parse_feed",
    "read_paths",
]

log = logging.getLogger("newsflow.fetch")

_PUBLISHED_META = re.compile(
    r"""<meta\s[^>]*?(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|datePublished|date|pubdate)["'][^>]*>""",
    re.I,
)
_CONTENT_ATTR = re.compile(r"""content\s*=\s*["']([^"']+)["']""", re.I)


class FetchError(RuntimeError):
    """A whole source could not be fetched (the task should fail and be retried)."""


class FeedFetchError(FetchError):
    """The feed of an rss source could not be fetched or parsed."""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _kind(content_type: str) -> str:
    if content_type == "text/plain":
        return "text"
    if content_type.endswith("json"):
        return "json"
    return "html"


def fetch_source(
    source: Source,
    settings: Settings,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> Iterator[RawItem]:
    """Raw items of one source (see the module docstring for the rules)."""
    limit = source.max_items or settings.max_items_per_source
    if source.type == "rss":
        yield from _fetch_rss(source, settings, limit)
    elif source.type == "files":
        yield from _fetch_files(source, limit, window_start, window_end)
    else:
        raise FetchError(f"source {source.name!r}: unsupported type {source.type!r}")


def _fetch_rss(source: Source, settings: Settings, limit: int) -> Iterator[RawItem]:
    meta = source.source_meta
    with make_session(settings) as session:
        feed = fetch_url(session, source.url, settings)
        if feed.error:
            raise FeedFetchError(
                f"source {source.name!r}: feed {source.url} could not be fetched: {feed.error}"
            )
        try:
            entries = parse_feed(feed.content or feed.text, feed.final_url or source.url)
        except FeedError as exc:
            raise FeedFetchError(f"source {source.name!r}: feed {source.url}: {exc}") from exc
        if len(entries) > limit:
            log.info(
                "source %s: feed has %d entries, keeping the first %d (max_items)",
                source.name,
                len(entries),
                limit,
            )
            entries = entries[:limit]
        log.info("source %s: feed %s has %d entries", source.name, source.url, len(entries))
        ok = failed = 0
        for n, entry in enumerate(entries, start=1):
            page = fetch_url(session, entry.link, settings)
            item = RawItem(
                source=source.name,
                url=page.final_url or entry.link,
                kind=_kind(page.content_type),
                body=page.text,
                fetched_at=_now(),
                status_code=page.status_code,
                content_type=page.content_type,
                encoding=page.encoding,
                error=page.error,
                feed_url=source.url,
                feed_title=entry.title,
                feed_summary=entry.summary,
                feed_published=entry.published,
                feed_author=entry.author,
                feed_section=entry.section,
                source_meta=dict(meta),
            )
            if page.error:
                failed += 1
                log.warning("source %s: %s: %s", source.name, entry.link, page.error)
            else:
                ok += 1
            if n % 25 == 0:
                log.info("source %s: %d/%d pages fetched", source.name, n, len(entries))
            yield item
        log.info("source %s: %d pages fetched, %d failed", source.name, ok, failed)


def _parse_date(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        try:
            from dateutil import parser as date_parser

            dt = date_parser.parse(value)
        except (ValueError, OverflowError, ImportError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def item_date(item: RawItem) -> datetime | None:
    """The date an item carries: the record's/feed's published date, else the page's published meta."""
    found = _parse_date(item.feed_published)
    if found is None and item.kind == "html" and item.body:
        match = _PUBLISHED_META.search(item.body[:65536])
        if match:
            content = _CONTENT_ATTR.search(match.group(0))
            if content:
                found = _parse_date(content.group(1))
    return found


def _in_window(when: datetime, start: datetime | None, end: datetime | None) -> bool:
    if start is not None and when < (start if start.tzinfo else start.replace(tzinfo=UTC)):
        return False
    if end is not None and when >= (end if end.tzinfo else end.replace(tzinfo=UTC)):
        return False
    return True


def _fetch_files(
    source: Source, limit: int, window_start: datetime | None, window_end: datetime | None
) -> Iterator[RawItem]:
    folder = source.path
    if folder is None or not folder.exists():
        raise FetchError(f"source {source.name!r}: folder {folder} not found")
    meta = source.source_meta
    kept = outside = 0
    for item in read_paths([folder], source=source.name):
        if item.source != source.name:  # a JSON record named its own source: keep it as the origin
            item.source_meta = {**meta, "origin": item.source}
            item.source = source.name
        else:
            item.source_meta = dict(meta)
        if not item.error and (window_start is not None or window_end is not None):
            when = item_date(item)
            if when is not None and not _in_window(when, window_start, window_end):
                outside += 1
                continue
        if kept >= limit:
            log.info("source %s: reached max_items=%d, stopping", source.name, limit)
            break
        kept += 1
        yield item
    log.info("source %s: %d items read from %s (%d outside the window)", source.name, kept, folder, outside)
