"""RSS/Atom parsing with feedparser, strict about what is a feed and safe against entity tricks."""

from __future__ import annotations

import calendar
import html
import io
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

log = logging.getLogger("newsflow.fetch")

_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_HTML_START = re.compile(r"<!DOCTYPE\s+html|<html[\s>]", re.I)
# On the XML declaration only (at most 1 KiB: see _declared_utf8); `[^>\s]` and `\s+` cannot
# match the same character, so there is no backtracking between them.
_XML_DECL_ENCODING = re.compile(
    r"^(\s*<\?xml(?:\s+[^>\s=]+\s*=\s*([\"'])[^\"'<>]*\2)*?)\s+encoding\s*=\s*([\"'])[^\"'<>]*\3", re.I
)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class FeedError(ValueError):
    """The body is not a usable RSS/Atom feed (malformed, HTML, or unsafe)."""


@dataclass
class FeedEntry:
    link: str  # absolute URL of the article
    title: str = ""
    summary: str = ""  # plain text
    published: str = ""  # ISO 8601, UTC ("" if the feed gave no date)
    author: str = ""
    section: str = ""  # first category/tag
    guid: str = ""
    language: str = ""  # the entry's xml:lang, else the feed's <language> ("" if neither)


def _head_text(content: bytes, limit: int | None = 65536) -> str:
    """The document (its first `limit` bytes, or all of it), as text, in its own UTF-16 or UTF-8."""
    head = content[:limit] if limit else content
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if head[:4] in (b"<\x00?\x00", b"\x00<\x00?", b"<\x00!\x00", b"\x00<\x00!", b"<\x00r\x00", b"\x00<\x00r"):
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", errors="ignore")
    return head.decode("utf-8", errors="ignore")


def _looks_like_html(head: str) -> bool:
    """Does the document start (after an XML declaration, comments and blanks) as an HTML page?

    A loop, not a regex: the old `(?:<!--.*?-->\\s*)*` pattern backtracked exponentially on a
    prolog of a few dozen comments (7.8 s at 24, doubling with each one).
    """
    pos = len(head) - len(head.lstrip("\ufeff \t\r\n"))
    if head.startswith("<?xml", pos):
        end = head.find(">", pos)
        if end < 0:
            return False
        pos = end + 1
    while True:
        while pos < len(head) and head[pos] in " \t\r\n":
            pos += 1
        if not head.startswith("<!--", pos):
            break
        end = head.find("-->", pos + 4)
        if end < 0:
            return False
        pos = end + 3
    return _HTML_START.match(head, pos) is not None


def _declared_utf8(content: str) -> str:
    """The document with its XML declaration's encoding (if any) changed to UTF-8."""
    head, rest = content[:1024], content[1024:]
    return _XML_DECL_ENCODING.sub(r"\1 encoding=\3utf-8\3", head, count=1) + rest


def _plain(value: str) -> str:
    if not value:
        return ""
    text = _TAG.sub(" ", value)
    return _SPACE.sub(" ", html.unescape(text)).strip()


def _iso(struct: object) -> str:
    if not struct:
        return ""
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC).isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return ""


def _is_http_url(value: str) -> bool:
    try:
        return urlsplit(value).scheme in ("http", "https")
    except ValueError:
        return False


def parse_feed(content: bytes | str, base_url: str) -> list[FeedEntry]:
    """Entries of an RSS or Atom feed, links resolved against `base_url`, identical links dropped.

    Raises FeedError for a body that is not a feed (HTML, malformed XML with no entries,
    declared entities). A valid feed with no items gives an empty list.
    """
    content = _checked_body(content)
    parsed = feedparser.parse(
        io.BytesIO(content),
        # application/xml: the document's own XML declaration decides the encoding (RFC 7303)
        response_headers={"content-location": base_url, "content-type": "application/xml"},
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    entries: list[Any] = parsed.get("entries") or []
    bozo_exc: BaseException | None = parsed.get("bozo_exception") if parsed.get("bozo") else None
    _check_parsed(parsed.get("version") or "", entries, bozo_exc, base_url)

    feed_language = _plain(str((parsed.get("feed") or {}).get("language") or "")).strip()
    out: list[FeedEntry] = []
    seen: set[str] = set()
    skipped = 0
    for entry in entries:
        guid = (entry.get("id") or "").strip()
        link = _entry_link(entry, guid, base_url)
        if not link:
            skipped += 1
            continue
        if link in seen:
            log.info("feed %s lists %s more than once; keeping the first", base_url, link)
            continue
        seen.add(link)
        out.append(_feed_entry(entry, link, guid, feed_language))
    if skipped:
        log.warning("feed %s: %d entries without a usable link were skipped", base_url, skipped)
    if not out and bozo_exc is not None and not _harmless(bozo_exc):
        # A truncated feed can "recover" a stub entry without a link: still a broken feed, not an empty one.
        raise FeedError(f"malformed feed: {_bozo_message(bozo_exc)}")
    return out


def _checked_body(content: bytes | str) -> bytes:
    """The body as bytes for feedparser, checked before feedparser sees it: declared entities
    are refused outright (entity-expansion attacks), and an empty body, an HTML page or a body
    that is not XML gets an error naming what it is (a wrong URL shows as such). Raises FeedError."""
    if isinstance(content, str):
        # feedparser sniffs the encoding from bytes; hand it UTF-8 and say so.
        content = _declared_utf8(content.lstrip("\ufeff")).encode("utf-8", "replace")
    if not content.strip():
        raise FeedError("not a feed: empty body")
    head = _head_text(content)
    # the whole body, decoded as the head was: a UTF-16 feed read as UTF-8 past 64 KB hid its entities
    whole = head if len(content) <= 65536 else _head_text(content, None)
    if _ENTITY_DECL.search(whole):
        raise FeedError(
            "refused: the feed declares XML entities (<!ENTITY ...>), which can be used for entity-expansion attacks"
        )
    if _looks_like_html(head):
        raise FeedError("not a feed: got an HTML page instead of RSS/Atom")
    start = head.lstrip("\ufeff \t\r\n")
    if not start.startswith("<"):
        raise FeedError(f"not a feed: the body is not XML (it starts with {start[:40]!r})")
    return content


def _check_parsed(version: str, entries: list[Any], bozo_exc: BaseException | None, base_url: str) -> None:
    """Raise FeedError unless feedparser found a feed: no RSS/Atom root, or a real XML error
    with nothing recovered, is a broken source. Entries recovered from a not-well-formed feed
    are still used rather than losing the source to one flaw, with a warning unless the flaw
    is harmless (an encoding or content-type mismatch)."""
    if not version:
        if bozo_exc is not None:
            raise FeedError(f"malformed feed: {_bozo_message(bozo_exc)}")
        raise FeedError("not a feed: no RSS or Atom root element")
    if bozo_exc is None:
        return
    if not entries and not _harmless(bozo_exc):
        raise FeedError(f"malformed feed: {_bozo_message(bozo_exc)}")
    level = logging.DEBUG if _harmless(bozo_exc) else logging.WARNING
    log.log(
        level,
        "feed %s is not well-formed (%s); using the %d entries feedparser recovered",
        base_url,
        _bozo_message(bozo_exc),
        len(entries),
    )


def _entry_link(entry: Any, guid: str, base_url: str) -> str:
    """The entry's absolute http(s) link, or "" when it has none we could fetch. A guid that is
    itself an http(s) URL stands in for a missing `<link>` (common in RSS 2.0 with
    `isPermaLink`)."""
    link = (entry.get("link") or "").strip()
    if not link and _is_http_url(guid):
        link = guid
    if not link:
        return ""
    link = urljoin(base_url, link)
    return link if _is_http_url(link) else ""


def _first_tag(entry: Any) -> str:
    """The entry's first non-empty category (term, else label) as its section: FeedEntry keeps
    one, and an empty category must not hide a later real one."""
    for tag in entry.get("tags") or []:
        term = (tag.get("term") or tag.get("label") or "").strip()
        if term:
            return str(term)
    return ""


def _feed_entry(entry: Any, link: str, guid: str, feed_language: str) -> FeedEntry:
    """One feedparser entry as our FeedEntry, every text field as plain text (feeds carry HTML
    in titles and summaries); the entry's own language wins over the feed's."""
    return FeedEntry(
        link=link,
        title=_plain(entry.get("title") or ""),
        summary=_plain(entry.get("summary") or ""),
        published=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
        author=_plain(entry.get("author") or ""),
        section=_first_tag(entry),
        guid=guid,
        language=_plain(str(entry.get("language") or "")).strip() or feed_language,
    )


def _harmless(exc: BaseException) -> bool:
    return isinstance(exc, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType))


def _bozo_message(exc: BaseException) -> str:
    msg = getattr(exc, "getMessage", None)
    text = msg() if callable(msg) else str(exc)
    line = getattr(exc, "getLineNumber", None)
    if callable(line):
        try:
            text = f"line {line()}: {text}"
        except Exception:  # best effort location
            pass
    return text or type(exc).__name__
