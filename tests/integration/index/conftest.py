"""One search engine for the session (embedded osmem-server, or the real one at NEWSFLOW_TEST_ES_URL); each test its own alias."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index.client import make_client, wait_for
from newsflow.index.embedded import EmbeddedSearch, ExternalSearch, search_engine
from newsflow.models import NEW, Article


@pytest.fixture(scope="session")
def embedded() -> Iterator[EmbeddedSearch | ExternalSearch]:
    """The embedded server, or the real engine at NEWSFLOW_TEST_ES_URL (`make test-engine`)."""
    with search_engine() as search:
        yield search


MISSING_LANGUAGES_ENV = "NEWSFLOW_TEST_ES_MISSING_LANGUAGES"


@pytest.fixture(scope="session")
def missing_languages(embedded: EmbeddedSearch | ExternalSearch) -> list[str]:
    """Languages whose analyzer the engine lacks, as the lane declares them (not as the code
    under test probes them): osmem-server has no `arabic`; tests/engine/run.sh declares what its
    Elasticsearch lacks (nothing with its analyzer plugin, every language without it)."""
    if embedded.embedded:
        return ["ar"]
    return sorted(code for code in os.environ.get(MISSING_LANGUAGES_ENV, "").split(",") if code.strip())


@pytest.fixture
def settings(embedded: EmbeddedSearch | ExternalSearch, tmp_path: Path) -> Settings:
    alias = f"t{uuid.uuid4().hex[:10]}"
    return embedded.settings(Settings(home=tmp_path / "home", index_alias=alias))


@pytest.fixture
def client(settings: Settings) -> Iterator[Elasticsearch]:
    es = make_client(settings)
    wait_for(es, timeout=10)
    yield es
    es.indices.delete(index=f"{settings.index_alias}-v*", ignore_unavailable=True)
    es.indices.delete(index=f"{settings.index_alias}-telemetry", ignore_unavailable=True)
    es.indices.delete_index_template(name=f"{settings.index_alias}-telemetry-template", ignore=[404])
    es.indices.delete_index_template(name=f"{settings.index_alias}-template", ignore=[404])
    es.close()


@pytest.fixture
def make_article() -> Callable[..., Article]:
    def make(id: str, text: str, **kw: object) -> Article:
        base: dict[str, object] = dict(
            id=id,
            url=f"https://example.org/{id}",
            canonical_url=f"https://example.org/{id}",
            source="example",
            publisher="Example",
            title=text.split(".")[0][:60],
            text=text,
            language="en",
            status=NEW,
            fetched_at="2024-05-01T10:00:00Z",
            published_at="2024-05-01T09:00:00Z",
            text_hash=f"h-{id}",
            cluster_id=id,
            minhash=[1, 2, 3],
            shingle_count=10,
            ingest_run_id="run-1",
            pipeline_version="1",
        )
        base.update(kw)
        return Article(**base)  # type: ignore[arg-type]

    return make
