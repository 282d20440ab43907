"""clean_item end to end on small items: lineage, fetch errors, text and JSON records, feed fallbacks."""

from __future__ import annotations

import json

from newsflow.clean import clean_item, clean_text
from newsflow.config import PIPELINE_VERSION
from newsflow.models import Article, RawItem
from newsflow.wordcount import count_words

PARAS = [
    "The council voted on Tuesday to rebuild the old bridge across the river, ending a debate that had "
    "divided the town for more than ten years.",
    "Engineers said the work would take two summers and that a ferry would run while the bridge was closed, "
    "with extra buses for the schools on the far bank.",
]
BODY = "\n\n".join(PARAS)


def test_fetch_error_keeps_lineage() -> None:
    raw = RawItem(source="ex", url="https://e.x/a", error="HTTP 503 after 3 retries", fetched_at="2024-01-01T00:00:00Z",
                  path="/tmp/a.jsonl", line=7, feed_url="https://e.x/feed")  # fmt: skip
    article = clean_item(raw)
    assert isinstance(article, Article)
    assert article.rejected and article.reason == "fetch_error: HTTP 503 after 3 retries"
    assert (article.url, article.source, article.path, article.line) == (
        "https://e.x/a",
        "ex",
        "/tmp/a.jsonl",
        7,
    )
    assert article.fetched_at == "2024-01-01T00:00:00Z" and article.feed_url == "https://e.x/feed"
    assert article.pipeline_version == PIPELINE_VERSION


def test_text_first_line_is_title() -> None:
    article = clean_item(RawItem(source="ex", url="u", kind="text", body="Bridge to be rebuilt\n\n" + BODY))
    assert article.title == "Bridge to be rebuilt"
    assert article.text == BODY
    assert article.extractor == "text"
    assert count_words(article.text) == len(BODY.split()) == 55
    assert not article.rejected


def test_feed_title_wins_and_its_copy_is_dropped() -> None:
    raw = RawItem(
        source="ex",
        url="u",
        kind="text",
        body="Bridge to be rebuilt\n" + BODY,
        feed_title="Bridge to be rebuilt",
    )
    assert clean_item(raw).text == BODY
    raw = RawItem(source="ex", url="u", kind="text", body=BODY, feed_title="Council backs bridge")
    article = clean_item(raw)
    assert article.title == "Council backs bridge" and article.text == BODY


def test_paragraph_first_line_is_not_a_title() -> None:
    result = clean_text(BODY)
    assert result.text == BODY
    assert result.title.startswith("The council voted on Tuesday") and result.title.endswith("…")
    assert len(result.title) <= 111


def test_dateline_with_agency() -> None:
    article = clean_item(
        RawItem(source="ex", url="u", kind="text", body="Bridge\n\nLONDON (Reuters) - " + BODY)
    )
    assert article.dateline == "LONDON"
    assert article.claims["agency"] == ["Reuters"]
    assert article.text == BODY


def test_feed_fallbacks() -> None:
    raw = RawItem(source="ex", url="u", kind="text", body="Bridge\n\n" + BODY, feed_published="2024-02-01T10:00:00Z",
                  feed_author="Jane Doe", feed_section="Local", feed_summary="<p>The <b>bridge</b> vote.</p>")  # fmt: skip
    article = clean_item(raw)
    assert article.claims["published"][0] == "2024-02-01T10:00:00+00:00"
    assert article.authors == ["Jane Doe"]
    assert article.claims["section"] == "Local"
    assert article.description == "The bridge vote."


def test_a_listings_language_and_country_stand_in_for_the_page() -> None:
    meta = {"api_language": "fr", "api_country": "BE"}
    html = f"<html><body><article><h1>Bridge</h1><p>{PARAS[0]}</p><p>{PARAS[1]}</p></article></body></html>"
    article = clean_item(RawItem(source="api", url="https://e.x/a", kind="html", body=html, source_meta=meta))
    assert (article.page_language, article.claims["country"]) == ("fr", "BE")
    declared = html.replace("<html>", '<html lang="en">')
    article = clean_item(
        RawItem(source="api", url="https://e.x/a", kind="html", body=declared, source_meta=meta)
    )
    assert article.page_language == "en"


def test_json_record_with_text() -> None:
    record = {"headline": "Bridge to be rebuilt", "text": BODY, "date": "2024-02-01", "author": "Jane Doe"}
    article = clean_item(RawItem(source="ex", url="u", kind="json", body=json.dumps(record)))
    assert article.title == "Bridge to be rebuilt"
    assert article.text == BODY
    assert article.claims["published"][0] == "2024-02-01"
    assert article.authors == ["Jane Doe"]


def test_mojibake_and_controls_in_text_items() -> None:
    body = "Bridge\n\n" + BODY.replace("council", "councilâ€™s\x00") + "\x07"
    article = clean_item(RawItem(source="ex", url="u", kind="text", body=body))
    assert "council’s" in article.text and "\x00" not in article.text and "\x07" not in article.text


def test_is_pure() -> None:
    raw = RawItem(source="ex", url="u", kind="text", body="Bridge\n\nBy Jane Doe\n\n" + BODY)
    before = raw.to_dict()
    first, second = clean_item(raw), clean_item(raw)
    assert first == second
    assert raw.to_dict() == before
    assert first.authors == ["Jane Doe"]
