"""EsCandidateStore: dedupe look-ups answered by the index."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.dedupe.store import CandidateStore
from newsflow.index.bulk import index_articles
from newsflow.index.store import EsCandidateStore
from newsflow.index.template import ensure_index
from newsflow.models import DEDUPE_RECORD_FIELDS as RECORD_FIELDS
from newsflow.models import Article

pytestmark = pytest.mark.integration


@pytest.fixture
def store(
    client: Elasticsearch, settings: Settings, make_article: Callable[..., Article]
) -> EsCandidateStore:
    ensure_index(client, settings)
    articles = [
        make_article(
            "a", "Alpha story.", text_hash="H1", lsh=["k1", "k2", "k3", "k4"], minhash=[2**64 - 1, 5]
        ),
        make_article(
            "b", "Beta story.", text_hash="H2", lsh=["k1", "k2", "k3"], cluster_id="a", is_canonical=False
        ),
        make_article("c", "Gamma story.", text_hash="H3", lsh=["k1"]),
        make_article("d", "Delta story.", text_hash="H4", lsh=["k9"]),
        make_article("e", "Epsilon story.", text_hash="H3", lsh=["k8"], is_canonical=False, cluster_id="c"),
    ]
    assert index_articles(client, settings, articles).indexed == 5
    return EsCandidateStore(client, settings)


def test_is_a_candidate_store(store: EsCandidateStore) -> None:
    checked: CandidateStore = store
    checked.add([{"id": "x"}])  # no-op
    assert store.by_ids(["x"]) == {}


def test_by_ids(store: EsCandidateStore) -> None:
    found = store.by_ids(["a", "b", "nope", "a"])
    assert set(found) == {"a", "b"}
    assert set(found["a"]) == set(RECORD_FIELDS)
    assert found["a"]["minhash"] == [2**64 - 1, 5]
    assert found["a"]["text_hash"] == "H1"
    assert found["b"]["cluster_id"] == "a"
    assert found["b"]["is_canonical"] is False
    assert found["a"]["url"] == "https://example.org/a"
    assert store.by_ids([]) == {}


def test_by_text_hashes_prefers_the_canonical_record(store: EsCandidateStore) -> None:
    found = store.by_text_hashes(["H1", "H3", "H-unknown"])
    assert set(found) == {"H1", "H3"}
    assert found["H1"]["id"] == "a"
    assert found["H3"]["id"] == "c"


def test_by_lsh_ranks_by_shared_keys(store: EsCandidateStore) -> None:
    ranked = store.by_lsh(["k1", "k2", "k3", "k4"])
    assert [r["id"] for r in ranked] == ["a", "b", "c"]
    assert [r["id"] for r in store.by_lsh(["k3", "k2", "k1"], limit=2)] == ["a", "b"]
    assert [r["id"] for r in store.by_lsh(["k9", "k8"])] == ["d", "e"]
    assert store.by_lsh(["zzz"]) == []
    assert store.by_lsh([]) == []


def test_by_lsh_many_ranks_each_article_on_its_own_keys(store: EsCandidateStore) -> None:
    found = store.by_lsh_many([["k1", "k2", "k3", "k4"], [], ["k9", "zzz"], ["k8", "k1"]], limit=2)
    assert [[r["id"] for r in hits] for hits in found] == [["a", "b"], [], ["d"], ["a", "b"]]
    # k8 alone is e's only key: with pooled keys e would have ranked below a, b and c
    assert [r["id"] for r in store.by_lsh_many([["k8"]], limit=1)[0]] == ["e"]
    # candidates carry what the decision needs, not their 128 band keys
    record = found[0][0]
    assert record["minhash"] == [2**64 - 1, 5] and record["text_hash"] == "H1" and record["lsh"] == []
    assert store.by_lsh_many([]) == []
    assert store.by_lsh_many([["k1"]], limit=0) == [[]]


def test_pooled_and_per_article_look_ups_agree(store: EsCandidateStore) -> None:
    lists = [["k1", "k2", "k3"], ["k3", "k9"], ["k8", "k1"], ["zzz"], ["k4", "k9"]]
    # limit 5: the five articles' pooled answer (a to e) fits in 5 x 5 and is ranked here
    pooled = store.by_lsh_many(lists, limit=5)
    assert [[r["id"] for r in hits] for hits in pooled] == [
        ["a", "b", "c"],
        ["a", "b", "d"],
        ["a", "b", "c", "e"],
        [],
        ["a", "d"],
    ]
    assert all(r["lsh"] == [] and r["minhash"] for hits in pooled for r in hits)
    # one article, limit 1: its pooled answer exceeds 1 x 1, the per-article search answers
    for keys, hits in zip(lists, pooled, strict=True):
        alone = store.by_lsh_many([keys], limit=1)[0]
        assert [r["id"] for r in alone] == [r["id"] for r in hits[:1]]


def test_missing_index_answers_empty(client: Elasticsearch, settings: Settings) -> None:
    store = EsCandidateStore(client, settings)  # ensure_index never called
    assert store.by_ids(["a"]) == {}
    assert store.by_text_hashes(["H1"]) == {}
    assert store.by_lsh(["k1"]) == []
    assert store.by_lsh_many([["k1"], ["k2"]]) == [[], []]
