"""news_ingest on the real Airflow services, driven as a user drives them.

The test creates the fetch pools the way docker-compose's airflow-init does
(`python -m newsflow.pools` + `airflow pools import`), starts the scheduler, dag-processor,
triggerer and api-server (LocalExecutor, SQLite, a throwaway AIRFLOW_HOME, loopback ports), the
embedded search server and a loopback news site (the demo newsroom's feeds plus a news sitemap
with articles on three past days). Then: trigger `news_ingest` through the REST API and wait
for it; check the index and the run's ledger (XCom) and health, that each politeness class's
fetch task ran in its pool (the empty class skipped), and that the run, overrunning a 6-second
deadline, left a deadline alert in alerts.jsonl (written by the triggerer); `airflow backfill
create` over the three days and check each day's articles are indexed once and that the three
days, run side by side, fetched their `gentle` source one at a time (a pool of one slot); the
same backfill again (reprocessing the runs) changes no count; finally headless Chromium opens
the UI: the run's mapped fetch tasks show the source names, and a screenshot of the DAG page is
saved under test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from airflow_e2e import (
    BIN,
    HISTORY_DAYS,
    NEWSROOM_DAY,
    NOW,
    REPO,
    Api,
    assert_one_at_a_time,
    backfill,
    build_history_site,
    dags_on_test_clock,
    free_port,
    indexed_docs,
    migrate_and_import_pools,
    run_ledger,
    start_component,
    stop_components,
    wait,
    wait_runs,
)

pytestmark = pytest.mark.e2e

ARTIFACTS = REPO / "test-artifacts"


SOURCES = """
sources:
  - name: harbour_herald
    type: rss
    url: ${NEWSFLOW_DEMO_BASE_URL}/harbour-herald/feed.xml
    publisher: Harbour Herald
    country: GB
    language: en
  - name: tidewater_gazette
    type: sitemap
    url: ${NEWSFLOW_DEMO_BASE_URL}/tidewater-gazette/sitemap.xml
    publisher: Tidewater Gazette
    country: GB
    language: en
    politeness: gentle
"""
# A deadline every run overruns (0.1 min = 6 s after it was queued), so the alert path runs.
DEADLINE_MINUTES = "0.1"


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    from newsflow.config import Settings
    from newsflow.demo_site import serve_site
    from newsflow.index.embedded import EmbeddedSearch

    tmp = tmp_path_factory.mktemp("services")
    site_root = tmp / "site"
    article_count = build_history_site(site_root)
    sources_file = tmp / "sources.yaml"
    sources_file.write_text(SOURCES)
    home = tmp / "newsflow"
    airflow_home = tmp / "airflow"
    airflow_home.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with EmbeddedSearch() as search, serve_site(site_root) as site_url:
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_on_test_clock(tmp / "dags")),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "6",
            "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": base,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": "newsflow-e2e-only",
            # Runs come from the REST API and the backfill only: no scheduled run races them.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "NEWSFLOW_HOME": str(home),
            "NEWSFLOW_SOURCES_FILE": str(sources_file),
            "NEWSFLOW_ES_URL": search.url,
            "NEWSFLOW_ES_EMBEDDED": "1",
            "NEWSFLOW_ALLOW_PRIVATE": "1",
            "NEWSFLOW_DEMO_BASE_URL": site_url,
            "NEWSFLOW_SCHEDULE": "0 0 * * *",
            "NEWSFLOW_KIBANA_URL": "http://kibana.example:5601",
            "NEWSFLOW_RETRY_DELAY": "2",
            "NEWSFLOW_RUN_DEADLINE_MINUTES": DEADLINE_MINUTES,
            "NEWSFLOW_POOL_DEFAULT_SLOTS": "3",  # the other classes keep their defaults
        }
        # The pools, as docker-compose's airflow-init makes them (before any component starts).
        migrate_and_import_pools(env, tmp)
        procs = [
            start_component([BIN / "airflow", c], env, airflow_home / f"{c}.log")
            for c in ("scheduler", "dag-processor", "triggerer", "api-server")
        ]
        api = Api(base)
        try:
            wait(
                "news_ingest to be parsed and served",
                lambda: api.get("/api/v2/dags/news_ingest"),
                120,
                procs,
                airflow_home,
            )
            yield {
                "api": api,
                "env": env,
                "base": base,
                "tmp": tmp,
                "articles": article_count,
                "settings": Settings.from_env(env),
                "procs": procs,
            }
        finally:
            stop_components(procs)  # each component leads its own process group (its workers included)


@pytest.fixture(scope="module")
def triggered(services):
    api = services["api"]
    api.call("PATCH", "/api/v2/dags/news_ingest", {"is_paused": False})
    run = api.call("POST", "/api/v2/dags/news_ingest/dagRuns", {"logical_date": NOW.isoformat()})
    wait_runs(services, [run["dag_run_id"]], 150)
    return run["dag_run_id"]


def test_triggered_run_indexes_the_live_feeds_with_a_ledger_and_health(services, triggered):
    api, settings = services["api"], services["settings"]
    ledger = run_ledger(api, triggered)
    assert ledger["balanced"] and ledger["run_id"] == triggered
    assert set(ledger["per_source"]) == {"harbour_herald"}, ledger["per_source"]
    assert ledger["new"] >= 3 and not ledger["sources_failed"]
    # The sitemap has nothing in today's window, and its health says it ran fine.
    assert ledger["health"]["tidewater_gazette"]["state"] == "healthy"
    assert ledger["health"]["tidewater_gazette"]["last_fetched"] == 0
    assert ledger["health"]["harbour_herald"]["last_item_at"].startswith(str(NEWSROOM_DAY))
    docs = indexed_docs(settings, "harbour_herald")
    assert docs and all(d["ingest_run_id"] == triggered for d in docs)
    # The same health, read the user's way.
    out = subprocess.run(
        [BIN / "newsflow", "health"], env=services["env"], capture_output=True, text=True, check=True
    ).stdout
    assert "harbour_herald" in out and "healthy" in out, out


def test_each_politeness_class_fetches_in_its_own_pool(services, triggered):
    api = services["api"]
    pools = {p["name"]: p for p in api.get("/api/v2/pools?limit=100")["pools"]}
    assert {n: pools[n]["slots"] for n in pools if n.startswith("newsflow_fetch_")} == {
        "newsflow_fetch_default": 3,
        "newsflow_fetch_gentle": 1,
        "newsflow_fetch_local": 4,
    }
    run = f"/api/v2/dags/news_ingest/dagRuns/{quote(triggered, safe='')}/taskInstances"
    # The mapped fetch tasks are named after their sources, each in its class's pool.
    for task_id, names in (("fetch_default", ["harbour_herald"]), ("fetch_gentle", ["tidewater_gazette"])):
        tis = api.get(f"{run}/{task_id}/listMapped")["task_instances"]
        assert sorted(t["rendered_map_index"] for t in tis) == names, tis
        assert {(t["pool"], t["state"]) for t in tis} == {(f"newsflow_{task_id}", "success")}, tis
    # No source is `local`: that fetch is skipped, and the run (clean, index, ledger) went on.
    local = api.get(f"{run}/fetch_local")
    assert (local["map_index"], local["state"], local["pool"]) == (-1, "skipped", "newsflow_fetch_local")
    assert api.get(f"{run}/join_fetches")["state"] == "success"
    # Only sources that brought items get a clean task: the sitemap has nothing in this window.
    cleaned = api.get(f"{run}/clean/listMapped")["task_instances"]
    assert sorted(t["rendered_map_index"] for t in cleaned) == ["harbour_herald"]


def test_a_run_past_its_deadline_leaves_an_alert(services, triggered):
    """DeadlineAlert end to end: the scheduler sees the missed deadline, the triggerer runs
    `newsflow.alerts.run_overran`, which appends to <state>/alerts.jsonl; `newsflow health` shows it."""
    from newsflow.alerts import read_alerts

    settings = services["settings"]

    def alert():
        return [a for a in read_alerts(settings, last=100) if a["run_id"] == triggered]

    (found, *more) = wait(
        "the deadline alert of the triggered run",
        alert,
        60,
        services["procs"],
        services["env"]["AIRFLOW_HOME"],
    )
    assert not more, "one alert per missed deadline"
    assert found["kind"] == "run_overran" and found["dag_id"] == "news_ingest"
    assert found["deadline_minutes"] == float(DEADLINE_MINUTES)
    assert found["deadline_at"], found
    out = subprocess.run(
        [BIN / "newsflow", "health"], env=services["env"], capture_output=True, text=True, check=True
    ).stdout
    assert f"run {triggered} overran its 0.1 min deadline" in out, out


def test_backfill_indexes_each_day_once_and_again_changes_nothing(services, triggered):
    api, settings = services["api"], services["settings"]
    first = backfill(services)
    assert_one_at_a_time(api, first, "fetch_gentle")
    per_day = {}
    for day, run_id in zip(HISTORY_DAYS, first, strict=True):
        ledger = run_ledger(api, run_id)
        per_day[day] = ledger
        assert ledger["per_source"]["tidewater_gazette"]["new"] == 2, (day, ledger)
        assert any("outside the feed's live window" in n for n in ledger["notes"]), ledger["notes"]
    docs = indexed_docs(settings, "tidewater_gazette")
    assert len(docs) == services["articles"] == 6
    assert len({d["url"] for d in docs}) == 6
    for day in HISTORY_DAYS:
        assert sum(d["published_at"].startswith(day) for d in docs) == 2, docs
    from newsflow.index import make_client

    total = make_client(settings).count(index=settings.index_alias)["count"]

    again = backfill(services)
    assert again == first  # the same runs, reprocessed
    for run_id in again:
        ledger = run_ledger(api, run_id)
        row = ledger["per_source"]["tidewater_gazette"]
        assert row["new"] == 0 and row["unchanged"] == 2, ledger
    assert make_client(settings).count(index=settings.index_alias)["count"] == total
    assert len(indexed_docs(settings, "tidewater_gazette")) == 6


def _chromium(args: list[str], tmp: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    assert exe, "chromium is not installed (make test installs it: apt-get install -y chromium)"
    # The browser only shows what the server says: it runs on the real clock. Loaded into its
    # multi-process sandbox, libfaketime (make test-shifted) leaves it hanging or printing nothing.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp / 'chromium-profile'}",
        "--window-size=1600,1000",
        "--virtual-time-budget=20000",
    ]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=120, env=env)


def test_ui_shows_the_run_with_per_source_task_names(services, triggered):
    tmp, base = services["tmp"], services["base"]
    run = quote(triggered, safe="")
    for task_id, name in (("fetch_default", "harbour_herald"), ("fetch_gentle", "tidewater_gazette")):
        page = _chromium(["--dump-dom", f"{base}/dags/news_ingest/runs/{run}/tasks/{task_id}/mapped"], tmp)
        text = re.sub(
            r"\s+",
            " ",
            re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", "", page.stdout, flags=re.S)),
        )
        assert name in text, f"{name} not on the {task_id} mapped-task page: {text[:2000]}"
        assert "success" in text.lower()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "airflow-news_ingest-grid.png"
    shot.unlink(missing_ok=True)
    _chromium([f"--screenshot={shot}", f"{base}/dags/news_ingest/runs/{run}"], tmp)
    assert shot.exists() and shot.stat().st_size > 10_000
    _chromium(
        [
            f"--screenshot={ARTIFACTS / 'airflow-news_ingest-mapped-fetch.png'}",
            f"{base}/dags/news_ingest/runs/{run}/tasks/fetch_default/mapped",
        ],
        tmp,
    )


def test_kibana_link_plugin_is_loaded(services, triggered):
    plugins = services["api"].get("/api/v2/plugins")["plugins"]
    mine = [p for p in plugins if p["name"] == "newsflow_kibana"]
    assert mine, plugins
    assert any("{RUN_ID}" in v["href"] and v["destination"] == "dag_run" for v in mine[0]["external_views"])
    assert "KibanaRunLink" in json.dumps(mine[0]["global_operator_extra_links"])
