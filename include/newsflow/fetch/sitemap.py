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

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
    root = _parse_xml(content)
    kind = _local(root.tag)
    if kind == "sitemapindex":
        return Sitemap(entries=[], children=_index_children(root))
    if kind != "urlset":
        raise SitemapError(f"not a sitemap: root element <{kind}> (expected <urlset> or <sitemapindex>)")
    entries = [entry for entry in (_url_entry(url) for url in root) if entry is not None]
    return Sitemap(entries=entries, children=[])


def _parse_xml(content: bytes | str) -> Element:
    """The root element of untrusted XML, parsed safely; every failure (malformed, or a DTD or
    entity trick defusedxml refuses) becomes a SitemapError that says which it was."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    try:
        root: Element = SafeET.fromstring(content)
    except SafeET.ParseError as exc:
        raise SitemapError(f"not a sitemap: malformed XML ({exc})") from None
    except Exception as exc:  # defusedxml refuses entities and DTD tricks with its own errors
        raise SitemapError(f"refused: {type(exc).__name__}: {exc}") from None
    return root


def _index_children(root: Element) -> list[tuple[str, datetime | None]]:
    """(URL, lastmod) of each child of a `<sitemapindex>`, in document order; a child without a
    `<loc>` cannot be followed, so it is left out."""
    children = []
    for sm in root:
        loc = _text(_child(sm, "loc"))
        if loc:
            children.append((loc, parse_date(_text(_child(sm, "lastmod")))))
    return children


def _url_entry(url: Element) -> SitemapEntry | None:
    """One `<url>` as an entry (None without a `<loc>`): the news extension's publication date
    and title when present, since `<lastmod>` also moves when an old page is edited."""
    loc = _text(_child(url, "loc"))
    if not loc:
        return None
    news = _child(url, "news")
    published = parse_date(_text(_child(news, "publication_date"))) if news is not None else None
    title = _text(_child(news, "title")) if news is not None else ""
    if published is None:
        published = parse_date(_text(_child(url, "lastmod")))
    return SitemapEntry(loc=loc, published=published, title=title)


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


# A date in a child sitemap's URL: 2026-11-20, 2026/11/20, 20261120, 2026-11, 2026/11, 202611.
_URL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)[-_/.]?(?P<m>0[1-9]|1[0-2])(?:[-_/.]?(?P<d>0[1-9]|[12]\d|3[01]))?(?!\d)"
)


def url_period(url: str) -> tuple[datetime, datetime] | None:
    """The period [start, end) a child sitemap's URL names (its last date in the URL), or None."""
    matches = list(_URL_DATE.finditer(url[-300:]))
    if not matches:
        return None
    found = matches[-1]
    year, month = int(found.group("y")), int(found.group("m"))
    try:
        if found.group("d"):
            start = datetime(year, month, int(found.group("d")), tzinfo=UTC)
            return start, start + timedelta(days=1)
        days = calendar.monthrange(year, month)[1]
        start = datetime(year, month, 1, tzinfo=UTC)
        return start, start + timedelta(days=days)
    except ValueError:
        return None


@dataclass(frozen=True)
class ChildPlan:
    read: list[str]  # child sitemap URLs to read, newest first
    skipped: int  # children that cannot hold the window


def plan_children(
    children: list[tuple[str, datetime | None]], start: datetime | None, end: datetime | None
) -> ChildPlan:
    """Which children of a sitemap index to read, and in what order.

    Every child that can hold the window is read (no fixed cap: the source's time budget bounds
    the work), newest first: by `<lastmod>`, else by the date its URL names; children with
    neither come last, in reverse document order (indexes are usually appended to). A child
    last modified before the window started, or whose URL names a period that ends before it
    (or starts after it), is skipped.
    """
    dated: list[tuple[datetime, int, str]] = []
    undated: list[tuple[int, str]] = []
    skipped = 0
    for pos, (loc, lastmod) in enumerate(children):
        period = url_period(loc)
        if not _may_hold(lastmod, period, start, end):
            skipped += 1
        elif lastmod is not None or period is not None:
            dated.append((lastmod or period[0], pos, loc))  # type: ignore[index]
        else:
            undated.append((pos, loc))
    ordered = [loc for _, _, loc in sorted(dated, key=lambda d: (d[0], d[1]), reverse=True)]
    ordered += [loc for _, loc in sorted(undated, reverse=True)]
    return ChildPlan(read=ordered, skipped=skipped)


def _may_hold(
    lastmod: datetime | None,
    period: tuple[datetime, datetime] | None,
    start: datetime | None,
    end: datetime | None,
) -> bool:
    if not child_may_hold(lastmod, start):
        return False
    if period is None or lastmod is not None:
        return True
    if start is not None and period[1] <= start.astimezone(UTC):
        return False
    return not (end is not None and period[0] >= end.astimezone(UTC))
