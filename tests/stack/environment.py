"""The stack's Airflow and newsflow settings, in one place.

The loopback stack (tests/stack/test_celery_stack.py, benchmarks/stack_workers.py) runs every
component with `stack_env()` plus, for each Celery worker, `worker_env()`; the compose parity
test (tests/unit/test_stack_parity.py) compares these keys and values with the environment
docker-compose.yml and docker-compose.celery.yml give their Airflow services. A setting one side
has and the other lacks must be listed below with the reason, or the parity test fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.celery.yml")
PREFIXES = ("AIRFLOW__", "NEWSFLOW_")

# Settings only the loopback stack sets, and why compose needs none of them.
STACK_ONLY: dict[str, str] = {
    "AIRFLOW__CORE__DAGS_FOLDER": "compose mounts ./dags at the image's default DAG folder",
    "AIRFLOW__CORE__PLUGINS_FOLDER": "compose mounts ./plugins at the image's default plugins folder",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "tests/conftest.py turns it on for the test process; the stack turns it off",
    "AIRFLOW__CORE__HOSTNAME_CALLABLE": (
        "each worker runs in its own UTS namespace, named like a container, but that name is in no "
        "/etc/hosts: socket.gethostname reports it without a DNS look-up (compose containers resolve "
        "their own names, so the default getfqdn works there)"
    ),
    "AIRFLOW__API__HOST": "one machine: the api-server listens on loopback, not in its own container",
    "AIRFLOW__API__PORT": "one machine: a free port instead of the container's 8080",
    "AIRFLOW__API__BASE_URL": "one machine: the api-server's loopback address",
    "AIRFLOW__API__WORKERS": "2 shared cores: one api-server worker process",
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "two workers on one host need two log-server ports (8793 each in compose)",
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": "a free port, so tests running side by side do not collide",
    "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "runs come from the REST API and backfills only: none races the test's",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": (
        "the kill test waits this long for the scheduler to fail a dead worker's tasks (default 300 s)"
    ),
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": (
        "a task a killed worker had taken from Redis but not started is queued again after this (default 600 s)"
    ),
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "and looked for this often (default 120 s)",
    "NEWSFLOW_ES_EMBEDDED": "the stack indexes into the embedded server unless NEWSFLOW_TEST_ES_URL names a real one",
    "NEWSFLOW_RETRY_DELAY": "the killed tasks' retries start after 2 s, not 30 s",
}

# Settings only the compose files set, and why the stack needs none of them.
COMPOSE_ONLY: dict[str, str] = {}

# Settings both set, whose values differ on purpose (addresses, secrets and paths always differ
# and are not listed: see VALUE_IS_LOCAL).
OWN_VALUE: dict[str, str] = {
    "AIRFLOW__CORE__PARALLELISM": "2 shared cores: 4 task slots in all (2 workers x concurrency 2)",
    "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "as many as the two workers' slots",
    "NEWSFLOW_SCHEDULE": "daily intervals, so the backfill has one run per day",
    "NEWSFLOW_POOL_DEFAULT_SLOTS": "2 slots for the 4 default-class feeds, so the pool binds and is seen to hold",
    "NEWSFLOW_KIBANA_URL": "no Kibana runs: links point at a placeholder host",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "the api-server's loopback address",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "PostgreSQL on loopback",
    "AIRFLOW__CELERY__BROKER_URL": "Redis on loopback",
    "AIRFLOW__CELERY__RESULT_BACKEND": "PostgreSQL on loopback",
    "AIRFLOW__API_AUTH__JWT_SECRET": "a test secret",
    "AIRFLOW__API__SECRET_KEY": "a test secret",
    "NEWSFLOW_HOME": "a scratch folder",
    "NEWSFLOW_SOURCES_FILE": "the test's newsroom",
    "NEWSFLOW_ARCHIVE_DIR": "a scratch folder",
    "NEWSFLOW_ES_URL": "the embedded server, or NEWSFLOW_TEST_ES_URL",
    "NEWSFLOW_ES_USERNAME": "none for the embedded server",
    "NEWSFLOW_ES_PASSWORD": "none for the embedded server",
    "NEWSFLOW_DEMO_BASE_URL": "the loopback newsroom",
}

WORKER_CONCURRENCY = 2


@dataclass(frozen=True)
class Endpoints:
    """Where the stack's parts listen and keep their files."""

    api_port: int
    pg_port: int
    redis_port: int
    trigger_log_port: int
    search_url: str
    site_url: str
    home: Path
    sources_file: Path
    es_username: str = ""
    es_password: str = ""
    es_embedded: bool = True
    index_alias: str = "news"


def stack_env(ep: Endpoints, parallelism: int = 2 * WORKER_CONCURRENCY) -> dict[str, str]:
    """The settings every component of the stack runs with (the merged compose files' keys)."""
    base = f"http://127.0.0.1:{ep.api_port}"
    database = f"airflow:airflow@127.0.0.1:{ep.pg_port}/airflow"
    return {
        # docker-compose.yml, x-airflow-common
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{database}",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__API_AUTH__JWT_SECRET": "newsflow-stack-test-only",
        "AIRFLOW__API__SECRET_KEY": "newsflow-stack-test-only",
        "NEWSFLOW_HOME": str(ep.home),
        "NEWSFLOW_SOURCES_FILE": str(ep.sources_file),
        "NEWSFLOW_ARCHIVE_DIR": str(ep.home / "archive"),
        "NEWSFLOW_SCHEDULE": "0 0 * * *",
        "NEWSFLOW_INDEX_ALIAS": ep.index_alias,
        "NEWSFLOW_ES_URL": ep.search_url,
        "NEWSFLOW_ES_USERNAME": ep.es_username,
        "NEWSFLOW_ES_PASSWORD": ep.es_password,
        "NEWSFLOW_KIBANA_URL": "http://kibana.example:5601",
        "NEWSFLOW_DEMO_BASE_URL": ep.site_url,
        "NEWSFLOW_ALLOW_PRIVATE": "true",
        # docker-compose.yml, airflow-init
        "NEWSFLOW_POOL_DEFAULT_SLOTS": "2",
        "NEWSFLOW_POOL_GENTLE_SLOTS": "",  # the class default (1 slot), as in compose
        "NEWSFLOW_POOL_LOCAL_SLOTS": "",  # the class default (4 slots)
        # docker-compose.celery.yml, x-celery-env
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://:@127.0.0.1:{ep.redis_port}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{database}",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(parallelism),
        # the stack's own (STACK_ONLY says why)
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "socket.gethostname",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(ep.api_port),
        "AIRFLOW__API__BASE_URL": base,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(ep.trigger_log_port),
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "40",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "60",
        "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT_CHECK_INTERVAL": "15",
        "NEWSFLOW_ES_EMBEDDED": "1" if ep.es_embedded else "0",
        "NEWSFLOW_RETRY_DELAY": "2",
    }


def worker_env(log_port: int) -> dict[str, str]:
    """What one Celery worker adds to `stack_env` (its own log-server port)."""
    return {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(log_port)}


def stack_settings() -> dict[str, str]:
    """Every setting the stack's components run with, with placeholder endpoints (for parity)."""
    ep = Endpoints(
        8080, 5432, 6379, 8794, "http://search:9200", "http://site:8000", Path("/h"), Path("/s.yaml")
    )
    return {k: v for k, v in {**stack_env(ep), **worker_env(8793)}.items() if k.startswith(PREFIXES)}
