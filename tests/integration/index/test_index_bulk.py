"""Bulk indexing, languages, dead letters and exact-copy links against the search engine (embedded or real)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index.bulk import index_articles, record_links
from newsflow.index.search import SearchResult, search
from newsflow.index.template import ensure_index
from newsflow.models import DUPLICATE, REJECTED, UNCHANGED, UPDATED, Article

pytestmark = pytest.mark.integration

MakeArticle = Callable[..., Article]

# (language, text, a query word that only matches through that language's stemmer)
LANGUAGES = [
    ("fr", "Les chevaux galopent dans la prairie normande.", "cheval"),
    ("de", "Die alten Häuser am Hafen werden renoviert.", "Haus"),
    ("es", "Las ciudades costeras preparan nuevas defensas.", "ciudad"),
    ("ru", "Кошки спят на тёплом подоконнике весь день.", "кошка"),
    ("en", "The horses were running across the valley.", "horse"),
    ("it", "I cavalli corrono nella pianura.", "cavallo"),
    ("pt", "As cidades do interior crescem depressa.", "cidade"),
]


def ids(result: SearchResult) -> list[str]:
    return [h.id for h in result.hits]


def test_each_language_found_through_its_stemmer(
    client: Elasticsearch, settings: Settings, make_article: MakeArticle, missing_languages: list[str]
) -> None:
    """Where the engine lacks a language's analyzer (the bare minimal Elasticsearch), that
    language falls back to `standard`, which does not stem: the stem finds nothing there."""
    ensure_index(client, settings)
    articles = [make_article(f"doc-{lang}", text, language=lang) for lang, text, _ in LANGUAGES]
    report = index_articles(client, settings, articles)
    assert (report.indexed, report.failed) == (len(LANGUAGES), 0)
    for lang, _, word in LANGUAGES:
        expected = [] if lang in missing_languages else [f"doc-{lang}"]
        assert ids(search(client, settings, word)) == expected, lang
        assert ids(search(client, settings, word, lang=lang)) == expected, lang
    # the stemmed form is not in the standard-analyzed copy
    assert client.count(index=settings.index_alias, query={"match": {"text": "cheval"}})["count"] == 0


def test_unsupported_languages_found_through_the_fallback(
    client: Elasticsearch, settings: Settings, make_article: MakeArticle, missing_languages: list[str]
) -> None:
    ensure_index(client, settings)
    articles = [
        make_article("doc-nl", "De fietsers rijden langs de grachten van Amsterdam.", language="nl"),
        make_article("doc-und", "Zxqv plorb fnord wibble.", language="und"),
        make_article("doc-ar", "وصل الرئيس إلى العاصمة صباح اليوم", language="ar"),
    ]
    assert index_articles(client, settings, articles).indexed == 3
    assert ids(search(client, settings, "grachten")) == ["doc-nl"]
    assert ids(search(client, settings, "fnord")) == ["doc-und"]
    # arabic has its own field, standard-analyzed where the engine has no `arabic` analyzer
    # (the embedded server): either analysis finds the article through that field
    assert ids(search(client, settings, "العاصمة")) == ["doc-ar"]
    mappings = client.indices.get_mapping(index=settings.index_alias).body
    props = next(iter(mappings.values()))["mappings"]["properties"]
    assert props["text_ar"]["analyzer"] == ("standard" if "ar" in missing_languages else "arabic")
    assert props["text_fr"]["analyzer"] == ("standard" if "fr" in missing_languages else "french")
    assert client.count(index=settings.index_alias, query={"match": {"text_ar": "العاصمة"}})["count"] == 1
    source = client.get(index=settings.index_alias, id="doc-nl")["_source"]
    assert source["text_std"].startswith("De fietsers")


def test_malformed_document_goes_to_dead_letters(
    client: Elasticsearch, settings: Settings, make_article: MakeArticle
) -> None:
    ensure_index(client, settings)
    articles = [
        make_article("good-1", "A fine article about trains."),
        make_article("bad-1", "An article with a broken date.", published_at="last Tuesday"),
        make_article("good-2", "Another fine article about boats."),
    ]
    report = index_articles(client, settings, articles)
    assert (report.indexed, report.failed) == (2, 1)
    assert report.failures[0][0] == "bad-1"
    assert "published_at" in report.failures[0][1]
    assert report.dead_letters is not None
    assert report.dead_letters.parent == settings.home / "dead_letters"
    lines = [json.loads(x) for x in report.dead_letters.read_text().splitlines()]
    assert len(lines) == 1
    assert lines[0]["id"] == "bad-1"
    assert lines[0]["url"] == "https://example.org/bad-1"
    assert "published_at" in lines[0]["error"]
    assert lines[0]["document"]["published_at"] == "last Tuesday"
    assert client.count(index=settings.index_alias)["count"] == 2


def test_dead_letter_dir_argument(
    client: Elasticsearch, settings: Settings, make_article: MakeArticle, tmp_path: Path
) -> None:
    ensure_index(client, settings)
    report = index_articles(
        client, settings, [make_article("bad", "Words.", word_count="many")], dead_letter_dir=tmp_path / "dl"
    )
    assert report.failed == 1 and report.indexed == 0
    assert report.dead_letters is not None and report.dead_letters.parent == tmp_path / "dl"


def test_only_new_and_updated_are_written_and_reruns_overwrite(
    client: Elasticsearch, settings: Settings, make_article: MakeArticle
) -> None:
    ensure_index(client, settings)
    articles = [
        make_article("n1", "New article one."),
        make_article("n2", "Near copy joined to a story.", cluster_id="n1", is_canonical=False),
        make_article("u1", "Updated article.", status=UPDATED),
        make_article("s1", "Same as before.", status=UNCHANGED),
        make_article("d1", "Exact copy.", status=DUPLICATE),
        make_article("r1", "Too short.", status=REJECTED),
    ]
    report = index_articles(client, settings, articles)
    assert (report.indexed, report.skipped, report.failed) == (3, 3, 0)
    assert report.created == 3
    assert client.count(index=settings.index_alias)["count"] == 3

    again = index_articles(client, settings, articles)
    assert (again.indexed, again.created, again.updated) == (3, 0, 3)
    assert client.count(index=settings.index_alias)["count"] == 3
    stored = client.get(index=settings.index_alias, id="n2")["_source"]
    assert stored["cluster_id"] == "n1" and stored["is_canonical"] is False
    assert stored["minhash"] == {"values": [1, 2, 3]}


def test_record_links_adds_also_urls_and_update_keeps_them(
    client: Elasticsearch, settings: Settings, make_article: MakeArticle
) -> None:
    ensure_index(client, settings)
    index_articles(client, settings, [make_article("orig", "The original story.")])
    links = [
        ("orig", "https://copy.example/1"),
        ("orig", "https://copy.example/2"),
        ("orig", "https://copy.example/1"),
        ("missing", "https://copy.example/3"),
    ]
    assert record_links(client, settings, links) == 1
    assert client.get(index=settings.index_alias, id="orig")["_source"]["also_urls"] == [
        "https://copy.example/1",
        "https://copy.example/2",
    ]
    assert record_links(client, settings, links) == 0  # nothing new
    # the original updated in place keeps the links recorded earlier
    index_articles(client, settings, [make_article("orig", "The original story, edited.", status=UPDATED)])
    source = client.get(index=settings.index_alias, id="orig")["_source"]
    assert source["text"] == "The original story, edited."
    assert source["also_urls"] == ["https://copy.example/1", "https://copy.example/2"]


def test_bulk_in_small_chunks(client: Elasticsearch, settings: Settings, make_article: MakeArticle) -> None:
    small = dataclasses.replace(settings, bulk_chunk_bytes=2_000)
    ensure_index(client, small)
    articles = [make_article(f"c{i}", f"Article number {i} about chunking. " * 5) for i in range(30)]
    report = index_articles(client, small, articles)
    assert (report.indexed, report.failed) == (30, 0)
    assert client.count(index=settings.index_alias)["count"] == 30
