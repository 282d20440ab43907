"""Versioned indices: refresh relaxed during big loads, rebuild from the archive, atomic swap,
telemetry of the ledger; against the search engine (embedded, or real with make test-engine)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from newsflow.archive import archive_batch
from newsflow.config import INCLUDE_DIR, Settings
from newsflow.fetch.files import read_paths
from newsflow.index.bulk import LARGE_LOAD, index_articles
from newsflow.index.telemetry import telemetry_index, write_ledger
from newsflow.index.template import ensure_index
from newsflow.index.versions import behind_alias, relaxed_refresh, swap_aliases, versions
from newsflow.models import Article
from newsflow.reindex import ReindexError, archive_runs, reindex_from_archive, verify

pytestmark = pytest.mark.integration

SITE = INCLUDE_DIR / "demo" / "site"


def refresh_interval(client: Elasticsearch, index: str) -> str | None:
    body = client.indices.get_settings(index=index).body
    return next(iter(body.values()))["settings"]["index"].get("refresh_interval")


@pytest.fixture
def archived(settings: Settings) -> Settings:
    """The demo newsroom's pages archived as two runs on two days, as fetch would have."""
    settings = dataclasses.replace(settings, sources_file=INCLUDE_DIR / "demo" / "sources.yaml")
    runs = {
        ("run-1", date(2026, 11, 20)): ["harbour-herald", "coastal-wire-daily"],
        ("run-2", date(2026, 11, 21)): ["hafenbote", "courrier-du-port"],
    }
    for (run_id, day), outlets in runs.items():
        for outlet in outlets:
            source = outlet.replace("-", "_")
            archive_batch(settings, source, run_id, read_paths([SITE / outlet], source=source), day)
    return settings


def test_relaxed_refresh_is_restored_even_when_the_load_fails(
    client: Elasticsearch, settings: Settings
) -> None:
    index = ensure_index(client, settings)["index"]
    assert refresh_interval(client, index) == "1s"
    with pytest.raises(RuntimeError, match="boom"), relaxed_refresh(client, settings.write_alias) as previous:
        assert previous == {index: "1s"}
        assert refresh_interval(client, index) == "-1"
        raise RuntimeError("boom")
    assert refresh_interval(client, index) == "1s"


def test_a_large_load_relaxes_refresh_while_it_runs(
    client: Elasticsearch, settings: Settings, make_article: Callable[..., Article]
) -> None:
    index = ensure_index(client, settings)["index"]
    seen: list[str | None] = []

    class Watched(list):
        """A big batch that notes the index's refresh interval while it is being read."""

        def __iter__(self) -> Iterator[Article]:
            for n, article in enumerate(super().__iter__()):
                if n == len(self) // 2:
                    seen.append(refresh_interval(client, index))
                yield article

    batch = Watched(make_article(f"big{i}", f"Item {i}.") for i in range(LARGE_LOAD))
    assert index_articles(client, settings, batch).indexed == LARGE_LOAD
    small = Watched(make_article(f"small{i}", f"Item {i}.") for i in range(4))
    index_articles(client, settings, small)
    assert seen == ["-1", "1s"]
    assert refresh_interval(client, index) == "1s"
    assert client.count(index=settings.index_alias)["count"] == LARGE_LOAD + 4


def test_reindex_from_archive_swaps_atomically(client: Elasticsearch, archived: Settings) -> None:
    settings = archived
    assert [len(run) for run in archive_runs(settings)] == [2, 2]
    first = reindex_from_archive(client, settings)  # v1 is created by the first rebuild itself
    live = first["counts"]["count"]
    assert live >= 12 and first["load"]["expected"] == live
    assert behind_alias(client, settings.index_alias) == [f"{settings.index_alias}-v1"]

    observed: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            observed.append(int(client.count(index=settings.index_alias)["count"]))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        second = reindex_from_archive(client, settings)
    finally:
        stop.set()
        thread.join()
    new = f"{settings.index_alias}-v2"
    assert second["swap"] == {"index": new, "previous": [f"{settings.index_alias}-v1"]}
    assert second["counts"] == {"count": live, "expected": live, "live": live}
    assert observed and set(observed) == {live}, "readers saw an empty or half-built index"
    assert behind_alias(client, settings.index_alias) == [new]
    assert behind_alias(client, settings.write_alias) == [new]
    assert client.indices.get_alias(index=new).body[new]["aliases"][settings.write_alias] == {
        "is_write_index": True
    }
    assert refresh_interval(client, new) == "1s"
    if not settings.es_embedded:  # Elasticsearch only: osmem-server has no Lucene segments to count
        shards = client.indices.segments(index=new).body["indices"][new]["shards"]
        assert [len(copy["segments"]) for copy in shards["0"] if copy["routing"]["primary"]] == [1], (
            "the rebuilt version is force-merged to one segment before the swap"
        )
    # lineage: the archive's run, and the German article searchable with the German analyzer
    runs = client.search(
        index=settings.index_alias, size=0, aggs={"r": {"terms": {"field": "ingest_run_id"}}}
    )
    assert {b["key"] for b in runs["aggregations"]["r"]["buckets"]} == {"run-1", "run-2"}
    assert client.count(index=settings.index_alias, query={"term": {"language": "de"}})["count"] >= 3
    # a third rebuild keeps one old version for roll-back and drops the oldest
    third = reindex_from_archive(client, settings)
    assert third["dropped"] == [f"{settings.index_alias}-v1"]
    assert versions(client, settings) == [new, f"{settings.index_alias}-v3"]


def test_roll_back_is_a_swap(client: Elasticsearch, archived: Settings) -> None:
    reindex_from_archive(client, archived)
    reindex_from_archive(client, archived)
    old = f"{archived.index_alias}-v1"
    assert swap_aliases(client, archived, old)["previous"] == [f"{archived.index_alias}-v2"]
    assert behind_alias(client, archived.index_alias) == [old]


def test_an_empty_archive_never_replaces_a_full_index(
    client: Elasticsearch, settings: Settings, make_article: Callable[..., Article]
) -> None:
    ensure_index(client, settings)
    index_articles(client, settings, [make_article("a1", "Something worth keeping.")])
    with pytest.raises(ReindexError, match="is empty while"):
        reindex_from_archive(client, settings)  # settings.archive holds nothing
    assert behind_alias(client, settings.index_alias) == [f"{settings.index_alias}-v1"]
    assert versions(client, settings) == [f"{settings.index_alias}-v1"], "the failed build is deleted"
    assert client.count(index=settings.index_alias)["count"] == 1


def test_verify_refuses_a_count_mismatch(client: Elasticsearch, settings: Settings) -> None:
    index = ensure_index(client, settings)["index"]
    with pytest.raises(ReindexError, match="holds 0 documents, the load indexed 3"):
        verify(client, settings, index, 3)


def test_write_ledger_one_document_per_run(
    client: Elasticsearch, settings: Settings, tmp_path: Path, missing_languages: list[str]
) -> None:
    ensure_index(client, settings)
    ledger = {
        "run_id": "scheduled__2026-11-20T10:00:00+00:00",
        "fetched": 10,
        "new": 6,
        "updated": 1,
        "unchanged": 1,
        "duplicates": 1,
        "rejected": 1,
        "balanced": True,
        "rejected_by_reason": {"too_short": 1},
        "sources_failed": {"broken_feed": "HTTPError: 500"},
        "per_source": {"x": {"fetched": 10}},
    }
    write_ledger(client, settings, ledger)
    doc = write_ledger(client, settings, ledger)  # the same run again replaces, never adds
    name = telemetry_index(settings)
    assert client.count(index=name)["count"] == 1
    stored = client.get(index=name, id=ledger["run_id"])["_source"]
    assert stored == doc
    assert (stored["fetched"], stored["new"], stored["rejected"]) == (10, 6, 1)
    assert stored["sources_failed"] == ["broken_feed"] and stored["rejected_reasons"] == ["too_short"]
    assert stored["standard_languages"] == missing_languages, "the analyzer fallback shows in the ledger"
    mapping = client.indices.get_mapping(index=name).body[name]["mappings"]
    assert mapping["dynamic"] == "strict" and mapping["properties"]["timestamp"]["type"] == "date"
    with pytest.raises(ValueError, match="run_id"):
        write_ledger(client, settings, {"fetched": 1})
