"""News sitemaps: the source type that has history, so backfills get each day's articles.

A news sitemap (`<urlset>` with `<news:news><news:publication_date>`, or plain `<lastmod>`)
lists a site's recent articles with their dates; a `<sitemapindex>` points at more sitemaps
(followed one level deep, newest first when they carry `<lastmod>`). Entries are kept only
when their date falls in the run's data interval, so a backfill over past days fetches each
day's pages once and the live run only the new ones. Entries without any date are kept only
for runs without an interval (a manual run with no logical date), since their day is unknown.

Parsing uses defusedxml: a sitemap is untrusted XML.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

from newsflow.timeutil import parse_iso_utc

log = logging.getLogger("newsflow.fetch")

MAX_CHILD_SITEMAPS = 50


class SitemapError(ValueError):
    """The body is not a sitemap we can read."""


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    published: datetime | None = None  # news:publication_date, else lastmod
    title: str = ""


@dataclass(frozen=True)
class Sitemap:
    entries: list[SitemapEntry]
    children: list[tuple[str, datetime | None]]  # (sitemap URL, lastmod) of a sitemap index


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: Element, name: str) -> Element | None:
    for sub in el:
        if _local(sub.tag) == name:
            return sub
    return None


def _text(el: Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def parse_date(value: str) -> datetime | None:
    """W3C datetime (`2026-11-20`, `2026-11-20T09:30:00+01:00`, `...Z`) as aware UTC."""
    value = value.strip()
    if not value:
        return None
    return parse_iso_utc(value)


def parse_sitemap(content: bytes | str) -> Sitemap:
    """Entries of a `<urlset>` or child sitemaps of a `<sitemapindex>`; raises SitemapError otherwise."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    try:
        root = SafeET.fromstring(content)
    except SafeET.ParseError as exc:
        raise SitemapError(f"not a sitemap: malformed XML ({exc})") from None
    except Exception as exc:  # defusedxml refuses entities and DTD tricks with its own errors
        raise SitemapError(f"refused: {type(exc).__name__}: {exc}") from None
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children = []
        for sm in root:
            loc = _text(_child(sm, "loc"))
            if loc:
                children.append((loc, parse_date(_text(_child(sm, "lastmod")))))
        return Sitemap(entries=[], children=children)
    if kind != "urlset":
        raise SitemapError(f"not a sitemap: root element <{kind}> (expected <urlset> or <sitemapindex>)")
    entries = []
    for url in root:
        loc = _text(_child(url, "loc"))
        if not loc:
            continue
        news = _child(url, "news")
        published = parse_date(_text(_child(news, "publication_date"))) if news is not None else None
        title = _text(_child(news, "title")) if news is not None else ""
        if published is None:
            published = parse_date(_text(_child(url, "lastmod")))
        entries.append(SitemapEntry(loc=loc, published=published, title=title))
    return Sitemap(entries=entries, children=[])


def in_window(when: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    """Is an entry's date inside [start, end)? An undated entry only counts when there is no window."""
    if start is None and end is None:
        return True
    if when is None:
        return False
    if start is not None and when < start.astimezone(UTC):
        return False
    return not (end is not None and when >= end.astimezone(UTC))


def child_may_hold(lastmod: datetime | None, start: datetime | None) -> bool:
    """A child sitemap last changed before the window started cannot list the window's articles."""
    return lastmod is None or start is None or lastmod >= start.astimezone(UTC)
