"""Article -> document."""

from __future__ import annotations

from newsflow.index.documents import language_code, language_field, minhash_values, to_document
from newsflow.models import NEW, Article

NOW = "2024-05-01T12:00:00Z"


def article(**kw: object) -> Article:
    base = dict(
        id="a1",
        url="https://example.org/a",
        source="ex",
        title="Les chevaux",
        text="Les chevaux galopent.",
        language="fr",
        status=NEW,
        minhash=[1, 2, 3],
        path="/tmp/x.jsonl",
        line=3,
        page_language="fr-FR",
        reason="",
    )
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def test_text_goes_to_the_language_field() -> None:
    doc = to_document(article(), NOW)
    assert doc["text_fr"] == "Les chevaux galopent."
    assert doc["title_fr"] == "Les chevaux"
    assert doc["text"] == "Les chevaux galopent."
    assert doc["title"] == "Les chevaux"
    assert "text_std" not in doc and "text_en" not in doc
    assert doc["indexed_at"] == NOW


def test_unsupported_and_unknown_languages_use_the_fallback() -> None:
    assert "text_std" in to_document(article(language="nl"), NOW)
    assert "text_std" in to_document(article(language="und"), NOW)
    assert "title_std" in to_document(article(language=""), NOW)


def test_regional_codes() -> None:
    assert language_code("pt-BR") == "pt"
    assert language_code("zh_cn") == "zh"
    assert language_field("text", "PT-br") == "text_pt"
    assert language_field("title", "und") == "title_std"


def test_transient_fields_dropped_and_defaults() -> None:
    doc = to_document(article(published_at="", fetched_at=""), NOW)
    for name in ("path", "line", "page_language", "reason"):
        assert name not in doc
    assert doc["published_at"] is None and doc["fetched_at"] is None
    assert doc["cluster_id"] == "a1"
    assert doc["minhash"] == {"values": [1, 2, 3]}
    assert minhash_values(doc["minhash"]) == [1, 2, 3]
    assert minhash_values([4]) == [4]
    assert minhash_values(None) == []


def test_cluster_id_kept_and_plain_text() -> None:
    doc = to_document(article(cluster_id="c9", text="a\x00b\x07c\nd\te"), NOW)
    assert doc["cluster_id"] == "c9"
    assert doc["text"] == "abc\nd\te"
    assert doc["text_fr"] == "abc\nd\te"


def test_empty_title_adds_no_language_field() -> None:
    doc = to_document(article(title=""), NOW)
    assert "title_fr" not in doc
