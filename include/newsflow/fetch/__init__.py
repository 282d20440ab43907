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
- `sitemap`: a news sitemap (or sitemap index); only entries whose `news:publication_date`
  (else `lastmod`) falls in [window_start, window_end) are fetched (`newsflow.fetch.sitemap`).
- `newsapi`: a date-range news API (GDELT DOC 2.0): the articles it saw in [window_start,
  window_end) are listed, splitting full answers, then fetched (`newsflow.fetch.newsapi`).
- Feeds are polled with conditional GET and back off when they rarely change
  (`newsflow.fetch.conditional`). A run whose window is not live (a backfill, or a window
  that ended more than `LIVE_WINDOW` before the run's own time, `newsflow.clock`) does not poll the feed: it replays the source's
  items dated in the window from the raw archive (`newsflow.fetch.replay`), and says so.

`report`, when given, receives what the ledger should say about the source: `status`
(`ok`, `not_modified`, `not_polled`, `outside_live_window`), `notes`, and `last_item`.

At most `source.max_items` items (default `settings.max_items_per_source`) come from one source.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict, Unpack

from newsflow import clock
from newsflow.config import Settings
from newsflow.fetch.feeds import FeedEntry, FeedError, parse_feed
from newsflow.fetch.files import read_paths
from newsflow.fetch.http import FetchResult, fetch_url, make_session
from newsflow.fetch.parallel import fetch_pages
from newsflow.models import RawItem
from newsflow.redact import install_log_filter, redact_url
from newsflow.sources import Source
from newsflow.timeutil import as_utc

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
install_log_filter()  # no credential of a source URL reaches a log line

# Linear in the page: `[^<>]` keeps each try inside one tag, so 10,000 unclosed `<meta ` openings
# cost one pass, not 10,000 scans to the end of the head.
_PUBLISHED_META = re.compile(
    r"""<meta\s[^<>]*?(?:property|name|itemprop)\s*=\s*["'](?:article:published_time|datePublished|date|pubdate)["'][^<>]*>""",
    re.I,
)
_CONTENT_ATTR = re.compile(r"""content\s*=\s*["']([^"'<>]{1,200})["']""", re.I)


# A feed only lists current items: a window that ended longer ago than this is not live.
LIVE_WINDOW = timedelta(hours=48)


class FetchError(RuntimeError):
    """A whole source could not be fetched (the task should fail and be retried)."""


class FeedFetchError(FetchError):
    """The feed of an rss source could not be fetched or parsed."""


def _now() -> str:
    return datetime.now(UTC).isoformat()


class FeedSays(TypedDict, total=False):
    """What a feed, sitemap or API listing said of a page, kept as fallbacks for clean."""

    feed_title: str
    feed_summary: str
    feed_published: str
    feed_author: str
    feed_section: str


def _page_item(
    source: Source, meta: dict[str, Any], page: FetchResult, url: str, **feed: Unpack[FeedSays]
) -> RawItem:
    """A fetched page as a RawItem; `feed` holds what the feed or sitemap said of it."""
    return RawItem(
        source=source.name,
        url=page.final_url or url,
        kind=_kind(page.content_type),
        body=page.text,
        fetched_at=_now(),
        status_code=page.status_code,
        content_type=page.content_type,
        encoding=page.encoding,
        error=page.error,
        feed_url=redact_url(source.url),
        source_meta=dict(meta),
        **feed,
    )


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
    report: dict[str, Any] | None = None,
    live: bool | None = None,
) -> Iterator[RawItem]:
    """Raw items of one source (see the module docstring for the rules).

    `live=False` says the run is a backfill; None decides from the window's end.
    """
    limit = source.max_items or settings.max_items_per_source
    report = {} if report is None else report
    report.setdefault("status", "ok")
    report.setdefault("notes", [])
    if source.type == "rss":
        if live is None:
            live = window_end is None or window_end >= clock.now() - LIVE_WINDOW
        if live:
            yield from _fetch_rss(source, settings, limit, report)
        else:
            yield from _replay_rss(source, settings, limit, window_start, window_end, report)
    elif source.type == "files":
        yield from _fetch_files(source, settings, limit, window_start, window_end)
    elif source.type == "sitemap":
        yield from _fetch_sitemap(source, settings, limit, window_start, window_end, report)
    elif source.type == "newsapi":
        from newsflow.fetch.newsapi import fetch_newsapi

        yield from fetch_newsapi(source, settings, limit, window_start, window_end, report)
    else:
        raise FetchError(f"source {source.name!r}: unsupported type {source.type!r}")


def _fetch_rss(source: Source, settings: Settings, limit: int, report: dict[str, Any]) -> Iterator[RawItem]:
    from newsflow.fetch import conditional as cg

    meta = source.source_meta
    now = clock.now()
    poll = cg.load_poll_state(settings, source.url)
    may, why = cg.due(poll, now)
    if not may:
        report["status"] = "not_polled"
        report["notes"].append(f"source {source.name}: feed not polled: {why}")
        log.info("source %s: feed not polled: %s", source.name, why)
        return
    with make_session(settings) as session:
        with cg.conditional(session, cg.request_headers(poll)) as seen:
            feed = fetch_url(session, source.url, settings)
        poll, changed = cg.after_poll(poll, feed.status_code, seen["headers"], feed.content, now)
        cg.save_poll_state(settings, source.url, poll)
        if feed.status_code == 304:
            report["status"] = "not_modified"
            report["notes"].append(f"source {source.name}: feed not modified since the last poll (HTTP 304)")
            log.info("source %s: feed not modified (%d unchanged polls in a row)", source.name, poll.unchanged_streak)
            return
        if not changed and not feed.error:
            # The same body again from a server without validators: read it (cheap, and ids make
            # it harmless), but it counts towards polling this feed less often.
            log.info("source %s: feed body unchanged (%d polls in a row)", source.name, poll.unchanged_streak)
        if feed.error:
            raise FeedFetchError(
                f"source {source.name!r}: feed {redact_url(source.url)} could not be fetched: {feed.error}"
            )
        try:
            entries = parse_feed(feed.content or feed.text, feed.final_url or source.url)
        except FeedError as exc:
            raise FeedFetchError(f"source {source.name!r}: feed {redact_url(source.url)}: {exc}") from exc
        if len(entries) > limit:
            log.info(
                "source %s: feed has %d entries, keeping the first %d (max_items)",
                source.name,
                len(entries),
                limit,
            )
            entries = entries[:limit]
        log.info("source %s: feed %s has %d entries", source.name, redact_url(source.url), len(entries))
        ok = failed = 0
        # A few pages at a time over this one session, in feed order (see newsflow.fetch.parallel).
        for n, (entry, page) in enumerate(fetch_pages(session, entries, settings), start=1):
            item = _page_item(
                source,
                meta | {"feed_language": entry.language} if entry.language else meta,
                page,
                entry.link,
                feed_title=entry.title,
                feed_summary=entry.summary,
                feed_published=entry.published,
                feed_author=entry.author,
                feed_section=entry.section,
            )
            if page.error:
                failed += 1
                log.warning("source %s: %s: %s", source.name, entry.link, page.error)
            else:
                ok += 1
            if n % 25 == 0:
                log.info("source %s: %d/%d pages fetched", source.name, n, len(entries))
            report["last_item"] = _newest(item, report.get("last_item"))
            yield item
        log.info("source %s: %d pages fetched, %d failed", source.name, ok, failed)


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


def _in_window(when: datetime, start: datetime | None, end: datetime | None) -> bool:
    if start is not None and when < (start if start.tzinfo else start.replace(tzinfo=UTC)):
        return False
    if end is not None and when >= (end if end.tzinfo else end.replace(tzinfo=UTC)):
        return False
    return True


def _fetch_files(
    source: Source, settings: Settings, limit: int, window_start: datetime | None, window_end: datetime | None
) -> Iterator[RawItem]:
    folder = source.path
    if folder is None or not folder.exists():
        raise FetchError(f"source {source.name!r}: folder {folder} not found")
    meta = source.source_meta
    kept = outside = 0
    for item in read_paths([folder], source=source.name, max_bytes=int(settings.max_bytes)):
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


def _newest(item: RawItem, newest: tuple[str, str] | None) -> tuple[str, str] | None:
    when = item_date(item)
    if when is None or item.error:
        return newest
    stamp = when.isoformat()
    return (stamp, item.url) if newest is None or stamp > newest[0] else newest


def _replay_rss(
    source: Source,
    settings: Settings,
    limit: int,
    window_start: datetime | None,
    window_end: datetime | None,
    report: dict[str, Any],
) -> Iterator[RawItem]:
    from newsflow.fetch.replay import replay_window

    report["status"] = "outside_live_window"
    span = f"{window_start:%Y-%m-%d %H:%M} to {window_end:%Y-%m-%d %H:%M}" if window_start and window_end else "?"
    count = 0
    if window_start is not None and window_end is not None:
        for item in replay_window(settings, source.name, window_start, window_end, item_date):
            if count >= limit:
                break
            count += 1
            report["last_item"] = _newest(item, report.get("last_item"))
            yield item
    report["notes"].append(
        f"source {source.name}: RSS has no history; the window {span} is outside the feed's live window, "
        f"so the feed was not polled and {count} items were replayed from the raw archive"
    )
    log.info("source %s: window %s is not live: %d items replayed from the raw archive", source.name, span, count)


def _read_sitemap(session: Any, source: Source, url: str, settings: Settings, report: dict[str, Any]) -> Any:
    """One sitemap, by conditional GET: on 304 its last copy (`newsflow.fetch.sitemap_cache`)."""
    from newsflow.fetch.sitemap import SitemapError, parse_sitemap
    from newsflow.fetch.sitemap_cache import fetch_sitemap_body

    got, body, cached = fetch_sitemap_body(session, url, settings)
    if got.error and not cached:
        raise FetchError(
            f"source {source.name!r}: sitemap {redact_url(url)} could not be fetched: {got.error}"
        )
    if cached:
        report["notes"].append(
            f"source {source.name}: sitemap {redact_url(url)} not modified (HTTP 304): read from its last copy"
        )
    try:
        return parse_sitemap(body)
    except SitemapError as exc:
        raise FetchError(f"source {source.name!r}: sitemap {redact_url(url)}: {exc}") from exc


def _sitemap_entries(
    session: Any,
    source: Source,
    settings: Settings,
    limit: int,
    window_start: datetime | None,
    window_end: datetime | None,
    report: dict[str, Any],
) -> list[Any]:
    """The entries of the source's sitemap, and of every child of a sitemap index that can hold
    the window (`newsflow.fetch.sitemap.plan_children`), newest first, until `limit` entries in
    the window are found or the source's time budget is spent. A child that cannot be read is
    noted, not fatal. The counts read and skipped go to the ledger's notes."""
    import time

    from newsflow.fetch.sitemap import in_window, plan_children

    top = _read_sitemap(session, source, source.url, settings, report)
    entries = list(top.entries)
    if not top.children:
        return entries
    plan = plan_children(top.children, window_start, window_end)
    budget = float(getattr(settings, "source_budget", 0) or 0)
    deadline = time.monotonic() + budget / 2 if budget > 0 else float("inf")  # half for the pages
    read = failed = 0
    found = 0
    for url in plan.read:
        if found >= limit or time.monotonic() > deadline:
            break
        try:
            child = _read_sitemap(session, source, url, settings, report)
        except FetchError as exc:
            failed += 1
            log.warning("%s", exc)
            continue
        finally:
            read += 1
        entries += child.entries
        found += sum(1 for e in child.entries if in_window(e.published, window_start, window_end))
    left = len(plan.read) - read
    why = "max_items reached" if found >= limit else "source time budget spent"
    report["notes"].append(
        f"source {source.name}: sitemap index lists {len(top.children)} sitemaps: {read} read"
        + (f" ({failed} unreadable)" if failed else "")
        + f", {plan.skipped} skipped (outside the window)"
        + (f", {left} not read ({why})" if left else "")
    )
    return entries


def _fetch_sitemap(
    source: Source,
    settings: Settings,
    limit: int,
    window_start: datetime | None,
    window_end: datetime | None,
    report: dict[str, Any],
) -> Iterator[RawItem]:
    from newsflow.fetch.sitemap import SitemapEntry, in_window

    meta = source.source_meta
    with make_session(settings) as session:
        entries = _sitemap_entries(session, source, settings, limit, window_start, window_end, report)
        kept = [e for e in entries if in_window(e.published, window_start, window_end)]
        first: dict[str, SitemapEntry] = {}
        for entry in sorted(kept, key=lambda e: e.loc):
            first.setdefault(entry.loc, entry)
        kept = list(first.values())
        log.info("source %s: sitemap lists %d entries, %d in the window", source.name, len(entries), len(kept))
        if len(entries) > len(kept):  # the interval decides; say what it left out (newsflow ingest --start/--end)
            span = f"{window_start:%Y-%m-%d %H:%M} to {window_end:%Y-%m-%d %H:%M}" if window_start and window_end else ""
            report["notes"].append(
                f"source {source.name}: sitemap lists {len(entries)} entries, {len(kept)} dated in the run's "
                f"interval {span}; the {len(entries) - len(kept)} others belong to other intervals"
            )
        for entry, page in fetch_pages(session, kept[:limit], settings, url_of=lambda e: e.loc):
            item = _page_item(
                source,
                meta,
                page,
                entry.loc,
                feed_title=entry.title,
                feed_published=entry.published.isoformat() if entry.published else "",
            )
            report["last_item"] = _newest(item, report.get("last_item"))
            yield item
