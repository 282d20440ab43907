"""The benchmark's loopback news site: the demo site's handler, with keep-alive and counters.

Why not `newsflow.demo_site.serve_site` as it is: its handler speaks HTTP/1.0, which
closes the connection after every response, so a fetcher's connection reuse would
never show. Here the same handler speaks HTTP/1.1 and counts connections and
requests, which `GET /__stats` returns as JSON (so the benchmark can print how many
pages each connection carried).

Run in its own process (`python benchmarks/loopback.py SITE_ROOT`): it prints its
base URL on the first line of stdout and serves until killed, so its CPU time is
not charged to the fetch stage.
"""

from __future__ import annotations

import functools
import json
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from newsflow.demo_site import _Handler

_COUNTS = {"connections": 0, "requests": 0}
_LOCK = threading.Lock()


class KeepAliveHandler(_Handler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        with _LOCK:
            _COUNTS["connections"] += 1

    def send_head(self):  # type: ignore[no-untyped-def]
        if self.path == "/__stats":
            body = json.dumps(_COUNTS).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io

            return io.BytesIO(body)
        with _LOCK:
            _COUNTS["requests"] += 1
        return super().send_head()


def serve(root: Path) -> None:
    handler = functools.partial(type("BenchHandler", (KeepAliveHandler,), {}), directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    handler.func.base_url = base_url  # type: ignore[attr-defined]
    print(base_url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(Path(sys.argv[1]).resolve())
