"""`files` sources: a local folder of pages, texts and JSON records, filtered by the run's window."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from newsflow.config import Settings
from newsflow.fetch.files import read_paths
from newsflow.fetch.items import FetchError, in_window_utc, item_date
from newsflow.models import RawItem
from newsflow.sources import Source

log = logging.getLogger("newsflow.fetch")


def fetch_folder(
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
            if when is not None and not in_window_utc(when, window_start, window_end):
                outside += 1
                continue
        if kept >= limit:
            log.info("source %s: reached max_items=%d, stopping", source.name, limit)
            break
        kept += 1
        yield item
    log.info("source %s: %d items read from %s (%d outside the window)", source.name, kept, folder, outside)
