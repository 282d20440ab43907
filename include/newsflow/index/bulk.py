"""Write articles to the index: bulk, retries, dead letters, exact-copy links.

- Only articles that change the index are written: status `new` (near-duplicates under the
  `cluster` policy are `new` too, joined to their story by `cluster_id`) or `updated`.
  `unchanged`, `duplicate` and `rejected` are counted as skipped.
- `_id` is the article id (hash of the canonical URL) and the op type is `index`, so a
  re-run or a backfill overwrites in place and never duplicates.
- Chunks rejected as a whole with 429/503 and documents rejected with 429/503 are retried
  with exponential backoff (`streaming_bulk`'s `max_retries` / `initial_backoff`); the
  client itself also retries 429/502/503/504 (see `newsflow.index.client`). A document
  that still fails (mapping violation, ...) is appended to the dead-letter file
  `<home>/dead_letters/<UTC date>.jsonl` with its error and counted in the report; the
  others are indexed. An error that concerns the whole request (cluster down, auth)
  raises, so the task fails and Airflow retries it.
- A large load (`LARGE_LOAD` documents or more, or `relax_refresh=True`) turns the target
  index's `refresh_interval` off while it runs and restores the previous value after
  (`newsflow.index.versions.relaxed_refresh`): refreshing every second while a backfill or
  reindex pours in documents costs indexing throughput for searches nobody runs.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sized
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import streaming_bulk

from newsflow.config import Settings
from newsflow.index.documents import to_document
from newsflow.models import NEW, UPDATED, Article

log = logging.getLogger(__name__)

WRITTEN_STATUSES = frozenset({NEW, UPDATED})
CHUNK_SIZE = 500
MAX_RETRIES = 5
INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 30.0
RETRY_ON_STATUS = (429, 503)
LARGE_LOAD = 1000
"""Loads of at least this many articles relax the target index's refresh interval."""


@dataclass
class IndexReport:
    """What one `index_articles` call did."""

    indexed: int = 0
    """Documents written (created or overwritten)."""
    created: int = 0
    updated: int = 0
    """Of `indexed`: new documents / existing ids overwritten in place."""
    skipped: int = 0
    """Articles not written because of their status (unchanged, duplicate, rejected)."""
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(article id, reason) for each failed document."""
    dead_letters: Path | None = None
    """The dead-letter file the failures were appended to, if any."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "indexed": self.indexed,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "failed": self.failed,
            "failures": [list(f) for f in self.failures],
            "dead_letters": str(self.dead_letters) if self.dead_letters else None,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def error_reason(error: Any) -> str:
    """A one-line reason from a bulk item error (dict or string)."""
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}".strip()
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            reason += f" (caused by {cause.get('type', '')}: {cause['reason']})"
        return reason
    return str(error)


class _DeadLetters:
    """Appends failures to `<dir>/<UTC date>.jsonl`, opened on the first failure only."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / f"{datetime.now(UTC).date().isoformat()}.jsonl"
        self._fh: TextIO | None = None

    def write(self, record: dict[str, Any]) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()

    @property
    def used(self) -> bool:
        return self._fh is not None


def _batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _existing_also_urls(client: Elasticsearch, index: str, ids: list[str]) -> dict[str, list[str]]:
    """also_urls already stored for these ids (kept when an article is updated in place)."""
    if not ids:
        return {}
    try:
        resp = client.mget(index=index, ids=ids, source_includes=["also_urls"])
    except NotFoundError:
        return {}
    return {
        d["_id"]: d["_source"].get("also_urls") or []
        for d in resp.body.get("docs", [])
        if d.get("found") and d.get("_source")
    }


def _merge(first: list[str], second: list[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def index_articles(
    client: Elasticsearch,
    settings: Settings,
    articles: Iterable[Article],
    dead_letter_dir: Path | None = None,
    *,
    index: str | None = None,
    relax_refresh: bool | None = None,
    max_retries: int = MAX_RETRIES,
    initial_backoff: float = INITIAL_BACKOFF,
) -> IndexReport:
    """Bulk-index the articles that change the index; refresh it at the end.

    `index` is the target (default: the write alias; the reindex passes the new version,
    which no alias points at yet). `relax_refresh=None` relaxes the refresh interval when
    `articles` is a sized collection of at least `LARGE_LOAD`.
    """
    from newsflow.index.versions import relaxed_refresh

    target = index or settings.write_alias
    read_from = index or settings.index_alias
    if relax_refresh is None:
        relax_refresh = isinstance(articles, Sized) and len(articles) >= LARGE_LOAD
    report = IndexReport()
    dead = _DeadLetters(dead_letter_dir or settings.home / "dead_letters")
    pending: dict[str, deque[tuple[str, dict[str, Any]]]] = defaultdict(deque)
    indexed_at = _now()

    def actions() -> Iterator[dict[str, Any]]:
        for batch in _batched(articles, CHUNK_SIZE):
            written = [a for a in batch if a.status in WRITTEN_STATUSES and a.id]
            report.skipped += len(batch) - len(written)
            known = _existing_also_urls(client, read_from, [a.id for a in written if a.status == UPDATED])
            for article in written:
                doc = to_document(article, indexed_at)
                if known.get(article.id):
                    doc["also_urls"] = _merge(known[article.id], doc.get("also_urls") or [])
                pending[article.id].append((article.url, doc))
                yield {"_op_type": "index", "_index": target, "_id": article.id, "_source": doc}

    relaxing = relaxed_refresh(client, target) if relax_refresh else nullcontext()
    try:
        with relaxing:
            _load(report, dead, pending, target, settings, client, actions(), max_retries, initial_backoff)
    finally:
        dead.close()
    if dead.used:
        report.dead_letters = dead.path
    if report.indexed or report.failed:
        client.indices.refresh(index=read_from)
    log.info(
        "indexed %d (%d new, %d overwritten), skipped %d, failed %d into %s",
        report.indexed,
        report.created,
        report.updated,
        report.skipped,
        report.failed,
        target,
    )
    return report


def _load(
    report: IndexReport,
    dead: _DeadLetters,
    pending: dict[str, deque[tuple[str, dict[str, Any]]]],
    target: str,
    settings: Settings,
    client: Elasticsearch,
    actions: Iterator[dict[str, Any]],
    max_retries: int,
    initial_backoff: float,
) -> None:
    """Run streaming_bulk over `actions`, counting results and dead-lettering failures."""
    for ok, item in streaming_bulk(
        client,
        actions,
        chunk_size=CHUNK_SIZE,
        max_chunk_bytes=settings.bulk_chunk_bytes,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=max_retries,
        initial_backoff=initial_backoff,
        max_backoff=MAX_BACKOFF,
        retry_on_status=RETRY_ON_STATUS,
    ):
        info = next(iter(item.values()))
        doc_id = str(info.get("_id", ""))
        queue = pending.get(doc_id)
        url, doc = queue.popleft() if queue else ("", None)
        if queue is not None and not queue:
            del pending[doc_id]
        if ok:
            report.indexed += 1
            if info.get("result") == "created":
                report.created += 1
            else:
                report.updated += 1
            continue
        reason = error_reason(info.get("error"))
        report.failed += 1
        report.failures.append((doc_id, reason))
        log.warning("document %s (%s) not indexed: %s", doc_id, url, reason)
        dead.write(
            {
                "id": doc_id,
                "url": url,
                "status": info.get("status"),
                "error": reason,
                "failed_at": _now(),
                "index": target,
                "document": doc,
            }
        )


def record_links(
    client: Elasticsearch,
    settings: Settings,
    links: list[tuple[str, str]],
    attempts: int = 3,
    *,
    index: str | None = None,
) -> int:
    """Add exact-copy URLs to their original's `also_urls`: `links` are (original id, copy URL).

    Written as read-modify-write (one mget, then one bulk `index` of the changed documents,
    guarded by `if_seq_no`/`if_primary_term` and retried on conflict) because the embedded
    server has no scripted updates; on Elasticsearch alone a painless `update` would do.
    Originals not in the index (yet) are skipped. Returns the number of documents changed.
    `index` defaults to the read alias (the reindex passes the version it is building).
    """
    wanted = _links_by_original(links)
    changed = 0
    for _ in range(attempts):
        if not wanted:
            break
        try:
            resp = client.mget(index=index or settings.index_alias, ids=list(wanted))
        except NotFoundError:
            return changed
        operations = _also_urls_writes(resp.body.get("docs", []), wanted)
        if not operations:
            break
        result = client.bulk(operations=operations, refresh=True)
        changed += _settle_link_writes(result.body.get("items", []), wanted)
    if wanted:
        log.warning("also_urls of %d document(s) not updated after %d attempts", len(wanted), attempts)
    return changed


def _links_by_original(links: list[tuple[str, str]]) -> dict[str, list[str]]:
    wanted: dict[str, list[str]] = defaultdict(list)
    for original_id, url in links:
        if original_id and url and url not in wanted[original_id]:
            wanted[original_id].append(url)
    return wanted


def _also_urls_writes(docs: list[dict[str, Any]], wanted: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Guarded `index` operations for the originals whose `also_urls` change; the others leave `wanted`."""
    operations: list[dict[str, Any]] = []
    for d in docs:
        source = d.get("_source") or {}
        merged = [
            u for u in _merge(source.get("also_urls") or [], wanted[d["_id"]]) if u != source.get("url")
        ]
        if not d.get("found") or merged == (source.get("also_urls") or []):
            wanted.pop(d["_id"], None)
            continue
        source["also_urls"] = merged
        guard = {"if_seq_no": d["_seq_no"], "if_primary_term": d["_primary_term"]}
        operations += [{"index": {"_index": d["_index"], "_id": d["_id"], **guard}}, source]
    return operations


def _settle_link_writes(items: list[dict[str, Any]], wanted: dict[str, list[str]]) -> int:
    """Count the writes that landed and drop them (and hopeless ones) from `wanted`; 409s are read again."""
    changed = 0
    for item in items:
        info = next(iter(item.values()))
        if 200 <= info.get("status", 500) < 300:
            changed += 1
            wanted.pop(info["_id"], None)
        elif info.get("status") != 409:  # 409: changed meanwhile, read again
            log.warning("also_urls of %s not updated: %s", info["_id"], error_reason(info.get("error")))
            wanted.pop(info["_id"], None)
    return changed
