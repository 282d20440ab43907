"""Search: one hit per story, "also carried by", facets, filters, paging."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index.bulk import index_articles
from newsflow.index.search import format_result, search, top_story
from newsflow.index.template import ensure_index
from newsflow.models import Article

pytestmark = pytest.mark.integration

STORY = "The central bank raised interest rates by half a point on Tuesday, citing persistent inflation."


@pytest.fixture
def corpus(client: Elasticsearch, settings: Settings, make_article: Callable[..., Article]) -> None:
    ensure_index(client, settings)
    articles = [
        make_article(
            "s1",
            STORY,
            publisher="Reuters Wire",
            country="GB",
            agency=["Reuters"],
            published_at="2024-05-01T08:00:00Z",
            cluster_id="story",
            is_canonical=True,
        ),
        make_article(
            "s2",
            STORY + " Markets fell.",
            publisher="Daily Planet",
            country="US",
            agency=["Reuters"],
            published_at="2024-05-01T09:00:00Z",
            cluster_id="story",
            is_canonical=False,
            similarity=0.9,
        ),
        make_article(
            "s3",
            STORY + " Analysts were surprised.",
            publisher="The Herald",
            country="US",
            agency=["Reuters"],
            published_at="2024-05-02T07:00:00Z",
            cluster_id="story",
            is_canonical=False,
            similarity=0.85,
        ),
        make_article(
            "o1",
            "Local council approves a new budget for schools and interest groups.",
            publisher="The Herald",
            country="US",
            published_at="2024-05-02T10:00:00Z",
        ),
        make_article(
            "f1",
            "La banque centrale relève ses taux d'intérêt.",
            publisher="Le Journal",
            country="FR",
            language="fr",
            published_at="2024-05-03T10:00:00Z",
        ),
    ]
    assert index_articles(client, settings, articles).indexed == 5


@pytest.mark.usefixtures("corpus")
def test_collapse_one_hit_per_story_with_also_carried_by(client: Elasticsearch, settings: Settings) -> None:
    result = search(client, settings, "central bank rates")
    assert result.total == 3
    assert result.stories == 1
    assert len(result.hits) == 1
    hit = result.hits[0]
    assert hit.cluster_id == "story"
    assert hit.story_size == 3
    others = {o.publisher for o in hit.also}
    assert len(hit.also) == 2
    assert others == {"Reuters Wire", "Daily Planet", "The Herald"} - {hit.publisher}
    assert hit.snippets and "<em>" in hit.snippets[0]
    text = format_result(result)
    assert "also carried by:" in text
    assert "1 story(ies)" in text


@pytest.mark.usefixtures("corpus")
def test_facets_count_articles_and_stories(client: Elasticsearch, settings: Settings) -> None:
    result = search(client, settings, "")
    assert (result.total, result.stories) == (5, 3)
    assert len(result.hits) == 3
    publishers = {b.key: (b.articles, b.stories) for b in result.facets["publisher"]}
    assert publishers["The Herald"] == (2, 2)
    countries = {b.key: (b.articles, b.stories) for b in result.facets["country"]}
    assert countries == {"US": (3, 2), "GB": (1, 1), "FR": (1, 1)}
    agency = {b.key: (b.articles, b.stories) for b in result.facets["agency"]}
    assert agency == {"Reuters": (3, 1)}
    languages = {b.key: (b.articles, b.stories) for b in result.facets["language"]}
    assert languages == {"en": (4, 2), "fr": (1, 1)}
    days = {b.key: (b.articles, b.stories) for b in result.facets["published_day"]}
    assert days == {"2024-05-01": (2, 1), "2024-05-02": (2, 2), "2024-05-03": (1, 1)}
    # newest first without a query
    assert result.hits[0].id == "f1"


@pytest.mark.usefixtures("corpus")
def test_filters(client: Elasticsearch, settings: Settings) -> None:
    assert [h.id for h in search(client, settings, "", lang="fr").hits] == ["f1"]
    assert search(client, settings, "", country="US").total == 3
    assert search(client, settings, "", country=["FR", "GB"]).total == 2
    assert search(client, settings, "", agency="Reuters").stories == 1
    assert search(client, settings, "", source="example").total == 5
    dated = search(client, settings, "", date_from="2024-05-02", date_to="2024-05-02T23:59:59Z")
    assert dated.total == 2
    assert search(client, settings, "taux").hits[0].id == "f1"  # French analyzer: taux


@pytest.mark.usefixtures("corpus")
def test_paging(client: Elasticsearch, settings: Settings) -> None:
    first = search(client, settings, "", size=2)
    assert len(first.hits) == 2 and first.next_search_after is not None
    second = search(client, settings, "", size=2, search_after=first.next_search_after)
    assert len(second.hits) == 1 and second.next_search_after is None
    seen = [h.cluster_id for h in first.hits + second.hits]
    assert len(set(seen)) == 3


def test_search_without_index(client: Elasticsearch, settings: Settings) -> None:
    result = search(client, settings, "anything")
    assert (result.total, result.hits) == (0, [])
    assert "0 article(s)" in format_result(result)


@pytest.mark.usefixtures("corpus")
def test_top_story_lists_every_outlet(client: Elasticsearch, settings: Settings) -> None:
    text = top_story(client, settings)
    assert text is not None
    assert "3 articles" in text
    for outlet in ("Reuters Wire", "Daily Planet", "The Herald"):
        assert outlet in text
    assert search(client, settings, "*").to_dict()["stories"] == 3


def test_top_story_none_without_a_shared_story(client: Elasticsearch, settings: Settings) -> None:
    assert top_story(client, settings) is None


@pytest.mark.usefixtures("corpus")
def test_the_query_language_ranks_first(client: Elasticsearch, settings: Settings) -> None:
    plain = search(client, settings, "")
    assert plain.hits[0].language == "fr"  # newest first
    english_first = search(client, settings, "", prefer_lang="en")
    assert [h.language for h in english_first.hits] == ["en", "en", "fr"]
    # a text query too: the French article matches "banque", the English story "bank"
    both = search(client, settings, "banque | bank", prefer_lang="en")
    assert [h.language for h in both.hits] == ["en", "fr"]
    assert [h.language for h in search(client, settings, "banque | bank", prefer_lang="fr").hits] == [
        "fr",
        "en",
    ]


@pytest.mark.usefixtures("corpus")
def test_cli_pages_with_after_and_prints_json(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from newsflow.cli import main

    monkeypatch.setenv("NEWSFLOW_ES_URL", settings.es_url)
    monkeypatch.setenv("NEWSFLOW_ES_EMBEDDED", "1")
    monkeypatch.setenv("NEWSFLOW_INDEX_ALIAS", settings.index_alias)
    assert main(["search", "*", "--size", "2"]) == 0
    text = capsys.readouterr().out
    assert "more: next page with --after '[2]'" in text
    assert main(["search", "*", "--size", "2", "--after", "[2]", "--json"]) == 0
    page = json.loads(capsys.readouterr().out)
    assert len(page["hits"]) == 1 and page["next_search_after"] is None
    assert main(["search", "*", "--lang", "fr,en", "--json"]) == 0
    ranked = json.loads(capsys.readouterr().out)
    assert [h["language"] for h in ranked["hits"]] == ["fr", "en", "en"]
    assert (
        main(["search", "*", "--country", "GB", "--agency", "Reuters", "--from", "2024-05-01", "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["total"] == 1
    assert main(["search", "*", "--after", "next"]) == 2
    assert "not a search cursor" in capsys.readouterr().err
