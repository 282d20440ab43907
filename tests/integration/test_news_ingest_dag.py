"""news_ingest end to end through Airflow's dag.test(): a loopback news site in, the search
engine out (embedded, or the real one at NEWSFLOW_TEST_ES_URL), then searched.
Running the same interval twice must add nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from newsflow.airflow_runner import run_dag
from newsflow.config import Settings
from newsflow.demo import demo_env, prepare_newsroom

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(tmp_path_factory, run_clock):
    from newsflow.demo_site import serve_site
    from newsflow.index.embedded import search_engine

    home = tmp_path_factory.mktemp("ingest")
    newsroom = prepare_newsroom(home, run_clock.start)
    with search_engine() as server, serve_site(newsroom / "site") as site_url:
        settings = replace(
            server.settings(Settings.from_env({})),
            home=home,
            allow_private=True,
            sources_file=newsroom / "sources.yaml",
            index_alias=f"ingest{uuid.uuid4().hex[:8]}",  # the real engine is shared by the lane's tests
        )
        env = demo_env(settings, site_url, airflow_home=home / "airflow")
        env["NEWSFLOW_INDEX_ALIAS"] = settings.index_alias
        first = run_dag("news_ingest", settings, run_clock.end, env, run_after=run_clock.run_after)
        second = run_dag("news_ingest", settings, run_clock.end, env, run_after=run_clock.run_after)
        yield settings, first, second


def test_first_run_indexes_and_the_ledger_adds_up(stack):
    settings, first, _ = stack
    assert first["state"].endswith("success"), first
    ledger = first["ledger"]
    assert ledger["balanced"] is True
    assert (
        ledger["fetched"]
        == ledger["new"] + ledger["updated"] + ledger["unchanged"] + ledger["duplicates"] + ledger["rejected"]
    )
    assert ledger["new"] >= 10
    assert ledger["duplicates_by_reason"].get("exact", 0) >= 1, ledger
    assert "interstitial" in ledger["rejected_by_reason"], ledger
    assert ledger["clustered"] >= 2, "two syndicated copies join the wire story's cluster"
    assert len(ledger["per_source"]) >= 4


def test_one_fetch_task_per_politeness_class_in_its_pool(stack):
    """The demo's feeds are `default`, its folder `local`; `gentle` has no source: its fetch task is
    skipped (mapped over nothing) and the run still cleans, indexes and succeeds."""
    _, first, _ = stack
    tasks = first["tasks"]

    def of(task_id: str) -> list[dict]:
        return [t for t in tasks if t["task_id"] == task_id]

    default, local, gentle = of("fetch_default"), of("fetch_local"), of("fetch_gentle")
    assert sorted(t["name"] for t in default) == [
        "coastal_wire_daily",
        "courrier_du_port",
        "hafenbote",
        "harbour_herald",
    ]
    assert [t["name"] for t in local] == ["bayside_archive"]
    assert {t["pool"] for t in default} == {"newsflow_fetch_default"}
    assert {t["pool"] for t in local} == {"newsflow_fetch_local"}
    assert all(t["state"] == "success" for t in default + local), default + local
    assert [(t["map_index"], t["state"]) for t in gentle] == [(-1, "skipped")]
    assert [t["state"] for t in of("join_fetches")] == ["success"]
    # clean runs for each source that brought items (one with nothing costs no task)
    assert sorted(t["name"] for t in of("clean")) == sorted(first["ledger"]["per_source"])
    assert all(t["state"] == "success" for t in of("clean"))
    assert set(first["ledger"]["per_source"]) >= {"bayside_archive", "harbour_herald"}


def test_raw_payloads_are_archived_before_processing(stack):
    settings, first, _ = stack
    raw_files = list(Path(settings.archive).rglob("*.jsonl"))
    assert raw_files, "fetch must write the raw archive"
    assert all("source=" in str(p.parent.parent) for p in raw_files)


def test_same_interval_again_adds_nothing(stack):
    _, first, second = stack
    assert second["state"].endswith("success"), second
    led = second["ledger"]
    assert led["new"] == 0 and led["updated"] == 0
    assert led["fetched"] == first["ledger"]["fetched"]
    assert led["unchanged"] == first["ledger"]["new"] + first["ledger"]["updated"]


def test_index_holds_each_article_once_and_search_collapses_stories(stack):
    from newsflow.index import make_client
    from newsflow.index.search import search

    settings, first, _ = stack
    client = make_client(settings)
    count = client.count(index=settings.index_alias)["count"]
    assert count == first["ledger"]["new"]
    clusters = client.search(
        index=settings.index_alias,
        size=0,
        aggs={"c": {"terms": {"field": "cluster_id", "size": 1, "order": {"_count": "desc"}}}},
    )["aggregations"]["c"]["buckets"]
    assert clusters[0]["doc_count"] == 3, "the wire story carried by three outlets is one cluster"
    result = search(client, settings, "*", size=50)
    story_ids = [hit.cluster_id for hit in result.hits]
    assert len(story_ids) == len(set(story_ids)), "one hit per story"
