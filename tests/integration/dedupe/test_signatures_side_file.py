"""MinHash signatures skip the batch files of the stages that do not read them (enrich, the
ledger's final batch), and still reach the index, where the next runs' dedupe reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from dedupe_helpers import Run, seed_article, stored
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.dedupe.minhash import NUM_PERM
from newsflow.dedupe.signatures import side_path
from newsflow.models import read_jsonl
from newsflow.pipeline import run_dir

pytestmark = pytest.mark.integration


def test_signatures_go_beside_the_batch_and_into_the_index(
    run: Run, client: Elasticsearch, settings: Settings, seed_files: list[Path]
) -> None:
    articles = [seed_article(p, f"https://s.example/{p.stem}", "s") for p in seed_files]
    run("r1", {"s": articles})
    work = run_dir(settings, "r1")
    for stage in ("dedupe", "enrich", "final"):
        rows = list(read_jsonl(work / stage / "s.jsonl"))
        assert len(rows) == len(articles)
        assert all(r["minhash"] == [] and r["lsh"] == [] for r in rows), stage
    side = {r["id"]: r for r in read_jsonl(side_path(work / "dedupe" / "s.jsonl"))}
    docs = stored(client, settings)
    assert docs and set(side) == set(docs)
    for doc_id, doc in docs.items():
        assert (
            doc["minhash"]["values"] == side[doc_id]["minhash"] and len(side[doc_id]["minhash"]) == NUM_PERM
        )
        assert doc["lsh"] == side[doc_id]["lsh"] and doc["lsh"]


def test_the_index_stage_changes_only_the_outcome(
    run: Run, settings: Settings, seed_files: list[Path]
) -> None:
    """Index owns no article field (`newsflow.fields`): its final batch differs from enrich's
    only in the outcome (an `index_error` rejection)."""
    from newsflow.fields import OUTCOME, Stage, owned_by

    run("r1", {"s": [seed_article(p, f"https://s.example/{p.stem}", "s") for p in seed_files]})
    work = run_dir(settings, "r1")
    enriched = list(read_jsonl(work / "enrich" / "s.jsonl"))
    final = list(read_jsonl(work / "final" / "s.jsonl"))
    assert len(enriched) == len(final) and owned_by(Stage.INDEX) == frozenset()
    for before, after in zip(enriched, final, strict=True):
        assert {k for k in after if after[k] != before[k]} <= OUTCOME
