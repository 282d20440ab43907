"""Client construction from Settings (no server needed)."""

from __future__ import annotations

import pytest
from elastic_transport import Urllib3HttpNode

from newsflow.config import Settings
from newsflow.index.client import PlainJsonNode, _plain, client_url, make_client


def test_plain_media_types() -> None:
    assert _plain("application/vnd.elasticsearch+json; compatible-with=9") == "application/json"
    assert _plain("application/vnd.elasticsearch+x-ndjson; compatible-with=9") == "application/x-ndjson"
    assert _plain("application/json") == "application/json"


def test_embedded_uses_the_plain_json_node() -> None:
    client = make_client(Settings(es_url="http://127.0.0.1:9200", es_embedded=True))
    node = client.transport.node_pool.all()[0]
    assert isinstance(node, PlainJsonNode)
    assert client_url(client) == "http://127.0.0.1:9200"


def test_elasticsearch_uses_the_stock_node_and_auth() -> None:
    client = make_client(Settings(es_url="http://es:9200", es_username="elastic", es_password="pw"))
    node = client.transport.node_pool.all()[0]
    assert type(node) is Urllib3HttpNode
    assert client._headers["authorization"].startswith("Basic ")
    keyed = make_client(Settings(es_url="http://es:9200", es_api_key="abc"))
    assert keyed._headers["authorization"] == "ApiKey abc"


def test_empty_url_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="NEWSFLOW_ES_URL"):
        make_client(Settings())
