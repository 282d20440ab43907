"""Docker cannot run here, so the compose file is checked against the code by reading it."""

from dataclasses import fields
from pathlib import Path

import yaml

from newsflow.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# NEWSFLOW_* variables that are not Settings fields but are read elsewhere.
EXTRA_VARS = {"NEWSFLOW_DEMO_BASE_URL"}  # read by the sources file's ${VAR} expansion


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_of_the_full_stack_are_there_with_healthchecks():
    services = _compose()["services"]
    for name in (
        "postgres",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "elasticsearch",
        "kibana",
    ):
        assert name in services, name
    for name in ("postgres", "airflow-apiserver", "airflow-scheduler", "elasticsearch", "kibana"):
        assert "healthcheck" in services[name], name
    commands = {services[n].get("command") for n in services if isinstance(services[n].get("command"), str)}
    assert {"api-server", "scheduler", "dag-processor", "triggerer"} <= commands


def test_ports_and_versions():
    services = _compose()["services"]
    assert "8080:8080" in services["airflow-apiserver"]["ports"]
    assert "9200:9200" in services["elasticsearch"]["ports"]
    assert "5601:5601" in services["kibana"]["ports"]
    assert ":9." in services["elasticsearch"]["image"] and ":9." in services["kibana"]["image"]
    assert services["kibana"]["image"].split(":")[1] == services["elasticsearch"]["image"].split(":")[1]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "apache/airflow:${AIRFLOW_VERSION}" in dockerfile and "AIRFLOW_VERSION=3." in dockerfile


def test_airflow_environment_matches_settings_and_mounts():
    services = _compose()["services"]
    env = services["airflow-scheduler"]["environment"]
    known = {f"NEWSFLOW_{f.name.upper()}" for f in fields(Settings)} | EXTRA_VARS
    newsflow_vars = {k for k in env if k.startswith("NEWSFLOW_")}
    assert newsflow_vars, "the stack must configure newsflow"
    assert newsflow_vars <= known, newsflow_vars - known
    assert env["NEWSFLOW_ES_URL"] == "http://elasticsearch:9200"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert "postgres" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080")
    volumes = services["airflow-scheduler"]["volumes"]
    for folder in ("dags", "plugins", "include"):
        assert f"./{folder}:/opt/airflow/{folder}" in volumes
        assert (ROOT / folder).is_dir()
    # The sources file the stack points at is the one in the repository.
    assert env["NEWSFLOW_SOURCES_FILE"] == "/opt/airflow/include/sources.yaml"
    assert (ROOT / "include" / "sources.yaml").exists()


def test_elasticsearch_runs_with_security_and_kibana_logs_in():
    services = _compose()["services"]
    es_env = services["elasticsearch"]["environment"]
    assert es_env["xpack.security.enabled"] == "true"
    kb_env = services["kibana"]["environment"]
    assert kb_env["ELASTICSEARCH_USERNAME"] == "kibana_system"
    assert "elasticsearch:9200" in kb_env["ELASTICSEARCH_HOSTS"]
    scheduler_env = services["airflow-scheduler"]["environment"]
    assert scheduler_env["NEWSFLOW_ES_PASSWORD"].startswith("${ELASTIC_PASSWORD")


def test_kibana_setup_imports_the_saved_objects_once_kibana_is_up():
    services = _compose()["services"]
    setup = services["kibana-setup"]
    assert setup["command"][:3] == ["python", "-m", "newsflow.kibana"]
    url = setup["command"][setup["command"].index("--url") + 1]
    assert url == "http://kibana:5601" and "5601:5601" in services["kibana"]["ports"]
    assert setup["depends_on"] == {"kibana": {"condition": "service_healthy"}}
    assert setup["restart"] == "no"
    env = setup["environment"]
    assert env["NEWSFLOW_ES_USERNAME"] == "elastic"
    assert env["NEWSFLOW_ES_PASSWORD"].startswith("${ELASTIC_PASSWORD"), "credentials from .env, never code"
    assert "./include:/opt/airflow/include" in setup["volumes"]
    assert (ROOT / "include" / "kibana" / "saved_objects.ndjson").exists()
    assert (ROOT / "include" / "newsflow" / "kibana.py").exists()


def test_depends_on_refers_to_defined_services():
    services = _compose()["services"]
    for name, svc in services.items():
        for dep in svc.get("depends_on") or {}:
            assert dep in services, f"{name} depends on unknown {dep}"


def test_init_creates_one_fetch_pool_per_politeness_class_after_migrating():
    """The DAG's fetch tasks wait for ever on a pool that does not exist: airflow-init makes them,
    from the same module the DAG reads (`newsflow.pools`), with each class's slots env var."""
    from newsflow.pools import NAMES, slots_env_var

    init = _compose()["services"]["airflow-init"]
    script = [line.strip() for line in init["command"][1].splitlines() if line.strip()]
    assert script[0] == "set -e", "a failing step must fail airflow-init (the other services wait on it)"
    migrate = script.index("airflow db migrate")
    write = next(i for i, line in enumerate(script) if line.startswith("python -m newsflow.pools --output "))
    pools_file = script[write].split("--output ", 1)[1]
    assert script.index(f"airflow pools import {pools_file}") > write > migrate
    env = init["environment"]
    for cls in NAMES:
        var = slots_env_var(cls)
        assert env[var] == f"${{{var}:-}}", "empty means the class's default, kept in newsflow.pools"
        assert f"{var}=" in (ROOT / ".env.example").read_text()
    # Every other Airflow service waits for the init (and so for the pools).
    services = _compose()["services"]
    for name in ("airflow-scheduler", "airflow-apiserver", "airflow-dag-processor", "airflow-triggerer"):
        assert services[name]["depends_on"]["airflow-init"] == {"condition": "service_completed_successfully"}
