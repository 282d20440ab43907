"""The work of news_ingest's tasks, called as the DAG calls it (`newsflow.tasks`), without Airflow
running: the retry bookkeeping of a fetch, the sources-file read of enrich, the join."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from newsflow import tasks
from newsflow.config import Settings
from newsflow.health import read_health

SOURCES = """\
sources:
  - name: harbour
    type: rss
    url: https://news.example/feed.xml
    publisher: Harbour Herald
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    (tmp_path / "sources.yaml").write_text(SOURCES)
    monkeypatch.setenv("NEWSFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEWSFLOW_SOURCES_FILE", str(tmp_path / "sources.yaml"))
    return Settings.from_env()


def _context(try_number: int, max_tries: int) -> dict[str, Any]:
    return {
        "run_id": "scheduled__2026-03-01T00:00:00+00:00",
        "ti": SimpleNamespace(try_number=try_number, max_tries=max_tries),
        "dag_run": None,
        "data_interval_start": datetime(2026, 2, 28, tzinfo=UTC),
        "data_interval_end": datetime(2026, 3, 1, tzinfo=UTC),
    }


# A source whose URL was redacted for XCom and which is no longer in the sources file: the fetch
# task cannot find its real URL and fails (FetchError), as any fetch failure would.
GONE = {"name": "gone", "type": "rss", "url": "https://REDACTED@news.example/feed.xml"}


def test_a_failing_fetch_is_retried_while_tries_remain(env: Settings) -> None:
    context = _context(try_number=1, max_tries=2)
    with pytest.raises(Exception, match="no longer in"):
        tasks.fetch(context, dict(GONE))
    assert context["source_name"] == "gone", "the mapped instance is named after its source"
    assert "gone" not in read_health(env), "no failure recorded while Airflow will retry"


def test_on_the_last_try_the_failure_is_recorded_and_the_run_goes_on(env: Settings) -> None:
    result = tasks.fetch(_context(try_number=3, max_tries=2), dict(GONE))
    assert result["source"] == "gone" and result["fetched"] == 0 and result["raw"] == ""
    assert result["error"].startswith("FetchError: source 'gone' is no longer in")
    assert read_health(env, ["gone"])["gone"]["consecutive_failures"] == 1
    json.dumps(result)  # an XCom value


def test_enrich_finds_the_declared_source_by_name(env: Settings) -> None:
    source = tasks.declared_source(env, "harbour")
    assert source is not None and source.publisher == "Harbour Herald"
    assert tasks.declared_source(env, "gone") is None


def test_join_keeps_the_sources_with_items_and_logs_the_count(caplog: pytest.LogCaptureFixture) -> None:
    results = [
        {"source": "a", "fetched": 3, "raw": "a.jsonl"},
        {"source": "b", "fetched": 0, "raw": ""},
        {"source": "c", "fetched": 0, "raw": "", "error": "boom"},
    ]
    caplog.set_level("INFO", logger="newsflow.tasks")
    assert [r["source"] for r in tasks.join_fetches(results)] == ["a"]
    assert tasks.join_fetches(None) == []
    assert "3 source(s) fetched, 1 with items to clean: ['a']" in caplog.text


def test_a_backfill_is_told_apart_by_its_run_type() -> None:
    from airflow.utils.types import DagRunType

    assert tasks.is_backfill({"dag_run": SimpleNamespace(run_type=DagRunType.BACKFILL_JOB)})
    assert not tasks.is_backfill({"dag_run": SimpleNamespace(run_type=DagRunType.SCHEDULED)})
    assert not tasks.is_backfill({"dag_run": None})
