"""HTML -> main text and page metadata, with trafilatura as the reference extractor.

The page is parsed once with lxml; trafilatura reads that tree in precision
mode (a news index would rather lose a marginal paragraph than index a
sidebar). Only when it finds too little text do we try the generic algorithms
(trafilatura's recall mode, then jusText and readability on a copy of the
tree) and keep the longest result, recording which extractor won so a slice of
the index can be re-processed when an extractor changes.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml import etree

from newsflow.clean.footer import parse_date
from newsflow.clean.normalize import count_words

log = logging.getLogger(__name__)


@dataclass
class Extraction:
    """What the HTML page gave us: main text (one paragraph a line) and metadata."""

    text: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    updated_at: str | None = None
    description: str = ""
    canonical_url: str = ""
    site_name: str = ""
    section: str = ""
    image: str = ""
    page_language: str = ""
    tags: list[str] = field(default_factory=list)
    extractor: str = ""
    link_density: float | None = None
    page_text: str = ""  # all visible text (only when the extraction was short): shows walls and shells
    parse_error: str = ""
    video: bool = False  # the page is built around a video player (only looked at when the text is short)


def _meta(tree: lxml.html.HtmlElement, *names: str) -> str:
    """First non-empty <meta> content among property/name/itemprop `names`."""
    for name in names:
        for value in tree.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]/@content", n=name):
            value = " ".join(str(value).split())
            if value:
                return value
    return ""


def _page_language(tree: lxml.html.HtmlElement) -> str:
    """The language the page declares: <html lang>, xml:lang, Content-Language, og:locale."""
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not lang:
        lang = _meta(tree, "og:locale")
        for value in tree.xpath(
            "//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')='content-language']/@content"
        ):
            lang = lang or str(value)
    lang = lang.strip().split(",")[0].replace("_", "-")
    return lang if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", lang) else ""


def _canonical(tree: lxml.html.HtmlElement, base: str) -> str:
    for href in tree.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href"):
        href = str(href).strip()
        if href:
            return urljoin(base, href)
    og = _meta(tree, "og:url")
    return urljoin(base, og) if og else ""


_PLAYER = (
    "//video | //iframe[contains(@src, 'youtube') or contains(@src, 'vimeo') or contains(@src, 'dailymotion')"
    " or contains(@src, 'player')] | //*[contains(concat(' ', normalize-space(@class), ' '), ' video-player ')]"
)


def has_video(tree: lxml.html.HtmlElement) -> bool:
    """True when the page declares itself a video (og:type, og:video, twitter:player) or embeds a player."""
    if _meta(tree, "og:type").lower().startswith("video"):
        return True
    if _meta(tree, "og:video", "og:video:url", "og:video:secure_url", "twitter:player"):
        return True
    return bool(tree.xpath(_PLAYER))


def link_density(tree: lxml.html.HtmlElement) -> float | None:
    """Share of the visible body text that sits inside links (index pages are mostly links)."""
    bodies = tree.xpath("//body")
    if not bodies:
        return None
    body = bodies[0]
    total = 0
    linked = 0
    for node in body.iter():
        if not isinstance(node.tag, str) or node.tag in {"script", "style", "noscript", "template"}:
            continue
        text = len((node.text or "").strip())
        total += text
        if node.tag == "a" or any(a.tag == "a" for a in node.iterancestors()):
            linked += text
        total += len((node.tail or "").strip())
    return linked / total if total else None


_NOT_PROSE = frozenset(
    {
        "a",
        "nav",
        "footer",
        "header",
        "aside",
        "form",
        "figcaption",
        "button",
        "label",
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "select",
        "option",
    }
)
PROSE_MIN_WORDS = 12  # a text run this long is a sentence of someone's prose, not a label or a link
COVERAGE = 0.6  # below this share of the page's prose, the main extraction lost part of the story


def prose_words(tree: lxml.html.HtmlElement) -> int:
    """Words in the page's sentence-length text runs outside links, navigation, headers and footers.

    An upper bound of what the story can be: when the precision extraction
    keeps much less than this (a live blog cut after its first entry, a story
    split over sibling blocks), the generic extractors get a chance.
    """
    total = 0
    for node in tree.iter():
        if not isinstance(node.tag, str) or node.tag in _NOT_PROSE:
            continue
        if any(a.tag in _NOT_PROSE for a in node.iterancestors()):
            continue
        words = len((node.text or "").split())
        if words >= PROSE_MIN_WORDS:
            total += words
    return total


LAYOUT_CELL_WORDS = 80  # a table cell holding this many words is a page column, not data
_BLOCKS = ("table", "div", "p", "h1", "h2", "h3", "ul", "ol", "article", "section")


def unwrap_layout_tables(tree: lxml.html.HtmlElement) -> int:
    """Turn layout tables (pages built as a grid of cells) into plain blocks; returns how many.

    Extractors keep tables as data and print a layout table's navigation,
    story and sidebar as one row of cells. A table whose cell holds a column
    of prose, or nested blocks, is layout: its rows and cells become <div>s
    (inner tables first), so the story can be told apart from its neighbours.
    """
    changed = 0
    for table in reversed(list(tree.iter("table"))):
        cells = table.xpath("./tr/td | ./tbody/tr/td | ./thead/tr/td")
        layout = any(
            len(" ".join(cell.itertext()).split()) >= LAYOUT_CELL_WORDS or cell.find(".//table") is not None
            or any(child.tag in _BLOCKS for child in cell)
            for cell in cells
        )  # fmt: skip
        if not layout:
            continue
        for node in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")]:
            node.tag = "div"
            for attr in ("width", "valign", "colspan", "rowspan", "align"):
                node.attrib.pop(attr, None)
        _split_br_paragraphs(table)
        changed += 1
    return changed


_BR = object()  # a <br> in a token stream


def _split_br_paragraphs(root: lxml.html.HtmlElement) -> None:
    """ "text<br><br>text" inside a block: each run between double breaks becomes its own <p>."""
    for block in list(root.iter("div")):
        if sum(1 for c in block if c.tag == "br") < 2:
            continue
        tokens: list[object] = [block.text or ""]
        for child in list(block):
            block.remove(child)
            if child.tag == "br":
                tokens.extend([_BR, child.tail or ""])
            else:
                tokens.append(child)  # keeps its tail
        block.text = None
        paragraphs: list[list[object]] = [[]]
        for token in tokens:
            current = paragraphs[-1]
            if token is _BR:
                blank = [t for t in current if not (isinstance(t, str) and not t.strip())]
                if blank and blank[-1] is _BR:  # the second break of a pair: a new paragraph
                    while current and current[-1] is not _BR:
                        current.pop()
                    current.pop()
                    paragraphs.append([])
                    continue
            current.append(token)
        for parts in paragraphs:
            p = etree.SubElement(block, "p")
            for part in parts:
                if isinstance(part, str):
                    if len(p):
                        p[-1].tail = (p[-1].tail or "") + part
                    else:
                        p.text = (p.text or "") + part
                else:
                    p.append(etree.Element("br") if part is _BR else part)  # type: ignore[arg-type]
            if not "".join(p.itertext()).strip():
                block.remove(p)


def visible_text(tree: lxml.html.HtmlElement) -> str:
    """The page's text as a reader (or a browser without JavaScript) sees it, one block a line."""
    parts: list[str] = []
    for node in tree.iter():
        if not isinstance(node.tag, str) or node.tag in {"script", "style", "template", "head"}:
            continue
        if any(a.tag in {"script", "style", "template", "head"} for a in node.iterancestors()):
            continue
        for piece in (node.text, node.tail):
            piece = " ".join((piece or "").split())
            if piece:
                parts.append(piece)
    return "\n".join(parts)


def _doc_text(doc: object) -> str:
    text = getattr(doc, "text", None) or ""
    return str(text)


def _fallbacks(tree: lxml.html.HtmlElement, url: str, lang: str | None) -> list[tuple[str, str]]:
    """(name, text) from the generic algorithms, each on its own copy of the tree."""
    results: list[tuple[str, str]] = []
    try:
        doc = trafilatura.bare_extraction(
            copy.deepcopy(tree), url=url or None, favor_recall=True, include_comments=False,
            include_tables=False, with_metadata=False,
        )  # fmt: skip
        if doc is not None:
            results.append(("trafilatura-recall", _doc_text(doc)))
    except Exception as exc:  # an extractor crash must not lose the item
        log.debug("trafilatura recall failed on %s: %s", url, exc)
    try:
        from trafilatura.external import try_justext, try_readability

        body = try_justext(copy.deepcopy(tree), url or None, lang)
        results.append(("justext", "\n".join(" ".join(p.itertext()).strip() for p in body.iter("p"))))
        summary = try_readability(copy.deepcopy(tree))
        paras = [" ".join(" ".join(el.itertext()).split()) for el in summary.iter("p", "h2", "h3", "li")]
        results.append(("readability", "\n".join(p for p in paras if p)))
    except Exception as exc:
        log.debug("generic extractors failed on %s: %s", url, exc)
    return results


def _date(value: str | None) -> str | None:
    return parse_date(value) if value else None


def extract_html(html: str, url: str = "", min_words: int = 40) -> Extraction:
    """Extract main text and metadata from one HTML page.

    `min_words` is the point below which the precision-mode text is "too
    little" and the fallback extractors are tried.
    """
    out = Extraction()
    try:
        tree = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        out.parse_error = str(exc) or type(exc).__name__
        return out
    out.page_language = _page_language(tree)
    out.canonical_url = _canonical(tree, url)
    lang = out.page_language.split("-")[0].lower() or None
    unwrap_layout_tables(tree)

    doc = None
    try:
        doc = trafilatura.bare_extraction(
            tree, url=url or None, fast=True, favor_precision=True, include_comments=False,
            include_tables=True, with_metadata=True, deduplicate=False,
        )  # fmt: skip
    except Exception as exc:
        log.warning("trafilatura failed on %s: %s", url, exc)
    if doc is not None:
        out.text = _doc_text(doc)
        out.extractor = "trafilatura"
        out.title = " ".join((doc.title or "").split())
        out.authors = [a.strip() for a in re.split(r";|\|", doc.author or "") if a.strip()]
        out.description = " ".join((doc.description or "").split())
        out.site_name = " ".join((doc.sitename or "").split())
        out.section = (doc.categories or [""])[0]
        out.tags = list(doc.tags or [])
        out.image = urljoin(url, doc.image) if doc.image else ""
        out.canonical_url = out.canonical_url or (doc.url or "")
        out.published_at = _date(doc.date)
    # A full timestamp from the page's own meta beats htmldate's day when they agree on the day.
    meta_published = _date(_meta(tree, "article:published_time", "og:article:published_time",
                                 "datePublished", "pubdate", "publishdate", "dc.date.issued", "date"))  # fmt: skip
    if meta_published and (not out.published_at or meta_published[:10] == out.published_at[:10]):
        out.published_at = meta_published
    out.updated_at = _date(_meta(tree, "article:modified_time", "og:updated_time", "dateModified"))
    if not out.authors:
        # trafilatura drops some bylines it finds implausible (e.g. "AFP"); the meta tag still tells us.
        author = _meta(tree, "author", "article:author", "byl", "dc.creator", "sailthru.author")
        if author and "://" not in author and len(author.split()) <= 12:
            out.authors = [a.strip() for a in re.split(r";|\||,", author.removeprefix("By ")) if a.strip()]
    out.section = out.section or _meta(tree, "article:section")
    out.title = out.title or " ".join(" ".join(tree.xpath("//title//text()")).split())

    words = count_words(out.text)
    short = words < min_words
    prose = prose_words(tree)
    if short or words < COVERAGE * prose:
        # Generic extractors, longest wins; past 1.5 times the page's prose a result is the whole page.
        ceiling = 1.5 * prose + min_words
        best = (words, out.extractor, out.text)
        for name, text in _fallbacks(tree, url, lang):
            found = count_words(text)
            if found > best[0] and (short or found <= ceiling):
                best = (found, name, text)
        _, out.extractor, out.text = best
        out.extractor = out.extractor or "trafilatura"
    if short:
        out.video = has_video(tree)
        out.link_density = link_density(tree)
        out.page_text = visible_text(tree)
    return out
