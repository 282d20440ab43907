"""HTML extraction on small pages with site furniture (nav, login, related teasers, footer)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import lxml.html
import pytest
import trafilatura
from trafilatura.utils import load_html

from newsflow.clean import clean_item, html
from newsflow.clean.html import extract_html
from newsflow.models import RawItem
from newsflow.wordcount import count_words

P = [
    "Rivers across the northern provinces rose to their highest level in forty years on Tuesday, forcing "
    "thousands of residents to leave their homes as rescue teams worked through the night.",
    "The regional authority said more than 12,000 people had been moved to temporary shelters in schools and "
    "sports halls, and that the water was expected to keep rising until Thursday.",
    "\u201cWe have never seen anything like this,\u201d said Maria Lopez, a farmer whose fields lie under a metre "
    "of water. \u201cEverything we planted this spring is gone.\u201d",
    "Forecasters said more rain was due over the weekend, and the national weather service issued its highest "
    "warning level for three districts along the river valley.",
]

PAGE = f"""<!doctype html><html lang="en-GB"><head>
<meta charset="utf-8"><title>Rivers rise in the north | Example Times</title>
<meta property="og:title" content="Rivers rise in the north">
<meta property="og:site_name" content="Example Times">
<meta name="description" content="Flood warnings across the north.">
<meta property="og:image" content="/img/flood.jpg">
<meta property="article:published_time" content="2024-03-05T08:30:00+01:00">
<meta property="article:section" content="World">
<meta name="author" content="Jane Doe">
<link rel="canonical" href="https://example.com/world/rivers-rise">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="account"><a href="/login">Log in</a> <a href="/register">Register</a></div>
<article><h1>Rivers rise in the north</h1>
<p>{P[0]}</p><p>{P[1]}</p>
<div class="share">Share on Facebook | Share on Twitter</div>
<p>{P[2]}</p><p>{P[3]}</p>
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/a">Storm hits the coast</a></li>
<li><a href="/b">Dam fears grow in the valley</a></li></ul></aside>
<footer><p>&copy; 2024 Example Times. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


@pytest.fixture(scope="module")
def article():  # type: ignore[no-untyped-def]
    return clean_item(
        RawItem(source="example", url="https://example.com/world/rivers-rise?ref=rss", body=PAGE)
    )


def test_main_text_kept_furniture_gone(article) -> None:  # type: ignore[no-untyped-def]
    assert not article.rejected, article.reason
    assert article.text == "\n\n".join(P)
    for furniture in (
        "Home",
        "Log in",
        "Share on",
        "Storm hits",
        "Related",
        "All rights reserved",
        "Privacy",
    ):
        assert furniture not in article.text
    assert count_words(article.text) == 114


def test_metadata(article) -> None:  # type: ignore[no-untyped-def]
    assert article.title == "Rivers rise in the north"
    assert article.authors == ["Jane Doe"]
    assert article.claims["published"][0] == "2024-03-05T08:30:00+01:00"
    assert article.description == "Flood warnings across the north."
    assert article.claims["canonical_url"] == "https://example.com/world/rivers-rise"
    assert article.site_name == "Example Times"
    assert article.claims["section"] == "World"
    assert article.image == "https://example.com/img/flood.jpg"
    assert article.page_language == "en-GB"
    assert article.extractor == "trafilatura"
    assert article.url == "https://example.com/world/rivers-rise?ref=rss" and article.source == "example"


def test_date_without_time_stays_a_date() -> None:
    page = PAGE.replace("2024-03-05T08:30:00+01:00", "2024-03-05")
    assert extract_html(page, "https://example.com/x").published_at == "2024-03-05"


def test_agency_author_goes_to_agency() -> None:
    page = PAGE.replace('content="Jane Doe"', 'content="AFP"')
    article = clean_item(RawItem(source="ex", url="https://example.com/x", body=page))
    assert article.authors == [] and article.claims["agency"] == ["AFP"]


def test_text_in_spans_is_found() -> None:
    page = (f'<html><body><div id="nav"><a href="/">Home</a> <a href="/n">News</a></div>'
            f'<div id="main"><span>{P[0]}</span> <span>{P[1]}</span> <span>{P[3]}</span></div></body></html>')  # fmt: skip
    ext = extract_html(page, "https://example.org/a", min_words=40)
    assert P[0] in ext.text and P[3] in ext.text
    assert "Home" not in ext.text


def test_a_fallback_must_earn_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """The longest candidate (here a comment thread) no longer wins; one that keeps the story does."""
    page = f"<html><body><div><span>{P[0]}</span></div></body></html>"
    comments = "\n".join(
        f"Reader {i} says: I totally disagree with this, what a shame for the town." for i in range(80)
    )
    keeps_story = P[0] + "\n" + P[1]
    monkeypatch.setattr(
        html, "_fallbacks", lambda tree, url, lang: [("justext", comments), ("readability", keeps_story)]
    )
    ext = extract_html(page, "https://example.org/a", min_words=60)
    assert ext.extractor == "readability" and ext.text == keeps_story
    monkeypatch.setattr(html, "_fallbacks", lambda tree, url, lang: [("justext", comments)])
    ext = extract_html(page, "https://example.org/a", min_words=60)
    assert ext.extractor == "trafilatura" and "Reader" not in ext.text


def test_html_in_json_record() -> None:
    import json

    record = {"title": "Rivers rise", "html": PAGE, "published": "2024-03-05"}
    article = clean_item(
        RawItem(source="ex", url="https://example.com/x", kind="json", body=json.dumps(record))
    )
    assert article.text == "\n\n".join(P)
    assert article.extractor == "trafilatura"


def test_broken_html_does_not_crash() -> None:
    article = clean_item(RawItem(source="ex", url="u", body="<html><body><p>unclosed <b>tags " + P[0]))
    assert article.rejected and article.reason.startswith("too_short")


REALPAGES = Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / "realpages"


def _real_pages(count: int) -> list[str]:
    """Every `step`-th page of the real-pages set, decoded as the pipeline reads it (its absence fails)."""
    rows = [json.loads(line) for line in (REALPAGES / "index.jsonl").read_text().splitlines() if line.strip()]
    step = max(1, len(rows) // count)
    return [
        gzip.decompress((REALPAGES / row["page"]).read_bytes()).decode("utf-8", errors="replace")
        for row in rows[::step][:count]
    ]


@pytest.mark.parametrize(
    "page",
    [
        PAGE,
        '<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>Declared.</p></body></html>',
        "<!DOCTYPE html PUBLIC broken\n<html><body><p>Doctype line.</p></body></html>",
        "<html/>\n<body><p>Self-closing html.</p></body>",
        "plain words \x0b with a control character <b>and a tag</b>",
    ],
)
def test_parse_html_builds_trafilaturas_tree(page: str) -> None:
    """Our parser (C-level class lookup) gives the tree trafilatura's own loader gives."""
    ours, theirs = html.parse_html(page), load_html(page)
    if theirs is not None:
        assert lxml.html.tostring(ours) == lxml.html.tostring(theirs)
    assert all(isinstance(el, lxml.html.HtmlElement) for el in ours.iter() if isinstance(el.tag, str))


def test_parse_html_extracts_as_trafilaturas_tree_on_real_pages() -> None:
    """Same tree, and trafilatura reads it to the same text and metadata as its own loader's."""
    for page in _real_pages(25):
        ours, theirs = html.parse_html(page), load_html(page)
        assert lxml.html.tostring(ours) == lxml.html.tostring(theirs)
        docs = [
            trafilatura.bare_extraction(tree, with_metadata=True, date_extraction_params=html._CHEAP_DATE)
            for tree in (ours, theirs)
        ]
        fields = [
            {k: v for k, v in d.as_dict().items() if k not in {"body", "commentsbody"}} for d in docs if d
        ]
        assert len(fields) != 1 and (not fields or fields[0] == fields[1])
