"""Reliability tests: one embedded search server for the session, reached through a fault proxy."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsflow.config import Settings
from newsflow.index.embedded import EmbeddedSearch

from .faultproxy import FaultProxy


@pytest.fixture(scope="session")
def embedded() -> Iterator[EmbeddedSearch]:
    with EmbeddedSearch() as search:
        yield search


@pytest.fixture
def proxy(embedded: EmbeddedSearch) -> Iterator[FaultProxy]:
    with FaultProxy(embedded.url) as p:
        yield p


@pytest.fixture
def rsettings(proxy: FaultProxy, tmp_path: Path) -> Settings:
    """Settings for one test: its own home and alias, Elasticsearch through the fault proxy,
    quick fetch retries, small bulk requests (so one run is several bulk requests)."""
    return Settings(
        home=tmp_path / "home",
        es_url=proxy.url,
        es_embedded=True,
        index_alias=f"r{uuid.uuid4().hex[:10]}",
        allow_private=True,
        fetch_timeout=2.0,
        fetch_retries=2,
        max_bytes=200_000,
        bulk_chunk_bytes=20_000,
    )
