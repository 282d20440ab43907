"""A fault-injecting HTTP proxy in front of the embedded search server (no patched functions).

The Elasticsearch client talks to the proxy as if it were the cluster. Faults, set by tests:

- `stop()` / `start()`: the listening socket is really closed, so connections are refused;
  `start()` reopens the same port (the fault clears);
- `die_after_docs = n`: once `n` bulk documents went through, the next `_bulk` request is
  forwarded only in part (the first documents reach the server), then the connection is
  dropped without an answer and the proxy stops listening: the cluster went down mid-bulk;
- `bulk_429 = n`: the next `n` `_bulk` requests are answered 429 as a whole;
- `item_429_once`: document ids answered 429 in the bulk response the first time they come;
- `reject_ids`: document ids never forwarded, answered with a 400 mapping error in the bulk
  response, the rest of the request goes through;
- `delay`: seconds to wait before forwarding each `_bulk` request (a slow cluster).

Every answer carries `Connection: close`, so stopping the proxy leaves no live connection.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "proxy-connection",
    "te",
    "upgrade",
}

_Op = tuple[bytes, bytes | None]  # (action line, source line; None for a delete)


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        up = urlsplit(upstream)
        self.upstream = (up.hostname or "127.0.0.1", up.port or 80)
        self.die_after_docs: int | None = None
        self.bulk_429 = 0
        self.item_429_once: set[str] = set()
        self.reject_ids: set[str] = set()
        self.delay = 0.0
        self.bulk_requests = 0
        self.docs_forwarded = 0
        self.requests = 0
        self.auth_headers: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.url = f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FaultProxy:
        if self._server is not None:
            return self
        proxy = self

        class Req(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                proxy._handle(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any  # noqa: N815 - stdlib names

            def log_message(self, format: str, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        for _ in range(50):
            try:
                self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Req)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"fault proxy could not listen on port {self.port} again")
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    @property
    def up(self) -> bool:
        return self._server is not None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ forwarding
    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, list, bytes]:
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP], data
        finally:
            conn.close()

    def _reply(self, req: BaseHTTPRequestHandler, status: int, headers: list, body: bytes) -> None:
        req.send_response(status)
        for k, v in headers:
            req.send_header(k, v)
        req.send_header("Content-Length", str(len(body)))
        req.send_header("Connection", "close")
        req.end_headers()
        req.close_connection = True
        if req.command != "HEAD":
            req.wfile.write(body)

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length else b""
        headers = {k: v for k, v in req.headers.items() if k.lower() not in _HOP}
        with self._lock:
            self.requests += 1
            if "Authorization" in req.headers:
                self.auth_headers.append(req.headers["Authorization"])
        path = urlsplit(req.path).path
        try:
            if path.endswith("/_bulk") and req.command in ("POST", "PUT"):
                self._bulk(req, headers, body)
            else:
                self._reply(req, *self._forward(req.command, req.path, headers, body))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _bulk(self, req: BaseHTTPRequestHandler, headers: dict[str, str], body: bytes) -> None:
        if self.delay:
            time.sleep(self.delay)
        ops = _bulk_ops(body)
        with self._lock:
            self.bulk_requests += 1
            if self.bulk_429 > 0:
                self.bulk_429 -= 1
                self._reply(
                    req,
                    429,
                    [("Content-Type", "application/json")],
                    b'{"error":{"type":"es_rejected_execution_exception","reason":"fault proxy: busy"},"status":429}',
                )
                return
            dying = self.die_after_docs is not None and self.docs_forwarded + len(ops) > self.die_after_docs
            allowed = (self.die_after_docs - self.docs_forwarded) if dying else len(ops)
        if dying:
            self._die_mid_bulk(req, headers, ops[: max(0, allowed)])
            return
        faked, forward = self._triage(ops)
        items: list[dict[str, Any]] = [{}] * len(ops)
        # A real cluster names itself on every answer; the official client refuses answers that do not.
        status, resp_headers = (
            200,
            [("Content-Type", "application/json"), ("X-Elastic-Product", "Elasticsearch")],
        )
        if forward:
            status, resp_headers, data = self._forward(
                "POST", req.path, headers, _ndjson([op for _, op in forward])
            )
            if status != 200:
                self._reply(req, status, resp_headers, data)
                return
            answered = json.loads(data)["items"]
            for (pos, _), item in zip(forward, answered, strict=True):
                items[pos] = item
            with self._lock:
                self.docs_forwarded += len(forward)
        for pos, item in faked.items():
            items[pos] = item
        errors = any(next(iter(it.values())).get("error") for it in items)
        out = json.dumps({"took": 1, "errors": errors, "items": items}).encode()
        self._reply(
            req,
            status,
            [(k, v) for k, v in resp_headers if k.lower() != "content-type"]
            + [("Content-Type", "application/json")],
            out,
        )

    def _die_mid_bulk(self, req: BaseHTTPRequestHandler, headers: dict[str, str], part: list[_Op]) -> None:
        """The cluster dies mid-request: `part` (the documents before the limit) still reaches
        the server, then the connection is reset with no answer and the proxy stops listening,
        so the client sees what a crashed node gives it."""
        if part:
            self._forward("POST", req.path, headers, _ndjson(part))
            with self._lock:
                self.docs_forwarded += len(part)
        req.close_connection = True
        threading.Thread(target=self.stop, daemon=True).start()
        req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    def _triage(self, ops: list[_Op]) -> tuple[dict[int, dict[str, Any]], list[tuple[int, _Op]]]:
        """(made-up item answers by position, operations to forward with their position): ids
        in `reject_ids` always get a 400, ids in `item_429_once` a 429 the first time only (so
        the client's retry of that item goes through)."""
        faked: dict[int, dict[str, Any]] = {}
        forward: list[tuple[int, _Op]] = []
        for pos, op in enumerate(ops):
            action = json.loads(op[0])
            kind = next(iter(action))
            meta = action[kind]
            doc_id = str(meta.get("_id", ""))
            if doc_id in self.reject_ids:
                faked[pos] = _item_error(
                    kind, meta, doc_id, 400, "mapper_parsing_exception", "fault proxy: document rejected"
                )
            elif doc_id in self.item_429_once:
                self.item_429_once.discard(doc_id)
                faked[pos] = _item_error(
                    kind, meta, doc_id, 429, "es_rejected_execution_exception", "fault proxy: queue full"
                )
            else:
                forward.append((pos, op))
        return faked, forward


def _bulk_ops(body: bytes) -> list[_Op]:
    """A `_bulk` body as operations: every action takes the next line as its source, except
    `delete`, which has none; blank lines are not lines in NDJSON."""
    lines = [ln for ln in body.split(b"\n") if ln.strip()]
    ops: list[_Op] = []
    i = 0
    while i < len(lines):
        action = json.loads(lines[i])
        kind = next(iter(action))
        if kind == "delete":
            ops.append((lines[i], None))
            i += 1
        else:
            ops.append((lines[i], lines[i + 1]))
            i += 2
    return ops


def _item_error(
    kind: str, meta: dict[str, Any], doc_id: str, status: int, error: str, reason: str
) -> dict[str, Any]:
    """One failed item of a bulk answer, shaped as Elasticsearch shapes it (the client reads
    `status` and `error.type` to decide between a retry and a rejection)."""
    return {
        kind: {
            "_index": meta.get("_index"),
            "_id": doc_id,
            "status": status,
            "error": {"type": error, "reason": reason},
        }
    }


def _ndjson(ops: list[tuple[bytes, bytes | None]]) -> bytes:
    out = []
    for action, source in ops:
        out.append(action)
        if source is not None:
            out.append(source)
    return b"\n".join(out) + b"\n"
