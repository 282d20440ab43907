"""The embedded search server: osmem-server (in-memory, OpenSearch-compatible) from PyPI.

Used by the demo, the tests and CI when no Elasticsearch URL is configured:

    with EmbeddedSearch() as search:
        settings = search.settings(Settings.from_env())
        client = make_client(settings)

The server process also exits by itself when this process dies (osmem watches
its parent pid and its stdin), so it never outlives a crashed run.
"""

from __future__ import annotations

import dataclasses
import logging
from types import TracebackType

from newsflow.config import Settings

log = logging.getLogger(__name__)


class EmbeddedSearch:
    """Context manager that starts osmem-server and stops it on exit."""

    def __init__(self, startup_timeout: float = 30.0) -> None:
        self.startup_timeout = startup_timeout
        self._server = None
        self.url = ""

    def start(self) -> EmbeddedSearch:
        from osmem_server import OsmemServer  # imported here: production never needs it

        # japanese=False: we do not use kuromoji, and it saves memory and start-up time.
        self._server = OsmemServer.start(japanese=False, startup_timeout=self.startup_timeout)
        self.url = self._server.url
        log.info("embedded search server (osmem-server %s) at %s", self._server.version, self.url)
        return self

    def settings(self, base: Settings) -> Settings:
        """`base` pointed at this server (es_url set, es_embedded True, no credentials)."""
        if not self.url:
            raise RuntimeError("EmbeddedSearch is not started")
        return dataclasses.replace(
            base,
            es_url=self.url,
            es_embedded=True,
            es_api_key="",
            es_username="",
            es_password="",
            es_ca_certs="",
        )

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
