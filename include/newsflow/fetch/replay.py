"""Replay from the raw archive: history for sources that have none (RSS feeds).

A feed only shows what is current, so a backfill over past days cannot fetch it again. What
live runs fetched back then is still in the raw archive; replay reads the source's archive
files that can hold the window (partitions from the window's first day to `LOOKAHEAD` days
after it: a live run archives under its own day the items its feed still listed) and yields
the items dated inside the window, each URL once (the latest fetch wins).

Why 31 days: a feed lists an item for as long as it keeps it, often weeks (a source added
today archives, under today, items its feed dates three weeks back), so a week (the former
bound) lost them. Each day read costs one directory of the source's files; a month bounds
that for every replayed window, and few feeds keep an item longer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from newsflow.archive import iter_archive
from newsflow.config import Settings
from newsflow.models import RawItem, read_raw

LOOKAHEAD = timedelta(days=31)


def replay_window(
    settings: Settings,
    source: str,
    start: datetime,
    end: datetime,
    item_date: Callable[[RawItem], datetime | None],
) -> Iterator[RawItem]:
    """Archived items of `source` dated in [start, end); `item_date(item)` gives an item's date."""
    latest: dict[str, RawItem] = {}
    for path in iter_archive(settings, source, start.date(), (end + LOOKAHEAD).date()):
        for item in read_raw(Path(path)):
            if item.error:
                continue
            when = item_date(item)
            if when is None or not (start <= when < end):
                continue
            previous = latest.get(item.url)
            if previous is None or (item.fetched_at or "") >= (previous.fetched_at or ""):
                latest[item.url] = item
    for url in sorted(latest):
        item = latest[url]
        item.source = source
        yield item
