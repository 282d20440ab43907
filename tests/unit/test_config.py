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


def test_enum_settings_take_their_values_and_name_the_allowed_ones():
    from dataclasses import replace

    from newsflow.config import DuplicatePolicy, LangdetectEngine, LinguaAccuracy

    s = Settings.from_env(
        {"NEWSFLOW_DUPLICATE_POLICY": "DROP", "NEWSFLOW_LINGUA": "low", "NEWSFLOW_LANGDETECT": ""}
    )
    assert s.duplicate_policy is DuplicatePolicy.DROP and s.duplicate_policy == "drop"
    assert s.lingua is LinguaAccuracy.LOW and s.langdetect is LangdetectEngine.AUTO
    assert (
        replace(s, duplicate_policy="cluster").duplicate_policy is DuplicatePolicy.CLUSTER
    )  # the CLI's --policy
    with pytest.raises(ValueError, match=r"NEWSFLOW_LINGUA='medium': expected one of: high, low"):
        Settings.from_env({"NEWSFLOW_LINGUA": "medium"})


def test_bad_numbers_name_the_variable():
    with pytest.raises(
        ValueError, match=r"NEWSFLOW_MIN_WORDS='forty': expected a whole number \(default 40\)"
    ):
        Settings.from_env({"NEWSFLOW_MIN_WORDS": "forty"})
    with pytest.raises(ValueError, match=r"NEWSFLOW_RELATED_THRESHOLD='1.5': at most 1.0"):
        Settings.from_env({"NEWSFLOW_RELATED_THRESHOLD": "1.5"})
    with pytest.raises(ValueError, match=r"NEWSFLOW_FETCH_RETRIES='-1': at least 0"):
        Settings.from_env({"NEWSFLOW_FETCH_RETRIES": "-1"})


def test_settings_that_used_to_be_read_elsewhere_are_fields(tmp_path: Path):
    s = Settings.from_env(
        {
            "NEWSFLOW_SCHEDULE": "0 0 * * *",
            "NEWSFLOW_RETRY_DELAY": "2",
            "NEWSFLOW_RUN_DEADLINE_MINUTES": "0.5",
            "NEWSFLOW_RELATED_WINDOW_DAYS": "7",
            "NEWSFLOW_KIBANA_URL": "http://kibana:5601",
            "NEWSFLOW_DAGS_FOLDER": str(tmp_path),
        }
    )
    assert (s.schedule, s.retry_delay, s.run_deadline_minutes, s.related_window_days) == (
        "0 0 * * *",
        2.0,
        0.5,
        7.0,
    )
    assert s.kibana_url == "http://kibana:5601" and s.dags_folder == tmp_path


def test_exported_sets_variables_for_the_block_and_restores_them(monkeypatch):
    import os

    from newsflow.config import exported

    monkeypatch.setenv("NEWSFLOW_A", "before")
    monkeypatch.delenv("NEWSFLOW_B", raising=False)
    with exported({"NEWSFLOW_A": "during", "NEWSFLOW_B": "during"}):
        assert (os.environ["NEWSFLOW_A"], os.environ["NEWSFLOW_B"]) == ("during", "during")
    assert os.environ["NEWSFLOW_A"] == "before" and "NEWSFLOW_B" not in os.environ
