"""The DAG's task sequence through the stage functions, and the "nothing lost" check.

`run_stages` does what `news_ingest` does on a task's last try: a source whose fetch raises
is recorded in the ledger's `sources_failed`; a dedupe or index error is raised (the task
fails) after the ledger was built, as the DAG's ledger task does. `archive_vs_index`
replays the raw archive without Elasticsearch and compares what should be indexed with
what is: every article exactly once, nothing missing, nothing extra.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index import EsCandidateStore, make_client
from newsflow.ledger import Ledger
from newsflow.models import NEW, read_raw
from newsflow.pipeline import (
    clean_stage,
    dedupe_stage,
    enrich_stage,
    fetch_stage,
    index_stage,
    ledger_stage,
    process_items,
)
from newsflow.sources import Source


@dataclass
class StageRun:
    fetch: list[dict[str, Any]] = field(default_factory=list)
    index: dict[str, Any] | None = None
    ledger: Ledger = field(default_factory=Ledger)
    error: Exception | None = None  # what failed the run (dedupe/index), if anything


def run_stages(
    settings: Settings, sources: list[Source], run_id: str, fetched: list[dict[str, Any]] | None = None
) -> StageRun:
    """fetch → clean → dedupe → enrich → index → ledger; `fetched` replays earlier fetch results."""
    run = StageRun()
    if fetched is None:
        for src in sources:
            try:
                run.fetch.append(fetch_stage(src, settings, run_id))
            except Exception as exc:  # the DAG's last try: record it, the other sources go on
                run.fetch.append(
                    {"source": src.name, "raw": "", "fetched": 0, "error": f"{type(exc).__name__}: {exc}"}
                )
    else:
        run.fetch = fetched
    client = make_client(settings)
    try:
        cleaned = [clean_stage(r, settings, run_id) for r in run.fetch if not r.get("error")]
        deduped = dedupe_stage(cleaned, settings, run_id, EsCandidateStore(client, settings))
        by_name = {s.name: s for s in sources}
        enriched = [enrich_stage(b, settings, run_id, by_name.get(b["source"])) for b in deduped]
        run.index = index_stage(enriched, settings, run_id, client)
    except Exception as exc:
        run.error = exc
    run.ledger = ledger_stage(run.fetch, (run.index or {}).get("batches", []), run_id)
    return run


def assert_balanced(ledger: Ledger) -> None:
    d = ledger.to_dict()
    total = d["new"] + d["updated"] + d["unchanged"] + d["duplicates"] + d["rejected"]
    assert d["fetched"] == total, f"ledger does not add up: {d}"
    assert d["balanced"] is True


def index_docs(client: Elasticsearch, settings: Settings) -> list[dict[str, Any]]:
    client.indices.refresh(index=settings.index_alias)
    resp = client.search(
        index=settings.index_alias,
        size=10_000,
        query={"match_all": {}},
        source_includes=["url", "text", "title", "description"],
    )
    return [{"_id": h["_id"], **h["_source"]} for h in resp["hits"]["hits"]]


def archive_vs_index(settings: Settings, client: Elasticsearch) -> tuple[set[str], list[dict[str, Any]]]:
    """(ids the archive says must be indexed, documents in the index), after asserting they agree.

    The expected set is an independent replay of every archive file (clean, dedupe, enrich
    in memory): the archive is the source of truth.
    """
    raws = [raw for path in sorted(Path(settings.archive).rglob("*.jsonl")) for raw in read_raw(path)]
    replayed = process_items(raws, settings)
    expected = {a.id for a in replayed if a.status == NEW}
    docs = index_docs(client, settings)
    ids = [d["_id"] for d in docs]
    urls = [d["url"] for d in docs]
    assert len(ids) == len(set(ids)) and len(urls) == len(set(urls)), "an article is in the index twice"
    missing = expected - set(ids)
    extra = set(ids) - expected
    assert not missing, f"{len(missing)} archived article(s) missing from the index"
    assert not extra, f"{len(extra)} indexed document(s) not in the archive"
    return expected, docs


def count_index(client: Elasticsearch, settings: Settings) -> int:
    client.indices.refresh(index=settings.index_alias)
    return int(client.count(index=settings.index_alias)["count"])
