"""Secrets never leave the fetcher: URLs are stored, logged and indexed with credentials redacted.

A source URL may carry a credential (`https://user:pass@host/feed`, `...?apikey=${FEED_TOKEN}`).
The fetcher needs it to ask; nothing else does. `redact_url` replaces the user info and the
value of every query parameter whose name says it is secret with `REDACTED`; `Redactor`
also replaces the secret values themselves wherever they turn up (a feed that appends the
token to its article links, an error message quoting the URL). The archive, the work batches,
the ledger, health.json, XCom, the logs and the indexed documents all get redacted text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"

# Query parameter names that carry credentials (compared without `-`/`_`, case-insensitive).
SECRET_NAMES = frozenset(
    {
        "apikey", "key", "token", "accesstoken", "authtoken", "auth", "authorization", "secret",
        "clientsecret", "signature", "sig", "password", "passwd", "pwd", "pass", "sessionid", "session",
        "xamzsignature", "xamzcredential", "xamzsecuritytoken", "credential", "credentials", "bearer",
        "privatekey", "refreshtoken", "idtoken", "jwt",
    }
)  # fmt: skip
_URL = re.compile(r"""https?://[^\s"'<>]+""", re.I)
_MIN_SECRET = 4  # shorter values are not replaced inside free text (too many false hits)


def _secret_name(name: str) -> bool:
    flat = re.sub(r"[-_.\s]", "", name).lower()
    return flat in SECRET_NAMES or flat.endswith(("apikey", "token", "secret", "signature", "password"))


def redact_url(url: str, names: bool = True) -> str:
    """`url` without its user info and with secret query values replaced by REDACTED.

    `names=False` leaves query parameters alone (an article URL's `?key=` may be its identity;
    `Redactor.item_url` replaces the source's own secret values there instead).
    """
    if not url or ("@" not in url and "=" not in url):
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{host if ':' not in host else f'[{host}]'}" + (f":{port}" if port else "")
    query = parts.query
    if names and "=" in query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_secret_name(k) for k, _ in pairs):
            query = urlencode(
                [(k, REDACTED if _secret_name(k) else v) for k, v in pairs], quote_via=quote, safe="/:,"
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def secrets_in(url: str) -> list[str]:
    """The secret values `url` carries (user info, secret query values), longest first."""
    try:
        parts = urlsplit(url)
        found = [parts.password or "", parts.username or ""] if "@" in parts.netloc else []
        found += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if _secret_name(k)]
    except ValueError:
        return []
    values = {v for v in found if len(v) >= _MIN_SECRET}
    values |= {quote(v, safe="") for v in values}
    return sorted(values, key=len, reverse=True)


class Redactor:
    """Redacts the secrets of some URLs (a source's) wherever they appear, and every URL's
    credentials, in text and in URLs."""

    def __init__(self, urls: Iterable[str] = ()) -> None:
        self.secrets: list[str] = sorted({s for u in urls for s in secrets_in(u)}, key=len, reverse=True)

    def url(self, url: str) -> str:
        return self._values(redact_url(url))

    def item_url(self, url: str) -> str:
        """An item's URL: user info and the source's secret values redacted, nothing else."""
        return self._values(redact_url(url, names=False))

    def item(self, item: Any) -> None:
        """Redact a RawItem in place: its URLs, and the source's secret values in every text field."""
        item.url = self.item_url(item.url)
        item.feed_url = self.url(item.feed_url)
        item.error = self.text(item.error)
        if self.secrets:
            for name in ("body", "feed_title", "feed_summary", "feed_author", "feed_section", "path"):
                setattr(item, name, self._values(getattr(item, name) or ""))

    def text(self, text: str) -> str:
        if not text:
            return text
        return self._values(_URL.sub(lambda m: redact_url(m.group(0)), text))

    def _values(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def redact_text(text: str, urls: Iterable[str] = ()) -> str:
    return Redactor(urls).text(text)


class RedactingFilter(logging.Filter):
    """Rewrites a log record whose message holds a URL with credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours
            return True
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


_FILTER = RedactingFilter()


def install_log_filter(*names: str) -> None:
    """Add the filter to newsflow's loggers (a logger's filters do not apply to its children)."""
    for name in names or (
        "newsflow",
        "newsflow.fetch",
        "newsflow.pipeline",
        "newsflow.state",
        "newsflow.health",
    ):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
