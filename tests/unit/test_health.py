"""Per-source health: counts failed runs in a row, keeps the newest item, survives concurrent writers;
and the Kibana link a run opens."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from urllib.parse import unquote

from newsflow.cli import main
from newsflow.config import Settings
from newsflow.health import read_health, record_failure, record_success
from newsflow.kibana_links import discover_url


def test_failures_in_a_row_then_recovery(tmp_path, capsys, monkeypatch):
    settings = Settings(home=tmp_path)
    record_success(settings, "herald", "r1", 4, last_item=("2026-11-20T09:00:00+00:00", "http://h/a"))
    for n in range(3):
        record_failure(settings, "herald", f"r{n + 2}", "FeedFetchError: HTTP 500")
    entry = read_health(settings)["herald"]
    assert entry["consecutive_failures"] == 3 and entry["state"] == "failing"
    assert entry["last_item_url"] == "http://h/a" and entry["last_error"].endswith("HTTP 500")
    monkeypatch.setenv("NEWSFLOW_HOME", str(tmp_path))
    assert main(["health"]) == 1  # a failing source makes the command fail (for cron/monitoring)
    assert "failing" in capsys.readouterr().out
    record_success(
        settings,
        "herald",
        "r5",
        0,
        status="not_modified",
        last_item=("2026-11-19T00:00:00+00:00", "http://h/old"),
    )
    entry = read_health(settings)["herald"]
    assert entry["state"] == "healthy" and entry["last_status"] == "not_modified"
    assert entry["last_item_url"] == "http://h/a", "an older item never replaces the newest seen"
    assert main(["health", "--json"]) == 0


def _hammer(home: str, name: str) -> None:
    for i in range(20):
        record_success(Settings(home=Path(home)), name, f"r{i}", i)


def test_concurrent_sources_do_not_lose_entries(tmp_path):
    procs = [multiprocessing.Process(target=_hammer, args=(str(tmp_path), f"s{n}")) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    health = read_health(Settings(home=tmp_path))
    assert sorted(health) == ["s0", "s1", "s2", "s3"]
    assert all(h["last_fetched"] == 19 for h in health.values())


def test_discover_link_filters_on_the_run_id():
    run_id = "scheduled__2026-11-21T00:00:00+00:00"
    url = discover_url(run_id, "http://kibana:5601/", "news")
    assert url.startswith("http://kibana:5601/app/discover#/?_g=")
    assert f"query:'ingest_run_id:\"{run_id}\"'" in unquote(url)
    assert "dataViewId:'news'" in unquote(url)
    assert "!'" in unquote(discover_url("it's", "http://k")), "rison escapes quotes with !"
