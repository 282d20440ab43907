from __future__ import annotations

import dataclasses
import socket
import time

from newsflow.fetch.http import _check_url, decode_body, fetch_url, make_session

from .conftest import Reply

FRENCH = (
    "Le chantier naval a annoncé jeudi qu'il allait recruter des soudeurs. « C'est une très bonne nouvelle "
    "pour la région », a déclaré la directrice générale, élue présidente de la société l'été dernier. "
    "Les élèves du lycée professionnel seront formés à l'atelier dès la rentrée, près du quai des Forges. "
) * 3


def _fetch(settings, url):
    with make_session(settings) as session:
        return fetch_url(session, url, settings)


def test_ok_page(server, settings):
    url = server.route(
        "/ok",
        Reply(
            200,
            "<html><body><p>Grüße</p></body></html>".encode(),
            {"Content-Type": "text/html; charset=utf-8"},
        ),
    )
    res = _fetch(settings, url)
    assert res.error == ""
    assert res.ok
    assert res.status_code == 200
    assert res.final_url == url
    assert res.content_type == "text/html"
    assert res.encoding == "utf-8"
    assert "Grüße" in res.text
    assert server.request_headers["/ok"]["User-Agent"] == settings.user_agent


def test_charset_missing_is_detected(server, settings):
    body = f"<html><body><p>{FRENCH}</p></body></html>".encode("cp1252")
    url = server.route("/latin", Reply(200, body, {"Content-Type": "text/html"}))
    res = _fetch(settings, url)
    assert res.error == ""
    assert "annoncé" in res.text and "élèves" in res.text
    assert res.encoding in {"cp1252", "iso8859-1", "latin-1", "iso8859-15"}


def test_meta_charset_used_when_header_has_none(server, settings):
    body = f'<html><head><meta charset="iso-8859-1"></head><body>{FRENCH}</body></html>'.encode("latin-1")
    url = server.route("/meta", Reply(200, body, {"Content-Type": "text/html"}))
    res = _fetch(settings, url)
    assert "élèves" in res.text
    assert res.encoding == "iso8859-1"


def test_wrong_declared_charset_utf8_body(server, settings):
    body = f"<p>{FRENCH}</p>".encode()
    url = server.route("/wrong1", Reply(200, body, {"Content-Type": "text/html; charset=ISO-8859-1"}))
    res = _fetch(settings, url)
    assert "élèves" in res.text and "Ã" not in res.text
    assert res.encoding == "utf-8"


def test_wrong_declared_charset_latin_body(server, settings):
    body = f"<p>{FRENCH}</p>".encode("latin-1")
    url = server.route("/wrong2", Reply(200, body, {"Content-Type": "text/html; charset=utf-8"}))
    res = _fetch(settings, url)
    assert res.error == ""
    assert "élèves" in res.text
    assert "\ufffd" not in res.text


def test_unknown_declared_charset_falls_back():
    text, enc = decode_body("naïve café".encode(), "x-no-such-charset", "text/html")
    assert text == "naïve café" and enc == "utf-8"


def test_size_cap_with_content_length(server, settings):
    settings = dataclasses.replace(settings, max_bytes=1000)
    url = server.route("/big", Reply(200, b"a" * 5000, {"Content-Type": "text/plain"}))
    res = _fetch(settings, url)
    assert res.error == "too_large: > 1000 bytes"
    assert res.text == ""


def test_size_cap_stops_streaming(server, settings):
    settings = dataclasses.replace(settings, max_bytes=50_000)
    url = server.route(
        "/stream", Reply(200, b"x" * 2_000_000, {"Content-Type": "text/plain"}, content_length=False)
    )
    res = _fetch(settings, url)
    assert res.error == "too_large: > 50000 bytes"


def test_pdf_rejected(server, settings):
    url = server.route("/doc.pdf", Reply(200, b"%PDF-1.7 binary", {"Content-Type": "application/pdf"}))
    res = _fetch(settings, url)
    assert res.error == "not_text: application/pdf"


def test_binary_without_content_type_rejected(server, settings):
    url = server.route("/blob", Reply(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00"))
    res = _fetch(settings, url)
    assert res.error.startswith("not_text")


def test_http_404(server, settings):
    res = _fetch(settings, server.url("/missing"))
    assert res.error == "HTTP 404"
    assert res.status_code == 404


def test_429_retry_after_then_ok(server, settings):
    def route(hit):
        if hit == 1:
            return Reply(429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"})
        return Reply(200, b"<p>fine</p>", {"Content-Type": "text/html; charset=utf-8"})

    url = server.route("/busy", route)
    started = time.monotonic()
    res = _fetch(settings, url)
    assert res.error == ""
    assert res.text == "<p>fine</p>"
    assert server.hits["/busy"] == 2
    assert time.monotonic() - started >= 0.9  # Retry-After was honoured


def test_5xx_retried_then_ok(server, settings):
    def route(hit):
        if hit < 3:
            return Reply(503, b"down", {"Content-Type": "text/plain"})
        return Reply(200, b"back", {"Content-Type": "text/plain; charset=utf-8"})

    url = server.route("/flaky", route)
    res = _fetch(settings, url)
    assert res.error == ""
    assert res.text == "back"
    assert server.hits["/flaky"] == 3


def test_5xx_gives_up(server, settings):
    settings = dataclasses.replace(settings, fetch_retries=1)
    url = server.route("/broken", Reply(500, b"oops", {"Content-Type": "text/plain"}))
    res = _fetch(settings, url)
    assert res.error == "HTTP 500"
    assert server.hits["/broken"] == 2


def test_redirect_followed(server, settings):
    server.route("/old", Reply(301, b"", {"Location": "/new"}))
    url_new = server.route("/new", Reply(200, b"moved here", {"Content-Type": "text/plain"}))
    res = _fetch(settings, server.url("/old"))
    assert res.error == ""
    assert res.final_url == url_new
    assert res.text == "moved here"


def test_redirect_loop(server, settings):
    server.route("/a", Reply(302, b"", {"Location": "/b"}))
    server.route("/b", Reply(302, b"", {"Location": "/a"}))
    res = _fetch(settings, server.url("/a"))
    assert res.error == "too many redirects"
    assert server.hits["/a"] + server.hits["/b"] == 6  # the first request plus 5 redirects


def test_private_address_refused(server, settings):
    settings = dataclasses.replace(settings, allow_private=False)
    url = server.route("/ok", Reply(200, b"secret", {"Content-Type": "text/plain"}))
    res = _fetch(settings, url)
    assert res.error.startswith("refused:")
    assert "127.0.0.1" in res.error
    assert server.hits["/ok"] == 0


def test_private_addresses_checked():
    from newsflow.config import Settings

    strict = Settings(allow_private=False)
    for url in (
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/",
        "http://192.168.0.10/",
        "http://0.0.0.0/",
        "http://[::ffff:127.0.0.1]/",
    ):
        assert _check_url(url, strict).startswith("refused"), url
    assert _check_url("ftp://example.com/x", strict).startswith("unsupported URL scheme")
    assert _check_url("file:///etc/passwd", strict).startswith("unsupported URL scheme")


def test_timeout(server, settings):
    settings = dataclasses.replace(settings, fetch_timeout=0.5, fetch_retries=0)
    url = server.route("/slow", Reply(200, b"late", {"Content-Type": "text/plain"}, delay=2.0))
    res = _fetch(settings, url)
    assert res.error == "timeout after 0.5s"


def test_connection_error(settings):
    settings = dataclasses.replace(settings, fetch_retries=0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = _fetch(settings, f"http://127.0.0.1:{port}/")
    assert res.error.startswith("connection error:")


def test_unsupported_scheme(settings):
    res = _fetch(settings, "ftp://127.0.0.1/file.txt")
    assert res.error.startswith("unsupported URL scheme")


def test_connection_guard_checks_the_connected_address(server, settings):
    """Even past the DNS check (e.g. a name that re-resolves), the socket's peer is checked."""
    import pytest

    from newsflow.fetch.http import PrivateAddressError

    strict = dataclasses.replace(settings, allow_private=False)
    url = server.route("/ok", Reply(200, b"secret", {"Content-Type": "text/plain"}))
    with make_session(strict) as session, pytest.raises(PrivateAddressError):
        session.get(url, timeout=2)
    assert server.hits["/ok"] == 0


def test_redirect_without_location(server, settings):
    url = server.route("/odd", Reply(302, b"", {"Content-Type": "text/plain"}))
    assert _fetch(settings, url).error == "HTTP 302"
