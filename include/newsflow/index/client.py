"""The Elasticsearch client, configured from `Settings`.

Against real Elasticsearch 9 the client is used as it is. Against the embedded
osmem-server (`settings.es_embedded`), `PlainJsonNode` rewrites the 9.x client's
versioned media types (`application/vnd.elasticsearch+json; compatible-with=9`),
which osmem answers with 406, to plain `application/json` / `application/x-ndjson`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from elastic_transport import HttpHeaders, Urllib3HttpNode
from elasticsearch import ApiError, Elasticsearch

from newsflow.config import Settings

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 30.0
"""Seconds per request (bulk chunks included)."""
MAX_RETRIES = 3
RETRY_ON_STATUS = (429, 502, 503, 504)

_PLAIN = {
    "application/vnd.elasticsearch+json": "application/json",
    "application/vnd.elasticsearch+x-ndjson": "application/x-ndjson",
}


def _plain(value: str) -> str:
    media = value.split(";", 1)[0].strip().lower()
    return _PLAIN.get(media, value)


class PlainJsonNode(Urllib3HttpNode):
    """An HTTP node that sends plain JSON media types (for the embedded osmem-server only)."""

    def perform_request(  # type: ignore[override]
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        **kwargs: Any,
    ) -> Any:
        if headers is not None:
            headers = headers.copy()
            for name in ("accept", "content-type"):
                if name in headers:
                    headers[name] = _plain(headers[name])
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)


def make_client(settings: Settings) -> Elasticsearch:
    """A client for `settings.es_url` with auth, CA certs, timeouts and retries on 429/5xx."""
    if not settings.es_url:
        raise ValueError(
            "NEWSFLOW_ES_URL is empty: set it to an Elasticsearch URL, "
            "or use newsflow.index.embedded.EmbeddedSearch for the embedded server"
        )
    kwargs: dict[str, Any] = {
        "request_timeout": REQUEST_TIMEOUT,
        "max_retries": MAX_RETRIES,
        "retry_on_status": RETRY_ON_STATUS,
        "retry_on_timeout": True,
    }
    if settings.es_api_key:
        kwargs["api_key"] = settings.es_api_key
    elif settings.es_username:
        kwargs["basic_auth"] = (settings.es_username, settings.es_password)
    if settings.es_ca_certs:
        kwargs["ca_certs"] = settings.es_ca_certs
    if settings.es_embedded:
        kwargs["node_class"] = PlainJsonNode
    return Elasticsearch(settings.es_url, **kwargs)


def client_url(client: Elasticsearch) -> str:
    """The base URL of the client's first node, for messages (no credentials)."""
    try:
        node = client.transport.node_pool.all()[0]
        return node.base_url
    except Exception:  # pragma: no cover - purely cosmetic
        return "<unknown>"


def wait_for(client: Elasticsearch, timeout: float = 60.0, interval: float = 1.0) -> dict[str, Any]:
    """Wait until the cluster answers its health; returns it, or raises RuntimeError after `timeout` s.

    Cluster health rather than `info()` (`GET /`): Elasticsearch's minimal distribution has no
    `rest-root` module and answers `GET /` with 405, while every engine has `_cluster/health`.
    """
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while True:
        try:
            return dict(client.options(request_timeout=max(1.0, min(10.0, timeout))).cluster.health())
        except ApiError as exc:
            if exc.status_code in (401, 403):  # waiting will not fix credentials
                raise RuntimeError(
                    f"Elasticsearch at {client_url(client)} refused the credentials: {exc}"
                ) from exc
            last = exc
        except Exception as exc:  # connection refused, timeouts, 503 while starting...
            last = exc
        if time.monotonic() >= deadline:
            raise RuntimeError(
                f"Elasticsearch at {client_url(client)} not reachable after {timeout:g}s: {last}"
            ) from last
        time.sleep(interval)
