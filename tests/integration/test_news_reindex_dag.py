"""news_reindex end to end through Airflow's dag.test(): an archive in, a new index version
swapped in behind both aliases, the old one kept for roll-back."""

from __future__ import annotations

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
    from newsflow.index.embedded import EmbeddedSearch
    from newsflow.index.versions import behind_alias, versions
    from newsflow.models import NEW, Article

    site = INCLUDE_DIR / "demo" / "site"
    with EmbeddedSearch() as server:
        settings = replace(
            Settings.from_env({}),
            home=tmp_path,
            es_url=server.url,
            es_embedded=True,
            sources_file=INCLUDE_DIR / "demo" / "sources.yaml",
        )
        for outlet in ("harbour-herald", "hafenbote"):
            source = outlet.replace("-", "_")
            archive_batch(settings, source, "run-a", read_paths([site / outlet], source=source), date(2026, 11, 20))
        client = make_client(settings)
        ensure_index(client, settings)
        # the live v1 holds a stale document the archive does not: the rebuild must not carry it
        stale = Article(id="stale", url="https://example.org/stale", text="Old.", status=NEW, language="en")
        index_articles(client, settings, [stale])
        env = {
            "NEWSFLOW_ES_URL": server.url,
            "NEWSFLOW_ES_EMBEDDED": "1",
            "NEWSFLOW_SOURCES_FILE": str(settings.sources_file),
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
        }
        result = run_dag("news_reindex", settings, datetime(2026, 11, 21, tzinfo=UTC), env)

        assert result["state"].endswith("success"), result
        assert behind_alias(client, settings.index_alias) == ["news-v2"]
        assert behind_alias(client, settings.write_alias) == ["news-v2"]
        assert versions(client, settings) == ["news-v1", "news-v2"]
        count = client.count(index="news")["count"]
        assert count >= 7
        assert client.count(index="news-v1")["count"] == 1
        assert not client.exists(index="news", id="stale")
        # replayed through clean and enrich: languages detected, lineage kept
        assert client.count(index="news", query={"term": {"language": "de"}})["count"] >= 3
        assert client.count(index="news", query={"term": {"ingest_run_id": "run-a"}})["count"] == count
