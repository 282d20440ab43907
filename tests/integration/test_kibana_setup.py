"""`newsflow.kibana` against a loopback HTTP server that behaves like a Kibana starting up."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsflow.config import Settings
from newsflow.kibana import KibanaError, import_saved_objects, load_objects, main

pytestmark = pytest.mark.integration


class FakeKibana(ThreadingHTTPServer):
    """Answers 503 to the first `unavailable` status polls, then `available`; records imports."""

    def __init__(self, unavailable: int = 2, import_status: int = 200, password: str = "pw") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.unavailable = unavailable
        self.import_status = import_status
        self.password = password
        self.status_calls = 0
        self.imports: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeKibana

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        import base64

        expected = "Basic " + base64.b64encode(f"elastic:{self.server.password}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._send(401, {"message": "unauthorized"})
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        if not self._authorized():
            return
        self.server.status_calls += 1
        if self.server.status_calls <= self.server.unavailable:
            self._send(503, {"status": {"overall": {"level": "unavailable"}}})
        else:
            self._send(200, {"status": {"overall": {"level": "available"}}})

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        if not self._authorized():
            return
        length = int(self.headers["Content-Length"])
        raw = self.rfile.read(length)
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw
        )
        files = [part.get_payload(decode=True) for part in message.iter_parts()]
        objects = [json.loads(line) for line in files[0].decode().splitlines() if line.strip()]
        self.server.imports.append(
            {"path": self.path, "xsrf": self.headers.get("kbn-xsrf"), "objects": objects}
        )
        if self.server.import_status != 200:
            self._send(self.server.import_status, {"message": "nope"})
            return
        self._send(200, {"success": True, "successCount": len(objects), "errors": []})


@pytest.fixture
def kibana(request: pytest.FixtureRequest) -> Iterator[FakeKibana]:
    server = FakeKibana(**getattr(request, "param", {}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def creds(alias: str = "news") -> Settings:
    return Settings(es_username="elastic", es_password="pw", index_alias=alias)


def test_waits_for_kibana_then_imports_every_object(kibana: FakeKibana) -> None:
    answer = import_saved_objects(kibana.url, creds("press"), timeout=10, interval=0.05)
    assert answer["successCount"] == len(load_objects())
    assert kibana.status_calls == 3  # two 503s while starting, then available
    (sent,) = kibana.imports
    assert sent["path"] == "/api/saved_objects/_import?overwrite=true"
    assert sent["xsrf"]
    views = {o["id"]: o["attributes"]["title"] for o in sent["objects"] if o["type"] == "index-pattern"}
    assert views == {"newsflow-news": "press", "newsflow-telemetry": "press-telemetry"}


def test_import_is_idempotent(kibana: FakeKibana) -> None:
    import_saved_objects(kibana.url, creds(), timeout=10, interval=0.05)
    import_saved_objects(kibana.url, creds(), timeout=10, interval=0.05)
    assert len(kibana.imports) == 2
    assert kibana.imports[0]["objects"] == kibana.imports[1]["objects"]


def test_wrong_credentials_fail_at_once(kibana: FakeKibana) -> None:
    bad = Settings(es_username="elastic", es_password="wrong")
    with pytest.raises(KibanaError, match="refused the credentials"):
        import_saved_objects(kibana.url, bad, timeout=10, interval=0.05)
    assert kibana.status_calls == 0


@pytest.mark.parametrize("kibana", [{"unavailable": 10_000}], indirect=True)
def test_gives_up_after_the_timeout(kibana: FakeKibana) -> None:
    with pytest.raises(KibanaError, match="not available"):
        import_saved_objects(kibana.url, creds(), timeout=0.3, interval=0.05)


@pytest.mark.parametrize("kibana", [{"unavailable": 0, "import_status": 400}], indirect=True)
def test_a_rejected_import_is_an_error_and_the_cli_says_so(
    kibana: FakeKibana, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEWSFLOW_ES_USERNAME", "elastic")
    monkeypatch.setenv("NEWSFLOW_ES_PASSWORD", "pw")
    assert main(["--url", kibana.url, "--timeout", "2", "--interval", "0.05"]) == 1
    assert "import failed (400)" in capsys.readouterr().err
