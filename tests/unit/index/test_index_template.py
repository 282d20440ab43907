"""The index template: rendering for Elasticsearch and for the embedded server."""

from __future__ import annotations

from newsflow.config import Settings
from newsflow.index.documents import LANGUAGE_ANALYZERS, TRANSIENT_FIELDS, language_fields
from newsflow.index.template import (
    load_template_source,
    render_template,
    standard_languages,
    wanted_analyzers,
)
from newsflow.models import Article

EMBEDDED_ANALYZERS = {
    "english",
    "french",
    "german",
    "italian",
    "portuguese",
    "russian",
    "spanish",
    "cjk",
    "standard",
}


def props(body: dict) -> dict:
    return body["template"]["mappings"]["properties"]


def test_elasticsearch_template_uses_every_language_analyzer() -> None:
    body = render_template(Settings(index_alias="news"), None)
    p = props(body)
    assert p["text_ar"]["analyzer"] == "arabic"
    assert p["title_ar"]["analyzer"] == "arabic"
    for code, analyzer in LANGUAGE_ANALYZERS.items():
        assert p[f"text_{code}"] == {"type": "text", "analyzer": analyzer}
        assert p[f"title_{code}"] == {"type": "text", "analyzer": analyzer}
    assert p["text_std"]["analyzer"] == "standard"
    assert standard_languages(body) == []


def test_index_pattern_follows_the_alias_and_comment_is_dropped() -> None:
    body = render_template(Settings(index_alias="press"), None)
    assert body["index_patterns"] == ["press-v*"]
    assert "_comment" not in body
    assert body["template"]["mappings"]["dynamic"] == "strict"


def test_embedded_template_maps_missing_analyzers_to_standard() -> None:
    body = render_template(Settings(), EMBEDDED_ANALYZERS)
    p = props(body)
    assert p["text_ar"]["analyzer"] == "standard"
    assert p["title_ar"]["analyzer"] == "standard"
    assert p["text_fr"]["analyzer"] == "french"
    assert standard_languages(body) == ["ar"]


def test_render_does_not_change_the_source() -> None:
    render_template(Settings(), {"standard"})
    assert props(load_template_source())["text_fr"]["analyzer"] == "french"


def test_template_fields_cover_every_article_field() -> None:
    p = props(render_template(Settings(), None))
    for name in Article.__dataclass_fields__:
        if name not in TRANSIENT_FIELDS:
            assert name in p, name
    for name in (*language_fields("text"), *language_fields("title"), "indexed_at"):
        assert name in p, name


def test_template_facts() -> None:
    p = props(render_template(Settings(), None))
    assert p["url"] == {"type": "keyword", "ignore_above": 2048}
    assert p["minhash"] == {"type": "object", "enabled": False}
    assert p["is_canonical"]["type"] == "boolean"
    for name in ("published_at", "updated_at", "fetched_at", "indexed_at"):
        assert p[name]["type"] == "date"
    for name in ("lsh", "cluster_id", "text_hash", "publisher", "agency", "also_urls"):
        assert p[name]["type"] == "keyword"
    assert wanted_analyzers() == set(LANGUAGE_ANALYZERS.values()) | {"standard"}
