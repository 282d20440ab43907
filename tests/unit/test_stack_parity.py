"""Compose parity: the loopback stack (tests/stack) runs with the settings the compose files give
their Airflow services, no more and no fewer, except those tests/stack/environment.py lists
with a reason. A setting added to docker-compose.yml or docker-compose.celery.yml, or to the
stack, without the other fails here."""

from __future__ import annotations

import re
from typing import Any

from test_compose_celery import _env, _load, merged

from stack.environment import COMPOSE_ONLY, OWN_VALUE, PREFIXES, STACK_ONLY, stack_settings

# `${VAR:-default}` / `${VAR}` as compose expands them when VAR is unset.
_SUBST = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}")


def _default(value: str) -> str:
    return _SUBST.sub(lambda m: m.group(1) or "", value)


def _airflow_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The services that run the newsflow Airflow image (they share its build)."""
    return {name: svc for name, svc in services.items() if svc.get("image") == "newsflow-airflow:latest"}


def compose_settings() -> dict[str, set[str]]:
    """Every AIRFLOW__*/NEWSFLOW_* setting of the Airflow services of both compose files (base
    file alone and with the Celery override merged), with the values each takes by default."""
    found: dict[str, set[str]] = {}
    for services in (_load("docker-compose.yml")["services"], merged()):
        for svc in _airflow_services(services).values():
            for key, value in _env(svc).items():
                if key.startswith(PREFIXES):
                    found.setdefault(key, set()).add(_default(value))
    return found


def test_the_compose_files_have_airflow_services_to_compare():
    services = _airflow_services(merged())
    assert {"airflow-init", "airflow-scheduler", "airflow-worker", "airflow-apiserver"} <= set(services)


def test_every_compose_setting_is_in_the_stack_and_back():
    compose, stack = set(compose_settings()), set(stack_settings())
    missing = compose - stack - set(COMPOSE_ONLY)
    assert not missing, (
        f"the compose files set {sorted(missing)}, the stack (tests/stack/environment.py) does not"
    )
    extra = stack - compose - set(STACK_ONLY)
    assert not extra, (
        f"the stack sets {sorted(extra)}, the compose files do not (add them, or to STACK_ONLY, why)"
    )


def test_the_exceptions_are_still_exceptions():
    """A STACK_ONLY key compose gained, or a COMPOSE_ONLY key the stack gained, is stale."""
    compose, stack = set(compose_settings()), set(stack_settings())
    assert not set(STACK_ONLY) & compose, sorted(set(STACK_ONLY) & compose)
    assert set(STACK_ONLY) <= stack, sorted(set(STACK_ONLY) - stack)
    assert set(COMPOSE_ONLY) <= compose and not set(COMPOSE_ONLY) & stack
    assert set(OWN_VALUE) <= compose & stack, sorted(set(OWN_VALUE) - (compose & stack))


def test_shared_settings_take_the_compose_value_unless_listed():
    """The executor, auth manager, worker concurrency, flags...: the same value as the merged
    compose files (the Celery override's), except those OWN_VALUE lists with a reason."""
    compose, stack = compose_settings(), stack_settings()
    merged_worker = _env(merged()["airflow-worker"]) | _env(merged()["airflow-init"])
    differ = {}
    for key in sorted(set(compose) & set(stack) - set(OWN_VALUE)):
        expected = _default(merged_worker[key]) if key in merged_worker else next(iter(compose[key]))
        if stack[key] != expected:
            differ[key] = (stack[key], expected)
    assert not differ, f"stack value vs compose value: {differ}"


def test_the_celery_settings_are_what_the_stack_runs():
    stack = stack_settings()
    assert stack["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert stack["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
    assert stack["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert stack["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
