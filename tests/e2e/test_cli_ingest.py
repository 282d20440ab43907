"""`newsflow ingest`, `search` and friends as a user meets them: the interval is chosen and
printed, a failed run explains itself (the failing task's log and the saved ledger), and a
missing or stale search server is one line, not a traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from airflow_e2e import cli_env
from newsflow.config import INCLUDE_DIR

pytestmark = pytest.mark.e2e


def _newsflow(*args: str, env: dict[str, str], stdout: int | None = subprocess.PIPE, timeout: float = 600):
    return subprocess.run(
        [sys.executable, "-m", "newsflow.cli", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        check=False,
        timeout=timeout,
    )


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_stale_serve_search_state_is_one_line(tmp_path):
    url = f"http://127.0.0.1:{_dead_port()}"
    (tmp_path / "embedded-search.json").write_text(json.dumps({"url": url, "pid": 999999}))
    out = _newsflow("search", "harbour", env=cli_env(tmp_path))
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines() == [
        f"newsflow search: the search server at {url} is not running (its state file "
        f"{tmp_path / 'embedded-search.json'} is left from a `newsflow serve-search` that stopped); start it "
        "again with `newsflow serve-search` in another terminal, or set NEWSFLOW_ES_URL"
    ]
    down = _newsflow("search", "harbour", env=cli_env(tmp_path, NEWSFLOW_ES_URL=url))
    assert down.returncode == 1 and "Traceback" not in down.stderr
    assert f"the search server at {url} is not answering" in down.stderr


def test_ingest_without_a_search_server_says_so(tmp_path):
    out = _newsflow("ingest", env=cli_env(tmp_path))
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert out.stderr.startswith("newsflow ingest: no search server. Set NEWSFLOW_ES_URL")
    assert "no index to search" not in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-11-20"], "give both --start and --end"),
        (["--date", "2026-11-20", "--end", "2026-11-21"], "give --date or --start/--end, not both"),
        (["--start", "2026-11-21", "--end", "2026-11-20"], "--end (2026-11-20) must be after --start"),
        (["--date", "yesterday"], "--date 'yesterday' is not a date"),
        (["--date", "2025-06-01"], "before NEWSFLOW_START_DATE (2026-01-01 00:00 UTC)"),
    ],
)
def test_ingest_interval_errors_are_one_line(tmp_path, args, message):
    from newsflow.index.embedded import EmbeddedSearch

    with EmbeddedSearch() as server:
        out = _newsflow(
            "ingest", *args, env=cli_env(tmp_path, NEWSFLOW_ES_URL=server.url, NEWSFLOW_ES_EMBEDDED="1")
        )
    assert out.returncode == 2, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and message in out.stderr, out.stderr


def test_reader_leaving_early_is_not_a_traceback(tmp_path):
    """`newsflow search ... | head`: the pipe is closed before we write; the command stops quietly."""
    from newsflow.index.embedded import EmbeddedSearch

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        with EmbeddedSearch() as server:
            env = cli_env(tmp_path, NEWSFLOW_ES_URL=server.url, NEWSFLOW_ES_EMBEDDED="1")
            out = _newsflow("search", "harbour", env=env, stdout=write_end)
    finally:
        os.close(write_end)
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr, out.stderr
    assert out.returncode == 0


BAD_SOURCES = """\
sources:
  - name: typo
    type: rsss
    url: http://127.0.0.1:9/feed.xml
"""


def test_failed_ingest_prints_the_task_log_and_the_ledger(tmp_path):
    """Every source invalid: load_sources fails. The user sees why (its log), the ledger, the log file;
    with -v the tasks' own logs as they run."""
    from newsflow.index.embedded import EmbeddedSearch

    sources = tmp_path / "sources.yaml"
    sources.write_text(textwrap.dedent(BAD_SOURCES))
    with EmbeddedSearch() as server:
        env = cli_env(
            tmp_path, NEWSFLOW_ES_URL=server.url, NEWSFLOW_ES_EMBEDDED="1", NEWSFLOW_SOURCES_FILE=str(sources)
        )
        out = _newsflow("-v", "ingest", "--date", "2026-11-21", env=env)
    assert out.returncode == 1
    assert out.stdout.startswith("news_ingest: interval 2026-11-21 00:00 UTC to 2026-11-22 00:00 UTC\n")
    assert "over 2026-11-21T00:00:00+00:00 to 2026-11-22T00:00:00+00:00: failed" in out.stdout
    # -v: the tasks' own output, live
    assert "[DAG TEST] starting task_id=load_sources_default" in out.stderr
    summary = out.stderr[out.stderr.index("--- task load_sources_default failed") :]
    assert "no valid source in the sources file" in summary
    assert "sources.yaml line 3: unknown type 'rsss'" in summary
    assert "Ledger for run" in out.stdout and "interval: 2026-11-21 00:00:00+00:00" in out.stdout
    log = Path(out.stderr.strip().splitlines()[-1].removeprefix("the run failed; full log: "))
    assert log.exists() and "no valid source in the sources file" in log.read_text()


def test_ingest_a_chosen_day_of_the_demo_newsroom(tmp_path):
    """--date gives the run the whole day; the files source reads that day's items, the ledger says so."""
    from newsflow.demo_site import serve_site
    from newsflow.index.embedded import EmbeddedSearch

    with EmbeddedSearch() as server, serve_site(INCLUDE_DIR / "demo" / "site") as site:
        env = cli_env(
            tmp_path,
            NEWSFLOW_ES_URL=server.url,
            NEWSFLOW_ES_EMBEDDED="1",
            NEWSFLOW_ALLOW_PRIVATE="1",
            NEWSFLOW_DEMO_BASE_URL=site,
            NEWSFLOW_SOURCES_FILE=str(INCLUDE_DIR / "demo" / "sources.yaml"),
        )
        out = _newsflow("ingest", "--start", "2026-11-01", "--end", "2026-11-30", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("news_ingest: interval 2026-11-01 00:00 UTC to 2026-11-30 00:00 UTC\n")
    assert "interval: 2026-11-01 00:00:00+00:00 to 2026-11-30 00:00:00+00:00" in out.stdout
    archive_row = next(
        line.split() for line in out.stdout.splitlines() if line.startswith("bayside_archive ")
    )
    assert archive_row[1] == "4", "all four dated files of the folder are in the chosen interval"
    log = next((tmp_path / "logs").glob("news_ingest-*.log"))
    assert "[DAG TEST] starting task_id=fetch_local" in log.read_text(), (
        "the log file keeps the tasks' output"
    )


NORWAY = """\
sources:
  - name: nrk
    type: rss
    url: {feed}
    publisher: NRK
    country: NO
    language: no
  - name: typo
    type: rsss
    url: {feed}
  - name: nourl
    type: rss
    country: SE
"""


def test_norway_is_fetched_and_every_bad_entry_is_noted_in_one_run(tmp_path):
    """The issue's first run: `country: NO` stays Norway (its source is fetched), and the run's
    ledger names every invalid entry with its line, not one a run."""
    from newsflow.index.embedded import EmbeddedSearch
    from reliability.newsroom import Newsroom

    with Newsroom(feeds=1, per_feed=2) as room, EmbeddedSearch() as server:
        sources = tmp_path / "sources.yaml"
        sources.write_text(NORWAY.format(feed=room.feed_url(0)))
        env = cli_env(
            tmp_path,
            NEWSFLOW_ES_URL=server.url,
            NEWSFLOW_ES_EMBEDDED="1",
            NEWSFLOW_ALLOW_PRIVATE="1",
            NEWSFLOW_SOURCES_FILE=str(sources),
        )
        out = _newsflow("ingest", env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    nrk = next(line.split() for line in out.stdout.splitlines() if line.startswith("nrk "))
    assert nrk[1:3] == ["2", "2"], out.stdout  # fetched 2, new 2
    assert "sources file: sources.yaml line 9: unknown type 'rsss'" in out.stdout, out.stdout
    assert "sources file: sources.yaml line 11: source 'nourl': type 'rss' needs a 'url'" in out.stdout
