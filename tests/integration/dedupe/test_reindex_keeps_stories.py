"""A rebuilt index keeps what the steps after indexing wrote: `story_id` and `related_ids`.

The articles go in as ingest takes them (raw items in the archive, then the DAG's stages
from `clean_stage` on), and come back out of `reindex_from_archive`, which replays the same
archive through the same stage sequence; against the search engine (embedded or real).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from dedupe_helpers import stored
from elasticsearch import Elasticsearch

from newsflow.archive import archive_batch
from newsflow.config import Settings
from newsflow.index.store import EsCandidateStore
from newsflow.models import RawItem, read_jsonl
from newsflow.pipeline import clean_stage, dedupe_stage, enrich_stage, index_stage
from newsflow.reindex import reindex_from_archive

pytestmark = pytest.mark.integration

SEEDS = {  # seed file prefix -> (source, url); as in test_dedupe_related
    "000": ("aljazeera", "https://aljazeera.example/a/000"),
    "001": ("dawn", "https://dawn.example/a/001"),
    "002": ("arab_today", "https://arabtoday.example/a/002"),
    "003": ("digital_journal", "https://dj.example/a/003"),
    "004": ("digital_journal", "https://dj.example/a/004"),
}


def _archive(settings: Settings, seed_files: list[Path], repo_root: Path) -> list[tuple[str, list[Path]]]:
    """Two archived runs: background news (our fictional labelled set, so term statistics mean
    something) on day 0, the real seeds on day 1. Returns (run id, archive files) per run."""
    rows = read_jsonl(repo_root / "benchmarks" / "data" / "dedupe" / "articles.jsonl")
    background = [
        RawItem(source="background", url=f"https://bg.example/{r['id']}", kind="json", body=json.dumps(r))
        for r in rows
        if "derived" not in r
    ]
    seeds: dict[str, list[RawItem]] = {}
    by_prefix = {p.name[:3]: p for p in seed_files}
    for prefix, (source, url) in SEEDS.items():
        body = by_prefix[prefix].read_text(encoding="utf-8")
        seeds.setdefault(source, []).append(RawItem(source=source, url=url, kind="text", body=body))
    runs = [("day-0", date(2026, 11, 20), {"background": background}), ("run-1", date(2026, 11, 21), seeds)]
    out = []
    for run_id, day, by_source in runs:
        files = [archive_batch(settings, src, run_id, items, day)[0] for src, items in by_source.items()]
        out.append((run_id, files))
    return out


def _ingest(settings: Settings, client: Elasticsearch, run_id: str, files: list[Path]) -> None:
    """One DAG run over archived files: clean, dedupe (against the index), enrich, index."""
    fetched = [{"source": p.parent.parent.name.split("=", 1)[1], "raw": str(p)} for p in files]
    cleaned = [clean_stage(f, settings, run_id) for f in fetched]
    deduped = dedupe_stage(cleaned, settings, run_id, EsCandidateStore(client, settings))
    index_stage([enrich_stage(b, settings, run_id, None) for b in deduped], settings, run_id, client)


def _stories(client: Elasticsearch, settings: Settings) -> dict[str, tuple[str, list[str], str]]:
    return {
        d["url"]: (d["story_id"], sorted(d["related_ids"]), d["cluster_id"])
        for d in stored(client, settings).values()
    }


def test_a_rebuilt_index_keeps_story_ids_and_related_ids(
    client: Elasticsearch, settings: Settings, seed_files: list[Path], repo_root: Path, tmp_path: Path
) -> None:
    settings = dataclasses.replace(settings, sources_file=tmp_path / "no-sources.yaml")
    for run_id, files in _archive(settings, seed_files, repo_root):
        _ingest(settings, client, run_id, files)
    before = _stories(client, settings)
    seeds = {url for _, url in SEEDS.values()}
    assert seeds <= set(before)
    linked = [url for url in seeds if before[url][1]]
    assert linked, "no seed has a related article: the test would compare nothing"
    assert all(before[url][0] for url in before), "every written article has a story_id"

    report = reindex_from_archive(client, settings)

    assert report["swap"], report
    after = _stories(client, settings)
    assert after == before
