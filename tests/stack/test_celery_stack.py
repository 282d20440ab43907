"""news_ingest on the production stack of docker-compose.celery.yml, without Docker.

PostgreSQL (metadata database and Celery results) and Redis (the broker) from Debian's packages,
on loopback, in scratch folders; Airflow's scheduler, dag-processor, triggerer and api-server,
and two Celery workers, `stack-worker-a` and `stack-worker-b`, each with a hostname of its own
(as each compose container has), all with the settings of tests/stack/environment.py, which the
parity test holds to the compose files. The newsroom is the demo's (four feeds and a folder of
files) plus a news sitemap with two articles on each of three days (tests/airflow_e2e.py); the
index is the embedded search server, or the real engine named by NEWSFLOW_TEST_ES_URL.

In order: a run triggered through the REST API (its mapped fetch, clean and enrich tasks spread
over both workers; each politeness class's fetches within its pool's slots); a three-day
backfill during which worker b is killed with SIGKILL, with everything it forked, as soon as
it runs a mapped task (its tasks fail on the scheduler's heartbeat timeout and are retried on worker
a; every article is indexed once and every ledger adds up); worker b restarted (compose's
`restart: always`); the same backfill again: the runs are reprocessed, on both workers, and no
count changes. What ran where is written to test-artifacts/stack-report.json.

Needs root or unprivileged user namespaces (the workers' hostnames) and the Debian packages:
`make test-stack` installs them and runs this; alone: `pytest -m stack`.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from airflow_e2e import (
    HISTORY_DAYS,
    NOW,
    REPO,
    Api,
    assert_one_at_a_time,
    backfill,
    indexed_docs,
    mapped_spans,
    most_at_once,
    run_ledger,
    run_path,
    task_instances,
    wait,
    wait_runs,
)

from .services import celery_stack, worker_ready

pytestmark = pytest.mark.stack

WORKERS = ("stack-worker-a", "stack-worker-b")
VICTIM = WORKERS[1]
MAPPED = ("fetch_default", "fetch_gentle", "fetch_local", "clean", "enrich")
ARTIFACT = REPO / "test-artifacts" / "stack-report.json"
REPORT: dict = {}


@pytest.fixture(scope="module")
def services(tmp_path_factory) -> Iterator[dict]:
    with celery_stack(tmp_path_factory.mktemp("stack"), WORKERS) as running:
        REPORT["startup_seconds"] = running["startup_seconds"]
        REPORT["search"] = running["search"]  # the real engine (make test-stack in CI) or the embedded one
        try:
            yield running
        finally:
            ARTIFACT.parent.mkdir(exist_ok=True)
            ARTIFACT.write_text(json.dumps(REPORT, indent=2, default=str))


def _by_worker(tis: list[dict], task_ids: tuple[str, ...] = MAPPED) -> dict[str, list[str]]:
    """hostname -> the task instances it ran, as `task[source]`."""
    split: dict[str, list[str]] = defaultdict(list)
    for ti in tis:
        if ti["task_id"] in task_ids and ti["map_index"] >= 0 and ti["state"] == "success":
            split[ti["hostname"]].append(
                f"{ti['task_id']}[{ti.get('rendered_map_index') or ti['map_index']}]"
            )
    return {host: sorted(names) for host, names in sorted(split.items())}


@pytest.fixture(scope="module")
def triggered(services) -> str:
    api = services["api"]
    api.call("PATCH", "/api/v2/dags/news_ingest", {"is_paused": False})
    started = time.monotonic()
    run = api.call("POST", "/api/v2/dags/news_ingest/dagRuns", {"logical_date": NOW.isoformat()})
    wait_runs(services, [run["dag_run_id"]], 300)
    REPORT["triggered_run"] = {"run_id": run["dag_run_id"], "seconds": round(time.monotonic() - started, 1)}
    return run["dag_run_id"]


def _feed_items(site: Path) -> dict[str, int]:
    """Distinct articles each demo feed lists (a link listed twice is fetched once), by source."""
    import feedparser

    counts = {}
    for feed in sorted(site.glob("*/feed.xml")):
        entries = feedparser.parse(feed.read_text(encoding="utf-8")).entries
        counts[feed.parent.name.replace("-", "_")] = len({e.link for e in entries})
    return counts


def test_mapped_tasks_of_a_run_spread_over_both_workers(services, triggered):
    api = services["api"]
    tis = task_instances(api, triggered)
    assert all(ti["state"] in ("success", "skipped") for ti in tis), [(t["task_id"], t["state"]) for t in tis]
    split = _by_worker(tis)
    REPORT["triggered_run"]["worker_split"] = split
    REPORT["triggered_run"]["all_tasks_per_worker"] = {
        h: sum(1 for t in tis if t["hostname"] == h and t["state"] == "success") for h in WORKERS
    }
    assert set(split) == set(WORKERS), f"the mapped tasks ran on {sorted(split)}: {split}"
    # Every source's fetch ran once, and its clean once if it brought items (join_fetches drops
    # the empty ones), each on one of the two workers.
    ledger = run_ledger(api, triggered)
    ran = [name for names in split.values() for name in names]
    for source, cls in services["classes"].items():
        assert ran.count(f"fetch_{cls}[{source}]") == 1, (source, split)
        brought = ledger["per_source"].get(source, {}).get("fetched", 0)
        assert ran.count(f"clean[{source}]") == (1 if brought else 0), (source, brought, split)
    # The run's ledger adds up and every item of the live feeds is counted.
    assert ledger["balanced"] and not ledger["sources_failed"], ledger
    for source, items in _feed_items(services["tmp"] / "site").items():
        assert ledger["per_source"][source]["fetched"] == items, (source, ledger["per_source"])
    docs = indexed_docs(services["settings"])
    assert len(docs) == ledger["new"] + ledger["updated"] + ledger["unchanged"], (len(docs), ledger)


def test_each_politeness_class_stays_within_its_pool(services, triggered):
    api, classes = services["api"], services["classes"]
    pools = {p["name"]: p["slots"] for p in api.get("/api/v2/pools?limit=100")["pools"]}
    slots = {"default": 2, "gentle": 1, "local": 4}
    assert {n: s for n, s in pools.items() if n.startswith("newsflow_fetch_")} == {
        f"newsflow_fetch_{c}": s for c, s in slots.items()
    }
    REPORT.setdefault("pools", {})
    for cls, limit in slots.items():
        spans = mapped_spans(api, [triggered], f"fetch_{cls}")
        assert sorted(ti["rendered_map_index"] for _, _, ti in spans) == sorted(
            s for s, c in classes.items() if c == cls
        )
        assert {ti["pool"] for _, _, ti in spans} == {f"newsflow_fetch_{cls}"}
        peak = most_at_once(spans)
        REPORT["pools"][cls] = {
            "slots": limit,
            "sources": len(spans),
            "most_at_once": peak,
            "workers": sorted({ti["hostname"] for _, _, ti in spans}),
        }
        assert peak <= limit, f"{peak} fetch_{cls} at once in a {limit}-slot pool: {spans}"


def _running_on(api: Api, host: str) -> list[dict]:
    """The task instances `host` runs now, once one of them is a mapped fetch, clean or enrich."""
    tis = api.get("/api/v2/dags/news_ingest/dagRuns/~/taskInstances?state=running&limit=100")[
        "task_instances"
    ]
    mine = [t for t in tis if t.get("hostname") == host]
    return mine if any(t["task_id"] in MAPPED for t in mine) else []


def _kill_when_busy(services) -> None:
    """SIGKILL worker b (and all it forked) as soon as it runs a mapped task of the backfill."""
    api, stack = services["api"], services["stack"]
    busy = wait(
        f"{VICTIM} to run a mapped task",
        lambda: _running_on(api, VICTIM),
        240,
        services["procs"],
        services["env"]["AIRFLOW_HOME"],
        interval=0.2,
    )
    services["procs"].remove(stack.workers[VICTIM])
    pids = stack.kill_worker(VICTIM)
    REPORT["kill"] = {
        "worker": VICTIM,
        "at": datetime.now(UTC).isoformat(),
        "processes_killed": len(pids),
        "running_then": [
            {k: t[k] for k in ("dag_run_id", "task_id", "map_index", "try_number")} for t in busy
        ],
    }


def _tries(api: Api, ti: dict) -> list[dict]:
    path = f"{run_path(ti['dag_run_id'])}/taskInstances/{ti['task_id']}"
    if ti["map_index"] >= 0:
        path += f"/{ti['map_index']}"
    return api.get(f"{path}/tries")["task_instances"]


@pytest.fixture(scope="module")
def killed_backfill(services, triggered) -> list[str]:
    started = time.monotonic()
    runs = backfill(services, timeout=480, during=lambda: _kill_when_busy(services))
    REPORT["backfill_with_kill"] = {"runs": runs, "seconds": round(time.monotonic() - started, 1)}
    return runs


def test_killed_workers_tasks_are_retried_on_the_other(services, killed_backfill):
    api = services["api"]
    killed = REPORT["kill"]["running_then"]
    assert killed, "worker b was killed while running nothing"
    retried = []
    for ti in killed:
        tries = {t["try_number"]: t for t in _tries(api, ti)}
        dead, last = tries[ti["try_number"]], tries[max(tries)]
        assert dead["hostname"] == VICTIM and dead["state"] != "success", (ti, tries)
        assert last["try_number"] > ti["try_number"] and last["state"] == "success", (ti, tries)
        assert last["hostname"] == WORKERS[0], (ti, tries)
        retried.append(
            {
                "task": f"{ti['task_id']}[{ti['map_index']}]",
                "run": ti["dag_run_id"],
                "killed_try": dead["try_number"],
                "killed_state": dead["state"],
                "retried_try": last["try_number"],
                "retried_on": last["hostname"],
            }
        )
    REPORT["kill"]["retried"] = retried
    # A task worker b had taken from Redis but not started is queued again by the scheduler
    # (task_queued_timeout), and worker a runs it.
    requeued = api.get("/api/v2/eventLogs?event=stuck%20in%20queued%20reschedule&limit=100")["event_logs"]
    REPORT["kill"]["requeued"] = []
    for log in requeued:
        ti = {"dag_run_id": log["run_id"], "task_id": log["task_id"], "map_index": log["map_index"]}
        last = max(_tries(api, ti), key=lambda t: t["try_number"])
        assert last["state"] == "success" and last["hostname"] == WORKERS[0], (log, last)
        REPORT["kill"]["requeued"].append(
            {
                "task": f"{log['task_id']}[{log['map_index']}]",
                "run": log["run_id"],
                "ran_on": last["hostname"],
            }
        )
    # After the kill, only worker a ran anything of the backfill, and every task ended well.
    kill_at = datetime.fromisoformat(REPORT["kill"]["at"])
    tis = [t for r in killed_backfill for t in task_instances(api, r)]
    assert all(t["state"] in ("success", "skipped") for t in tis), [(t["task_id"], t["state"]) for t in tis]
    later = [t for t in tis if t.get("start_date") and datetime.fromisoformat(t["start_date"]) > kill_at]
    assert later and {t["hostname"] for t in later} == {WORKERS[0]}, later


def test_backfill_with_a_kill_loses_nothing_and_every_ledger_adds_up(services, killed_backfill):
    api, settings = services["api"], services["settings"]
    assert_one_at_a_time(api, killed_backfill, "fetch_gentle")
    for day, run_id in zip(HISTORY_DAYS, killed_backfill, strict=True):
        ledger = run_ledger(api, run_id)
        assert ledger["balanced"] and not ledger["sources_failed"], (day, ledger)
        assert ledger["per_source"]["tidewater_gazette"]["new"] == 2, (day, ledger["per_source"])
        assert ledger["fetched"] == sum(row["fetched"] for row in ledger["per_source"].values())
    docs = indexed_docs(settings, "tidewater_gazette")
    assert len(docs) == 6 and len({d["url"] for d in docs}) == 6, docs
    for day in HISTORY_DAYS:
        assert sum(d["published_at"].startswith(day) for d in docs) == 2, docs


@pytest.fixture(scope="module")
def second_backfill(services, killed_backfill) -> dict:
    """Worker b back (compose restarts a dead worker), then the same backfill again."""
    stack, settings = services["stack"], services["settings"]
    from newsflow.index import make_client

    before = make_client(settings).count(index=settings.index_alias)["count"]
    stack.start_worker(VICTIM, stack.worker_env[VICTIM])
    services["procs"].append(stack.workers[VICTIM])
    wait(
        f"worker {VICTIM} to be ready again",
        lambda: worker_ready(stack, VICTIM),
        120,
        services["procs"],
        services["env"]["AIRFLOW_HOME"],
    )
    started = time.monotonic()
    runs = backfill(services, timeout=480)
    REPORT["backfill_again"] = {"runs": runs, "seconds": round(time.monotonic() - started, 1)}
    return {"runs": runs, "before": before}


def test_the_same_backfill_again_changes_no_count_and_uses_both_workers(
    services, killed_backfill, second_backfill
):
    api, settings = services["api"], services["settings"]
    from newsflow.index import make_client

    assert second_backfill["runs"] == killed_backfill  # the same runs, reprocessed
    for run_id in second_backfill["runs"]:
        ledger = run_ledger(api, run_id)
        row = ledger["per_source"]["tidewater_gazette"]
        assert ledger["balanced"] and row["new"] == 0 and row["unchanged"] == 2, ledger
    assert make_client(settings).count(index=settings.index_alias)["count"] == second_backfill["before"]
    assert len(indexed_docs(settings, "tidewater_gazette")) == 6
    assert_one_at_a_time(api, second_backfill["runs"], "fetch_gentle")
    split = _by_worker([t for r in second_backfill["runs"] for t in task_instances(api, r)])
    REPORT["backfill_again"]["worker_split"] = split
    assert set(split) == set(WORKERS), f"after its restart, {VICTIM} ran none of the mapped tasks: {split}"
