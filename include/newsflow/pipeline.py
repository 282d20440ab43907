"""The stage sequence, shared by the Airflow DAG and the CLI.

Each `*_stage` function reads batch files and writes batch files, and returns
a small JSON-able dict (paths and counts) that the DAG passes through XCom.
Article bodies never travel through XCom, and every stage can be re-run from
the files it was given, which is what makes task retries safe.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from newsflow import clock
from newsflow.archive import archive_batch
from newsflow.clean import apply_learned, clean_and_learn, learn_boilerplate
from newsflow.config import PIPELINE_VERSION, Settings
from newsflow.dedupe import Deduplicator
from newsflow.dedupe.store import CandidateStore, MemoryStore
from newsflow.enrich import enrich_article, skipped_enrichers
from newsflow.ledger import Ledger
from newsflow.models import (
    REJECTED,
    Article,
    RawItem,
    read_articles,
    read_raw,
    write_jsonl,
)
from newsflow.sources import Source

log = logging.getLogger("newsflow.pipeline")

NOT_PROCESSED = "not_processed"
"""Ledger reason for archived items a run never decided (a later task failed): re-run to index them."""


class ArchiveError(RuntimeError):
    """The raw archive could not be written (disk full, read-only): the fetch task fails and is retried."""


class SearchUnavailable(RuntimeError):
    """Elasticsearch failed a whole request (down, overloaded, refusing): the task fails and is retried."""


def _search_failure(exc: Exception, client: Any, stage: str, settings: Settings, run_id: str) -> Exception:
    """A clear error for a failed Elasticsearch request, or `exc` itself when it is something else.

    Says where the run's data is, so a reader knows nothing is lost. Credentials never appear:
    the URL is the node's base URL, which the client keeps without user info.
    """
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    if not isinstance(exc, (TransportError, ApiError)):
        return exc
    from newsflow.index.client import client_url

    status = getattr(exc, "status_code", None) if isinstance(exc, ApiError) else None
    what = f"answered HTTP {status}" if status else "is unreachable"
    detail = re.sub(r"\s+", " ", str(exc))[:300]
    return SearchUnavailable(
        f"{stage}: Elasticsearch at {client_url(client)} {what} ({type(exc).__name__}: {detail}). "
        f"Nothing is lost: the raw archive and this run's batch files under {run_dir(settings, run_id)} "
        "are kept. The task fails so Airflow retries it; a retry or a re-run writes each article "
        "exactly once (document ids come from canonical URLs)."
    )


def safe_name(value: str) -> str:
    """Run ids contain ':' and '+'; file systems and object stores prefer they did not."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", value).strip("_") or "run"


def run_dir(settings: Settings, run_id: str) -> Path:
    return settings.work / safe_name(run_id)


def source_meta(source: Source | None) -> dict[str, Any]:
    if source is None:
        return {}
    return {
        "publisher": source.publisher,
        "country": source.country,
        "language": source.language,
    }


# --------------------------------------------------------------------------- fetch
def fetch_stage(
    source: Source,
    settings: Settings,
    run_id: str,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    live: bool | None = None,
) -> dict[str, Any]:
    """Fetch one source into the raw archive; the archive file is the batch the next stage reads.

    `live=False` marks a backfill run (feeds are replayed from the archive, not polled). The
    source's health (`newsflow.health`) records the success; the task records a final failure.
    """
    from newsflow.fetch import fetch_source
    from newsflow.health import record_success

    day = (window_start or clock.now()).date()
    report: dict[str, Any] = {}
    items = fetch_source(source, settings, window_start, window_end, report=report, live=live)
    try:
        path, count = archive_batch(settings, source.name, run_id, items, day)
    except OSError as exc:
        # write_jsonl renames a finished temp file into place: a failed write leaves no half batch,
        # only the temp file, which is removed here (best effort: the disk may be the problem).
        for leftover in Path(settings.archive).glob(f"source={source.name}/date={day:%Y-%m-%d}/*.tmp"):
            leftover.unlink(missing_ok=True)
        raise ArchiveError(
            f"source {source.name!r}: cannot write the raw archive under {settings.archive}: "
            f"{exc.strerror or exc} (errno {exc.errno}). Nothing of this source was processed in this "
            "try; free space or make the folder writable, and the retry fetches it again."
        ) from exc
    log.info("fetched %d items from source %s into %s", count, source.name, path)
    status = report.get("status", "ok")
    record_success(settings, source.name, run_id, count, status, report.get("last_item"))
    return {
        "source": source.name,
        "raw": str(path),
        "fetched": count,
        "error": "",
        "status": status,
        "notes": list(report.get("notes", [])),
    }


# --------------------------------------------------------------------------- clean
def clean_raw(raw: RawItem, settings: Settings) -> tuple[Article, str]:
    """clean_and_learn plus the feed's own metadata as fallbacks, and lineage.

    Returns the article and its learning text (what per-source boilerplate
    learning reads; see `newsflow.clean.learning_text`).
    """
    article, learning = clean_and_learn(raw, settings)
    article.source = article.source or raw.source
    article.url = article.url or raw.url
    article.feed_url = article.feed_url or raw.feed_url
    article.path = article.path or raw.path
    article.line = article.line if article.line is not None else raw.line
    article.fetched_at = article.fetched_at or raw.fetched_at
    if not article.title and raw.feed_title:
        article.title = raw.feed_title
    if not article.published_at and raw.feed_published:
        article.published_at = raw.feed_published
    if not article.section and raw.feed_section:
        article.section = raw.feed_section
    if not article.authors and raw.feed_author:
        article.authors = [raw.feed_author]
    if not article.description and raw.feed_summary:
        article.description = raw.feed_summary[:500]
    article.pipeline_version = PIPELINE_VERSION
    return article, learning


def clean_batch(raws: Iterable[RawItem], settings: Settings, remembered: Iterable[str] = ()) -> tuple[
    list[Article], list[str]
]:
    """Clean one source's items, then strip the furniture learned from its recent articles
    (`remembered`) and from this batch itself, so even a first run learns."""
    cleaned = [clean_raw(raw, settings) for raw in raws]
    learning = [text for art, text in cleaned if not art.rejected]
    learned = learn_boilerplate([*remembered, *learning])
    articles = [apply_learned(art, text, learned, settings) for art, text in cleaned]
    if learned:
        log.info("stripped %d learned furniture lines where present", len(learned))
    return articles, learning


def clean_stage(fetch_result: dict[str, Any], settings: Settings, run_id: str) -> dict[str, Any]:
    """Clean one source's raw batch, learning that source's recurring furniture as it goes."""
    from newsflow.boilerplate_state import BoilerplateMemory

    source = fetch_result["source"]
    out = run_dir(settings, run_id) / "clean" / f"{safe_name(source)}.jsonl"
    raw_path = fetch_result.get("raw")
    memory = BoilerplateMemory(settings, source)
    raws = read_raw(Path(raw_path)) if raw_path and Path(raw_path).exists() else iter(())
    articles, learning = clean_batch(raws, settings, memory.recent)
    for art in articles:
        art.ingest_run_id = run_id
    count = write_jsonl(out, articles)
    memory.observe(learning)
    memory.save()
    rejected = sum(1 for a in articles if a.rejected)
    log.info("cleaned %d items of source %s (%d rejected)", count, source, rejected)
    return {"source": source, "path": str(out), "count": count, "rejected": rejected}


# --------------------------------------------------------------------------- dedupe
def dedupe_stage(
    clean_results: Iterable[dict[str, Any]],
    settings: Settings,
    run_id: str,
    index_store: CandidateStore | None = None,
) -> list[dict[str, Any]]:
    """Dedupe every source of the run together, so a story syndicated by several outlets
    in the same run is caught, and against the index, so one from an earlier run is too."""
    # The deduplicator's own run store answers in-run look-ups (same URL, exact and near
    # copies across sources); a second in-memory layer over the index only doubled the
    # memory (68 KB per article) without changing a decision.
    store: CandidateStore = index_store if index_store is not None else MemoryStore()
    dedup = Deduplicator(store, policy=settings.duplicate_policy)
    results = []
    for res in sorted(clean_results, key=lambda r: r["source"]):
        articles = list(read_articles(Path(res["path"])))
        try:
            decided = dedup.process(articles)
        except Exception as exc:
            failure = _search_failure(exc, getattr(index_store, "client", None), "dedupe", settings, run_id)
            if failure is exc:
                raise
            raise failure from exc
        out = run_dir(settings, run_id) / "dedupe" / f"{safe_name(res['source'])}.jsonl"
        write_jsonl(out, decided)
        counts = _status_counts(decided)
        log.info("deduplicated source %s: %s", res["source"], counts)
        results.append({"source": res["source"], "path": str(out), "count": len(decided), "counts": counts})
    links_path = run_dir(settings, run_id) / "dedupe" / "_links.jsonl"
    write_jsonl(links_path, ({"original": o, "url": u} for o, u in getattr(dedup, "links", [])))
    return results


# --------------------------------------------------------------------------- enrich
def enrich_stage(batch: dict[str, Any], settings: Settings, run_id: str, source: Source | None) -> dict[str, Any]:
    meta = source_meta(source)
    skip = skipped_enrichers(settings)
    out = run_dir(settings, run_id) / "enrich" / f"{safe_name(batch['source'])}.jsonl"
    failures = 0

    def articles() -> Iterator[Article]:
        nonlocal failures
        for art in read_articles(Path(batch["path"])):
            enriched = enrich_article(art, meta, skip=skip)
            failures += len(enriched.enrich_errors)
            yield enriched

    count = write_jsonl(out, articles())
    log.info("enriched %d articles of source %s (%d enricher failures)", count, batch["source"], failures)
    return {"source": batch["source"], "path": str(out), "count": count, "enrich_failures": failures}


# --------------------------------------------------------------------------- index
def index_stage(batches: Iterable[dict[str, Any]], settings: Settings, run_id: str, client: Any) -> dict[str, Any]:
    """Bulk-index the run's articles; per-document failures become rejections with the server's reason."""
    try:
        return _index_batches(batches, settings, run_id, client)
    except Exception as exc:
        failure = _search_failure(exc, client, "index", settings, run_id)
        if failure is exc:
            raise
        raise failure from exc


def _index_batches(batches: Iterable[dict[str, Any]], settings: Settings, run_id: str, client: Any) -> dict[str, Any]:
    from newsflow.index import ensure_index, index_articles, record_links

    ensure_index(client, settings)
    final = []
    written: list[str] = []  # ids this run wrote: checked for split clusters and related stories
    earliest = ""  # when the run's first item was fetched: dedupe looked at the index after that
    indexed = failed = 0
    for batch in sorted(batches, key=lambda b: b["source"]):
        articles = list(read_articles(Path(batch["path"])))
        fetched = [a.fetched_at for a in articles if a.fetched_at]
        if fetched and (not earliest or min(fetched) < earliest):
            earliest = min(fetched)
        report = index_articles(client, settings, articles, settings.home / "dead_letters")
        failures = dict(report.failures)
        for art in articles:
            if art.id in failures:
                art.status, art.reason = REJECTED, f"index_error: {failures[art.id]}"
        written += [a.id for a in articles if a.status in ("new", "updated")]
        out = run_dir(settings, run_id) / "final" / f"{safe_name(batch['source'])}.jsonl"
        write_jsonl(out, articles)
        indexed += report.indexed
        failed += report.failed
        final.append({"source": batch["source"], "path": str(out), "count": len(articles)})
    links_path = run_dir(settings, run_id) / "dedupe" / "_links.jsonl"
    if links_path.exists():
        from newsflow.models import read_jsonl

        record_links(client, settings, [(r["original"], r["url"]) for r in read_jsonl(links_path)])
    client.indices.refresh(index=settings.index_alias)
    from newsflow.dedupe.merge import merge_clusters
    from newsflow.dedupe.related import link_related

    merged = 0
    if _other_writers_since(client, settings, earliest, written):
        merged = merge_clusters(client, settings, written)  # copies written at once by two workers
    # story_id / related_ids (after the merge); one more_like_this query per new story
    related = link_related(client, settings, written) if settings.related_coverage else 0
    log.info("indexed %d documents (%d failed) for run %s", indexed, failed, run_id)
    return {"batches": final, "indexed": indexed, "failed": failed, "merged": merged, "related": related}


def _other_writers_since(client: Any, settings: Settings, earliest: str, written: list[str]) -> bool:
    """Could another worker have indexed a copy this run's dedupe did not see?

    Only documents indexed after this run started fetching, and not written by it, can split
    a story across two clusters. When there are none, the merge's look-ups (one LSH query per
    50 new stories) are skipped: on a large load that is most of the index task's time. When
    the start is unknown, assume there were.
    """
    if not written:
        return False
    if not earliest:
        return True
    try:
        since = (datetime.fromisoformat(earliest) - timedelta(minutes=5)).isoformat()
    except ValueError:
        return True
    query = {
        "bool": {
            "filter": [{"range": {"indexed_at": {"gte": since}}}],
            "must_not": [{"ids": {"values": written}}],
        }
    }
    others = client.count(index=settings.index_alias, query=query)["count"]
    if not others:
        log.info("no other writer since %s: no split cluster to repair", since)
    return bool(others)


# --------------------------------------------------------------------------- ledger
def ledger_stage(
    fetch_results: Iterable[dict[str, Any]],
    final_batches: Iterable[dict[str, Any]],
    run_id: str,
    source_errors: Iterable[str] = (),
) -> Ledger:
    """The run's ledger from its final batches.

    A source that was fetched but has no final batch (dedupe or index failed for good) is
    counted from its raw archive file, every item rejected as `not_processed`: the ledger
    still adds up, names what the run did not finish, and nothing fetched goes uncounted.
    `source_errors` (bad entries of the sources file, each naming its line) become notes.
    """
    ledger = Ledger(run_id=run_id)
    final_batches = list(final_batches)
    finished = {b["source"] for b in final_batches}
    for res in fetch_results:
        ledger.notes.extend(res.get("notes") or [])
        if res.get("error"):
            ledger.sources_failed[res["source"]] = res["error"]
        elif res["source"] not in finished and res.get("raw") and Path(res["raw"]).exists():
            for raw in read_raw(Path(res["raw"])):
                ledger.add(
                    Article(source=raw.source, url=raw.url, status=REJECTED,
                            reason=f"{NOT_PROCESSED}: the run stopped before this item was indexed; re-run it")
                )
    for batch in final_batches:
        ledger.extend(read_articles(Path(batch["path"])))
    ledger.notes.extend(f"sources file: {error}" for error in source_errors)
    return ledger


def source_file_errors(path: Path) -> list[str]:
    """Every problem of the sources file, each naming its line (the DAG still runs the good entries)."""
    from newsflow.sources import SourcesError, load_sources_lenient

    try:
        return load_sources_lenient(path)[1]
    except SourcesError as exc:
        return list(exc.errors)


def save_ledger(settings: Settings, ledger: Ledger) -> Path:
    """Keep every run's ledger as JSON next to the work files, for the CLI and for audits."""
    import json

    path = settings.work / "ledgers" / f"{safe_name(ledger.run_id)}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ledger.to_dict(), indent=2, ensure_ascii=False))
    return path


def _status_counts(articles: Iterable[Article]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for art in articles:
        counts[art.status or "undecided"] = counts.get(art.status or "undecided", 0) + 1
    return counts


# --------------------------------------------------------------------------- local files (CLI)
def process_items(raws: Iterable[RawItem], settings: Settings) -> list[Article]:
    """Clean, dedupe and enrich items without an index: what `newsflow process` prints.

    Items are grouped by source for boilerplate learning (as the DAG does per
    source), then decided in input order.
    """
    raws = list(raws)
    by_source: dict[str, list[int]] = {}
    for pos, raw in enumerate(raws):
        by_source.setdefault(raw.source, []).append(pos)
    cleaned: list[Article | None] = [None] * len(raws)
    for positions in by_source.values():
        articles, _ = clean_batch([raws[p] for p in positions], settings)
        for pos, art in zip(positions, articles, strict=True):
            cleaned[pos] = art
    decided = Deduplicator(MemoryStore(), policy=settings.duplicate_policy).process(
        [a for a in cleaned if a is not None]
    )
    skip = skipped_enrichers(settings)
    return [enrich_article(a, {}, skip=skip) for a in decided]
