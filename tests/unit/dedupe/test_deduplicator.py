"""Deduplicator decisions: ids, exact copies, near-duplicate clusters, policies, batching."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import pytest

from newsflow.dedupe import Deduplicator, MemoryStore, record_of
from newsflow.models import Article

STORY = (
    "Syrian and allied forces converged on Saturday on holdout fighters in the border town of Albu Kamal, "
    "the militants' very last urban bastion following a string of losses. On Friday, Russian-backed regime "
    "forces took full control of Deir Ezzor, the last city where the group still had a presence after being "
    "expelled from Hawija and Raqa last month. The town lies along the Euphrates River in western Iraq and "
    "faces Albu Kamal, which is where many of the remaining fighters are thought to have regrouped."
)
OTHER = (
    "The central bank left interest rates unchanged on Thursday and signalled that it would wait for more "
    "data on wages and prices before deciding whether to cut borrowing costs later in the year, as markets "
    "had expected. Bond yields fell slightly after the announcement and the currency weakened."
)


def art(url: str, text: str, **kw: Any) -> Article:
    return Article(url=url, source=kw.pop("source", "test"), text=text, **kw)


class CountingStore(MemoryStore):
    """A MemoryStore that counts look-ups, to check they are batched."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, int] = {"by_ids": 0, "by_text_hashes": 0, "by_lsh": 0}

    def by_ids(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        self.calls["by_ids"] += 1
        return super().by_ids(ids)

    def by_text_hashes(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        self.calls["by_text_hashes"] += 1
        return super().by_text_hashes(hashes)

    def by_lsh_many(self, key_lists: Sequence[Iterable[str]], limit: int = 50) -> list[list[dict[str, Any]]]:
        self.calls["by_lsh"] += 1
        return super().by_lsh_many(key_lists, limit)


# -- the real seeds --------------------------------------------------------------------


def _check_seed_clusters(s: dict[str, Article]) -> None:
    assert all(a.status == "new" for a in s.values()), {k: (a.status, a.reason) for k, a in s.items()}
    assert s["000"].is_canonical and s["000"].cluster_id == s["000"].id
    assert s["001"].cluster_id == s["002"].cluster_id == s["000"].id
    assert not s["001"].is_canonical and not s["002"].is_canonical
    assert s["001"].similarity and s["001"].similarity >= 0.15
    for k in ("003", "004"):
        assert s[k].is_canonical and s[k].cluster_id == s[k].id, k
    assert len({a.cluster_id for a in s.values()}) == 3


def test_seeds_cluster_in_one_batch(seed_articles: dict[str, Article]) -> None:
    arts = [seed_articles[k] for k in sorted(seed_articles)]
    Deduplicator(MemoryStore()).process(arts)
    _check_seed_clusters(seed_articles)


def test_seeds_cluster_across_batches_and_chunks(seed_articles: dict[str, Article]) -> None:
    """A story arriving in a later batch joins the first batch's cluster: the store remembers."""
    store = MemoryStore()
    dd = Deduplicator(store, batch_size=1)  # every article its own chunk of look-ups
    dd.process([seed_articles["000"], seed_articles["003"]])
    assert len(store) == 2
    dd.process([seed_articles["004"], seed_articles["002"], seed_articles["001"]])
    _check_seed_clusters(seed_articles)


def test_seed_order_does_not_merge_separate_stories(seed_articles: dict[str, Article]) -> None:
    # 002 first this time: 004 (sharing a quoted paragraph with 002) must still stay apart.
    order = ["002", "004", "003", "001", "000"]
    Deduplicator(MemoryStore()).process([seed_articles[k] for k in order])
    s = seed_articles
    assert s["002"].is_canonical and s["000"].cluster_id == s["001"].cluster_id == s["002"].id
    assert s["004"].cluster_id == s["004"].id and s["003"].cluster_id == s["003"].id


# -- identity and exact copies -----------------------------------------------------------


def test_fingerprint_fields_are_set() -> None:
    a = art("https://www.example.com/story?utm_source=rss", STORY)
    Deduplicator(MemoryStore()).process([a])
    assert a.canonical_url == "https://example.com/story"
    assert len(a.id) == 20 and len(a.text_hash) == 40
    assert len(a.minhash) == 256 and len(a.lsh) == 128 and a.shingle_count > 50
    assert (a.status, a.cluster_id, a.is_canonical, a.similarity) == ("new", a.id, True, None)


def test_same_url_twice_in_a_batch_is_a_duplicate() -> None:
    a = art("https://example.com/story", STORY)
    b = art("https://m.example.com/story/?utm_medium=social", STORY + " Updated.")
    Deduplicator(MemoryStore()).process([a, b])
    assert a.status == "new"
    assert (b.status, b.reason, b.duplicate_of) == ("duplicate", f"same_url: {a.id}", a.id)


def test_exact_copy_under_another_url_in_the_same_batch() -> None:
    a = art("https://outlet-a.com/story", STORY)
    b = art("https://outlet-b.com/news/123?ref=home", STORY.upper().replace(",", " ,"))
    Deduplicator(MemoryStore()).process([a, b])
    assert a.status == "new"
    assert (b.status, b.reason, b.duplicate_of) == ("duplicate", f"exact: copy of {a.id}", a.id)
    assert b.cluster_id == a.id and b.similarity == 1.0
    assert a.also_urls == ["https://outlet-b.com/news/123?ref=home"]


def test_exact_copy_of_an_indexed_article_is_returned_in_links() -> None:
    store = MemoryStore()
    a = art("https://outlet-a.com/story", STORY)
    Deduplicator(store).process([a])
    dd = Deduplicator(store)
    b = art("https://outlet-b.com/story", STORY)
    dd.process([b])
    assert (b.status, b.duplicate_of) == ("duplicate", a.id)
    assert dd.links == [(a.id, "https://outlet-b.com/story")]


def test_rerun_unchanged_and_updated() -> None:
    store = MemoryStore()
    first = [art("https://example.com/a", STORY), art("https://example.com/b", OTHER)]
    Deduplicator(store).process(first)
    again = [
        art("https://example.com/a?utm_source=x", STORY),
        art("https://example.com/b", OTHER + " Correction."),
    ]
    Deduplicator(store).process(again)
    assert again[0].status == "unchanged" and again[0].id == first[0].id
    assert again[1].status == "updated" and again[1].cluster_id == first[1].cluster_id
    # the update is remembered: a third run sees it as unchanged
    third = [art("https://example.com/b", OTHER + " Correction.")]
    Deduplicator(store).process(third)
    assert third[0].status == "unchanged"


def test_rerun_of_a_near_duplicate_keeps_its_cluster() -> None:
    store = MemoryStore()
    a, b = art("https://a.com/x", STORY), art("https://b.com/y", STORY + " Reporting by AFP.")
    Deduplicator(store).process([a, b])
    again = art("https://b.com/y", STORY + " Reporting by AFP.")
    Deduplicator(store).process([again])
    assert again.status == "unchanged" and again.cluster_id == a.id and not again.is_canonical


# -- near-duplicates -------------------------------------------------------------------


def test_near_duplicate_policies() -> None:
    edited = STORY.replace("Saturday", "Sunday").replace("last month", "in October") + " (AFP)"
    for policy in ("cluster", "drop"):
        a, b, c = art("https://a.com/x", STORY), art("https://b.com/y", edited), art("https://c.com/z", OTHER)
        dd = Deduplicator(MemoryStore(), policy=policy)
        dd.process([a, b, c])
        assert b.cluster_id == a.id and not b.is_canonical and b.similarity and b.similarity >= 0.15
        assert c.cluster_id == c.id and c.is_canonical
        if policy == "cluster":
            assert (b.status, b.duplicate_of) == ("new", "")
        else:
            assert b.status == "duplicate" and b.duplicate_of == a.id
            assert b.reason == f"near: {b.similarity} to {a.id}"
            assert a.also_urls == ["https://b.com/y"]


def test_bad_policy() -> None:
    with pytest.raises(ValueError):
        Deduplicator(MemoryStore(), policy="merge")


# -- batching, rejected items, determinism ---------------------------------------------------


def test_lookups_are_batched() -> None:
    store = CountingStore()
    arts = [art(f"https://example.com/{i}", f"{STORY} item {i}") for i in range(5)]
    Deduplicator(store).process(arts)
    assert store.calls == {"by_ids": 1, "by_text_hashes": 1, "by_lsh": 1}
    store.calls = dict.fromkeys(store.calls, 0)
    Deduplicator(store, batch_size=2).process(
        [art(f"https://example.com/n{i}", OTHER + str(i)) for i in range(5)]
    )
    assert store.calls == {"by_ids": 3, "by_text_hashes": 3, "by_lsh": 3}
    # a re-run where every id is known asks nothing else
    store.calls = dict.fromkeys(store.calls, 0)
    Deduplicator(store).process([art(f"https://example.com/{i}", f"{STORY} item {i}") for i in range(5)])
    assert store.calls == {"by_ids": 1, "by_text_hashes": 0, "by_lsh": 0}


def test_rejected_articles_are_left_alone() -> None:
    r = art("https://example.com/r", STORY).reject("too short")
    a = art("https://example.com/a", STORY)
    Deduplicator(MemoryStore()).process([r, a])
    assert (r.status, r.reason, r.id, r.minhash) == ("rejected", "too short", "", [])
    assert a.status == "new"


def test_article_without_url_gets_a_text_id() -> None:
    a = art("", STORY)
    Deduplicator(MemoryStore()).process([a])
    assert a.id and a.canonical_url == "" and a.status == "new"


def test_decisions_are_deterministic(seed_articles: dict[str, Article]) -> None:
    arts = [seed_articles[k] for k in sorted(seed_articles)] + [art("https://x.com/1", STORY)]
    one, two = copy.deepcopy(arts), copy.deepcopy(arts)
    Deduplicator(MemoryStore()).process(one)
    Deduplicator(MemoryStore()).process(two)
    assert [a.to_dict() for a in one] == [a.to_dict() for a in two]
    # deduplicating the output again with a fresh store gives the same decisions
    three = copy.deepcopy(one)
    Deduplicator(MemoryStore()).process(three)
    assert [a.to_dict() for a in three] == [a.to_dict() for a in one]


def test_store_records_carry_what_dedupe_needs() -> None:
    a = art("https://example.com/a", STORY, publisher="Outlet")
    Deduplicator(MemoryStore()).process([a])
    rec = record_of(a)
    assert rec["id"] == a.id and rec["url"] == a.canonical_url and rec["lsh"] == a.lsh
    assert rec["minhash"] == a.minhash and rec["cluster_id"] == a.id and rec["publisher"] == "Outlet"


def test_page_declared_canonical_is_used_on_the_same_site_only() -> None:
    a = art(
        "https://example.com/amp/s/123",
        STORY,
        claims={"canonical_url": "https://www.example.com/world/story-123"},
    )
    b = art(
        "https://example.com/p/9", OTHER, claims={"canonical_url": "https://example.com/"}
    )  # the home page: ignored
    c = art(
        "https://other.com/p/9", OTHER + " x", claims={"canonical_url": "https://example.com/world/9"}
    )  # other site
    Deduplicator(MemoryStore()).process([a, b, c])
    assert a.canonical_url == "https://example.com/world/story-123"
    assert b.canonical_url == "https://example.com/p/9"
    assert c.canonical_url == "https://other.com/p/9"


def test_one_instance_is_one_run_across_calls() -> None:
    """The pipeline calls process() once per source: the run remembers earlier calls."""
    dd = Deduplicator(MemoryStore())
    a = art("https://a.com/story", STORY, source="a")
    dd.process([a])
    same_url = art("https://www.a.com/story?utm_source=b", STORY, source="b")
    copy_ = art("https://b.com/copy", STORY, source="b")
    dd.process([same_url, copy_])
    assert (same_url.status, same_url.reason) == ("duplicate", f"same_url: {a.id}")
    assert (copy_.status, copy_.duplicate_of) == ("duplicate", a.id)
    # a's batch was already written: the link goes to `links`, not to a.also_urls
    assert a.also_urls == [] and dd.links == [(a.id, "https://b.com/copy")]
    dd.process([art("https://c.com/copy", STORY, source="c")])
    assert dd.links == [(a.id, "https://b.com/copy"), (a.id, "https://c.com/copy")]


def test_near_duplicates_found_across_calls_with_a_store_that_learns_only_by_indexing() -> None:
    class IndexLikeStore(MemoryStore):
        def add(self, records: Iterable[dict[str, Any]]) -> None:  # learns by indexing: no-op
            list(records)

    dd = Deduplicator(IndexLikeStore())
    a = art("https://a.com/x", STORY)
    dd.process([a])
    b = art("https://b.com/y", STORY.replace("Saturday", "Sunday") + " (AFP)")
    dd.process([b])
    assert b.cluster_id == a.id and not b.is_canonical and b.status == "new"
