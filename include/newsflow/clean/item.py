"""One raw item through clean: payload -> main text, title and the page's own fields, or a rejection.

Kept as one module because its steps share the item's payload and extraction; the parts that
stand alone (HTML extraction, normalisation, boilerplate rules, footers, the quality gate) are
modules of their own beside it.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from newsflow.clean.boilerplate import StripResult, line_key, strip_boilerplate
from newsflow.clean.footer import agency_name, parse_date, parse_dateline
from newsflow.clean.html import Extraction, extract_html
from newsflow.clean.normalize import normalize_line, normalize_text, to_paragraphs
from newsflow.clean.quality import (
    INTERSTITIAL_MAX_WORDS,
    check_not_text,
    check_too_short,
    detect_index_page,
    detect_interstitial,
)
from newsflow.config import PIPELINE_VERSION, Settings
from newsflow.models import Article, Claims, RawItem
from newsflow.wordcount import count_words

log = logging.getLogger("newsflow.clean")

TITLE_MAX_WORDS = 25
SYNTH_TITLE_CHARS = 110


@dataclass
class _Payload:
    """The item's content after unwrapping JSON records: kind, body and what the record said."""

    kind: str
    body: str
    title: str = ""
    published: str = ""
    authors: list[str] = field(default_factory=list)
    description: str = ""
    section: str = ""


_JSON_TEXT = ("text", "body", "content", "article", "full_text", "maintext", "article_text")
_JSON_HTML = ("html", "raw_html", "content_html", "body_html")
_JSON_TITLE = ("title", "headline")
_JSON_DATE = ("published_at", "published", "date_published", "datePublished", "pubDate", "date", "seendate")
_JSON_AUTHOR = ("authors", "author", "byline")
_JSON_DESC = ("description", "summary", "lede", "abstract")
_HTML_HINT = re.compile(r"<(?:p|div|br|article|html|body|span|h[1-6])\b", re.I)


def _first_str(record: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return "; ".join(value)
    return ""


def _payload(raw: RawItem) -> _Payload:
    kind = (raw.kind or "html").lower()
    if kind != "json":
        if kind == "text" or (kind != "html" and not _HTML_HINT.search(raw.body[:5000])):
            return _Payload("text", raw.body)
        return _Payload("html", raw.body)
    try:
        record = json.loads(raw.body)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return _Payload("text", raw.body)
    html = _first_str(record, _JSON_HTML)
    text = _first_str(record, _JSON_TEXT)
    if not html and _HTML_HINT.search(text[:5000]):
        html, text = text, ""
    authors = [a.strip() for a in re.split(r";|\band\b", _first_str(record, _JSON_AUTHOR)) if a.strip()]
    return _Payload(
        kind="html" if html else "text",
        body=html or text,
        title=normalize_line(_first_str(record, _JSON_TITLE)),
        published=_first_str(record, _JSON_DATE),
        authors=authors,
        description=_first_str(record, _JSON_DESC),
        section=_first_str(record, ("section", "category")),
    )


def _plain(text: str) -> str:
    """Feed summaries often carry HTML; keep their words only."""
    if "<" in text and ">" in text:
        try:
            text = lxml.html.fromstring(text).text_content()
        except Exception:  # a broken fragment: keep it as written
            pass
    return normalize_line(text)


def _looks_like_title(line: str) -> bool:
    words = count_words(line)
    if words > TITLE_MAX_WORDS or parse_dateline(line):
        return False
    return not (line.endswith(".") and words > 12)


_SITE_SUFFIX = re.compile(r"\s+(?:[|·•»]|::|[-–—])\s+(?!.*\s(?:[|·•»]|::|[-–—])\s)[^|]{1,60}$")


def _title_head(title: str) -> str:
    """The headline without a trailing " | Site name" (or " - Site", " — Site")."""
    return _SITE_SUFFIX.sub("", title).strip() or title


def _synth_title(first_paragraph: str) -> str:
    """A title from the first sentence, for text items that have none ("first sentence…")."""
    sentence = re.split(r"(?<=[.!?])\s", first_paragraph, maxsplit=1)[0]
    if len(sentence) <= SYNTH_TITLE_CHARS:
        return sentence.rstrip(".")
    cut = sentence[:SYNTH_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


@dataclass
class CleanText:
    """The result of the text-level pass."""

    title: str
    text: str
    dateline: str
    strip: StripResult
    agency: list[str]
    page: str  # the normalised input, before boilerplate removal (the quality gate reads it)


def clean_text(text: str, title: str = "", learned: frozenset[str] = frozenset()) -> CleanText:
    """The text-level pass on its own: normalise, strip boilerplate, pick title and dateline.

    With `title` empty, the first line is the title when it looks like one;
    otherwise the first sentence stands in (the paragraph stays in the text).
    """
    page = normalize_text(text)
    return _clean_page(page, strip_boilerplate(page, learned), title)


def _clean_page(page: str, result: StripResult, title: str) -> CleanText:
    """`clean_text` from the normalised page and its stripped lines (`result.lines` is consumed)."""
    lines = result.lines
    content = [i for i, line in enumerate(lines) if line]
    title = normalize_line(title)
    if title:
        # The page or feed repeats its headline as the first line: drop the copy. A page title
        # often carries the site's name ("Headline | Site"): the body's copy is the headline alone.
        head = _title_head(title)
        keys = {line_key(title), line_key(head)}
        while content and line_key(lines[content[0]]) in keys:
            title = title if line_key(lines[content[0]]) == line_key(title) else head
            lines[content.pop(0)] = ""
    elif content and len(content) > 1 and _looks_like_title(lines[content[0]]):
        title = lines[content[0]]
        lines[content.pop(0)] = ""
    dateline = ""
    agency: list[str] = []
    if content:
        parsed = parse_dateline(lines[content[0]])
        if parsed:
            dateline = parsed.place
            agency = parsed.agency
            lines[content[0]] = parsed.rest
    if not title and content:
        title = _synth_title(lines[content[0]])
    return CleanText(
        title=title, text=to_paragraphs(lines), dateline=dateline, strip=result, agency=agency, page=page
    )


def _add(values: list[str], new: list[str]) -> None:
    values.extend(v for v in new if v and v not in values)


def _extract(raw: RawItem, settings: Settings) -> tuple[_Payload, Extraction]:
    payload = _payload(raw)
    if payload.kind == "html":
        return payload, extract_html(payload.body, raw.url, settings.min_words)
    return payload, Extraction()


def learning_text(raw: RawItem, settings: Settings | None = None) -> str:
    """The text `learn_boilerplate` should see for one item: extracted, normalised, fixed rules applied.

    Learn from this, not from `Article.text`: an article's text already lacks
    the learned lines, so learning from it would forget them on the next run
    and bring the furniture back the run after.
    """
    settings = settings or Settings()
    if raw.error or check_not_text(raw.body, raw.content_type):
        return ""
    payload, ext = _extract(raw, settings)
    body = ext.text if payload.kind == "html" else payload.body
    return "\n".join(strip_boilerplate(normalize_text(body)).lines)


def clean_item(
    raw: RawItem, settings: Settings | None = None, learned: frozenset[str] = frozenset()
) -> Article:
    """Clean one raw item into an Article; rejected items keep their lineage, text and title."""
    return _clean(raw, settings or Settings(), learned, None)


def clean_and_learn(
    raw: RawItem, settings: Settings | None = None, learned: frozenset[str] = frozenset()
) -> tuple[Article, str]:
    """`clean_item` plus the item's `learning_text`, from the same single parse of the page.

    The pipeline learns each source's furniture as it cleans; extracting every
    page twice for that would double the cost of the most expensive step.
    """
    sink: list[str] = []
    article = _clean(raw, settings or Settings(), learned, sink)
    return article, (sink[0] if sink else "")


def _clean(raw: RawItem, settings: Settings, learned: frozenset[str], sink: list[str] | None) -> Article:
    """The cleaned article, with what the feed said where the page said nothing (a rejected
    item too: the ledger shows its title)."""
    return _feed_fallbacks(_clean_raw(raw, settings, learned, sink), raw)


def _feed_fallbacks(art: Article, raw: RawItem) -> Article:
    """The feed's title, author, summary and section where clean found none (the feed's date is
    already a candidate in `claims["published"]`, which enrich checks like the others)."""
    if not art.title and raw.feed_title:
        art.title = raw.feed_title
    if not art.authors and raw.feed_author:
        art.authors = [raw.feed_author]
    if not art.description and raw.feed_summary:
        art.description = raw.feed_summary[:500]
    if not art.claims.get("section") and raw.feed_section:
        art.claims["section"] = raw.feed_section
    if not art.claims.get("published"):
        art.claims["published"] = _dates(parse_date(raw.feed_published))
    return art


def _dates(*values: str | None) -> list[str]:
    """The non-empty, distinct candidate dates, in order."""
    return list(dict.fromkeys(v for v in values if v))


def _first_pass(page: str, learned: frozenset[str], done: StripResult | None) -> StripResult:
    """The furniture rules over the normalised `page`: extraction already ran them (`done`) when
    nothing is learned yet, as on the pipeline's first pass."""
    return done if done is not None and not learned else strip_boilerplate(page, learned)


def _clean_raw(raw: RawItem, settings: Settings, learned: frozenset[str], sink: list[str] | None) -> Article:
    art = Article(
        url=raw.url,
        source=raw.source,
        feed_url=raw.feed_url,
        path=raw.path,
        line=raw.line,
        fetched_at=raw.fetched_at,
        pipeline_version=PIPELINE_VERSION,
    )
    if raw.error:
        return art.reject(f"fetch_error: {raw.error}")
    reason = check_not_text(raw.body, raw.content_type)
    if reason:
        return art.reject(reason)

    payload, ext = _extract(raw, settings)
    if ext.parse_error:
        return art.reject(f"not_text: unparseable HTML ({ext.parse_error})")
    body = ext.text if payload.kind == "html" else payload.body
    title = (ext.title if payload.kind == "html" else "") or payload.title or raw.feed_title
    art.extractor = ext.extractor if payload.kind == "html" else "text"
    # One normalisation and, with nothing learned yet (the pipeline's first pass), one
    # boilerplate pass serve both the learning text and the article.
    page = normalize_text(body)
    stripped = _first_pass(page, learned, ext.stripped if payload.kind == "html" else None)
    if sink is not None:
        bare = stripped if not learned else strip_boilerplate(page)
        sink.append("\n".join(bare.lines))
    cleaned = _clean_page(page, stripped, title)
    credits = cleaned.strip.credits
    if cleaned.strip.removed:
        log.debug("%s: removed %s", raw.url, dict(cleaned.strip.reasons()))

    art.title = cleaned.title
    art.text = cleaned.text
    art.dateline = cleaned.dateline
    art.site_name = ext.site_name
    art.image = ext.image
    # What a listing says (a news API's `api_language`, `api_country`) stands in when the page is silent.
    listing = raw.source_meta or {}
    art.page_language = ext.page_language or str(listing.get("api_language") or "")
    art.description = normalize_line(ext.description) or _plain(payload.description or raw.feed_summary)

    authors, agencies = _people(raw, payload, ext, cleaned)
    art.authors = authors
    art.claims = Claims(
        published=_dates(
            ext.published_at,
            credits.published_at,
            parse_date(payload.published),
            parse_date(raw.feed_published),
        ),
        updated=_dates(ext.updated_at, credits.updated_at),
        publisher=credits.publisher,
        country=str(listing.get("api_country") or ""),
        section=ext.section or credits.section or payload.section or raw.feed_section,
        agency=agencies,
        canonical_url=ext.canonical_url,
    )

    reason = _quality_reason(raw, settings, payload, ext, cleaned, count_words(art.text))
    return art.reject(reason) if reason else art


def _people(
    raw: RawItem, payload: _Payload, ext: Extraction, cleaned: CleanText
) -> tuple[list[str], list[str]]:
    """(authors, agencies): bylines that name a wire agency are agencies, not authors."""
    credits = cleaned.strip.credits
    people = (
        ext.authors or credits.authors or payload.authors or ([raw.feed_author] if raw.feed_author else [])
    )
    agencies: list[str] = list(ext.agencies)
    authors: list[str] = []
    for person in people:
        agency = agency_name(person)
        if agency:
            _add(agencies, [agency])
        elif person.strip():
            _add(authors, [normalize_line(person)])
    _add(agencies, credits.agency)
    _add(agencies, cleaned.agency)
    return authors, agencies


def _quality_reason(
    raw: RawItem, settings: Settings, payload: _Payload, ext: Extraction, cleaned: CleanText, words: int
) -> str:
    """The quality gate: the first failing check is the reason ('' when the article passes)."""
    if raw.status_code is not None and raw.status_code >= 400:
        return f"interstitial: error page (HTTP {raw.status_code})"
    page = cleaned.page
    if words < INTERSTITIAL_MAX_WORDS:
        reason = detect_interstitial("\n".join((page, ext.page_text, cleaned.title)), words)
        if reason:
            return reason
    anchors = ext.anchors if payload.kind == "html" else None
    reason = detect_index_page(page.split("\n"), ext.link_density, anchors)
    if reason:
        return reason
    if ext.video and words < settings.min_words:
        return f"no_text: video page ({words} words beside the player)"
    if words == 0:
        return f"no_text: {'extractor found no article text' if payload.kind == 'html' else 'empty body'}"
    return check_too_short(words, _min_words(settings, ext, payload.kind)) or ""


SHORT_ARTICLE_WORDS = 12


def _min_words(settings: Settings, ext: Extraction, kind: str) -> int:
    """The length below which a text is no article: lower for a page that declares itself one.

    A blog post of three lines, declared an article by the page's og:type or JSON-LD,
    is a short article, not furniture; interstitials and index pages are caught before.
    """
    if kind == "html" and ext.declared_article:
        return min(settings.min_words, SHORT_ARTICLE_WORDS)
    return settings.min_words


def apply_learned(
    article: Article, learning: str, learned: frozenset[str], settings: Settings | None = None
) -> Article:
    """Strip a source's learned furniture from an article cleaned without it.

    `learning` is the item's `learning_text` (from `clean_and_learn`), so the
    page is not extracted again. An article that only furniture kept long
    enough is rejected as too short, like any other.
    """
    if article.rejected or not learned or not learning:
        return article
    if not any(line_key(line) in learned for line in learning.split("\n") if line.strip()):
        return article
    # `learning` is already normalised (normalize_text's output is a fixed point of it: ftfy
    # repairs each line until nothing changes), so only the boilerplate pass runs again.
    article.text = _clean_page(learning, strip_boilerplate(learning, learned), article.title).text
    reason = check_too_short(count_words(article.text), (settings or Settings()).min_words)
    if reason:
        article.reject(reason)
    return article
