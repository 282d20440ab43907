"""The records that flow between stages.

Stages exchange these as JSON lines in batch files (one record a line), so a
record must stay a flat, JSON-friendly dataclass: the DAG passes file paths
through XCom and every stage can be re-run from the files alone.
"""

from __future__ import annotations

import copy
import dataclasses
import glob
import json
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

# Status values an article ends with. Every fetched item ends in exactly one.
NEW = "new"  # first time indexed
UPDATED = "updated"  # same canonical URL, text changed: updated in place
UNCHANGED = "unchanged"  # same canonical URL, same text: nothing to write
DUPLICATE = "duplicate"  # exact copy (or near copy under the `drop` policy) of another article
REJECTED = "rejected"  # not indexed; `reason` says why in words a user can read
STATUSES = (NEW, UPDATED, UNCHANGED, DUPLICATE, REJECTED)


@dataclass
class RawItem:
    """One fetched payload, exactly as it came in, plus where it came from.

    `body` is the decoded text (HTML or plain text). A fetch that failed still
    produces a RawItem with `error` set, so the failure is counted, not lost.
    """

    source: str
    url: str
    kind: str = "html"  # html | text | json
    body: str = ""
    fetched_at: str = ""  # ISO 8601, UTC
    status_code: int | None = None
    content_type: str = ""
    encoding: str = ""
    error: str = ""  # readable fetch error; non-empty means the item is rejected
    path: str = ""  # local file the item came from (files sources, CLI)
    line: int | None = None  # line number inside a .jsonl file
    # What the feed (or a JSON record) said about the item; used as fallbacks.
    feed_url: str = ""
    feed_title: str = ""
    feed_summary: str = ""
    feed_published: str = ""  # ISO 8601 if the feed gave a date
    feed_author: str = ""
    feed_section: str = ""
    source_meta: dict[str, Any] = field(
        default_factory=dict
    )  # country, language hint, publisher of the source

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RawItem:
        return cls(**{k: v for k, v in data.items() if k in _RAW_FIELDS})


class Claims(TypedDict, total=False):
    """What the page, its byline or footer, a JSON record or the feed says about the article.

    Clean finds these and proposes them; enrich decides the fields they feed (see
    `newsflow.fields`): clean never writes `published_at`, `publisher` and the like itself, so
    each field has one writer. Not indexed (a transient field of the batch files).
    """

    published: list[str]  # publication dates, most trusted first: page metadata, byline/footer, record, feed
    updated: list[str]  # update dates: page metadata, byline/footer
    publisher: str  # a publisher named in a footer credit
    country: str  # a news API's country for the item
    section: str  # the page's, a footer's, the record's or the feed's section
    agency: list[str]  # wire agencies named in bylines, credits and the dateline
    canonical_url: str  # the page's declared canonical URL (dedupe decides `canonical_url`)


@dataclass
class Article:
    """A cleaned article on its way to the index.

    Fields are filled stage by stage, each field by one stage only (the table
    `newsflow.fields.FIELDS`, printed in docs/fields.md): clean fills text and page
    metadata and proposes `claims`, dedupe fills ids and clusters, enrich decides
    language, dates, outlet, agency and places, index sets the final status.
    """

    # identity and lineage
    id: str = ""  # document id: hash of the canonical URL
    url: str = ""
    canonical_url: str = ""
    source: str = ""
    feed_url: str = ""
    path: str = ""
    line: int | None = None
    fetched_at: str = ""
    ingest_run_id: str = ""
    pipeline_version: str = ""
    extractor: str = ""
    # content
    title: str = ""
    text: str = ""
    description: str = ""
    dateline: str = ""
    authors: list[str] = field(default_factory=list)
    # page metadata
    site_name: str = ""
    section: str = ""
    image: str = ""
    page_language: str = ""
    claims: Claims = field(default_factory=lambda: Claims())
    # enrichment
    language: str = "und"
    language_confidence: float = 0.0
    published_at: str | None = None
    updated_at: str | None = None
    date_flags: list[str] = field(default_factory=list)
    publisher: str = ""
    domain: str = ""
    country: str = ""  # country of the outlet (ISO 3166-1 alpha-2)
    agency: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # countries mentioned (ISO alpha-2)
    keywords: list[str] = field(default_factory=list)
    word_count: int = 0
    reading_time_min: float = 0.0
    enrich_errors: list[str] = field(default_factory=list)
    # dedupe
    text_hash: str = ""
    minhash: list[int] = field(default_factory=list)
    lsh: list[str] = field(default_factory=list)
    shingle_count: int = 0
    cluster_id: str = ""
    is_canonical: bool = True
    duplicate_of: str = ""
    similarity: float | None = None
    also_urls: list[str] = field(default_factory=list)
    # outcome
    status: str = ""
    reason: str = ""
    # related coverage (set after indexing, see newsflow.dedupe.related)
    story_id: str = ""  # the event this article's story belongs to; never the copy cluster_id's job
    related_ids: list[str] = field(default_factory=list)  # independently written articles on the event

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        return cls(**{k: v for k, v in data.items() if k in _ARTICLE_FIELDS})

    def reject(self, reason: str) -> Article:
        """Mark as rejected; the first reason wins because it is the root cause."""
        if self.status != REJECTED:
            self.status = REJECTED
            self.reason = reason
        return self

    @property
    def rejected(self) -> bool:
        return self.status == REJECTED


def scrub(value: str) -> str:
    """`value` with lone surrogates (which no UTF-8 file can hold) replaced by U+FFFD."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def stage_error(stage: str, exc: BaseException) -> str:
    """The rejection reason for an item that failed in `stage`: `<stage>_error: <Type>: <message>`."""
    message = " ".join(scrub(str(exc)).split())[:300]
    return (
        f"{stage}_error: {type(exc).__name__}: {message}"
        if message
        else f"{stage}_error: {type(exc).__name__}"
    )


STAGE_ERROR_PREFIXES = ("decode_error:", "archive_error:", "fetch_failed:", "clean_error:")
"""RawItem errors that are already a full rejection reason (not wrapped in `fetch_error: ...`)."""


_RAW_FIELDS = {f.name for f in dataclasses.fields(RawItem)}
_ARTICLE_FIELDS = {f.name for f in dataclasses.fields(Article)}
_FIELD_NAMES = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in (RawItem, Article)}


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        # Record lists are typed list[str] / list[int]: a shallow copy is a deep one.
        return copy.deepcopy(value) if value and isinstance(value[0], list | dict) else list(value)
    if isinstance(value, dict):
        return copy.deepcopy(value)
    return value


def _as_dict(record: RawItem | Article) -> dict[str, Any]:
    """`dataclasses.asdict` without its recursive deep copy, which cost ~0.6 ms per article and
    ran about six times per article between the stages; lists and dicts are still copied, so
    the dict never shares a mutable value with the record."""
    return {name: _copy(getattr(record, name)) for name in _FIELD_NAMES[type(record)]}


def write_jsonl(
    path: Path,
    records: Iterable[RawItem | Article | dict[str, Any]],
    fallback: Callable[[Any, Exception], RawItem | Article | dict[str, Any]] | None = None,
) -> int:
    """Write records atomically (temp file + rename) so a killed task never leaves half a batch.

    The temp name is unique per process and attempt (two tries of one run never share it) and is
    removed when the write fails. `fallback(record, error)`, when given, replaces a record that
    cannot be written (a lone surrogate, a structure too deep for JSON): one bad record must
    not lose the batch; without it the error is raised.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{_HOST}-{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(_line(rec, fallback))
                count += 1
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _remove_orphans(path)
    return count


_HOST = re.sub(r"[^A-Za-z0-9]+", "", socket.gethostname())[:32] or "host"
_ORPHAN_AGE = 24 * 3600  # seconds: a temp file this old belongs to no running write


def _remove_orphans(path: Path) -> None:
    """Remove temp files of `path` left by killed writers: those of this host whose process is
    gone, and any a day old. A write still running elsewhere keeps its file.

    A temp file's age is measured against `path`, just written, not against the process's clock:
    both times then come from the filesystem's clock, which a shifted process clock (faketime,
    a container with another time) or a network filesystem's own clock cannot set apart."""
    try:
        now = path.stat().st_mtime
    except OSError:
        return
    for tmp in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        host, _, rest = tmp.name[len(path.name) + 1 :].partition("-")
        pid = rest.split("-", 1)[0]
        try:
            stale = now - tmp.stat().st_mtime > _ORPHAN_AGE
            if stale or (host == _HOST and pid.isdigit() and not _alive(int(pid))):
                tmp.unlink(missing_ok=True)
        except OSError:
            continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _line(rec: Any, fallback: Callable[[Any, Exception], Any] | None) -> str:
    try:
        line = json.dumps(rec if isinstance(rec, dict) else rec.to_dict(), ensure_ascii=False) + "\n"
        line.encode("utf-8")
        return line
    except (ValueError, TypeError, RecursionError) as exc:  # UnicodeEncodeError is a ValueError
        if fallback is None:
            raise
        replacement = fallback(rec, exc)
        data = replacement if isinstance(replacement, dict) else replacement.to_dict()
        return json.dumps(data, ensure_ascii=True) + "\n"


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_raw(path: Path) -> Iterator[RawItem]:
    for data in read_jsonl(path):
        yield RawItem.from_dict(data)


def read_articles(path: Path) -> Iterator[Article]:
    for data in read_jsonl(path):
        yield Article.from_dict(data)


# Fields a stored record carries for dedupe decisions. Here, below both dedupe (which decides
# with them) and the index (which stores and returns them), so neither imports the other.
DEDUPE_RECORD_FIELDS = (
    "id",
    "url",
    "source",
    "publisher",
    "cluster_id",
    "text_hash",
    "minhash",
    "shingle_count",
    "lsh",
    "is_canonical",
    "published_at",
)
