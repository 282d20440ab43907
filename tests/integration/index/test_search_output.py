"""`newsflow search` output a user reads: facets say what is beyond their top 10, the day facet is
one day a line, and the outlet that republished an exact copy shows in "also carried by"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index import ensure_index, index_articles, record_links
from newsflow.models import Article

pytestmark = pytest.mark.integration

LANGUAGES = ("en", "fr", "de", "es", "it", "nl", "pt", "pl", "sv", "da", "fi", "cs")  # 12 > the top 10


@pytest.fixture
def newsroom(client: Elasticsearch, settings: Settings, make_article: Callable[..., Article]) -> None:
    ensure_index(client, settings)
    articles = [
        make_article(
            f"a{n}",
            f"Harbour report number {n} about the ferry timetable.",
            language=lang,
            publisher=f"Outlet {n}",
            published_at=f"2024-05-{n + 1:02d}T08:00:00Z",
        )
        for n, lang in enumerate(LANGUAGES)
    ]
    articles += [
        make_article(
            f"b{n}",
            f"Harbour follow-up {n} on the ferry timetable.",
            language="en",
            publisher="Outlet 0",
            published_at=f"2024-05-{n + 13:02d}T08:00:00Z",
        )
        for n in range(8)
    ]
    assert index_articles(client, settings, articles).indexed == 20
    # The index stage records an exact copy (a duplicate, never indexed) on its original.
    assert record_links(client, settings, [("a0", "https://www.copycat.example/news/harbour-0")]) == 1
    client.indices.refresh(index=settings.index_alias)


@pytest.mark.usefixtures("newsroom")
def test_facets_days_and_exact_copies_in_the_cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsflow.cli import main

    monkeypatch.setenv("NEWSFLOW_ES_URL", settings.es_url)
    monkeypatch.setenv("NEWSFLOW_ES_EMBEDDED", "1")
    monkeypatch.setenv("NEWSFLOW_INDEX_ALIAS", settings.index_alias)
    assert main(["search", "harbour", "--size", "20"]) == 0
    lines = capsys.readouterr().out.splitlines()
    language = next(line for line in lines if line.startswith("language: "))
    assert language.startswith("language: en 9, ")
    assert language.endswith(", other 2 (12 values, top 10 shown)"), language
    day = lines.index("day: 20 day(s) from 2024-05-01 to 2024-05-20")
    assert lines[day + 1 : day + 15] == [f"  2024-05-{d:02d} 1" for d in range(20, 6, -1)]
    assert lines[day + 15] == "  6 earlier day(s): 6 articles"
    hit = lines.index("     https://example.org/a0")
    assert "     also carried by: copycat.example (exact copy)" in lines[hit + 1 : hit + 4], lines[
        hit - 1 : hit + 4
    ]
