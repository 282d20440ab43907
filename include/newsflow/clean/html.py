"""HTML -> main text and page metadata, with trafilatura as the reference extractor.

The page is parsed once (without comments and processing instructions, see
`parse_html`); trafilatura reads a copy of that tree in its default mode. Only
when it finds too little text do the generic algorithms (trafilatura's recall
mode, jusText, readability) get a chance, and one replaces it only when it
earns its place (`_earns_place`: never "the longest wins"), recording which
extractor won so a slice of the index can be re-processed when an extractor
changes. Metadata comes from trafilatura and the page's own tags whichever
text wins (`newsflow.clean.metadata`). Measured on real pages by
`benchmarks/realpages_bench.py`; see docs/cleaning.md.
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.utils import is_dubious_html, repair_faulty_html

from newsflow.clean.boilerplate import StripResult, strip_boilerplate
from newsflow.clean.daysearch import search_day, url_day
from newsflow.clean.footer import agency_name
from newsflow.clean.metadata import (
    article_objects,
    choose_published,
    choose_title,
    clean_authors,
    iso_value,
    jsonld_objects,
    jsonld_people,
    modified_value,
    published_candidates,
    site_names,
)
from newsflow.clean.normalize import normalize_text
from newsflow.wordcount import count_words

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
    agencies: list[str] = field(default_factory=list)  # wire agencies named as the page's author
    anchors: Container[str] = frozenset()  # the page's link texts (`LinkTexts`): headline lists are links
    declared_article: bool = False  # og:type or JSON-LD says the page is one article
    body_candidates: list[tuple[str, str]] = field(default_factory=list)  # JSON-LD articleBody
    # The fixed furniture rules over `text` (normalised), run to judge its length: clean's text pass
    # starts from them rather than running them again (None when a fallback replaced the text).
    stripped: StripResult | None = None


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
        tokens = _take_tokens(block)
        for parts in _paragraph_runs(tokens):
            _append_paragraph(block, parts)


def _take_tokens(block: lxml.html.HtmlElement) -> list[object]:
    """The block's content as a flat run of text, breaks (`_BR`) and other children; the block is emptied."""
    tokens: list[object] = [block.text or ""]
    for child in list(block):
        block.remove(child)
        if child.tag == "br":
            tokens.extend([_BR, child.tail or ""])
        else:
            tokens.append(child)  # keeps its tail
    block.text = None
    return tokens


def _paragraph_runs(tokens: list[object]) -> list[list[object]]:
    """Split the run at each pair of breaks (whitespace between them does not count)."""
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
    return paragraphs


def _append_paragraph(block: lxml.html.HtmlElement, parts: list[object]) -> None:
    """One run as a <p> of the block; a run with no text adds nothing."""
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


def _fallbacks(tree: lxml.html.HtmlElement, url: str, lang: str | None) -> Iterator[tuple[str, str]]:
    """(name, text) from the generic algorithms, each on its own copy of the tree, one at a time.

    A generator: the caller stops at the first that earns its place, so the later (and
    costlier) ones run only when the earlier fail. jusText failing also skips readability.
    """
    try:
        doc = trafilatura.bare_extraction(  # it works on its own copy of a tree it is handed
            tree, url=url or None, favor_recall=True, include_comments=False,
            include_tables=False, with_metadata=False,
        )  # fmt: skip
    except Exception as exc:  # an extractor crash must not lose the item
        log.debug("trafilatura recall failed on %s: %s", url, exc)
        doc = None
    if doc is not None:
        yield "trafilatura-recall", _doc_text(doc)
    try:
        from trafilatura.external import try_justext, try_readability

        body = try_justext(copy.deepcopy(tree), url or None, lang)
        justext = "\n".join(" ".join(p.itertext()).strip() for p in body.iter("p"))
    except Exception as exc:
        log.debug("generic extractors failed on %s: %s", url, exc)
        return
    yield "justext", justext
    try:
        summary = try_readability(copy.deepcopy(tree))
        paras = [" ".join(" ".join(el.itertext()).split()) for el in summary.iter("p", "h2", "h3", "li")]
    except Exception as exc:
        log.debug("generic extractors failed on %s: %s", url, exc)
        return
    yield "readability", "\n".join(p for p in paras if p)


def _html_parser(**options: Any) -> lxml.html.HTMLParser:
    """trafilatura's parser settings, with lxml's C-level element class lookup.

    `lxml.html.HTMLParser` picks each element's class with a Python function
    (`HtmlElementClassLookup.lookup`), called every time an element is touched from
    Python: about 7,000 calls a page, mostly inside trafilatura, 3-5% of the cleaning's
    CPU on real pages. `ElementDefaultClassLookup` gives the same `HtmlElement`
    (`HtmlComment`, ...) from C; only the form-control subclasses (`FormElement`,
    `InputElement`, ...) are not used, and neither trafilatura nor we read form values.
    Extraction is identical on the real pages (`tests/unit/clean/test_clean_html.py`).
    """
    parser = lxml.html.HTMLParser(
        collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True, **options
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_PARSER = _html_parser(encoding="utf-8")  # trafilatura's `HTML_PARSER`
_FRAGMENT_PARSER = _html_parser()  # a fragment's bytes: lxml reads a declared encoding


def _from_bytes(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(html.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except Exception as exc:  # as trafilatura's loader: an unparseable page has no tree
        log.debug("lxml could not parse the page as bytes: %s", exc)
        return None


def _load(html: str) -> lxml.html.HtmlElement | None:
    """trafilatura's `load_html` steps for a string, with `_PARSER`.

    The same repairs (invalid XML characters, a broken doctype line, a self-closing
    <html/>), the same second try as bytes (a page starting with an XML encoding
    declaration), and the same refusal of a page that does not look like HTML and
    parses to a single element.
    """
    beginning = html[:50].lower()
    html = repair_faulty_html(html, beginning)
    tree: lxml.html.HtmlElement | None = None
    as_bytes = False
    try:
        tree = lxml.html.fromstring(html, parser=_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported"
        tree, as_bytes = _from_bytes(html), True
    except Exception as exc:
        log.debug("lxml could not parse the page: %s", exc)
    if (tree is None or len(tree) < 1) and not as_bytes:
        tree = _from_bytes(html)
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def parse_html(html: str) -> lxml.html.HtmlElement:
    """The page's tree, without comments and processing instructions.

    trafilatura, handed a tree with comments, drops the text after an HTML comment
    inside a paragraph: server-rendered React pages put `<!-- -->` between text runs,
    so every paragraph was cut short. Parsed as trafilatura's own loader parses
    (`_load`), which also takes pages that start with an XML encoding declaration; a
    fragment it refuses ("<p>...</p>" alone) is parsed here as bytes, which lxml accepts
    with a declaration too.
    """
    tree = _load(html)
    if tree is not None:
        return tree
    return lxml.html.fromstring(html.encode("utf-8", "surrogatepass"), parser=_FRAGMENT_PARSER)


class LinkTexts(Container[str]):
    """The page's link texts (`anchor_texts`), read from its tree the first time one is asked for.

    Most pages are never asked (an article fails the index-page test before its links are
    looked at; only short pages weigh fallbacks against them): 0.4 CPU ms a page saved.
    Reading them late is safe: after parsing, the tree is only changed by
    `unwrap_layout_tables`, which keeps every link whole; the extractors work on copies.
    """

    def __init__(self, tree: lxml.html.HtmlElement) -> None:
        self._tree: lxml.html.HtmlElement | None = tree
        self._texts: frozenset[str] = frozenset()

    def __contains__(self, text: object) -> bool:
        if self._tree is not None:
            self._texts, self._tree = anchor_texts(self._tree), None
        return text in self._texts


def anchor_texts(tree: lxml.html.HtmlElement) -> frozenset[str]:
    """The normalised texts of the page's links: a line of extracted text equal to one is a link."""
    texts = set()
    for a in tree.iter("a"):
        text = " ".join(" ".join(a.itertext()).split())
        if len(text) >= 12:
            texts.add(text.casefold())
    return frozenset(texts)


def linked_share(text: str, anchors: Container[str]) -> float:
    """Share of the non-empty lines of `text` that are link texts of the page."""
    lines = [" ".join(line.split()).casefold() for line in text.split("\n") if line.strip()]
    if not lines:
        return 0.0
    return sum(1 for line in lines if line in anchors) / len(lines)


EARNED_COVERAGE = 0.8  # a fallback must contain this share of the main text's words
EARNED_GROWTH = 3.0  # ... and be at most this many times as long (plus `min_words`)
EARNED_LINKED = 0.3  # ... and at most this share of its lines may be link texts


def _earns_place(name: str, text: str, main: str, anchors: Container[str], min_words: int) -> bool:
    """A fallback replaces a too-short main text only when it is the story, not the page.

    The longest candidate is usually reader comments, a sidebar of other stories' first
    paragraphs or cookie text: so it must reach `min_words` (counted after the fixed
    furniture rules), keep most of what the main extraction found (`main`, its story
    lines), not be much longer than it, and not be a list of links. The page's JSON-LD
    `articleBody` is the publisher's own statement of the body: it needs only the length.
    """
    words = story_words(text)
    if words < min_words:
        return False
    if name == "jsonld-articlebody":
        return True
    main_words = count_words(main)
    if words > EARNED_GROWTH * main_words + 10 * min_words:
        return False
    if main_words >= min_words // 2:  # a few stray words (a slogan, a caption) are no story to keep
        lines = {" ".join(line.split()) for line in normalize_text(text).split("\n")}
        kept = sum(count_words(line) for line in main.split("\n") if " ".join(line.split()) in lines)
        if kept < EARNED_COVERAGE * main_words:
            return False
    return linked_share(text, anchors) <= EARNED_LINKED


# trafilatura's own date search is only a stand-in for `_search_day` (which reads the page itself).
_CHEAP_DATE = {"extensive_search": False, "original_date": True}


def _search_day(html: str, url: str, language: str = "") -> str | None:
    """htmldate's publication day, its slow parser scoped to the page's language (`daysearch`)."""
    return search_day(html, url, language)


def _publication_day(
    html: str, url: str, language: str, quick: str | None, candidates: list[str]
) -> str | None:
    """The day of publication (YYYY-MM-DD) as htmldate's extensive search finds it on the page.

    trafilatura already ran htmldate's quick search on our tree (`quick`). Both searches
    read the URL, the header's tags and JSON-LD first and stop there: when the quick one
    lands on the day all of the page's structured values state, the extensive one (a second
    parse of the page and a scan of its text, about 15 CPU ms) finds that day too, and is
    skipped. So is it when the page states no structured value to contradict the quick day:
    on the 236 such dated real pages it changed the stored date on one, to a wrong day. When
    they disagree (an instant and its UTC copy on two days), or the quick search found
    nothing, the extensive search decides.
    """
    day = iso_value(quick or "")
    if day and all(value[:10] == day[:10] for value in candidates):
        return day[:10]
    day = iso_value(_search_day(html, url, language) or quick or "")
    return day[:10] if day else None


def story_lines(text: str) -> str:
    """`text` without the lines the fixed furniture rules remove (PHP warnings, share bars, credits).

    A main text that is long only because of such lines is as good as empty: the
    fallbacks must get their chance before the page is judged too short.
    """
    return "\n".join(strip_boilerplate(normalize_text(text)).lines) if text else ""


def story_words(text: str) -> int:
    return count_words(story_lines(text))


_ARTICLE_TYPES = re.compile(r"article|posting|report|story", re.I)


def declares_article(tree: lxml.html.HtmlElement, objects: list[dict[str, Any]]) -> bool:
    """The page says it is one article (og:type, a JSON-LD article type): a short text is a short story."""
    if _meta(tree, "og:type").lower() == "article":
        return True
    for obj in article_objects(objects):
        kind = obj.get("@type") or ""
        if any(_ARTICLE_TYPES.search(str(k)) for k in (kind if isinstance(kind, list) else [kind])):
            return True
    return False


def _metadata(out: Extraction, doc: object, tree: lxml.html.HtmlElement, url: str, html: str) -> None:
    """Title, dates, authors, site and the rest from trafilatura's document and the page's own tags."""
    objects = jsonld_objects(tree)
    out.declared_article = declares_article(tree, objects)
    # The publisher's own statement of the body, for pages whose text is rendered by script.
    out.body_candidates = [
        ("jsonld-articlebody", str(obj["articleBody"]))
        for obj in article_objects(objects)
        if isinstance(obj.get("articleBody"), str) and obj["articleBody"].strip()
    ][:1]
    out.site_name = " ".join((getattr(doc, "sitename", None) or "").split())
    sites = site_names(tree, objects, out.site_name, url)
    social = " ".join((getattr(doc, "title", None) or "").split())
    out.title = choose_title(tree, objects, social, sites)
    out.description = " ".join((getattr(doc, "description", None) or "").split())
    out.section = (getattr(doc, "categories", None) or [""])[0] or _meta(tree, "article:section")
    out.tags = list(getattr(doc, "tags", None) or [])
    image = getattr(doc, "image", None)
    out.image = urljoin(url, image) if image else ""
    out.canonical_url = out.canonical_url or (getattr(doc, "url", None) or "")
    candidates = published_candidates(tree, objects)
    day = _publication_day(html, url, out.page_language, getattr(doc, "date", None), candidates)
    out.updated_at = modified_value(tree, objects)
    out.published_at = choose_published(candidates, day, url_day(url))
    people, orgs = jsonld_people(objects)
    named = [getattr(doc, "author", None) or ""] + people
    if not any(named):
        # trafilatura drops some bylines it finds implausible (e.g. "AFP"); the meta tag still tells us.
        named = [_meta(tree, "author", "article:author", "byl", "dc.creator", "sailthru.author")]
    out.agencies = [a for a in (agency_name(n) for v in named for n in re.split(r"[;|,/]", v)) if a]
    out.authors = clean_authors([v for v in named if v], sites, orgs)


def extract_html(html: str, url: str = "", min_words: int = 40) -> Extraction:
    """Extract main text and metadata from one HTML page.

    trafilatura's default mode is the main call: it compares its own result with
    jusText's and readability's and keeps theirs only when its own looks wrong,
    which on the real pages beats both its precision mode and any "longest wins"
    policy. Only when its text is under `min_words` (the page would be rejected) do
    its recall mode and jusText get a chance, and only one that earns its place
    (`_earns_place`) replaces it. trafilatura's metadata is kept whichever text wins.
    """
    out = Extraction()
    try:
        tree = parse_html(html)
    except (etree.ParserError, ValueError, TypeError) as exc:
        out.parse_error = str(exc) or type(exc).__name__
        return out
    out.page_language = _page_language(tree)
    out.canonical_url = _canonical(tree, url)
    lang = out.page_language.split("-")[0].lower() or None
    anchors = LinkTexts(tree)
    unwrap_layout_tables(tree)

    doc = None
    try:
        doc = trafilatura.bare_extraction(  # it works on its own copy of a tree it is handed
            tree, url=url or None, favor_precision=False, include_comments=False,
            include_tables=True, with_metadata=True, deduplicate=False, date_extraction_params=_CHEAP_DATE,
        )  # fmt: skip
    except Exception as exc:
        log.warning("trafilatura failed on %s: %s", url, exc)
    out.extractor = "trafilatura"
    if doc is not None:
        out.text = _doc_text(doc)
    try:
        _metadata(out, doc, tree, url, html)
    except Exception as exc:  # metadata must never lose the text
        log.warning("metadata failed on %s: %s", url, exc)
    out.title = out.title or " ".join(" ".join(tree.xpath("//title//text()")).split())
    out.anchors = anchors

    out.stripped = strip_boilerplate(normalize_text(out.text)) if out.text else None
    story = "\n".join(out.stripped.lines) if out.stripped else ""  # `story_lines(out.text)`
    short = count_words(story) < min_words
    if short:
        for name, text in itertools.chain(out.body_candidates, _fallbacks(tree, url, lang)):
            if _earns_place(name, text, story, anchors, min_words):
                out.extractor, out.text, out.stripped = name, text, None
                break
        out.video = has_video(tree)
        out.link_density = link_density(tree)
        out.page_text = visible_text(tree)
    return out
