"""Date-range news APIs (GDELT DOC 2.0 style): the source type that has history by date.

A `newsapi` source asks a search API for the articles it saw in the run's data interval, so
a backfill over past days gets each day's articles and the live run only the new ones.
Dialect `gdelt` (the only one so far) speaks the GDELT DOC 2.0 API:

    <url>?query=<query>&mode=ArtList&format=json&maxrecords=250&sort=DateAsc
         &startdatetime=YYYYMMDDHHMMSS&enddatetime=YYYYMMDDHHMMSS        (UTC)

and reads `{"articles": [{"url", "title", "seendate": "20261120T101500Z", "domain",
"language": "English", "sourcecountry": "United Kingdom", ...}]}`; an empty body or `{}`
means no articles (GDELT answers that way).

Rules, and why:
- Window: the run's [window_start, window_end). A run without one (the CLI) asks for the
  24 hours before now (`DEFAULT_SPAN`). The API's bounds are whole seconds and taken as
  inclusive, so it is asked for [start, end - 1 s]: GDELT stamps articles on 15-minute marks,
  which is where windows begin and end, and an article seen at the boundary belongs to the
  next window. Only articles whose `seendate` falls in [start, end) are kept whatever the API
  returns, so consecutive windows never list an article twice; URLs are deduplicated.
- Splitting: the API returns at most `maxrecords` (250) articles per request. A request that
  comes back full is split in halves, recursively, so a busy day is not silently truncated.
  A window of `MIN_SPAN` (15 minutes, GDELT's update interval) is not split further: if it is
  still full, articles may be missing and the ledger says so.
- Rate limit: GDELT asks for at most one request every 5 seconds. Requests to one API host
  are spaced by the source's `min_interval` (default `DEFAULT_MIN_INTERVAL`), across the
  tasks of this machine too: the next free slot per host is kept in `<state>/newsapi.json`
  under a file lock; give the source `politeness: gentle` (a pool of one slot) so that runs
  and backfills on several workers do not ask at once. A 429/503 with `Retry-After` is
  retried by the session (`newsflow.fetch.http.make_session`, capped at 30 s).
- Failure: every request of the listing must succeed, else the source fails (NewsApiError,
  a FetchError) before any page is fetched, and Airflow retries the task. A half-listed
  window with status "ok" would be a silent hole that no later run fills (the run owns its
  window); the retry lists it again, and canonical-URL ids make re-fetching harmless.
- Pages are then fetched like sitemap entries (`fetch_pages`: one session, per-host limits);
  a page that fails becomes an item with `error`. The API's title and `seendate` become the
  item's feed title and published-date hint; its language, country and domain are kept in
  the item's `source_meta` as `api_language` (ISO 639-1), `api_country` (ISO 3166-1) and
  `api_domain`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pycountry
import requests

from newsflow import clock
from newsflow.config import Settings
from newsflow.fetch.conditional import conditional
from newsflow.fetch.http import fetch_url, make_session
from newsflow.fetch.items import FetchError, newest_item, page_item
from newsflow.fetch.parallel import fetch_pages
from newsflow.jsonstate import update_json
from newsflow.models import RawItem, scrub
from newsflow.redact import redact_url
from newsflow.sources import NEWSAPI_MAX_RECORDS, Source

log = logging.getLogger("newsflow.fetch")

DEFAULT_MIN_INTERVAL = 5.0  # seconds between requests to one API host (GDELT's published limit)
DEFAULT_SPAN = timedelta(hours=24)  # the window of a run that has none (CLI)
MIN_SPAN = timedelta(minutes=15)  # a full window shorter than twice this is not split
HISTORY = timedelta(days=90)  # GDELT DOC 2.0 searches about the last 3 months

_STAMP = "%Y%m%d%H%M%S"
_OURS = {"query", "mode", "format", "maxrecords", "sort", "startdatetime", "enddatetime"}

# GDELT spellings that pycountry does not know.
_LANGUAGES = {
    "greek": "el", "malay": "ms", "swahili": "sw", "filipino": "tl", "nepali": "ne",
    "sinhalese": "si", "punjabi": "pa", "pashto": "ps", "portugese": "pt",
}  # fmt: skip
_COUNTRIES = {
    "russia": "RU", "turkey": "TR", "ivory coast": "CI", "macedonia": "MK", "burma": "MM",
    "democratic republic of the congo": "CD", "brunei": "BN", "palestine": "PS",
    "cape verde": "CV", "swaziland": "SZ", "east timor": "TL", "vatican city": "VA",
    "micronesia": "FM", "kosovo": "XK",
}  # fmt: skip


class NewsApiError(FetchError):
    """The API could not be asked or its answer not read: the source fails and is retried."""


@dataclass(frozen=True)
class ApiArticle:
    url: str
    title: str = ""
    seen: datetime | None = None  # when the API saw it (UTC): our published-date hint
    domain: str = ""
    language: str = ""  # ISO 639-1 when known
    country: str = ""  # ISO 3166-1 alpha-2 of the outlet when known


@dataclass
class Listing:
    """What the API listed for a window, and what it cost."""

    articles: list[ApiArticle] = field(default_factory=list)
    requests: int = 0
    full: list[tuple[datetime, datetime]] = field(default_factory=list)  # still full at MIN_SPAN
    undated: int = 0  # entries without a readable seendate (dropped: their day is unknown)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime(_STAMP)


def request_url(endpoint: str, query: str, start: datetime, last: datetime, max_records: int) -> str:
    """The ArtList request for [start, last] (the API's bounds, inclusive); parameters already in
    `endpoint` are kept unless they are ours."""
    parts = urlsplit(endpoint)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _OURS]
    params += [
        ("query", query),
        ("mode", "ArtList"),
        ("format", "json"),
        ("maxrecords", str(max_records)),
        ("sort", "DateAsc"),
        ("startdatetime", _stamp(start)),
        ("enddatetime", _stamp(last)),
    ]
    return urlunsplit(parts._replace(query=urlencode(params, quote_via=quote)))


def parse_seendate(value: str) -> datetime | None:
    """`20261120T101500Z` (GDELT) as aware UTC; None when it is not that."""
    value = (value or "").strip()
    for fmt in ("%Y%m%dT%H%M%SZ", "%Y%m%d%H%M%S"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def language_code(name: str) -> str:
    """`English` → `en`; '' when unknown (a hint only: detection has the last word)."""
    name = (name or "").strip()
    if not name:
        return ""
    if name.lower() in _LANGUAGES:
        return _LANGUAGES[name.lower()]
    try:
        lang = pycountry.languages.lookup(name)
    except LookupError:
        return ""
    return getattr(lang, "alpha_2", "") or ""


def country_code(name: str) -> str:
    """`United Kingdom` → `GB`; GDELT's `Bahamas, The` style is read too; '' when unknown."""
    name = (name or "").strip()
    if name.lower().endswith(", the"):
        name = name[: -len(", the")]
    if not name:
        return ""
    if name.lower() in _COUNTRIES:
        return _COUNTRIES[name.lower()]
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return ""


def parse_articles(text: str) -> tuple[list[ApiArticle], int]:
    """(articles, count of entries without a readable seendate) of an ArtList JSON answer.

    An empty body or `{}` is no articles. Anything else that is not the expected JSON raises
    NewsApiError quoting the start of the body (GDELT explains refusals in plain text).
    """
    text = (text or "").strip()
    if not text:
        return [], 0
    try:
        data = json.loads(text, strict=False)  # strict=False: titles may hold raw control characters
    except json.JSONDecodeError as exc:
        raise NewsApiError(f"answer is not JSON ({exc.msg} at line {exc.lineno}): {_quote(text)}") from None
    if not isinstance(data, dict):
        raise NewsApiError(f"answer is JSON but not an object: {_quote(text)}")
    if "articles" not in data and (str(data.get("status", "")).lower() == "error" or "error" in data):
        # An error told in JSON with HTTP 200 is a refusal, not "no articles in this window".
        raise NewsApiError(f"answer is an error: {_quote(text)}")
    raw = data.get("articles", [])
    if not isinstance(raw, list):
        raise NewsApiError(f"'articles' is {type(raw).__name__}, not a list")
    articles: list[ApiArticle] = []
    undated = 0
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str) or not entry["url"].strip():
            continue
        seen = parse_seendate(str(entry.get("seendate") or ""))
        if seen is None:
            undated += 1
            continue
        articles.append(
            ApiArticle(
                url=entry["url"].strip(),
                title=scrub(str(entry.get("title") or "").strip()),  # a lone surrogate escape: U+FFFD
                seen=seen,
                domain=str(entry.get("domain") or "").strip(),
                language=language_code(str(entry.get("language") or "")),
                country=country_code(str(entry.get("sourcecountry") or "")),
            )
        )
    return articles, undated


def _quote(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return repr(flat[:limit] + ("…" if len(flat) > limit else ""))


def list_window(
    ask: Callable[[datetime, datetime], tuple[list[ApiArticle], int]],
    start: datetime,
    end: datetime,
    max_records: int,
    min_span: timedelta = MIN_SPAN,
) -> Listing:
    """Every article `ask` lists in [start, end), splitting full answers in halves (earliest first).

    `ask(a, b)` performs one request. A full answer (`max_records` articles) is replaced by the
    answers of its two halves, down to windows shorter than `2 * min_span`.
    """
    listing = Listing()
    pending = [(start, end)]
    while pending:
        a, b = pending.pop()
        got, undated = ask(a, b)
        listing.requests += 1
        if len(got) + undated >= max_records:
            half = timedelta(seconds=int((b - a).total_seconds()) // 2)
            if half >= min_span:
                pending += [(a + half, b), (a, a + half)]  # the earlier half is asked first
                continue
            listing.full.append((a, b))
        listing.undated += undated
        listing.articles += [x for x in got if x.seen is not None and a <= x.seen < b]
    first: dict[str, ApiArticle] = {}
    for art in sorted(listing.articles, key=lambda x: (x.seen, x.url)):
        first.setdefault(art.url, art)
    listing.articles = list(first.values())
    return listing


def window_of(
    start: datetime | None, end: datetime | None, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """The run's window in UTC, whole seconds; a missing end is now, a missing start end - DEFAULT_SPAN."""
    now = now or clock.now()
    end = (end.astimezone(UTC) if end.tzinfo else end.replace(tzinfo=UTC)) if end else now
    start = (
        (start.astimezone(UTC) if start.tzinfo else start.replace(tzinfo=UTC))
        if start
        else end - DEFAULT_SPAN
    )
    return start.replace(microsecond=0), end.replace(microsecond=0)


def _wait_for_slot(settings: Settings, endpoint: str, interval: float) -> None:
    """Sleep until this host's next free request slot and book the one after it.

    The slot is kept in `<state>/newsapi.json` under a lock, so parallel tasks (and the next
    run) on this machine keep the spacing too; across machines the `gentle` pool does.
    """
    if interval <= 0:
        return
    parts = urlsplit(endpoint)
    key = f"{parts.scheme}://{parts.netloc}"
    booked: dict[str, float] = {}

    def book(data: dict[str, Any]) -> None:
        now = time.time()
        slot = max(now, float(data.get(key, 0.0)))
        data[key] = slot + interval
        booked["at"], booked["now"] = slot, now

    update_json(Path(settings.state) / "newsapi.json", book)
    delay = booked["at"] - booked["now"]
    if delay > 0:
        time.sleep(delay)


def _asker(
    session: requests.Session, source: Source, settings: Settings, max_records: int
) -> Callable[[datetime, datetime], tuple[list[ApiArticle], int]]:
    interval = DEFAULT_MIN_INTERVAL if source.min_interval is None else float(source.min_interval)

    def ask(start: datetime, end: datetime) -> tuple[list[ApiArticle], int]:
        url = request_url(source.url, source.query, start, end - timedelta(seconds=1), max_records)
        _wait_for_slot(settings, source.url, interval)
        with conditional(session, {}) as seen:  # captures the answer's headers (Retry-After)
            got = fetch_url(session, url, settings)
        span = f"{start:%Y-%m-%d %H:%M:%S} to {end:%Y-%m-%d %H:%M:%S}"
        if got.error:
            hint = ""
            if got.status_code in (429, 503):
                after = {k.lower(): v for k, v in seen["headers"].items()}.get("retry-after", "")
                hint = (
                    f" (rate limited{'; Retry-After: ' + after if after else ''}: raise the source's "
                    "min_interval or give it a politeness pool with one slot)"
                )
            raise NewsApiError(f"request for {span} failed: {got.error}{hint} [{url}]")
        try:
            return parse_articles(got.text)
        except NewsApiError as exc:
            raise NewsApiError(f"request for {span}: {exc} [{url}]") from None

    return ask


def fetch_newsapi(
    source: Source,
    settings: Settings,
    limit: int,
    window_start: datetime | None,
    window_end: datetime | None,
    report: dict[str, Any],
) -> Iterator[RawItem]:
    """Raw items of a `newsapi` source for the window (see the module docstring)."""
    start, end = window_of(window_start, window_end)
    span = f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
    max_records = source.max_records or NEWSAPI_MAX_RECORDS
    meta = source.source_meta
    with make_session(settings) as session:
        try:
            listing = list_window(_asker(session, source, settings, max_records), start, end, max_records)
        except NewsApiError as exc:
            raise NewsApiError(f"source {source.name!r}: news API {redact_url(source.url)}: {exc}") from exc
        articles = listing.articles
        notes = report["notes"]
        notes.append(
            f"source {source.name}: news API listed {len(articles)} articles seen {span} "
            f"({listing.requests} requests)"
        )
        for a, b in listing.full:
            notes.append(
                f"source {source.name}: news API window {a:%Y-%m-%d %H:%M:%S} to {b:%H:%M:%S} still returned "
                f"{max_records} articles at the smallest split; articles of that window may be cut"
            )
            log.warning("source %s: window %s to %s full at the smallest split", source.name, a, b)
        if listing.undated:
            log.info(
                "source %s: %d API entries without a readable seendate skipped", source.name, listing.undated
            )
        if (source.dialect or "gdelt") == "gdelt" and start < clock.now() - HISTORY:
            notes.append(
                f"source {source.name}: the window starts more than {HISTORY.days} days ago; the GDELT DOC API "
                "only searches about the last 3 months"
            )
        if len(articles) > limit:
            notes.append(
                f"source {source.name}: {len(articles) - limit} listed articles beyond max_items={limit} not fetched"
            )
            articles = articles[:limit]
        log.info("source %s: news API listed %d articles for %s", source.name, len(articles), span)
        for art, page in fetch_pages(session, articles, settings, url_of=lambda a: a.url):
            extra = {"api_domain": art.domain, "api_language": art.language, "api_country": art.country}
            item = page_item(
                source,
                {**meta, **{k: v for k, v in extra.items() if v}},
                page,
                art.url,
                feed_title=art.title,
                feed_published=art.seen.isoformat() if art.seen else "",
            )
            if page.error:
                log.warning("source %s: %s: %s", source.name, art.url, page.error)
            report["last_item"] = newest_item(item, report.get("last_item"))
            yield item
