"""HTTP fetching: one polite, bounded, safe `requests` session per task.

`fetch_url` never raises for HTTP or network trouble: the result carries a readable
`error` (`HTTP 404`, `timeout after 15s`, `too_large: > 5000000 bytes`, `not_text: application/pdf`,
`too many redirects`, `refused: ...`), so a failed page becomes a rejected item, not a crash.

Safety: only http/https; unless `settings.allow_private`, a host that resolves to a
private, loopback, link-local or otherwise non-public address is refused. Redirects are
followed by hand (at most 5) and every hop is checked again. The address actually
connected to is checked as well (a DNS answer that changes between the check and the
connection cannot slip through).

robots.txt is honoured with our User-Agent (`urllib.robotparser`, fetched once per host and
session, i.e. once per task): a disallowed URL is refused before it is requested. Following
RFC 9309, a robots.txt answering 4xx allows everything, one answering 5xx disallows
everything (the task's retry tries again later); when it cannot be reached at all the page
request itself reports the network error.
"""

from __future__ import annotations

import codecs
import ipaddress
import logging
import re
import socket
import threading
import time
import unicodedata
import weakref
from dataclasses import dataclass, field, replace
from email.message import Message
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import charset_normalizer
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from newsflow.config import Settings

log = logging.getLogger("newsflow.fetch")

MAX_REDIRECTS = 5
RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 30.0  # seconds; a longer Retry-After is capped (the task retry covers the rest)
_CHUNK = 64 * 1024
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: crawlers may ignore what follows the first 500 KiB

_TEXT_TYPES = {
    "application/xml",
    "application/xhtml+xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/json",
    "application/ld+json",
    "application/feed+json",
    "application/javascript",
}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x89PNG", "image/png"),
    (b"GIF8", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x1f\x8b", "application/gzip"),
    (b"RIFF", "application/octet-stream"),
)
_META_CHARSET = re.compile(rb"""<meta[^<>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""", re.I)


def _single_byte(codec: str) -> bool:
    return codec.startswith(("cp125", "iso8859", "latin", "ascii", "koi8", "mac-", "windows-"))


@dataclass
class FetchResult:
    url: str  # what was asked for
    final_url: str = ""  # after redirects
    status_code: int | None = None
    content_type: str = ""  # media type only, lower case (no parameters)
    encoding: str = ""  # codec used to decode `text`
    text: str = ""
    error: str = ""  # empty when the fetch succeeded
    content: bytes = field(default=b"", repr=False)  # the raw body (feeds are parsed from bytes)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error


class PrivateAddressError(Exception):
    """The connection would go to a non-public address."""


class PageBudgetExceeded(TimeoutError):
    """The page's wall-clock budget is spent (raised where the fetch would otherwise wait longer)."""


class _Budget:
    """A hard wall-clock limit for one page: headers, body, retries and their sleeps included.

    Why: a read timeout bounds the wait for each byte, not for the page, so a server trickling
    one byte a second (even in its headers) keeps a plain `requests` call going for ever. The
    connection registers itself with the budget of the thread that uses it (`_BudgetedMixin`);
    a timer shuts its socket down when the budget runs out, which ends any blocked `recv` at
    once, plain or TLS, and a spent budget refuses the next request and every retry sleep.
    """

    def __init__(self, seconds: float, name: str = "") -> None:
        self.seconds = seconds
        self.name = name or f"page budget of {_fmt_seconds(seconds)}"
        self.deadline = time.monotonic() + seconds
        self.expired = False
        self._conn: object | None = None
        self._done = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def check(self) -> float:
        """Seconds left; raises PageBudgetExceeded when there are none."""
        left = self.remaining()
        if left <= 0:
            self.expired = True
            raise PageBudgetExceeded(f"{self.name} spent")
        return left

    def attach(self, conn: object) -> None:
        left = self.check()
        with self._lock:
            self._conn = conn
            if self._timer is None and not self._done:
                self._timer = threading.Timer(left, self._expire)
                self._timer.daemon = True
                self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sock = getattr(self._conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the reader blocked in recv
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            self._done = True
            self._conn = None
            if self._timer is not None:
                self._timer.cancel()


_LOCAL = threading.local()


def _current_budget() -> _Budget | None:
    return getattr(_LOCAL, "budget", None)


class _CappedRetry(Retry):
    """Retry that honours Retry-After but never sleeps longer than MAX_RETRY_AFTER, nor past the
    page budget (a wait the budget cannot afford ends the page now, as a timeout)."""

    def sleep_for_retry(self, response=None):  # type: ignore[no-untyped-def]
        retry_after = self.get_retry_after(response) if response is not None else None
        if retry_after:
            _budgeted_sleep(min(retry_after, MAX_RETRY_AFTER))
            return True
        return False

    def _sleep_backoff(self) -> None:
        backoff = self.get_backoff_time()
        if backoff > 0:
            _budgeted_sleep(backoff)


def _budgeted_sleep(seconds: float) -> None:
    budget = _current_budget()
    if budget is not None and seconds >= budget.check():
        budget.expired = True
        raise PageBudgetExceeded(f"{budget.name} spent (asked to wait {seconds:g}s)")
    time.sleep(seconds)


def _is_public(ip: str) -> bool:
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return addr.is_global and not addr.is_multicast


def _check_peer(sock: socket.socket) -> None:
    try:
        peer = sock.getpeername()[0]
    except OSError:
        return
    if not _is_public(peer):
        sock.close()
        raise PrivateAddressError(f"refused: connection to non-public address {peer}")


class _BudgetedMixin:
    """Registers the connection with the page budget of the calling thread at every request."""

    def request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        budget = _current_budget()
        if budget is not None:
            budget.attach(self)
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _BudgetedHTTPConnection(_BudgetedMixin, HTTPConnection):
    pass


class _BudgetedHTTPSConnection(_BudgetedMixin, HTTPSConnection):
    pass


class _GuardedHTTPConnection(_BudgetedHTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock)
        return sock


class _GuardedHTTPSConnection(_BudgetedHTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock)
        return sock


def _pool(base: type, conn: type) -> type:
    return type(f"_{conn.__name__.lstrip('_')}Pool", (base,), {"ConnectionCls": conn})


_POOLS = {
    True: {
        "http": _pool(HTTPConnectionPool, _GuardedHTTPConnection),
        "https": _pool(HTTPSConnectionPool, _GuardedHTTPSConnection),
    },
    False: {
        "http": _pool(HTTPConnectionPool, _BudgetedHTTPConnection),
        "https": _pool(HTTPSConnectionPool, _BudgetedHTTPSConnection),
    },
}


class _GuardedAdapter(HTTPAdapter):
    """Direct connections check the peer address (unless `guard` is off); every connection
    obeys the page budget. Connections through a configured proxy check nothing."""

    def __init__(self, *args, guard: bool = True, **kwargs):  # type: ignore[no-untyped-def]
        self._guard = guard
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS[getattr(self, "_guard", True)])


def make_session(settings: Settings) -> requests.Session:
    """A session with our User-Agent, retries with backoff (429/5xx, honouring Retry-After) and, unless
    `settings.allow_private`, a guard against connecting to non-public addresses."""
    session = requests.Session()
    session.headers.update(
        {
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
            "application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
        }
    )
    retries = max(0, int(settings.fetch_retries))
    retry = _CappedRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        redirect=0,
        other=0,
        backoff_factor=0.5,
        backoff_max=10,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )
    adapter = _GuardedAdapter(
        max_retries=retry, pool_connections=4, pool_maxsize=4, guard=not settings.allow_private
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _check_url(url: str, settings: Settings) -> str:
    """An error message if the URL may not be fetched, else ''."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        return f"bad URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"unsupported URL scheme {parts.scheme or '(none)'!r} (only http and https)"
    if not host:
        return "bad URL: no host"
    if settings.allow_private:
        return ""
    try:
        infos = socket.getaddrinfo(
            host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError) as exc:
        return f"connection error: cannot resolve host {host!r} ({exc})"
    for info in infos:
        ip = str(info[4][0])
        if not _is_public(ip):
            return (
                f"refused: host {host!r} resolves to non-public address {ip} "
                "(set NEWSFLOW_ALLOW_PRIVATE=true to allow)"
            )
    return ""


def _media_type(header: str) -> tuple[str, str]:
    """(media type, charset) from a Content-Type header."""
    if not header:
        return "", ""
    msg = Message()
    msg["content-type"] = header
    charset = msg.get_param("charset")
    return msg.get_content_type().lower(), str(charset).strip().strip("\"'") if charset else ""


def _is_text_type(media: str) -> bool:
    return (
        media.startswith("text/") or media in _TEXT_TYPES or media.endswith("+xml") or media.endswith("+json")
    )


# Codecs Python knows that are no web charset: they fail on ordinary bytes (`undefined`,
# `punycode`, `idna`), turn escapes into lone surrogates (`utf-7`, `unicode_escape`), or are
# not text encodings at all (`rot13`, `base64`). A page declaring one is decoded as if it had
# declared nothing (WHATWG: an unknown label is ignored).
_NOT_WEB_CHARSETS = frozenset(
    {"undefined", "punycode", "idna", "utf-7", "unicode-escape", "raw-unicode-escape", "palmos", "charmap"}
)


def _codec(name: str) -> str:
    try:
        info = codecs.lookup(name.strip())
    except (LookupError, ValueError, TypeError):
        return ""
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_WEB_CHARSETS:
        return ""
    return info.name


def _clean_decode(body: bytes, name: str) -> str | None:
    """`body` decoded with `name`, or None when that fails or yields lone surrogates (which no
    UTF-8 file can hold: the archive write would fail)."""
    try:
        text = body.decode(name)
    except (UnicodeError, LookupError, ValueError):
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return text


def decode_body(body: bytes, declared: str = "", media: str = "") -> tuple[str, str]:
    """Decode a body: BOM, then the declared charset (checked), then the document's own
    declaration (HTML meta / XML declaration), then UTF-8, then charset-normalizer.
    Returns (text, codec name)."""
    if not body:
        return "", _codec(declared) or "utf-8"
    by_bom = _decode_by_bom(body)
    if by_bom is not None:
        return by_bom
    as_utf8 = _clean_decode(body, "utf-8")
    by_declaration = _decode_declared(body, _declared_charsets(body, declared), as_utf8)
    if by_declaration is not None:
        return by_declaration
    if as_utf8 is not None:
        return as_utf8, "utf-8"
    if _thin_western(body):
        return body.decode("cp1252"), "cp1252"
    return _decode_detected(body)


def _decode_by_bom(body: bytes) -> tuple[str, str] | None:
    """(text, codec) when the body starts with a byte order mark that decodes cleanly: a BOM
    outranks any declaration. None when there is none, or when the body after it is broken
    (then the declarations and detection decide)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            text = _clean_decode(body, name)
            if text is None:
                return None
            return text, "utf-8" if name == "utf-8-sig" else name
    return None


def _declared_charsets(body: bytes, declared: str) -> list[str]:
    """Known codecs the page claims, in the order to try them: the HTTP header's first, then
    the document's own (XML declaration or HTML meta in the first 4 KiB)."""
    candidates: list[str] = []
    if declared and _codec(declared):
        candidates.append(_codec(declared))
    head = body[:4096]
    match = _XML_DECL.search(head) or _META_CHARSET.search(head)
    if match:
        inner = _codec(match.group(1).decode("ascii", "ignore"))
        if inner and inner not in candidates:
            candidates.append(inner)
    return candidates


def _decode_declared(body: bytes, candidates: list[str], as_utf8: str | None) -> tuple[str, str] | None:
    """(text, codec) by the first declared charset that fits the bytes; `as_utf8` is the body
    decoded as UTF-8 (None if it is not valid UTF-8). None when no declaration fits."""
    for name in candidates:
        # Servers often claim ISO-8859-1 for pages that are really UTF-8; valid non-ASCII
        # UTF-8 is almost never meant as Latin-1, so prefer it.
        if _single_byte(name) and as_utf8 is not None and not body.isascii():
            return as_utf8, "utf-8"
        if name in ("utf-16", "utf-32") or name.startswith(("utf-16", "utf-32")):
            continue  # without a BOM this is a guess better left to detection
        text = _clean_decode(body, name)
        if text is not None:
            return text, name
    return None


def _decode_detected(body: bytes) -> tuple[str, str]:
    """Last resort for bytes nothing declared and UTF-8 cannot read: charset-normalizer's
    guess when it decodes cleanly, else windows-1252 with replacement characters (never fails,
    so a page is never lost to its encoding)."""
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        name = _codec(best.encoding)
        text = _clean_decode(body, name) if name else None
        if text is not None:
            return text, name
    return body.decode("cp1252", errors="replace"), "cp1252"


def _thin_western(body: bytes) -> bool:
    """Too few non-ASCII bytes for detection to mean anything (an English page with one "café"
    is guessed Baltic), and all of them letters in windows-1252: use the WHATWG default."""
    sample = body[:200_000]
    high = sum(1 for b in sample if b >= 0x80)
    if not high or high > max(16, len(sample) // 50):
        return False
    try:
        chars = bytes(sorted({b for b in sample if b >= 0x80})).decode("cp1252")
    except UnicodeDecodeError:
        return False
    return all(unicodedata.category(c).startswith("L") or c in "‘’“”–—… °€£" for c in chars)


def page_budget(settings: Settings) -> float:
    """Seconds one page may take in all (headers, body, redirects, retries and their waits)."""
    configured = float(getattr(settings, "page_budget", 0) or 0)
    return configured if configured > 0 else max(float(settings.fetch_timeout) * 4, 30.0)


def _fmt_seconds(value: float) -> str:
    return f"{value:.3g}s"


def fetch_url(
    session: requests.Session,
    url: str,
    settings: Settings,
    robots: bool = True,
    budget: float | None = None,
    budget_name: str = "",
) -> FetchResult:
    """GET one URL (text only, size-capped, redirects and robots.txt checked at every hop);
    never raises. `robots=False` is for fetching robots.txt itself.

    The page has a hard wall-clock budget (`budget`, default `page_budget(settings)`), enforced
    at the socket, so a server trickling its headers or body cannot hold the task. `budget_name`
    says whose budget it is in the error (a source's remaining budget can be the tighter one).
    """
    result = FetchResult(url=url, final_url=url)
    started = time.monotonic()
    limit = page_budget(settings) if budget is None else max(0.001, budget)
    outer = _current_budget()
    if outer is not None and outer.remaining() < limit:
        own = _Budget(max(0.001, outer.remaining()), outer.name)
    else:
        own = _Budget(limit, budget_name)
    _LOCAL.budget = own
    try:
        _fetch(session, url, settings, robots, result, own)
    except Exception as exc:  # fetch_url never raises: an unexpected error is this page's error
        result.error = _error_for(exc, settings)
    finally:
        own.close()
        _LOCAL.budget = outer
        result.elapsed = time.monotonic() - started
    if result.error and own.expired and not result.content and not result.error.startswith("timeout:"):
        result.error = f"timeout: {own.name} spent (headers and body included)"
    return result


def _fetch(
    session: requests.Session,
    url: str,
    settings: Settings,
    robots: bool,
    result: FetchResult,
    budget: _Budget,
) -> None:
    timeout = float(settings.fetch_timeout)
    current = url
    for hop in range(MAX_REDIRECTS + 1):
        problem = _check_url(current, settings) or (
            robots_problem(session, current, settings) if robots else ""
        )
        if problem:
            result.error = problem
            return
        wait = min(timeout, max(0.001, budget.check()))
        resp = session.get(current, stream=True, allow_redirects=False, timeout=(wait, wait))
        result.final_url = current
        result.status_code = resp.status_code
        if resp.is_redirect or (resp.status_code in (301, 302, 303, 307, 308) and "location" in resp.headers):
            location = resp.headers.get("location", "")
            resp.close()
            if hop == MAX_REDIRECTS:
                result.error = "too many redirects"
                return
            current = urljoin(current, location)
            continue
        try:
            _read_response(resp, result, settings, budget)
        finally:
            resp.close()
        return
    result.error = "too many redirects"  # pragma: no cover - the loop returns


def _error_for(exc: Exception, settings: Settings) -> str:
    """A readable error for whatever ended a fetch."""
    timeout = _fmt_seconds(float(settings.fetch_timeout))
    spent = _caused_by(exc, PageBudgetExceeded)
    if spent is not None:
        return f"timeout: {spent}"
    if isinstance(exc, PrivateAddressError) or _caused_by(exc, PrivateAddressError):
        return str(_caused_by(exc, PrivateAddressError) or exc)
    if isinstance(exc, requests.exceptions.RequestException):
        return _requests_error(exc, settings, timeout)
    if isinstance(exc, (OSError, urllib3.exceptions.HTTPError)):
        return f"connection error: {exc}"
    return f"fetch_failed: {type(exc).__name__}: {exc}"


def _requests_error(exc: requests.exceptions.RequestException, settings: Settings, timeout: str) -> str:
    """A readable error for a `requests` failure, most specific class first (SSLError is a
    ConnectionError, a read timeout can arrive wrapped in a ConnectionError); `timeout` is the
    configured per-request timeout, already formatted."""
    if isinstance(exc, requests.exceptions.Timeout):
        return f"timeout after {timeout}"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, requests.exceptions.RetryError):
        return f"gave up after {settings.fetch_retries} retries: {_reason(exc)}"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error: {_reason(exc)}"
    if isinstance(exc, requests.exceptions.ConnectionError):
        if _caused_by(exc, urllib3.exceptions.ReadTimeoutError, TimeoutError, socket.timeout):
            return f"timeout after {timeout}"
        return f"connection error: {_reason(exc)}"
    return f"request failed: {_reason(exc)}"


# Parsed robots.txt per session (one session per task) and per scheme://host:port; a string
# is a standing refusal (robots.txt answered 5xx).
_ROBOTS: weakref.WeakKeyDictionary[requests.Session, dict[str, RobotFileParser | str]] = (
    weakref.WeakKeyDictionary()
)


def robots_problem(session: requests.Session, url: str, settings: Settings) -> str:
    """'' when the host's robots.txt lets our User-Agent fetch `url`, else the reason for refusing.

    Cached per session and host so a feed of 500 pages costs one robots.txt request.
    """
    parts = urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc}"
    cache = _ROBOTS.setdefault(session, {})
    rules = cache.get(root)
    if rules is None:
        loaded = _load_robots(session, root, settings)
        if loaded is None:
            return ""  # unreachable: the page request reports the network error itself
        rules = cache[root] = loaded
    if isinstance(rules, str):
        return rules
    if rules.can_fetch(settings.user_agent, url):
        return ""
    agent = settings.user_agent.split("/", 1)[0]
    return f"refused: robots.txt of {root} disallows {parts.path or '/'} for User-Agent {agent!r}"


def _load_robots(session: requests.Session, root: str, settings: Settings) -> RobotFileParser | str | None:
    capped = replace(settings, max_bytes=min(int(settings.max_bytes), ROBOTS_MAX_BYTES))
    got = fetch_url(session, f"{root}/robots.txt", capped, robots=False)
    parser = RobotFileParser(f"{root}/robots.txt")
    if got.status_code is None:
        log.info("robots.txt of %s could not be fetched (%s)", root, got.error)
        return None
    if got.status_code >= 500:
        return f"refused: robots.txt of {root} answered HTTP {got.status_code} (RFC 9309: treated as disallow all)"
    if got.ok and got.status_code < 300:
        parser.parse(got.text.splitlines())
    else:  # 4xx (or an unreadable body): no rules, everything allowed
        parser.parse([])
    parser.modified()
    return parser


def _read_response(resp: requests.Response, result: FetchResult, settings: Settings, budget: _Budget) -> None:
    media, charset = _media_type(resp.headers.get("content-type", ""))
    result.content_type = media
    if resp.status_code >= 300:  # 3xx here is a redirect without a Location (or 304): nothing to read
        result.error = f"HTTP {resp.status_code}"
        return
    if media and not _is_text_type(media):
        result.error = f"not_text: {media}"
        return
    body = _read_body(resp, result, settings, budget)
    if body is None:
        return
    if not media:
        kind = _binary_kind(body)
        if kind:
            result.error = f"not_text: {kind}"
            return
    result.content = body
    try:
        result.text, result.encoding = decode_body(body, charset, media)
    except Exception as exc:  # a codec that fails in a way no list foresaw: this page only
        result.content = b""
        result.error = f"decode_error: {type(exc).__name__}: {exc}"


def _binary_kind(body: bytes) -> str:
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return kind
    if b"\x00" in body[:1024] and not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "application/octet-stream"
    return ""


def _read_body(
    resp: requests.Response, result: FetchResult, settings: Settings, budget: _Budget
) -> bytes | None:
    """The body, or None with `result.error` set (too large, too slow, cut off)."""
    cap = int(settings.max_bytes)
    length = resp.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap:
        result.error = f"too_large: > {cap} bytes"
        return None
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in resp.iter_content(_CHUNK):
            size += len(chunk)
            if size > cap:
                result.error = f"too_large: > {cap} bytes"
                return None
            chunks.append(chunk)
            budget.check()
        if budget.expired:  # the budget's timer shut the socket: what came is a cut-off body
            raise PageBudgetExceeded(f"{budget.name} spent")
    except PageBudgetExceeded as exc:
        result.error = f"timeout: {exc}"
        return None
    except requests.exceptions.ConnectionError as exc:
        if _caused_by(exc, urllib3.exceptions.ReadTimeoutError, TimeoutError, socket.timeout):
            result.error = f"timeout after {_fmt_seconds(settings.fetch_timeout)}"
        else:
            result.error = f"connection error: {_reason(exc)}"
        return None
    except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError) as exc:
        result.error = f"connection error: incomplete body ({_reason(exc)})"
        return None
    return b"".join(chunks)


def _caused_by(exc: BaseException, *types: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        cur = stack.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, types):
            return cur
        nested = [cur.__cause__, cur.__context__, getattr(cur, "reason", None), *getattr(cur, "args", ())]
        stack.extend(n for n in nested if isinstance(n, BaseException))
    return None


def _reason(exc: BaseException) -> str:
    """The innermost readable reason of a requests/urllib3 exception."""
    inner = _caused_by(exc, urllib3.exceptions.NewConnectionError, ConnectionRefusedError, socket.gaierror)
    if isinstance(inner, urllib3.exceptions.NewConnectionError):
        text = str(inner)
        return text.split(": ", 1)[-1] if ": " in text else text
    if inner is not None:
        return str(inner) or type(inner).__name__
    if getattr(exc, "args", None) and isinstance(exc.args[0], urllib3.exceptions.MaxRetryError):
        reason = exc.args[0].reason
        if reason is not None:
            return str(reason)
    return str(exc) or type(exc).__name__
