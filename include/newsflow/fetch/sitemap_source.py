"""News sitemap sources: the entries dated in the run's window, then their pages.

A sitemap index can list thousands of children; only those that can hold the window are read
(`newsflow.fetch.sitemap.plan_children`), each by conditional GET (`newsflow.fetch.sitemap_cache`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from newsflow.config import Settings
from newsflow.fetch.http import make_session
from newsflow.fetch.items import FetchError, newest_item, page_item
from newsflow.fetch.parallel import fetch_pages
from newsflow.models import RawItem
from newsflow.redact import redact_url
from newsflow.sources import Source

log = logging.getLogger("newsflow.fetch")


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


def fetch_sitemap(
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
        log.info(
            "source %s: sitemap lists %d entries, %d in the window", source.name, len(entries), len(kept)
        )
        if len(entries) > len(
            kept
        ):  # the interval decides; say what it left out (newsflow ingest --start/--end)
            span = (
                f"{window_start:%Y-%m-%d %H:%M} to {window_end:%Y-%m-%d %H:%M}"
                if window_start and window_end
                else ""
            )
            report["notes"].append(
                f"source {source.name}: sitemap lists {len(entries)} entries, {len(kept)} dated in the run's "
                f"interval {span}; the {len(entries) - len(kept)} others belong to other intervals"
            )
        for entry, page in fetch_pages(session, kept[:limit], settings, url_of=lambda e: e.loc):
            item = page_item(
                source,
                meta,
                page,
                entry.loc,
                feed_title=entry.title,
                feed_published=entry.published.isoformat() if entry.published else "",
            )
            report["last_item"] = newest_item(item, report.get("last_item"))
            yield item
