"""news_ingest through Airflow (`dag.test()`) under faults, bad sources and a secret password.

Run 1: Elasticsearch is down for the whole run (the fault proxy refuses connections), one
feed is malformed and the sources file has two bad entries. The DAG still parses, the good
sources are fetched into the archive, dedupe fails on every try, the ledger still adds up
(every archived item `not_processed`) and the run is marked failed.
Run 2, same interval, Elasticsearch back: the run succeeds and the index holds every
archived article exactly once. Neither the logs nor any XCom nor any file we wrote holds
the Elasticsearch password, although every request carried it.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest

from newsflow.airflow_runner import airflow_env
from newsflow.config import Settings
from newsflow.index import make_client

from .faultproxy import FaultProxy
from .newsroom import Newsroom, send
from .runner import archive_vs_index

pytestmark = pytest.mark.integration

SECRET = "pw-Kestrel-7f3a9-never-log-me"
SOURCES = """\
sources:
  - name: gen_a
    type: rss
    url: {base}/feed-0.xml
  - name: gen_b
    type: rss
    url: {base}/feed-1.xml
  - name: broken_feed
    type: rss
    url: {base}/malformed.xml
  - name: typo
    type: rsss
    url: {base}/feed-0.xml
  - name: no_host
    type: rss
    url: "http:///feed.xml"
"""


def _run(settings: Settings, env: dict[str, str], name: str, clock) -> tuple[int, dict, str]:
    """Run news_ingest once as `newsflow ingest` does (a child process), keeping all its output."""
    cmd = [
        sys.executable,
        "-m",
        "newsflow.airflow_runner",
        "--dag-id",
        "news_ingest",
        "--logical-date",
        clock.end.isoformat(),
        "--run-after",
        clock.run_after.isoformat(),
    ]
    proc = subprocess.run(cmd, env=airflow_env(settings, env), capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    (settings.home / "logs").mkdir(exist_ok=True)
    (settings.home / "logs" / f"{name}.log").write_text(output)
    ledgers = sorted((settings.home / "work" / "ledgers").glob("*.json"), key=lambda p: p.stat().st_mtime)
    return proc.returncode, json.loads(ledgers[-1].read_text()), output


@pytest.fixture(scope="module")
def runs(tmp_path_factory, request, run_clock):
    from newsflow.index.embedded import EmbeddedSearch

    home = tmp_path_factory.mktemp("dagfaults")
    with (
        EmbeddedSearch() as server,
        FaultProxy(server.url) as proxy,
        Newsroom(feeds=2, per_feed=5, published=run_clock.start + timedelta(hours=12)) as site,
    ):
        site.routes["/malformed.xml"] = lambda req, hit: send(
            req, 200, b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>cut", "application/xml"
        )
        sources = home / "sources.yaml"
        sources.write_text(SOURCES.format(base=site.base_url))
        settings = replace(
            Settings.from_env({}),
            home=home,
            es_url=proxy.url,
            es_embedded=True,
            es_username="elastic",
            es_password=SECRET,
            allow_private=True,
            sources_file=sources,
        )
        env = {
            "NEWSFLOW_ES_URL": proxy.url,
            "NEWSFLOW_ES_EMBEDDED": "1",
            "NEWSFLOW_ES_USERNAME": "elastic",
            "NEWSFLOW_ES_PASSWORD": SECRET,
            "NEWSFLOW_ALLOW_PRIVATE": "1",
            "NEWSFLOW_SOURCES_FILE": str(sources),
            "NEWSFLOW_HOME": str(home),
            "NEWSFLOW_SCHEDULE": "0 0 * * *",
            "NEWSFLOW_RETRY_DELAY": "1",
            "NEWSFLOW_FETCH_RETRIES": "0",
            "AIRFLOW_HOME": str(home / "airflow"),
        }
        proxy.stop()
        code, first, first_log = _run(settings, env, "run-1", run_clock)
        assert code == 1, first_log[-3000:]
        proxy.start()
        code, second, second_log = _run(settings, env, "run-2", run_clock)
        assert code == 0, second_log[-3000:]
        yield settings, first, second, first_log, proxy, home


def test_failed_run_still_counts_every_archived_item(runs):
    _, first, _, error, _, _ = runs
    assert first["balanced"] is True
    assert first["fetched"] == 10 and first["rejected_by_reason"] == {"not_processed": 10}
    assert (
        "broken_feed" in first["sources_failed"]
        and "malformed feed" in first["sources_failed"]["broken_feed"]
    )
    assert "SearchUnavailable: dedupe: Elasticsearch at" in error and "is unreachable" in error, error[-3000:]
    assert "the run did not finish indexing" in error


def test_rerun_after_the_fault_indexes_every_article_once(runs):
    settings, _, second, _, _, _ = runs
    ledger = second
    assert ledger["balanced"] is True and ledger["new"] == 10
    expected, docs = archive_vs_index(
        settings, make_client(replace(settings, es_password="", es_username=""))
    )
    assert len(expected) == len(docs) == 10


def test_bad_source_entries_name_their_line_and_the_rest_runs(runs):
    _, _, ledger, _, _, _ = runs
    notes = "\n".join(ledger["notes"])
    assert "line 12: unknown type 'rsss'" in notes, notes
    assert "line 16:" in notes and "no host" in notes, notes
    assert set(ledger["per_source"]) == {"gen_a", "gen_b"}
    # The broken feed is reported again: failed, or (feed health backoff) not polled this time.
    assert "broken_feed" in ledger["sources_failed"] or "source broken_feed" in notes


def test_password_never_in_logs_xcom_or_files(runs):
    _, _, _, error, proxy, home = runs
    token = base64.b64encode(f"elastic:{SECRET}".encode()).decode()
    assert proxy.auth_headers and all(h == f"Basic {token}" for h in proxy.auth_headers), (
        "the password was used"
    )
    logs = list((home / "logs").glob("*.log"))
    assert logs and any("adds up" in p.read_text() for p in logs), "task output is in the logs checked"
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        xcoms = [str(v) for (v,) in db.execute("select value from xcom")]
    assert any("fetched" in x for x in xcoms), "the ledger XCom is among those checked"
    texts = [error, *xcoms] + [
        p.read_text(errors="replace")
        for p in home.rglob("*")
        if p.is_file() and p.suffix in (".log", ".json", ".jsonl", ".yaml", ".txt")
    ]
    for text in texts:
        assert SECRET not in text and token not in text
