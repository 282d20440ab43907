"""The Celery scale-out override, read the way `docker compose -f docker-compose.yml -f
docker-compose.celery.yml` reads it (Docker cannot run here, so the merge is done by hand):
services of the override are merged key by key over the base, and `extends` copies the
named service of the named file under the local definition."""

from __future__ import annotations

import copy
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from newsflow.config import Settings

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_COMMANDS = {"api-server", "scheduler", "dag-processor", "triggerer", "celery worker", "celery flower"}
EXTRA_VARS = {"NEWSFLOW_DEMO_BASE_URL"}  # read by the sources file's ${VAR} expansion


def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text())


def _merge(base: Any, over: Any) -> Any:
    """Compose's merge: mappings key by key, sequences and scalars replaced by the override's
    (ports/volumes are in fact appended, which changes nothing checked here)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


def _resolve_extends(service: dict[str, Any]) -> dict[str, Any]:
    ext = service.get("extends")
    if not ext:
        return service
    parent = _load(ext["file"])["services"][ext["service"]]
    local = {k: v for k, v in service.items() if k != "extends"}
    return _merge(copy.deepcopy(parent), local)


def merged() -> dict[str, dict[str, Any]]:
    base = _load("docker-compose.yml")["services"]
    over = _load("docker-compose.celery.yml")["services"]
    services = {name: copy.deepcopy(svc) for name, svc in base.items()}
    for name, svc in over.items():
        svc = _resolve_extends(svc)
        services[name] = _merge(services[name], svc) if name in services else svc
    return services


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_every_dependency_and_extended_service_exists():
    services = merged()
    for name, svc in services.items():
        for dep in svc.get("depends_on") or {}:
            assert dep in services, f"{name} depends on unknown service {dep}"
    base = _load("docker-compose.yml")["services"]
    for name, svc in _load("docker-compose.celery.yml")["services"].items():
        if "extends" in svc:
            assert svc["extends"]["file"] == "docker-compose.yml"
            assert svc["extends"]["service"] in base, name


def test_every_airflow_component_runs_the_celery_executor():
    services = merged()
    airflow = {n: s for n, s in services.items() if str(s.get("command")) in AIRFLOW_COMMANDS}
    assert {"airflow-scheduler", "airflow-apiserver", "airflow-worker"} <= set(airflow)
    for name, svc in [*airflow.items(), ("airflow-init", services["airflow-init"])]:
        assert _env(svc)["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name


def test_broker_is_the_redis_service_and_results_go_to_postgres():
    services = merged()
    env = _env(services["airflow-worker"])
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert broker.scheme == "redis" and broker.hostname == "redis"
    assert "redis" in services and services["redis"]["image"].startswith("redis:")
    assert str(broker.port) in {str(p).split(":")[-1] for p in services["redis"].get("expose", [6379])}
    assert "healthcheck" in services["redis"]
    backend = urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"].removeprefix("db+"))
    database = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].split("+", 1)[0] + "://"
                        + env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].split("://", 1)[1])  # fmt: skip
    assert backend.scheme == "postgresql" and backend.hostname == "postgres" and "postgres" in services
    assert (backend.username, backend.password, backend.path) == (
        database.username,
        database.password,
        database.path,
    )
    for name in ("airflow-scheduler", "airflow-worker"):
        assert "redis" in services[name]["depends_on"], name


def test_workers_run_the_scheduler_image_environment_and_mounts():
    services = merged()
    worker, scheduler = services["airflow-worker"], services["airflow-scheduler"]
    assert worker["command"] == "celery worker"
    assert worker["image"] == scheduler["image"] and worker.get("build") == scheduler.get("build")
    assert worker["volumes"] == scheduler["volumes"]
    assert worker["user"] == scheduler["user"]
    worker_env = {k: v for k, v in _env(worker).items() if k != "DUMB_INIT_SETSID"}
    assert worker_env == _env(scheduler)
    known = {f"NEWSFLOW_{f.name.upper()}" for f in fields(Settings)} | EXTRA_VARS
    newsflow_vars = {k for k in worker_env if k.startswith("NEWSFLOW_")}
    assert newsflow_vars and newsflow_vars <= known, newsflow_vars - known
    assert worker_env["NEWSFLOW_ES_URL"] == "http://elasticsearch:9200"
    assert worker["deploy"]["replicas"] >= 2, "several workers"
    assert "inspect ping" in str(worker["healthcheck"]["test"])
    assert int(worker_env["AIRFLOW__CELERY__WORKER_CONCURRENCY"].split(":-")[-1].rstrip("}")) >= 1


def test_flower_is_optional_behind_a_profile():
    services = merged()
    flower = services["flower"]
    assert flower["profiles"] == ["flower"]
    assert flower["command"] == "celery flower"
    assert "5555:5555" in flower["ports"]
    assert all("profiles" not in services[n] for n in ("redis", "airflow-worker", "airflow-scheduler"))


def test_init_still_creates_the_fetch_pools_under_celery():
    """The override merges its Celery settings into airflow-init's environment: the pool step and
    its slot variables must survive the merge, and the scheduler still waits for the init."""
    from newsflow.pools import NAMES, slots_env_var

    services = merged()
    init = services["airflow-init"]
    assert "airflow pools import" in init["command"][1] and "python -m newsflow.pools" in init["command"][1]
    env = _env(init)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert all(slots_env_var(c) in env for c in NAMES)
    assert (
        services["airflow-scheduler"]["depends_on"]["airflow-init"]["condition"]
        == "service_completed_successfully"
    )
