"""Dedupe against the search engine (embedded, or real at NEWSFLOW_TEST_ES_URL), through the real pipeline stages (dedupe → enrich → index)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from dedupe_helpers import Run, run_stages
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index.client import make_client, wait_for
from newsflow.index.embedded import EmbeddedSearch, ExternalSearch, search_engine


@pytest.fixture(scope="session")
def embedded() -> Iterator[EmbeddedSearch | ExternalSearch]:
    """The embedded server, or the real engine at NEWSFLOW_TEST_ES_URL (`make test-engine`)."""
    with search_engine() as search:
        yield search


@pytest.fixture
def settings(embedded: EmbeddedSearch | ExternalSearch, tmp_path: Path) -> Settings:
    return embedded.settings(Settings(home=tmp_path / "home", index_alias=f"d{uuid.uuid4().hex[:10]}"))


@pytest.fixture
def client(settings: Settings) -> Iterator[Elasticsearch]:
    es = make_client(settings)
    wait_for(es, timeout=10)
    yield es
    es.indices.delete(index=f"{settings.index_alias}-v*", ignore_unavailable=True)
    es.indices.delete_index_template(name=f"{settings.index_alias}-template", ignore=[404])
    es.close()


@pytest.fixture
def run(settings: Settings, client: Elasticsearch) -> Run:
    return lambda run_id, by_source: run_stages(settings, client, run_id, by_source)
