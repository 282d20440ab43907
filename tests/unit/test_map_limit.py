"""Issue 15: more sources in one politeness class than Airflow maps for one task.

Past `[core] max_map_length` Airflow fails the mapped fetch at once, every source of the class
with it, and the ledger said `fetched 0` with no reason. The class's first sources are fetched
and the ledger says plainly how to get the others fetched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _sources_file(tmp_path: Path, count: int) -> Path:
    lines = ["sources:"]
    for n in range(count):
        lines += [f"  - name: local_{n}", "    type: files", f"    path: {tmp_path}", "    politeness: local"]
    lines += ["  - name: feed_a", "    type: rss", "    url: https://news.example.org/feed.xml"]
    path = tmp_path / "sources.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.dags["news_ingest"]


def test_a_class_over_the_map_limit_fetches_its_first_sources_and_says_why(
    dag, tmp_path, monkeypatch, caplog, in_task
):
    from newsflow.pipeline import ledger_stage, source_file_errors

    path = _sources_file(tmp_path, 12)
    monkeypatch.setenv("NEWSFLOW_SOURCES_FILE", str(path))
    monkeypatch.setenv("NEWSFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AIRFLOW__CORE__MAX_MAP_LENGTH", "10")
    mapped = dag.get_task("load_sources_local").python_callable("local")  # inside a task (`in_task`)
    assert [s["name"] for s in mapped] == [f"local_{n}" for n in range(10)]
    assert "politeness class 'local' has 12 enabled sources" in caplog.text  # the task logs, not prints
    assert len(dag.get_task("load_sources_default").python_callable("default")) == 1

    ledger = ledger_stage([], [], "run", source_file_errors(path))
    (note,) = ledger.notes
    assert "only the first 10 (in file order) were fetched" in note
    assert "AIRFLOW__CORE__MAX_MAP_LENGTH=12" in note


def test_the_default_limit_is_airflows(monkeypatch):
    from newsflow.pools import max_map_length

    monkeypatch.delenv("AIRFLOW__CORE__MAX_MAP_LENGTH", raising=False)
    assert max_map_length() == 1024
