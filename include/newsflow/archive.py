"""Raw archive: every fetched payload is kept, partitioned by source and date, before processing.

Layout: `<settings.archive>/source=<name>/date=<YYYY-MM-DD>/<safe run id>.jsonl`, one RawItem a
line. Re-running the same run overwrites its own file (atomically), so archiving is idempotent;
replay (`iter_archive`) reads the files back without fetching again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from newsflow import clock
from newsflow.config import Settings
from newsflow.models import RawItem, scrub, stage_error, write_jsonl

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SOURCE_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PART = re.compile(r"^(source|date)=(.+)$")


def safe_run_id(run_id: str) -> str:
    """A file-name-safe form of an Airflow run id; a short hash keeps distinct ids distinct."""
    safe = _SAFE.sub("_", run_id).strip("._") or "run"
    if safe != run_id:
        safe = f"{safe[:150]}-{hashlib.sha1(run_id.encode('utf-8')).hexdigest()[:8]}"
    return safe


def archive_path(settings: Settings, source: str, run_id: str, day: date) -> Path:
    if not _SOURCE_OK.match(source):
        raise ValueError(f"unsafe source name for the archive: {source!r}")
    return (
        Path(settings.archive) / f"source={source}" / f"date={day:%Y-%m-%d}" / f"{safe_run_id(run_id)}.jsonl"
    )


def archive_batch(
    settings: Settings,
    source: str,
    run_id: str,
    items: Iterable[RawItem],
    day: date | None = None,
) -> tuple[Path, int]:
    """Write the items (streamed, atomically) and return (path, count). `day` defaults to today (UTC)."""
    day = day or clock.now().date()
    path = archive_path(settings, source, run_id, day)
    count = write_jsonl(path, items, fallback=unwritable_item)
    return path, count


def unwritable_item(item: RawItem, exc: Exception) -> RawItem:
    """What the archive keeps of an item it cannot write (a lone surrogate in its text, a
    structure too deep for JSON): where it came from and why, so it is counted as rejected
    (`archive_error: ...`) instead of failing its whole source."""
    return RawItem(
        source=item.source,
        url=scrub(item.url),
        kind=item.kind,
        fetched_at=item.fetched_at,
        status_code=item.status_code,
        content_type=scrub(item.content_type),
        path=scrub(item.path),
        line=item.line,
        feed_url=scrub(item.feed_url),
        error=stage_error("archive", exc),
    )


def iter_archive(
    settings: Settings,
    source: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Iterator[Path]:
    """Archive files in date order (then source, then file name); `start`/`end` are inclusive days."""
    if isinstance(start, datetime):
        start = start.date()
    if isinstance(end, datetime):
        end = end.date()
    root = Path(settings.archive)
    if not root.is_dir():
        return
    found: list[tuple[date, str, str, Path]] = []
    for src_dir in root.iterdir():
        m = _PART.match(src_dir.name)
        if not src_dir.is_dir() or not m or m.group(1) != "source":
            continue
        name = m.group(2)
        if source is not None and name != source:
            continue
        for day_dir in src_dir.iterdir():
            d = _PART.match(day_dir.name)
            if not day_dir.is_dir() or not d or d.group(1) != "date":
                continue
            try:
                day = date.fromisoformat(d.group(2))
            except ValueError:
                continue
            if (start is not None and day < start) or (end is not None and day > end):
                continue
            for f in day_dir.glob("*.jsonl"):
                if f.is_file():
                    found.append((day, name, f.name, f))
    for *_, path in sorted(found):
        yield path
