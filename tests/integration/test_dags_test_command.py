"""`airflow dags test news_ingest`, as the README tells a user to re-run an interval: it must not
crash on the run's deadline alert, and an interval before NEWSFLOW_START_DATE fails and says why
instead of "succeeding" with no task run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("dags-test")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "AIRFLOW"))}
    env.update(
        AIRFLOW_HOME=str(home / "airflow"),
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        PYTHONPATH=str(REPO / "include"),
        NEWSFLOW_HOME=str(home / "newsflow"),
        NEWSFLOW_SOURCES_FILE=str(REPO / "include" / "demo" / "sources.yaml"),
        NEWSFLOW_RETRY_DELAY="0",
    )
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True, timeout=600)
    return env


def _dags_test(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [AIRFLOW, "dags", "test", "news_ingest", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_dags_test_with_the_deadline_alert_on(airflow_env):
    """The run succeeds (every task marked successful) with NEWSFLOW_RUN_DEADLINE_MINUTES at its default;
    Airflow 3.3.2 crashed here with "'dict' object has no attribute 'hex'"."""
    out = _dags_test(airflow_env, "2026-11-23", "--mark-success-pattern", ".*")
    assert "has no attribute 'hex'" not in out.stdout + out.stderr
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def test_an_interval_before_start_date_fails_and_says_why(airflow_env):
    env = {**airflow_env, "NEWSFLOW_START_DATE": "2026-12-01"}
    out = _dags_test(env, "2026-11-24")
    assert out.returncode != 0
    why = "the interval ends 2026-11-24 00:00 UTC, before NEWSFLOW_START_DATE (2026-12-01 00:00 UTC)"
    assert why in out.stdout + out.stderr
    ledgers = list((Path(env["NEWSFLOW_HOME"]) / "work" / "ledgers").glob("*.json"))
    notes = [note for path in ledgers for note in json.loads(path.read_text())["notes"]]
    assert any(note.startswith("nothing ingested: " + why) for note in notes), notes


def test_a_2025_interval_with_the_default_start_date_says_why(airflow_env):
    """The issue's case as is: no setting changed, an interval of 2025. Before, Airflow marked the
    run successful in 0.1 s with no task run (the DAG's start_date was a hard-coded 2026-01-01)."""
    out = _dags_test(airflow_env, "2025-06-01")
    assert out.returncode != 0, out.stdout[-3000:]
    why = "the interval ends 2025-06-01 00:00 UTC, before NEWSFLOW_START_DATE (2026-01-01 00:00 UTC)"
    assert why in out.stdout + out.stderr, out.stdout[-3000:]


def test_dags_test_runs_an_interval_for_real(airflow_env, tmp_path):
    """Every task runs (no --mark-success-pattern): a local story is fetched, cleaned and indexed
    into a real search server, with the deadline alert at its default."""
    from newsflow.index.embedded import EmbeddedSearch
    from reliability.newsroom import article_text

    title, paragraphs = article_text(19, 4)
    folder = tmp_path / "desk"
    folder.mkdir()
    story = {"url": "https://desk.example/story", "title": title, "text": "\n\n".join(paragraphs)}
    (folder / "story.jsonl").write_text(json.dumps(story) + "\n")
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - name: desk\n    type: files\n    path: {folder}\n")
    with EmbeddedSearch() as server:
        env = {
            **airflow_env,
            "NEWSFLOW_SOURCES_FILE": str(sources),
            "NEWSFLOW_ES_URL": server.url,
            "NEWSFLOW_ES_EMBEDDED": "1",
            "NEWSFLOW_HOME": str(tmp_path / "home"),
        }
        out = _dags_test(env, "2026-11-25")
    assert "has no attribute 'hex'" not in out.stdout + out.stderr
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    (ledger,) = (tmp_path / "home" / "work" / "ledgers").glob("*.json")
    totals = json.loads(ledger.read_text())
    assert (totals["fetched"], totals["new"], totals["balanced"]) == (1, 1, True), totals
