from pathlib import Path

import pytest

from newsflow.config import Settings


def test_defaults_run_on_embedded_settings():
    s = Settings.from_env({})
    assert s.es_url == "" and s.index_alias == "news" and s.duplicate_policy == "cluster"
    assert s.archive == s.home / "archive" and s.write_alias == "news-write"
    assert s.sources_file.name == "sources.yaml" and s.sources_file.exists()


def test_environment_overrides_are_typed(tmp_path: Path):
    s = Settings.from_env(
        {
            "NEWSFLOW_HOME": str(tmp_path),
            "NEWSFLOW_ALLOW_PRIVATE": "true",
            "NEWSFLOW_MAX_BYTES": "1000",
            "NEWSFLOW_FETCH_TIMEOUT": "2.5",
            "NEWSFLOW_ES_URL": "http://es:9200",
        }
    )
    assert s.home == tmp_path and s.allow_private is True
    assert s.max_bytes == 1000 and s.fetch_timeout == 2.5 and s.es_url == "http://es:9200"


def test_bad_policy_is_a_clear_error():
    with pytest.raises(ValueError, match="NEWSFLOW_DUPLICATE_POLICY"):
        Settings.from_env({"NEWSFLOW_DUPLICATE_POLICY": "merge"})
