"""news_reindex parses, has the designed shape, and does no work at import time."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags" / "news_reindex.py"))
    assert bag.import_errors == {}
    return bag.dags["news_reindex"]


def test_steps_in_order_and_cleanup_always_runs(dag):
    from airflow.sdk import TriggerRule

    assert set(dag.task_ids) == {"prepare", "load", "verify", "swap", "cleanup"}
    down = {t.task_id: set(t.downstream_task_ids) for t in dag.tasks}
    assert down["prepare"] == {"load", "swap", "cleanup"}
    assert down["load"] == {"verify"}
    assert down["verify"] == {"swap"}
    assert down["swap"] == {"cleanup"}
    assert dag.get_task("cleanup").trigger_rule == TriggerRule.ALL_DONE
    assert dag.get_task("load").retries == 0, "a half load is thrown away, not retried into"


def test_manual_with_params_and_docs(dag):
    assert type(dag.timetable).__name__ == "NullTimetable", "a rebuild is triggered by hand"
    assert dag.max_active_runs == 1
    assert set(dag.params) == {"start", "end", "keep"}
    assert "atomic" in dag.doc_md
    for t in dag.tasks:
        assert t.doc_md, t.task_id


def test_import_does_no_work():
    code = (
        "import runpy, sys; runpy.run_path(sys.argv[1]);"
        "heavy = [m for m in ('newsflow.pipeline', 'newsflow.index', 'elasticsearch') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "dags" / "news_reindex.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
