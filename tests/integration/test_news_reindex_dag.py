"""news_reindex end to end through Airflow's dag.test(): an archive in, a new index version
swapped in behind both aliases, the old one kept for roll-back."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from newsflow.airflow_runner import run_dag
from newsflow.archive import archive_batch
from newsflow.config import INCLUDE_DIR, Settings
from newsflow.fetch.files import read_paths

pytestmark = pytest.mark.integration


def test_reindex_dag_builds_checks_and_swaps(tmp_path):
    from newsflow.index import ensure_index, index_articles, make_client
    from newsflow.index.embedded import search_engine
    from newsflow.index.versions import behind_alias, versions
    from newsflow.models import NEW, Article

    site = INCLUDE_DIR / "demo" / "site"
    alias = f"reindex{uuid.uuid4().hex[:8]}"  # the real engine is shared by the lane's tests
    with search_engine() as server:
        settings = replace(
            server.settings(Settings.from_env({})),
            home=tmp_path,
            sources_file=INCLUDE_DIR / "demo" / "sources.yaml",
            index_alias=alias,
        )
        for outlet in ("harbour-herald", "hafenbote"):
            source = outlet.replace("-", "_")
            archive_batch(
                settings, source, "run-a", read_paths([site / outlet], source=source), date(2026, 11, 20)
            )
        client = make_client(settings)
        ensure_index(client, settings)
        # the live v1 holds a stale document the archive does not: the rebuild must not carry it
        stale = Article(id="stale", url="https://example.org/stale", text="Old.", status=NEW, language="en")
        index_articles(client, settings, [stale])
        env = {
            "NEWSFLOW_ES_URL": server.url,
            "NEWSFLOW_ES_EMBEDDED": "1" if server.embedded else "0",
            "NEWSFLOW_INDEX_ALIAS": alias,
            "NEWSFLOW_SOURCES_FILE": str(settings.sources_file),
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
        }
        result = run_dag("news_reindex", settings, datetime(2026, 11, 21, tzinfo=UTC), env)

        assert result["state"].endswith("success"), result
        assert behind_alias(client, settings.index_alias) == [f"{alias}-v2"]
        assert behind_alias(client, settings.write_alias) == [f"{alias}-v2"]
        assert versions(client, settings) == [f"{alias}-v1", f"{alias}-v2"]
        count = client.count(index=alias)["count"]
        assert count >= 7
        assert client.count(index=f"{alias}-v1")["count"] == 1
        assert not client.exists(index=alias, id="stale")
        # replayed through clean and enrich: languages detected, lineage kept
        assert client.count(index=alias, query={"term": {"language": "de"}})["count"] >= 3
        assert client.count(index=alias, query={"term": {"ingest_run_id": "run-a"}})["count"] == count
