"""Credentials come from the Airflow Connection `newsflow_elasticsearch` or the environment,
and reach the client; none live in code."""

from __future__ import annotations

import json

import pytest

from newsflow.index.client import make_client
from newsflow.runtime import ES_CONNECTION_ID, task_settings


def _connection(monkeypatch: pytest.MonkeyPatch, **conn: object) -> None:
    monkeypatch.delenv("NEWSFLOW_ES_URL", raising=False)
    monkeypatch.setenv(f"AIRFLOW_CONN_{ES_CONNECTION_ID.upper()}", json.dumps(conn))


def test_user_password_and_ca_from_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    _connection(
        monkeypatch,
        conn_type="https",
        host="es.example.org",
        port=9243,
        login="elastic",
        password="s3cret",
        extra={"ca_certs": "/etc/newsflow/ca.pem"},
    )
    settings = task_settings()
    assert settings.es_url == "https://es.example.org:9243"
    assert (settings.es_username, settings.es_password) == ("elastic", "s3cret")
    assert settings.es_ca_certs == "/etc/newsflow/ca.pem"
    assert "s3cret" not in settings.es_url


def test_api_key_from_the_connection_reaches_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    _connection(monkeypatch, conn_type="http", host="es", port=9200, extra={"api_key": "a2V5OnNlY3JldA=="})
    client = make_client(task_settings())
    assert client._headers["authorization"] == "ApiKey a2V5OnNlY3JldA=="


def test_environment_wins_for_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    _connection(monkeypatch, conn_type="http", host="from-connection", port=9200)
    monkeypatch.setenv("NEWSFLOW_ES_URL", "http://from-env:9200")
    monkeypatch.setenv("NEWSFLOW_ES_USERNAME", "reader")
    monkeypatch.setenv("NEWSFLOW_ES_PASSWORD", "pw")
    settings = task_settings()
    assert (settings.es_url, settings.es_username) == ("http://from-env:9200", "reader")
