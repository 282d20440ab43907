"""What a run costs when nothing changed: a source whose feed answers 304 gets no clean or enrich
task, and an article met again unchanged is not enriched again (news_ingest via dag.test())."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from newsflow.airflow_runner import run_dag
from newsflow.config import Settings
from reliability.newsroom import Newsroom

pytestmark = pytest.mark.integration


def test_unchanged_feeds_cost_no_clean_or_enrich(tmp_path):
    from newsflow.index.embedded import EmbeddedSearch

    with (
        Newsroom(feeds=2, per_feed=2, validators=True) as tagged,
        Newsroom(feeds=3, per_feed=2) as plain,
        EmbeddedSearch() as server,
    ):
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            "sources:\n"
            + "".join(
                f"  - name: tagged_{n}\n    type: rss\n    url: {tagged.feed_url(n)}\n" for n in range(2)
            )
            + f"  - name: plain\n    type: rss\n    url: {plain.feed_url(2)}\n"  # other texts than tagged's
        )
        settings = replace(
            Settings.from_env({}),
            home=tmp_path,
            es_url=server.url,
            es_embedded=True,
            allow_private=True,
            sources_file=sources,
        )
        env = {
            "NEWSFLOW_ES_URL": server.url,
            "NEWSFLOW_ES_EMBEDDED": "1",
            "NEWSFLOW_ALLOW_PRIVATE": "1",
            "NEWSFLOW_SOURCES_FILE": str(sources),
            "NEWSFLOW_HOME": str(tmp_path),
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
        }
        first = run_dag("news_ingest", settings, extra_env=env)
        second = run_dag("news_ingest", settings, extra_env=env)
    assert first["ledger"]["new"] == 6
    ledger = second["ledger"]
    assert (ledger["fetched"], ledger["unchanged"], ledger["balanced"]) == (2, 2, True)
    mapped = {
        t: sorted(x["name"] for x in second["tasks"] if x["task_id"] == t and x["state"] == "success")
        for t in ("fetch_default", "clean", "enrich")
    }
    assert mapped == {
        "fetch_default": ["plain", "tagged_0", "tagged_1"],
        "clean": ["plain"],
        "enrich": ["plain"],
    }
    log = Path(second["log"]).read_text()
    assert "enriched 0 articles of source plain (2 unchanged, not enriched" in log
