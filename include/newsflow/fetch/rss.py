"""RSS and Atom sources: poll the live feed, or replay the archive when the window is not live.

A feed lists only what is current, so a run whose window ended long before the run's own time
(`newsflow.clock`) cannot get its items from the feed: it replays them from the raw archive.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from newsflow import clock
from newsflow.config import Settings
from newsflow.fetch import conditional as cg
from newsflow.fetch.feeds import FeedError, parse_feed
from newsflow.fetch.http import fetch_url, make_session
from newsflow.fetch.items import FeedFetchError, item_date, newest_item, page_item
from newsflow.fetch.parallel import fetch_pages
from newsflow.models import RawItem
from newsflow.redact import redact_url
from newsflow.sources import Source

log = logging.getLogger("newsflow.fetch")

# A feed only lists current items: a window that ended longer ago than this is not live.
LIVE_WINDOW = timedelta(hours=48)


def fetch_rss(source: Source, settings: Settings, limit: int, report: dict[str, Any]) -> Iterator[RawItem]:
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
            log.info(
                "source %s: feed not modified (%d unchanged polls in a row)",
                source.name,
                poll.unchanged_streak,
            )
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
            item = page_item(
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
            report["last_item"] = newest_item(item, report.get("last_item"))
            yield item
        log.info("source %s: %d pages fetched, %d failed", source.name, ok, failed)


def replay_rss(
    source: Source,
    settings: Settings,
    limit: int,
    window_start: datetime | None,
    window_end: datetime | None,
    report: dict[str, Any],
) -> Iterator[RawItem]:
    from newsflow.fetch.replay import replay_window

    report["status"] = "outside_live_window"
    span = (
        f"{window_start:%Y-%m-%d %H:%M} to {window_end:%Y-%m-%d %H:%M}"
        if window_start and window_end
        else "?"
    )
    count = 0
    if window_start is not None and window_end is not None:
        for item in replay_window(settings, source.name, window_start, window_end, item_date):
            if count >= limit:
                break
            count += 1
            report["last_item"] = newest_item(item, report.get("last_item"))
            yield item
    report["notes"].append(
        f"source {source.name}: RSS has no history; the window {span} is outside the feed's live window, "
        f"so the feed was not polled and {count} items were replayed from the raw archive"
    )
    log.info(
        "source %s: window %s is not live: %d items replayed from the raw archive", source.name, span, count
    )
