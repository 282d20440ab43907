"""The DAG parses cleanly, has the designed shape, and does no work at import time."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "news_ingest" in dagbag.dag_ids


def test_tasks_and_dependencies(dagbag):
    dag = dagbag.dags["news_ingest"]
    classes = ("default", "gentle", "local")
    assert set(dag.task_ids) == {
        *(f"load_sources_{c}" for c in classes),
        *(f"fetch_{c}" for c in classes),
        "join_fetches",
        "clean",
        "dedupe",
        "enrich",
        "index",
        "ledger",
    }
    down = {t.task_id: set(t.downstream_task_ids) for t in dag.tasks}
    for c in classes:
        assert down[f"load_sources_{c}"] == {f"fetch_{c}"}
        assert down[f"fetch_{c}"] == {"join_fetches", "ledger"}
        assert dag.get_task(f"fetch_{c}").map_index_template == "{{ source_name }}"
        assert dag.get_task(f"fetch_{c}").pool == f"newsflow_fetch_{c}"
    assert down["join_fetches"] == {"clean"}
    assert down["clean"] == {"dedupe"}
    assert down["dedupe"] == {"enrich"}
    assert down["enrich"] == {"index"}
    assert down["index"] == {"ledger"}
    # A class without sources is skipped: the join must still run, so clean still does.
    assert dag.get_task("join_fetches").trigger_rule == "none_failed"


def test_interval_timetable_and_docs(dagbag):
    from airflow.sdk import CronDataIntervalTimetable

    dag = dagbag.dags["news_ingest"]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.max_active_runs == 1 and dag.catchup is False
    assert dag.doc_md and "ledger" in dag.doc_md
    assert "newsflow" in dag.tags
    for t in dag.tasks:
        assert t.doc_md, f"task {t.task_id} has no doc_md"
        assert t.retries >= 1


def test_import_does_no_work():
    """Importing the DAG file must not load the processing library (no top-level work)."""
    code = (
        "import runpy, sys; runpy.run_path(sys.argv[1]);"
        "heavy = [m for m in ('newsflow.pipeline', 'trafilatura', 'elasticsearch', 'langdetect') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "dags" / "news_ingest.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
