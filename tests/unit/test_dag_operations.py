"""The operational side of news_ingest: deadline alert, the asset the index task updates,
retries with backoff, and the Kibana plugin the UI loads."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.dags["news_ingest"]


def test_deadline_alert_for_overrunning_runs(dag):
    from airflow.sdk import AsyncCallback, DeadlineReference

    deadlines = dag.deadline if isinstance(dag.deadline, list) else [dag.deadline]
    (alert,) = deadlines
    assert alert.reference == DeadlineReference.DAGRUN_QUEUED_AT or type(alert.reference).__name__.startswith(
        "DagRunQueuedAt"
    )
    assert alert.interval.total_seconds() == 25 * 60
    assert isinstance(alert.callback, AsyncCallback)
    assert alert.callback.path == "newsflow.alerts.run_overran"


def test_overrun_callback_records_the_alert(tmp_path, monkeypatch):
    from newsflow.alerts import read_alerts, run_overran
    from newsflow.config import Settings

    monkeypatch.setenv("NEWSFLOW_HOME", str(tmp_path))
    asyncio.run(run_overran(minutes=25, context={"dag_run": {"dag_id": "news_ingest", "run_id": "r1"}}))
    # The shape the scheduler sends (airflow.models.deadline.Deadline.handle_miss): the REST
    # API's DAGRunResponse, where the run id is `dag_run_id`, and the deadline itself.
    asyncio.run(
        run_overran(
            minutes=0.5,
            context={
                "dag_run": {"dag_id": "news_ingest", "dag_run_id": "manual__r2", "state": "running"},
                "deadline": {"id": "0190", "deadline_time": "2026-11-22T10:00:30+00:00"},
            },
        )
    )
    first, second = read_alerts(Settings.from_env())
    assert first["run_id"] == "r1" and first["deadline_minutes"] == 25
    assert second["run_id"] == "manual__r2" and second["deadline_minutes"] == 0.5
    assert second["deadline_at"] == "2026-11-22T10:00:30+00:00"


def test_index_task_updates_the_articles_asset(dag):
    outlets = dag.get_task("index").outlets
    assert [(a.name, a.uri) for a in outlets] == [("newsflow_articles", "newsflow://index/news")]


def test_fetch_retries_with_exponential_backoff_and_timeouts(dag):
    for cls in ("default", "gentle", "local"):
        fetch = dag.get_task(f"fetch_{cls}")
        assert fetch.retries >= 2 and fetch.retry_exponential_backoff
        assert fetch.execution_timeout is not None and fetch.max_retry_delay is not None


def test_kibana_plugin_link_and_run_tab(monkeypatch):
    import importlib.util

    monkeypatch.setenv("NEWSFLOW_KIBANA_URL", "http://kibana.internal:5601")
    spec = importlib.util.spec_from_file_location("newsflow_kibana", ROOT / "plugins" / "newsflow_kibana.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plugin = module.NewsflowKibanaPlugin
    (view,) = plugin.external_views
    assert view["destination"] == "dag_run" and "{RUN_ID}" in view["href"]
    assert view["href"].startswith("http://kibana.internal:5601/app/discover")

    class Key:
        dag_id, run_id = "news_ingest", "manual__2026-11-22T10:00:00+00:00"

    link = plugin.global_operator_extra_links[0].get_link(None, ti_key=Key())
    assert "manual__2026-11-22T10:00:00+00:00" in link.replace("%2B", "+")
    Key.dag_id = "other"
    assert plugin.global_operator_extra_links[0].get_link(None, ti_key=Key()) == ""


def test_a_source_ends_within_its_fetch_tasks_execution_timeout(dag):
    """Issue 15: the feed, the source budget and the last page started within it fit inside the
    fetch task's execution_timeout, so a slow site ends as a source, never as a killed task."""
    from newsflow.config import Settings
    from newsflow.fetch.http import page_budget

    settings = Settings()
    worst = page_budget(settings) + settings.source_budget + page_budget(settings)
    for cls in ("default", "gentle", "local"):
        timeout = dag.get_task(f"fetch_{cls}").execution_timeout
        assert worst < timeout.total_seconds(), (cls, worst, timeout)
