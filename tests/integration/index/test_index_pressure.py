"""Bulk loading under pressure: a loopback proxy in front of the embedded server answers 429
to some bulk requests (whole request, or every item), and one document is malformed. Every
other document must be indexed and the bad one must land in the dead-letter store."""

from __future__ import annotations

import dataclasses
import http.client
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index.bulk import index_articles
from newsflow.index.client import make_client
from newsflow.index.template import ensure_index
from newsflow.models import Article

pytestmark = pytest.mark.integration

HOP_HEADERS = {"connection", "transfer-encoding", "content-length", "keep-alive"}


class FaultProxy(ThreadingHTTPServer):
    """Forwards every request to `upstream`; bulk requests follow `script` first.

    Script steps: "429" answers the whole request 429 (es_rejected_execution_exception);
    "items429" answers 200 with every item rejected 429, as a node with a full write queue
    does; "forward" passes it on. After the script, every bulk request is forwarded.
    """

    daemon_threads = True

    def __init__(self, upstream: str, script: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = urlsplit(upstream)
        self.script = list(script)
        self.lock = threading.Lock()
        self.bulk_requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_step(self) -> str:
        with self.lock:
            step = self.script.pop(0) if self.script else "forward"
            self.bulk_requests.append(step)
            return step


class _ProxyHandler(BaseHTTPRequestHandler):
    server: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict) -> None:
        headers = [("Content-Type", "application/json"), ("X-Elastic-Product", "Elasticsearch")]
        self._reply(status, headers, json.dumps(payload).encode())

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if urlsplit(self.path).path.endswith("/_bulk"):
            step = self.server.next_step()
            if step == "429":
                error = {"type": "es_rejected_execution_exception", "reason": "rejected by the fault proxy"}
                self._json(429, {"error": {**error, "root_cause": [error]}, "status": 429})
                return
            if step == "items429":
                self._json(200, {"took": 1, "errors": True, "items": _rejected_items(body)})
                return
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS | {"host"}}
        conn.request(self.command, self.path, body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        self._reply(resp.status, resp.getheaders(), data if self.command != "HEAD" else b"")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle  # noqa: N815 - http.server API


def _rejected_items(ndjson: bytes) -> list[dict]:
    """A bulk answer rejecting every action of the request with 429."""
    lines = [json.loads(x) for x in ndjson.decode().splitlines() if x.strip()]
    items = []
    i = 0
    while i < len(lines):
        op, meta = next(iter(lines[i].items()))
        items.append(
            {
                op: {
                    "_index": meta.get("_index"),
                    "_id": meta.get("_id"),
                    "status": 429,
                    "error": {"type": "es_rejected_execution_exception", "reason": "write queue full"},
                }
            }
        )
        i += 1 if op == "delete" else 2
    return items


@pytest.fixture
def proxy_for(settings: Settings) -> Iterator[Callable[[list[str]], FaultProxy]]:
    started: list[FaultProxy] = []

    def start(script: list[str]) -> FaultProxy:
        proxy = FaultProxy(settings.es_url, script)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.shutdown()
        proxy.server_close()


def test_429s_and_a_malformed_document(
    client: Elasticsearch,
    settings: Settings,
    make_article: Callable[..., Article],
    proxy_for: Callable[[list[str]], FaultProxy],
) -> None:
    ensure_index(client, settings)
    # Five whole-request 429s outlast the client's own 3 retries, so streaming_bulk's
    # backoff has to step in; then one answer rejects every item, then more 429s later.
    proxy = proxy_for(["429"] * 5 + ["items429", "forward", "429", "items429"])
    through_proxy = dataclasses.replace(settings, es_url=proxy.url, bulk_chunk_bytes=6_000)
    articles = [
        make_article(f"p{i:02d}", f"Pressure test article {i} about the harbour. " * 8) for i in range(40)
    ]
    articles.insert(17, make_article("bad", "A malformed article.", published_at="sometime soon"))

    report = index_articles(make_client(through_proxy), through_proxy, articles, initial_backoff=0.05)

    assert proxy.bulk_requests.count("429") >= 6 and proxy.bulk_requests.count("items429") == 2
    assert (report.indexed, report.failed) == (40, 1)
    assert report.failures[0][0] == "bad"
    assert client.count(index=settings.index_alias)["count"] == 40
    stored = {h["_id"] for h in client.search(index=settings.index_alias, size=100)["hits"]["hits"]}
    assert stored == {a.id for a in articles} - {"bad"}
    assert report.dead_letters is not None
    (letter,) = [json.loads(x) for x in report.dead_letters.read_text().splitlines()]
    assert letter["id"] == "bad" and letter["status"] == 400
    assert "published_at" in letter["error"]
    assert letter["document"]["published_at"] == "sometime soon"


def test_a_cluster_that_keeps_refusing_fails_the_load(
    client: Elasticsearch,
    settings: Settings,
    make_article: Callable[..., Article],
    proxy_for: Callable[[list[str]], FaultProxy],
) -> None:
    """Retries are bounded: a server that never accepts raises (Airflow retries the task)."""
    from elasticsearch import ApiError

    ensure_index(client, settings)
    proxy = proxy_for(["429"] * 100)
    through_proxy = dataclasses.replace(settings, es_url=proxy.url)
    with pytest.raises(ApiError) as failure:
        index_articles(
            make_client(through_proxy),
            through_proxy,
            [make_article("x", "Never indexed.")],
            max_retries=2,
            initial_backoff=0.01,
        )
    assert failure.value.status_code == 429
    assert client.count(index=settings.index_alias)["count"] == 0
