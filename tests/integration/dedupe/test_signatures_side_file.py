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
