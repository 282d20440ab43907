"""Helpers of the dedupe integration tests: run the real stages, read the index back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index.store import EsCandidateStore
from newsflow.models import Article, RawItem, read_articles, write_jsonl
from newsflow.pipeline import dedupe_stage, enrich_stage, index_stage, run_dir, safe_name

Run = Callable[[str, dict[str, list[Article]]], dict[str, Article]]


def run_stages(
    settings: Settings, client: Elasticsearch, run_id: str, by_source: dict[str, list[Article]]
) -> dict[str, Article]:
    """One DAG run from clean batch files on: dedupe (against the index), enrich, index.

    Returns the final articles keyed by their original URL (what the ledger reads).
    """
    cleaned = []
    for source, articles in by_source.items():
        path = run_dir(settings, run_id) / "clean" / f"{safe_name(source)}.jsonl"
        write_jsonl(path, articles)
        cleaned.append({"source": source, "path": str(path)})
    deduped = dedupe_stage(cleaned, settings, run_id, EsCandidateStore(client, settings))
    enriched = [enrich_stage(batch, settings, run_id, None) for batch in deduped]
    result = index_stage(enriched, settings, run_id, client)
    return {a.url: a for b in result["batches"] for a in read_articles(Path(b["path"]))}


def stored(client: Elasticsearch, settings: Settings) -> dict[str, dict]:
    """Every stored document by id (small test indices only)."""
    client.indices.refresh(index=settings.index_alias)
    hits = client.search(index=settings.index_alias, size=1000, query={"match_all": {}}).body["hits"]["hits"]
    return {h["_id"]: h["_source"] for h in hits}


def seed_article(path: Path, url: str, source: str) -> Article:
    """A real seed through the real clean stage, as the DAG would see it from `url`."""
    from newsflow.clean import clean_item

    art = clean_item(
        RawItem(source=source, url=url, kind="text", body=path.read_text(encoding="utf-8")), Settings()
    )
    assert not art.rejected, f"clean rejected seed {path.name}: {art.reason}"
    art.url, art.source = url, source
    return art
