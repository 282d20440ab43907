"""`newsflow demo`: the whole pipeline on our bundled demo newsroom, on one laptop.

It serves include/demo/site on loopback, starts the embedded search server,
runs `news_ingest` through Airflow's `dag.test()` twice over the same interval
(the second run must add nothing), and prints the ledger, two searches with
facets and the syndicated story shown once with every outlet that carried it.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newsflow import clock
from newsflow.config import INCLUDE_DIR, Settings
from newsflow.demo_dating import render_newsroom

DEMO_DIR = INCLUDE_DIR / "demo"
# The demo runs news_ingest daily: each run owns one day, and the newsroom is dated to it.
DEMO_SCHEDULE = "0 0 * * *"

# Searches the demo prints: (title, query, filters).
DEMO_SEARCHES: list[tuple[str, str, dict[str, Any]]] = [
    ("English full text; the syndicated wire story is one hit", "ferry fuel", {}),
    ("French, stemmed: 'soudeur' finds 'soudeurs'", "soudeur", {"lang": "fr"}),
]


def _rule(title: str) -> str:
    return f"\n=== {title} " + "=" * max(3, 74 - len(title))


def demo_interval(at: datetime) -> tuple[datetime, datetime]:
    """The latest whole UTC day before `at`: the interval a daily schedule runs at that moment."""
    end = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return end - timedelta(days=1), end


def prepare_newsroom(home: Path, start: datetime) -> Path:
    """The demo newsroom dated to the day starting at `start`, under `home`; returns its folder.

    Its `site/` is what the loopback server serves; its `sources.yaml` names the feeds and
    the local archive (a folder beside it).
    """
    return render_newsroom(DEMO_DIR, home / "newsroom", start.date())


def run_demo(verbose: bool = False, keep: bool = False) -> int:
    from newsflow.airflow_runner import run_dag
    from newsflow.demo_site import serve_site
    from newsflow.index import make_client
    from newsflow.index.embedded import EmbeddedSearch
    from newsflow.index.search import format_result, search, top_story
    from newsflow.ledger import run_ledger_table

    base = Settings.from_env()
    home = base.home / "demo"
    for sub in ("archive", "work", "state", "dead_letters"):
        shutil.rmtree(home / sub, ignore_errors=True)
    run_after = clock.now()
    start, end = demo_interval(run_after)
    newsroom = prepare_newsroom(home, start)
    settings = replace(base, home=home, sources_file=newsroom / "sources.yaml", allow_private=True)
    started = time.monotonic()
    print(
        f"demo interval: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC (the latest whole day; "
        "the demo newsroom is dated to it)"
    )
    with EmbeddedSearch() as server, serve_site(newsroom / "site") as site_url:
        settings = replace(settings, es_url=server.url, es_embedded=True)
        print(f"demo newsroom served at {site_url}; embedded search server at {server.url}")
        env = demo_env(settings, site_url, airflow_home=base.home / "airflow")
        print("running news_ingest with dag.test() (first run migrates Airflow's SQLite DB) ...")
        first = run_dag("news_ingest", settings, end, env, quiet=not verbose, run_after=run_after)
        print(_rule("Ledger of the first run"))
        print(run_ledger_table(first))
        second = run_dag("news_ingest", settings, end, env, quiet=not verbose, run_after=run_after)
        print(_rule("Ledger of the same interval run again (nothing new may appear)"))
        print(run_ledger_table(second))

        client = make_client(settings)
        for title, query, filters in DEMO_SEARCHES:
            print(_rule(f"Search: {query!r} ({title})"))
            print(format_result(search(client, settings, query, **filters)))
        print(_rule("The syndicated story, shown once with every outlet that carried it"))
        story = top_story(client, settings)
        print(story if story else "no story carried by several outlets")
        print(f"\ndemo finished in {time.monotonic() - started:.1f}s; files under {home}")
        ok = _check(first, second)
        if keep:
            print(f"search it: NEWSFLOW_ES_URL={server.url} NEWSFLOW_ES_EMBEDDED=1 newsflow search 'port'")
            print("servers stay up until Ctrl-C")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0 if ok else 1


def demo_env(settings: Settings, site_url: str, airflow_home: Path) -> dict[str, str]:
    """The environment the demo's DAG runs need: embedded search, loopback site, daily interval."""
    return {
        "NEWSFLOW_ES_URL": settings.es_url,
        "NEWSFLOW_ES_EMBEDDED": "1" if settings.es_embedded else "0",
        "NEWSFLOW_ALLOW_PRIVATE": "1",
        "NEWSFLOW_DEMO_BASE_URL": site_url,
        "NEWSFLOW_SOURCES_FILE": str(settings.sources_file),
        "NEWSFLOW_SCHEDULE": DEMO_SCHEDULE,
        "NEWSFLOW_HOME": str(settings.home),
        # Airflow's metadata DB can be kept between demos (migrating it takes a while).
        "AIRFLOW_HOME": str(airflow_home),
    }


def _check(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """The demo is also a smoke test: say plainly when the run does not add up."""
    ok = True
    for name, result in (("first", first), ("second", second)):
        ledger = result.get("ledger") or {}
        if not ledger.get("balanced"):
            print(f"PROBLEM: the {name} run's ledger does not add up")
            ok = False
    if (second.get("ledger") or {}).get("new", 1) != 0:
        print("PROBLEM: running the same interval again indexed new articles")
        ok = False
    return ok
