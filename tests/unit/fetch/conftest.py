"""A real HTTP server on 127.0.0.1 for the fetch tests (no patching of requests)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsflow.config import Settings


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_length: bool = True  # False: no Content-Length, body ends when the connection closes
    delay: float = 0.0  # seconds before answering


Route = Reply | Callable[[int], Reply]  # a callable gets the hit number (1, 2, ...)


def _reply_for(route: Route | None, hit: int) -> Reply:
    """What to answer: a 404 for a path no test set up (so a wrong URL fails loudly), the
    route's reply for this hit number when it is a callable (retries, changing answers), else
    the fixed reply."""
    if route is None:
        return Reply(404, b"not here", {"Content-Type": "text/plain"})
    if callable(route):
        return route(hit)
    return route


def _write_reply(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    """Send `reply`. Without Content-Length the body goes in 8 KiB writes and the connection
    closes after it, as a server that streams does; a client that hung up early is fine."""
    handler.send_response(reply.status)
    for k, v in reply.headers.items():
        handler.send_header(k, v)
    if reply.content_length:
        handler.send_header("Content-Length", str(len(reply.body)))
    else:
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    try:
        if reply.content_length:
            handler.wfile.write(reply.body)
        else:
            for i in range(0, len(reply.body), 8192):
                handler.wfile.write(reply.body[i : i + 8192])
    except (BrokenPipeError, ConnectionResetError):
        pass


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.request_headers: dict[str, dict[str, str]] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                path = self.path
                outer.hits[path] += 1
                outer.request_headers[path] = dict(self.headers)
                reply = _reply_for(outer.routes.get(path), outer.hits[path])
                if reply.delay:
                    time.sleep(reply.delay)
                _write_reply(self, reply)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        return self.url(path)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    srv = LoopbackServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.server.shutdown()
        srv.server.server_close()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path, allow_private=True, fetch_retries=2, fetch_timeout=3.0, max_bytes=100_000)
