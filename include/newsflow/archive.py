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


def _partitions(parent: Path, key: str) -> Iterator[tuple[str, Path]]:
    """(value, folder) of the Hive-style `key=value` folders under `parent`; anything else is not ours."""
    for folder in parent.iterdir():
        match = _PART.match(folder.name)
        if folder.is_dir() and match and match.group(1) == key:
            yield match.group(2), folder


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _as_day(when: date | None) -> date | None:
    return when.date() if isinstance(when, datetime) else when


def _day_folders(src_dir: Path, start: date | None, end: date | None) -> Iterator[tuple[date, Path]]:
    """The `date=` folders of one source inside [start, end] (inclusive days)."""
    for value, day_dir in _partitions(src_dir, "date"):
        day = _day(value)
        if day is not None and (start is None or day >= start) and (end is None or day <= end):
            yield day, day_dir


def iter_archive(
    settings: Settings,
    source: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Iterator[Path]:
    """Archive files in date order (then source, then file name); `start`/`end` are inclusive days."""
    root = Path(settings.archive)
    if not root.is_dir():
        return
    found: list[tuple[date, str, str, Path]] = []
    for name, src_dir in _partitions(root, "source"):
        if source is not None and name != source:
            continue
        for day, day_dir in _day_folders(src_dir, _as_day(start), _as_day(end)):
            found += [(day, name, f.name, f) for f in day_dir.glob("*.jsonl") if f.is_file()]
    for *_, path in sorted(found):
        yield path
