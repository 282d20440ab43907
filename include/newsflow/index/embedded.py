"""The embedded search server: osmem-server (in-memory, OpenSearch-compatible) from PyPI.

Used by the demo, the tests and CI when no Elasticsearch URL is configured:

    with EmbeddedSearch() as search:
        settings = search.settings(Settings.from_env())
        client = make_client(settings)

The server process also exits by itself when this process dies (osmem watches
its parent pid and its stdin), so it never outlives a crashed run.

`search_engine()` is what tests and benchmarks call: the embedded server, or, when
`NEWSFLOW_TEST_ES_URL` is set (the real-engine lane, `make test-engine`), an
`ExternalSearch` for that running Elasticsearch, spoken to by the unmodified client.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from types import TracebackType

from newsflow.config import Settings, env_var

log = logging.getLogger(__name__)

TEST_ES_URL_ENV = env_var("test_es_url")
"""A running Elasticsearch the tests and benchmarks use instead of the embedded server."""


def _pointed_at(base: Settings, url: str, *, embedded: bool) -> Settings:
    """`base` aimed at a test or demo engine: its URL, and none of a production cluster's credentials."""
    return dataclasses.replace(
        base, es_url=url, es_embedded=embedded, es_api_key="", es_username="", es_password="", es_ca_certs=""
    )


class EmbeddedSearch:
    """Context manager that starts osmem-server and stops it on exit."""

    embedded = True
    """Settings from `settings()` use the plain-JSON node class osmem-server needs."""

    def __init__(self, startup_timeout: float = 30.0) -> None:
        self.startup_timeout = startup_timeout
        self._server = None
        self.url = ""

    def start(self) -> EmbeddedSearch:
        from osmem_server import OsmemServer  # imported here: production never needs it

        # japanese=False: we do not use kuromoji, and it saves memory and start-up time.
        server = OsmemServer.start(japanese=False, startup_timeout=self.startup_timeout)
        self._server = server
        self.url = server.url
        log.info("embedded search server (osmem-server %s) at %s", server.version, self.url)
        return self

    def settings(self, base: Settings) -> Settings:
        """`base` pointed at this server (es_url set, es_embedded True, no credentials)."""
        if not self.url:
            raise RuntimeError("EmbeddedSearch is not started")
        return _pointed_at(base, self.url, embedded=True)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            log.info("embedded search server at %s stopped", self.url)
            self._server = None

    def __enter__(self) -> EmbeddedSearch:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ExternalSearch:
    """An Elasticsearch already running at `url` (started by tests/engine/run.sh), with the
    `EmbeddedSearch` interface: it starts and stops nothing, and its settings use the
    official client as it is (no plain-JSON node class)."""

    embedded = False

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def start(self) -> ExternalSearch:
        log.info("external search engine at %s", self.url)
        return self

    def settings(self, base: Settings) -> Settings:
        """`base` pointed at this engine (es_url set, es_embedded False, no credentials)."""
        return _pointed_at(base, self.url, embedded=False)

    def close(self) -> None:
        """Nothing to stop: the engine belongs to whoever started it."""

    def __enter__(self) -> ExternalSearch:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def search_engine(env: Mapping[str, str] | None = None, **kwargs: float) -> EmbeddedSearch | ExternalSearch:
    """The engine for tests and benchmarks: the Elasticsearch at `NEWSFLOW_TEST_ES_URL` when it
    is set (`make test-engine`), else a new embedded server (`kwargs` go to `EmbeddedSearch`)."""
    url = Settings.from_env(env).test_es_url
    return ExternalSearch(url) if url else EmbeddedSearch(**kwargs)
