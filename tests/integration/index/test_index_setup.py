"""Template, aliases and analyzers against the search engine (embedded or real)."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index.client import make_client, wait_for
from newsflow.index.documents import LANGUAGE_ANALYZERS
from newsflow.index.template import ensure_index, probe_analyzers

pytestmark = pytest.mark.integration


def test_ensure_index_is_idempotent(client: Elasticsearch, settings: Settings) -> None:
    first = ensure_index(client, settings)
    assert first["created"] is True
    assert first["index"] == f"{settings.index_alias}-v1"
    second = ensure_index(client, settings)
    assert second["created"] is False
    assert second["index"] == first["index"]
    aliases = client.indices.get_alias(index=f"{settings.index_alias}-v*").body
    assert list(aliases) == [f"{settings.index_alias}-v1"]
    assert aliases[first["index"]]["aliases"] == {
        settings.index_alias: {},
        settings.write_alias: {"is_write_index": True},
    }
    mapping = client.indices.get_mapping(index=settings.index_alias).body[first["index"]]["mappings"]
    assert mapping["dynamic"] == "strict"


def test_languages_without_an_analyzer_fall_back_to_standard(
    client: Elasticsearch, settings: Settings, missing_languages: list[str]
) -> None:
    """The embedded server lacks `arabic`; the real-engine lane declares what its engine lacks."""
    info = ensure_index(client, settings)
    assert info["standard_languages"] == missing_languages
    for code, analyzer in LANGUAGE_ANALYZERS.items():
        assert info["analyzers"][code] == ("standard" if code in missing_languages else analyzer), code
    mapping = client.indices.get_mapping(index=settings.index_alias).body[info["index"]]["mappings"]
    assert mapping["_meta"]["standard_languages"] == missing_languages
    available = probe_analyzers(client, embedded=settings.es_embedded)
    assert ("arabic" in available) == ("ar" not in missing_languages)
    # an analyzer no engine has is found missing, by either probe
    probed = probe_analyzers(client, {"standard", "newsflow_no_such"}, embedded=settings.es_embedded)
    assert probed == {"standard"}
    # the probe index is gone
    assert [i for i in client.indices.get(index="*").body if i.startswith("newsflow-analyzer-probe")] == []


def test_write_alias_restored(client: Elasticsearch, settings: Settings) -> None:
    info = ensure_index(client, settings)
    client.indices.update_aliases(
        actions=[{"remove": {"index": info["index"], "alias": settings.write_alias}}]
    )
    again = ensure_index(client, settings)
    assert again["index"] == info["index"]
    assert client.indices.exists_alias(name=settings.write_alias)


def test_wait_for_names_the_url() -> None:
    es = make_client(Settings(es_url="http://127.0.0.1:9", es_embedded=True))
    with pytest.raises(RuntimeError, match=r"Elasticsearch at http://127.0.0.1:9 not reachable after 1s"):
        wait_for(es, timeout=1, interval=0.2)
