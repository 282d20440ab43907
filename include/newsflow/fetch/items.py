"""What a fetched item is made of, and the date it carries.

Every kind of source builds its RawItems here, so a page fetched from a feed, a sitemap or a
news API carries the same fields, and the window filter reads one date rule.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any, TypedDict, Unpack

from newsflow.fetch.http import FetchResult
from newsflow.models import RawItem
from newsflow.redact import install_log_filter, redact_url
from newsflow.sources import Source
from newsflow.timeutil import as_utc

log = logging.getLogger("newsflow.fetch")
install_log_filter()  # no credential of a source URL reaches a log line

# Linear in the page: `[^<>]` keeps each try inside one tag, so 10,000 unclosed `<meta ` openings
# cost one pass, not 10,000 scans to the end of the head.
_PUBLISHED_META = re.compile(
    r"""<meta\s[^<>]*?(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|datePublished|date|pubdate)["'][^<>]*>""",
    re.I,
)


_CONTENT_ATTR = re.compile(r"""content\s*=\s*["']([^"'<>]{1,200})["']""", re.I)


class FetchError(RuntimeError):
    """A whole source could not be fetched (the task should fail and be retried)."""


class FeedFetchError(FetchError):
    """The feed of an rss source could not be fetched or parsed."""


def fetched_now() -> str:
    return datetime.now(UTC).isoformat()


class FeedSays(TypedDict, total=False):
    """What a feed, sitemap or API listing said of a page, kept as fallbacks for clean."""

    feed_title: str
    feed_summary: str
    feed_published: str
    feed_author: str
    feed_section: str


def page_item(
    source: Source, meta: dict[str, Any], page: FetchResult, url: str, **feed: Unpack[FeedSays]
) -> RawItem:
    """A fetched page as a RawItem; `feed` holds what the feed or sitemap said of it."""
    return RawItem(
        source=source.name,
        url=page.final_url or url,
        kind=page_kind(page.content_type),
        body=page.text,
        fetched_at=fetched_now(),
        status_code=page.status_code,
        content_type=page.content_type,
        encoding=page.encoding,
        error=page.error,
        feed_url=redact_url(source.url),
        source_meta=dict(meta),
        **feed,
    )


def page_kind(content_type: str) -> str:
    if content_type == "text/plain":
        return "text"
    if content_type.endswith("json"):
        return "json"
    return "html"


def _parse_date(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value or len(value) > 200:  # no date is that long; dateutil would still try
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        try:
            from dateutil import parser as date_parser

            dt = date_parser.parse(value)
        except (ValueError, OverflowError, ImportError):
            return None
    return as_utc(dt)


def item_date(item: RawItem) -> datetime | None:
    """The date an item carries: the record's/feed's published date, else the page's published meta.


    Never raises: a date that cannot be read is no date (the window filter keeps undated items).
    """
    try:
        return _item_date(item)
    except Exception as exc:  # a hostile date must not end the source's generator
        log.warning("unreadable date on %s: %s: %s", item.url, type(exc).__name__, exc)
        return None


def _item_date(item: RawItem) -> datetime | None:
    found = _parse_date(item.feed_published)
    if found is None and item.kind == "html" and item.body:
        match = _PUBLISHED_META.search(item.body[:65536])
        if match:
            content = _CONTENT_ATTR.search(match.group(0))
            if content:
                found = _parse_date(content.group(1))
    return found


def in_window_utc(when: datetime, start: datetime | None, end: datetime | None) -> bool:
    if start is not None and when < (start if start.tzinfo else start.replace(tzinfo=UTC)):
        return False
    if end is not None and when >= (end if end.tzinfo else end.replace(tzinfo=UTC)):
        return False
    return True


def newest_item(item: RawItem, newest: tuple[str, str] | None) -> tuple[str, str] | None:
    when = item_date(item)
    if when is None or item.error:
        return newest
    stamp = when.isoformat()
    return (stamp, item.url) if newest is None or stamp > newest[0] else newest
