"""Issue 15: a credential in a source URL does not travel through XCom.

`load_sources_<class>` hands each source to its mapped fetch through XCom (stored in Airflow's
database, shown in its UI): the URL there is redacted, and the fetch task reads the real one
from the sources file, by name, when it runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tk_4b7e1f0c9a2d8e3f"


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.dags["news_ingest"]


def test_the_mapped_source_carries_no_token_and_the_fetch_gets_it_back(dag, tmp_path, monkeypatch):
    from newsflow.config import Settings
    from newsflow.pipeline import task_source

    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - name: keyed\n"
        "    type: rss\n"
        "    url: https://news.example.org/feed.xml?apikey=${FEED_TOKEN}&edition=uk\n"
        "  - name: plain\n"
        "    type: rss\n"
        "    url: https://news.example.org/plain.xml\n"
    )
    monkeypatch.setenv("FEED_TOKEN", TOKEN)
    monkeypatch.setenv("NEWSFLOW_SOURCES_FILE", str(path))
    monkeypatch.setenv("NEWSFLOW_HOME", str(tmp_path / "home"))
    mapped = dag.get_task("load_sources_default").python_callable("default")
    assert TOKEN not in json.dumps(mapped)
    by_name = {m["name"]: m for m in mapped}
    assert by_name["keyed"]["url"] == "https://news.example.org/feed.xml?apikey=REDACTED&edition=uk"
    settings = Settings.from_env()
    assert task_source(by_name["keyed"], settings).url.endswith(f"apikey={TOKEN}&edition=uk")
    assert task_source(by_name["plain"], settings).url == "https://news.example.org/plain.xml"
