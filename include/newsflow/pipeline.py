"""The stage sequence, shared by the Airflow DAG, the rebuild and the CLI.

Each `*_stage` function reads batch files and writes batch files, and returns
a small JSON-able dict (paths and counts) that the DAG passes through XCom.
Article bodies never travel through XCom, and every stage can be re-run from
the files it was given, which is what makes task retries safe. What each stage receives
and returns is typed in `newsflow.contracts`; which stage writes which article field, in
`newsflow.fields`. The rebuild and `newsflow process` run the same steps in memory
(`run_sequence`, then `index_decided` and `after_index`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow import clock
from newsflow.archive import archive_batch
from newsflow.clean import apply_learned, clean_and_learn, learn_boilerplate
from newsflow.config import PIPELINE_VERSION, Settings
from newsflow.contracts import CleanResult, DedupeResult, EnrichResult, FetchResult, FinalBatch, IndexResult
from newsflow.dedupe import Deduplicator
from newsflow.dedupe.store import CandidateStore, MemoryStore
from newsflow.enrich import enrich_article, skipped_enrichers
from newsflow.ledger import Ledger
from newsflow.models import (
    NEW,
    REJECTED,
    STAGE_ERROR_PREFIXES,
    UNCHANGED,
    UPDATED,
    Article,
    RawItem,
    read_articles,
    read_jsonl,
    read_raw,
    scrub,
    stage_error,
    write_jsonl,
)
from newsflow.redact import REDACTED, Redactor, install_log_filter, redact_url

if TYPE_CHECKING:  # imported where used: pydantic and yaml cost `newsflow process` ~0.15 CPU s
    from newsflow.sources import Source

log = logging.getLogger("newsflow.pipeline")
install_log_filter()

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
def xcom_source(source: Source) -> dict[str, Any]:
    """What the DAG hands a mapped fetch through XCom: the source with its URL redacted, since
    XCom is stored in Airflow's database and shown in its UI (see `task_source`)."""
    data = source.to_dict()
    data["url"] = redact_url(data.get("url") or "")
    return data


def task_source(data: dict[str, Any], settings: Settings) -> Source:
    """The source a fetch task runs. A redacted URL (`xcom_source`) is read again from the sources
    file, by name, at fetch time: the credential lives only in the file, the environment and
    the fetcher."""
    from newsflow.fetch import FetchError
    from newsflow.sources import Source, load_sources_lenient

    source = Source.from_dict(data)
    if REDACTED not in source.url:
        return source
    for candidate in load_sources_lenient(settings.sources_file)[0]:
        if candidate.name == source.name:
            return candidate
    raise FetchError(f"source {source.name!r} is no longer in {settings.sources_file}")


class _SourceFailed(Exception):
    """Carries an error raised by the source's own generator through the archive writer, so it
    is not mistaken for an archive failure."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _budgeted(
    items: Iterable[RawItem], settings: Settings, source: str, redactor: Redactor
) -> Iterator[RawItem]:
    """The source's items, with its errors marked as its own, secrets redacted, and the batch's
    size budget applied.

    Past `settings.max_batch_chars` of bodies in one run, items are kept as rejections
    (`too_large: ...`) without their body: a handful of huge pages cannot take the clean task's
    memory (and the search server's) with them.
    """
    limit = int(getattr(settings, "max_batch_chars", 0) or 0)
    total = 0
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise _SourceFailed(exc) from exc
        redactor.item(item)
        total += len(item.body)
        if limit and total > limit and not item.error:
            item.body = ""
            item.error = (
                f"too_large: source {source}'s batch budget of {limit} characters for one run is spent "
                "(NEWSFLOW_MAX_BATCH_CHARS)"
            )
        yield item


def fetch_stage(
    source: Source,
    settings: Settings,
    run_id: str,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    live: bool | None = None,
) -> FetchResult:
    """Fetch one source into the raw archive; the archive file is the batch the next stage reads.

    `live=False` marks a backfill run (feeds are replayed from the archive, not polled). The
    source's health (`newsflow.health`) records the success; the task records a final failure.
    """
    from newsflow.fetch import fetch_source
    from newsflow.health import record_success

    day = (window_start or clock.now()).date()
    report: dict[str, Any] = {}
    redactor = Redactor([source.url])  # secrets never leave the fetcher
    items = fetch_source(source, settings, window_start, window_end, report=report, live=live)
    try:
        batch = _budgeted(items, settings, source.name, redactor)
        path, count = archive_batch(settings, source.name, run_id, batch, day)
    except _SourceFailed as failed:  # the source itself failed (feed unreadable, ...), not the archive
        raise _redacted(failed.error, redactor) from failed.error.__cause__
    except OSError as exc:
        # write_jsonl writes a unique temp file and renames it into place; a failed write removes it.
        raise ArchiveError(
            f"source {source.name!r}: cannot write the raw archive under {settings.archive}: "
            f"{exc.strerror or exc} (errno {exc.errno}). Nothing of this source was processed in this "
            "try; free space or make the folder writable, and the retry fetches it again."
        ) from exc
    log.info("fetched %d items from source %s into %s", count, source.name, path)
    status = report.get("status", "ok")
    last = report.get("last_item")
    last = (last[0], redactor.item_url(last[1])) if last else None
    record_success(settings, source.name, run_id, count, status, last)
    return {
        "source": source.name,
        "raw": str(path),
        "fetched": count,
        "error": "",
        "status": status,
        "notes": [redactor.text(str(note)) for note in report.get("notes", [])],
    }


def _redacted(error: BaseException, redactor: Redactor) -> BaseException:
    """The same error with the source's secrets redacted from its message (it reaches the task
    log, health.json, the ledger and XCom)."""
    message = str(error)
    clean = redactor.text(message)
    if clean == message:
        return error
    try:
        return type(error)(clean)
    except Exception:  # an exception type that takes other arguments
        from newsflow.fetch import FetchError

        return FetchError(clean)


# --------------------------------------------------------------------------- clean
def unwritable_article(stage: str) -> Callable[[Article, Exception], Article]:
    """A write_jsonl fallback: an article that cannot be written is kept as a rejection."""

    def fallback(art: Article, exc: Exception) -> Article:
        return Article(
            id=art.id,
            source=art.source,
            url=scrub(art.url),
            feed_url=scrub(art.feed_url),
            path=scrub(art.path),
            line=art.line,
            fetched_at=art.fetched_at,
            ingest_run_id=art.ingest_run_id,
            pipeline_version=art.pipeline_version,
            status=REJECTED,
            reason=stage_error(stage, exc),
        )

    return fallback


def clean_raw(raw: RawItem, settings: Settings) -> tuple[Article, str]:
    """`clean_and_learn`: the article (with the feed's metadata where the page had none, and
    its lineage: see `newsflow.clean`) and its learning text (what per-source boilerplate
    learning reads; see `newsflow.clean.learning_text`)."""
    return clean_and_learn(raw, settings)


def _rejected_copy(raw: RawItem, reason: str) -> Article:
    return Article(
        source=raw.source,
        url=scrub(raw.url),
        feed_url=scrub(raw.feed_url),
        path=scrub(raw.path),
        line=raw.line,
        fetched_at=raw.fetched_at,
        pipeline_version=PIPELINE_VERSION,
        status=REJECTED,
        reason=reason,
    )


def _too_large(raw: RawItem, settings: Settings) -> str:
    """The size budget a body breaks before cleaning, or ''. A plain-text body more than twice the
    text budget cannot clean down to it (cleaning removes furniture lines, not half an article)."""
    if len(raw.body) > int(settings.max_bytes):
        return f"too_large: body of {len(raw.body)} characters > {settings.max_bytes}"
    limit = int(getattr(settings, "max_text_chars", 0) or 0)
    if limit and raw.kind == "text" and len(raw.body) > 2 * limit:
        return f"too_large: text of {len(raw.body)} characters > {limit} (NEWSFLOW_MAX_TEXT_CHARS)"
    return ""


def _isolated_clean(raw: RawItem, settings: Settings) -> tuple[Article, str]:
    """clean_raw for one item; whatever it raises rejects that item only (`clean_error: ...`)."""
    if raw.error.startswith(STAGE_ERROR_PREFIXES):  # already a full reason (decode, archive, size)
        return _rejected_copy(raw, raw.error), ""
    too_large = _too_large(raw, settings)
    if too_large:  # said before the costly extraction, not after it
        return _rejected_copy(raw, too_large), ""
    try:
        article, learning = clean_raw(raw, settings)
    except Exception as exc:
        log.warning("clean failed on %s: %s: %s", raw.url, type(exc).__name__, exc)
        return _rejected_copy(raw, stage_error("clean", exc)), ""
    limit = int(getattr(settings, "max_text_chars", 0) or 0)
    if limit and len(article.text) > limit and not article.rejected:
        article.reject(
            f"too_large: text of {len(article.text)} characters > {limit} (NEWSFLOW_MAX_TEXT_CHARS)"
        )
        article.text, learning = "", ""  # not kept in memory, in the batch files or for learning
    return article, learning


def _isolated_apply(art: Article, text: str, learned: frozenset[str], settings: Settings) -> Article:
    try:
        return apply_learned(art, text, learned, settings)
    except Exception as exc:
        log.warning("clean failed on %s: %s: %s", art.url, type(exc).__name__, exc)
        return art.reject(stage_error("clean", exc))


def clean_batch(
    raws: Iterable[RawItem], settings: Settings, remembered: Iterable[str] = ()
) -> tuple[list[Article], list[str]]:
    """Clean one source's items, then strip the furniture learned from its recent articles
    (`remembered`) and from this batch itself, so even a first run learns."""
    cleaned = [_isolated_clean(raw, settings) for raw in raws]
    learning = [text for art, text in cleaned if not art.rejected]
    try:
        learned = learn_boilerplate([*remembered, *learning], normalized=True)  # learning texts
    except Exception as exc:  # learning is an improvement, never a reason to lose the batch
        log.warning("boilerplate learning failed (%s: %s); cleaning without it", type(exc).__name__, exc)
        learned = frozenset()
    articles = [_isolated_apply(art, text, learned, settings) for art, text in cleaned]
    if learned:
        log.info("stripped %d learned furniture lines where present", len(learned))
    return articles, learning


def clean_stage(fetch_result: FetchResult, settings: Settings, run_id: str) -> CleanResult:
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
    count = write_jsonl(out, articles, fallback=unwritable_article("clean"))
    memory.observe(learning)
    memory.save()
    rejected = sum(1 for a in articles if a.rejected)
    log.info("cleaned %d items of source %s (%d rejected)", count, source, rejected)
    return {
        "source": source,
        "path": str(out),
        "count": count,
        "rejected": rejected,
        "furniture": str(_save_furniture(out, memory.recent)),
    }


def _save_furniture(batch: Path, recent: list[str]) -> Path:
    """The source's furniture for dedupe's signatures, next to its clean batch.

    Made here, in the source's own (mapped) task, so the run's single dedupe task does not
    learn every source's memory in turn (~0.3 s a source with a full memory).
    """
    import json

    from newsflow.dedupe.furniture import source_furniture

    path = batch.with_suffix(".furniture.json")
    path.write_text(json.dumps(sorted(source_furniture(recent)), ensure_ascii=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- dedupe
def dedupe_stage(
    clean_results: Iterable[CleanResult],
    settings: Settings,
    run_id: str,
    index_store: CandidateStore | None = None,
) -> list[DedupeResult]:
    """Dedupe every source of the run together, so a story syndicated by several outlets
    in the same run is caught, and against the index, so one from an earlier run is too.

    Each source's signatures go to a side file (`newsflow.dedupe.signatures`), named in the
    result as `signatures`: enrich passes the name on, the index stage reads it."""
    from newsflow.dedupe import signatures

    # The deduplicator's own run store answers in-run look-ups (same URL, exact and near
    # copies across sources); a second in-memory layer over the index only doubled the
    # memory (68 KB per article) without changing a decision.
    store: CandidateStore = index_store if index_store is not None else MemoryStore()
    clean_results = sorted(clean_results, key=lambda r: r["source"])
    dedup = Deduplicator(
        store, policy=settings.duplicate_policy, furniture=_furniture(settings, clean_results)
    )
    results: list[DedupeResult] = []
    for res in clean_results:
        articles = list(read_articles(Path(res["path"])))
        try:
            decided = dedup.process(articles)
        except Exception as exc:
            failure = _search_failure(exc, getattr(index_store, "client", None), "dedupe", settings, run_id)
            if failure is exc:
                raise
            raise failure from exc
        out = run_dir(settings, run_id) / "dedupe" / f"{safe_name(res['source'])}.jsonl"
        side = signatures.side_path(out)
        signatures.split_off(decided, side)  # enrich never reads them: they skip its batch files
        write_jsonl(out, decided)
        counts = _status_counts(decided)
        log.info("deduplicated source %s: %s", res["source"], counts)
        results.append(
            {
                "source": res["source"],
                "path": str(out),
                "count": len(decided),
                "counts": counts,
                "signatures": str(side),
            }
        )
    links_path = run_dir(settings, run_id) / "dedupe" / "_links.jsonl"
    write_jsonl(links_path, ({"original": o, "url": u} for o, u in getattr(dedup, "links", [])))
    return results


def _furniture(settings: Settings, clean_results: list[CleanResult]) -> dict[str, frozenset[str]]:
    """Each source's furniture, as its clean task saved it (else learned from its boilerplate memory)."""
    import json

    from newsflow.boilerplate_state import BoilerplateMemory
    from newsflow.dedupe.furniture import source_furniture

    out: dict[str, frozenset[str]] = {}
    for res in clean_results:
        saved = Path(res.get("furniture") or "")
        if res.get("furniture") and saved.is_file():
            out[res["source"]] = frozenset(json.loads(saved.read_text(encoding="utf-8")))
        else:
            out[res["source"]] = source_furniture(BoilerplateMemory(settings, res["source"]).recent)
    return out


def with_items(fetch_results: list[FetchResult]) -> list[FetchResult]:
    """The fetch results that brought items: the only ones the later stages have work for."""
    return [r for r in fetch_results if not r.get("error") and int(r.get("fetched") or 0) > 0]


# --------------------------------------------------------------------------- enrich
def enrich_one(art: Article, meta: dict[str, Any], skip: frozenset[str]) -> Article:
    """enrich_article for one article; whatever escapes it rejects that article only."""
    try:
        return enrich_article(art, meta, skip=skip)
    except Exception as exc:
        log.warning("enrich failed on %s: %s: %s", art.url, type(exc).__name__, exc)
        return art.reject(stage_error("enrich", exc))


@dataclass
class EnrichCounts:
    """What `enrich_articles` did: enricher failures, and articles left as they were."""

    failures: int = 0
    unchanged: int = 0


def enrich_articles(
    articles: Iterable[Article],
    meta: dict[str, Any],
    skip: frozenset[str],
    counts: EnrichCounts | None = None,
) -> Iterator[Article]:
    """Enrich decided articles; an `unchanged` one (indexed already with the same text) is not
    enriched, since nothing of it is written."""
    counts = counts if counts is not None else EnrichCounts()
    for art in articles:
        if art.status == UNCHANGED:
            counts.unchanged += 1
            yield art
            continue
        enriched = enrich_one(art, meta, skip)
        counts.failures += len(enriched.enrich_errors)
        yield enriched


def enrich_stage(batch: DedupeResult, settings: Settings, run_id: str, source: Source | None) -> EnrichResult:
    meta = source_meta(source)
    skip = skipped_enrichers(settings)
    out = run_dir(settings, run_id) / "enrich" / f"{safe_name(batch['source'])}.jsonl"

    counts = EnrichCounts()
    enriched = enrich_articles(read_articles(Path(batch["path"])), meta, skip, counts)
    count = write_jsonl(out, enriched, fallback=unwritable_article("enrich"))
    failures, unchanged = counts.failures, counts.unchanged
    log.info(
        "enriched %d articles of source %s (%d unchanged, not enriched; %d enricher failures)",
        count - unchanged,
        batch["source"],
        unchanged,
        failures,
    )
    return {
        "source": batch["source"],
        "path": str(out),
        "count": count,
        "enrich_failures": failures,
        "unchanged": unchanged,
        "signatures": batch.get("signatures", ""),
    }


# --------------------------------------------------------------------------- index
def index_stage(batches: Iterable[EnrichResult], settings: Settings, run_id: str, client: Any) -> IndexResult:
    """Bulk-index the run's articles; per-document failures become rejections with the server's reason."""
    try:
        return _index_batches(batches, settings, run_id, client)
    except Exception as exc:
        failure = _search_failure(exc, client, "index", settings, run_id)
        if failure is exc:
            raise
        raise failure from exc


def _index_batches(
    batches: Iterable[EnrichResult], settings: Settings, run_id: str, client: Any
) -> IndexResult:
    from newsflow.dedupe import signatures
    from newsflow.index import ensure_index

    ensure_index(client, settings)
    final: list[FinalBatch] = []
    written: list[str] = []  # ids this run wrote: checked for split clusters and related stories
    earliest = ""  # when the run's first item was fetched: dedupe looked at the index after that
    indexed = failed = 0
    for batch in sorted(batches, key=lambda b: b["source"]):
        articles = list(read_articles(Path(batch["path"])))
        signatures.attach(articles, signatures.read(batch.get("signatures")))
        fetched = [a.fetched_at for a in articles if a.fetched_at]
        if fetched and (not earliest or min(fetched) < earliest):
            earliest = min(fetched)
        report = index_decided(client, settings, articles)
        written += written_ids(articles)
        signatures.drop(articles)  # the index holds them now; the ledger's final batch has no use for them
        out = run_dir(settings, run_id) / "final" / f"{safe_name(batch['source'])}.jsonl"
        write_jsonl(out, articles)
        indexed += report.indexed
        failed += report.failed
        final.append({"source": batch["source"], "path": str(out), "count": len(articles)})
    links_path = run_dir(settings, run_id) / "dedupe" / "_links.jsonl"
    links = [(r["original"], r["url"]) for r in read_jsonl(links_path)] if links_path.exists() else []
    merged, related = after_index(client, settings, written, links, earliest)
    log.info("indexed %d documents (%d failed) for run %s", indexed, failed, run_id)
    return {"batches": final, "indexed": indexed, "failed": failed, "merged": merged, "related": related}


def index_decided(
    client: Any,
    settings: Settings,
    articles: list[Article],
    *,
    index: str | None = None,
    dead_letter_dir: Path | None = None,
) -> Any:
    """Index decided articles (ingest: through the write alias; reindex: into `index`).

    A document the server refused rejects its article with the server's reason
    (`index_error: ...`). Returns the `IndexReport`.
    """
    from newsflow.index import index_articles

    report = index_articles(
        client,
        settings,
        articles,
        dead_letter_dir or settings.home / "dead_letters",
        index=index,
        relax_refresh=False if index else None,
    )
    failures = dict(report.failures)
    for art in articles:
        if art.id in failures:
            art.reject(f"index_error: {failures[art.id]}")
    return report


def written_ids(articles: Iterable[Article]) -> list[str]:
    """Ids of the articles the index holds as this run wrote them (new or updated)."""
    return [a.id for a in articles if a.status in (NEW, UPDATED) and a.id]


def after_index(
    client: Any,
    settings: Settings,
    written: list[str],
    links: list[tuple[str, str]],
    since: str,
    *,
    index: str | None = None,
) -> tuple[int, int]:
    """The steps after a run's articles are indexed, for ingest and reindex alike.

    Copies' URLs onto their originals (`also_urls`), a refresh, the repair of clusters split
    by concurrent writers (`merge_clusters`, only when another writer indexed since `since`),
    then `story_id`/`related_ids` (`link_related`). `index` is the version a reindex builds
    (unaliased); ingest writes through the aliases. Returns (documents merged, related).
    """
    from newsflow.dedupe.merge import merge_clusters
    from newsflow.dedupe.related import link_related
    from newsflow.index import record_links

    if links:
        record_links(client, settings, links, index=index)
    client.indices.refresh(index=index or settings.index_alias)
    merged = 0
    if _other_writers_since(client, settings, since, written, index=index):
        merged = merge_clusters(
            client, settings, written, index=index
        )  # copies written at once by two workers
    # story_id / related_ids (after the merge); one more_like_this query per new story
    related = link_related(client, settings, written, index=index) if settings.related_coverage else 0
    return merged, related


def _other_writers_since(
    client: Any, settings: Settings, earliest: str, written: list[str], *, index: str | None = None
) -> bool:
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
    others = client.count(index=index or settings.index_alias, query=query)["count"]
    if not others:
        log.info("no other writer since %s: no split cluster to repair", since)
    return bool(others)


# --------------------------------------------------------------------------- ledger
def ledger_stage(
    fetch_results: Iterable[FetchResult],
    final_batches: Iterable[FinalBatch],
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
                    Article(
                        source=raw.source,
                        url=raw.url,
                        status=REJECTED,
                        reason=f"{NOT_PROCESSED}: the run stopped before this item was indexed; re-run it",
                    )
                )
    for batch in final_batches:
        ledger.extend(read_articles(Path(batch["path"])))
    ledger.notes.extend(f"sources file: {error}" for error in source_errors)
    return ledger


def source_file_errors(path: Path) -> list[str]:
    """Every problem of the sources file, each naming its line (the DAG still runs the good entries)."""
    from collections import Counter

    from newsflow.pools import max_map_length, over_map_limit
    from newsflow.sources import SourcesError, load_sources_lenient

    try:
        sources, errors = load_sources_lenient(path)
    except SourcesError as exc:
        return list(exc.errors)
    counts = Counter(s.politeness for s in sources if s.enabled)
    return errors + over_map_limit(counts, max_map_length())


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
@dataclass
class SourceRun:
    """One source's raw items of one run: the input of `run_sequence`.

    `meta` is what enrich knows of the source (`source_meta`); `remembered` the learning texts
    of its recent articles (boilerplate memory), which clean strips and dedupe's signatures skip.
    """

    source: str
    raws: list[RawItem]
    meta: dict[str, Any] = field(default_factory=dict)
    remembered: list[str] = field(default_factory=list)


@dataclass
class Decided:
    """The output of `run_sequence`: each source's articles, decided and enriched, in order."""

    by_source: dict[str, list[Article]]
    learning: dict[str, list[str]]  # each source's learning texts (for its boilerplate memory)
    links: list[tuple[str, str]]  # (original id, copy URL) for copies whose original is not in the run


def run_sequence(
    runs: Iterable[SourceRun], settings: Settings, run_id: str, store: CandidateStore
) -> Decided:
    """clean -> dedupe -> enrich for one run held in memory: the stage sequence of the DAG
    (`clean_stage`, `dedupe_stage`, `enrich_stage`, then `index_stage`), run by the rebuild
    (`newsflow.reindex`) and by `newsflow process` from the same steps.

    Sources are cleaned one by one (boilerplate is learned per source), then deduplicated
    together in source order (one `Deduplicator` a run, as the DAG's single dedupe task).
    """
    from newsflow.dedupe.furniture import source_furniture

    runs = list(runs)
    cleaned: dict[str, list[Article]] = {}
    learning: dict[str, list[str]] = {}
    furniture: dict[str, frozenset[str]] = {}
    for run in runs:
        articles, learned = clean_batch(run.raws, settings, run.remembered)
        for art in articles:
            art.ingest_run_id = run_id
        cleaned.setdefault(run.source, []).extend(articles)
        learning.setdefault(run.source, []).extend(learned)
        furniture[run.source] = source_furniture([*run.remembered, *learning[run.source]])
    meta = {run.source: run.meta for run in runs}
    dedup = Deduplicator(store, policy=settings.duplicate_policy, furniture=furniture)
    skip = skipped_enrichers(settings)
    out = {
        source: list(enrich_articles(dedup.process(cleaned[source]), meta[source], skip))
        for source in sorted(cleaned)
    }
    return Decided(by_source=out, learning=learning, links=list(dedup.links))


def process_items(raws: Iterable[RawItem], settings: Settings) -> list[Article]:
    """Clean, dedupe and enrich items without an index: what `newsflow process` prints.

    The items run through `run_sequence` grouped by source (as the DAG runs them), and are
    returned in input order.
    """
    raws = list(raws)
    by_source: dict[str, list[RawItem]] = {}
    for raw in raws:
        by_source.setdefault(raw.source, []).append(raw)
    decided = run_sequence(
        [SourceRun(source, items) for source, items in by_source.items()], settings, "", MemoryStore()
    )
    queues = {source: iter(articles) for source, articles in decided.by_source.items()}
    return [next(queues[raw.source]) for raw in raws]
