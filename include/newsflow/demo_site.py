"""A loopback news site for the demo and the tests.

`serve_site(root)` serves a folder on 127.0.0.1 (a free port) from a daemon thread and
replaces `{{BASE_URL}}` in served `.xml`/`.html` files with the site's own base URL, so feed
links point back at it. `serve_demo()` serves the bundled demo newsroom and sets
`NEWSFLOW_DEMO_BASE_URL` (what `include/sources.yaml` expands) while it runs.

Fetching from it needs `NEWSFLOW_ALLOW_PRIVATE=true` (it is a loopback address).

Run it by hand: `python -m newsflow.demo_site [--port 8765] [ROOT]`.
"""

from __future__ import annotations

import argparse
import functools
import io
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newsflow.config import INCLUDE_DIR, exported

log = logging.getLogger("newsflow.demo_site")

DEMO_SITE = INCLUDE_DIR / "demo" / "site"
BASE_URL_ENV = "NEWSFLOW_DEMO_BASE_URL"
PLACEHOLDER = "{{BASE_URL}}"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


class _Handler(SimpleHTTPRequestHandler):
    base_url = ""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            return super().send_head()
        suffix = path.suffix.lower()
        if suffix not in (".xml", ".html", ".htm") or not path.is_file():
            return super().send_head()
        try:
            body = path.read_bytes().replace(PLACEHOLDER.encode(), self.base_url.encode())
        except OSError:
            self.send_error(404, "File not found")
            return None
        self.send_response(200)
        self.send_header("Content-Type", _TYPES[suffix])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


@contextmanager
def serve_site(
    root: Path, port: int = 0, host: str = "127.0.0.1", public_url: str | None = None
) -> Iterator[str]:
    """Serve `root` while the block runs; yields the base URL (no trailing slash).

    `public_url` is the address clients use when it is not host:port (e.g. a compose service name).
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"site folder not found: {root}")
    handler = functools.partial(type("SiteHandler", (_Handler,), {}), directory=str(root))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    base_url = (public_url or f"http://{host}:{server.server_address[1]}").rstrip("/")
    handler.func.base_url = base_url  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, name="newsflow-demo-site", daemon=True)
    thread.start()
    log.info("serving %s at %s", root, base_url)
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_demo(root: Path | None = None, port: int = 0) -> Iterator[str]:
    """Serve the demo newsroom and set NEWSFLOW_DEMO_BASE_URL while it runs (restored afterwards)."""
    with serve_site(root or DEMO_SITE, port=port) as base_url, exported({BASE_URL_ENV: base_url}):
        yield base_url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the newsflow demo news site on 127.0.0.1.")
    parser.add_argument("root", nargs="?", type=Path, default=DEMO_SITE)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 in compose)")
    parser.add_argument("--public-url", help="base URL written into feeds (default: http://HOST:PORT)")
    args = parser.parse_args(argv)
    with serve_site(args.root, port=args.port, host=args.host, public_url=args.public_url) as base_url:
        print(f"serving {args.root} at {base_url} (Ctrl-C to stop); export {BASE_URL_ENV}={base_url}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
