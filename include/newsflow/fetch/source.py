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

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from newsflow import clock
from newsflow.config import Settings
from newsflow.fetch.folder import fetch_folder
from newsflow.fetch.items import FetchError
from newsflow.fetch.newsapi import fetch_newsapi
from newsflow.fetch.rss import LIVE_WINDOW, fetch_rss, replay_rss
from newsflow.fetch.sitemap_source import fetch_sitemap
from newsflow.models import RawItem
from newsflow.sources import Source


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
            yield from fetch_rss(source, settings, limit, report)
        else:
            yield from replay_rss(source, settings, limit, window_start, window_end, report)
    elif source.type == "files":
        yield from fetch_folder(source, settings, limit, window_start, window_end)
    elif source.type == "sitemap":
        yield from fetch_sitemap(source, settings, limit, window_start, window_end, report)
    elif source.type == "newsapi":
        yield from fetch_newsapi(source, settings, limit, window_start, window_end, report)
    else:
        raise FetchError(f"source {source.name!r}: unsupported type {source.type!r}")
