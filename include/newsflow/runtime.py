"""What DAG tasks need at run time: settings, the search client, the run's window.

Kept out of the DAG files so that parsing a DAG does no work, and so the same
resolution (environment first, then the Airflow Connection) is tested once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from newsflow.config import Settings

log = logging.getLogger("newsflow.runtime")

ES_CONNECTION_ID = "newsflow_elasticsearch"


def task_settings() -> Settings:
    """Settings for a task: environment variables, then the `newsflow_elasticsearch` Connection.

    Credentials come only from there, never from code, and are never logged. It also sets
    the process's clock to the run's time (`newsflow.clock`), so every stage the task calls
    decides "now" from the run, not from the worker's wall clock.
    """
    follow_run_clock()
    settings = Settings.from_env()
    if settings.es_url:
        return settings
    conn = _airflow_connection(ES_CONNECTION_ID)
    if conn is None:
        return settings
    scheme = conn.conn_type if conn.conn_type in {"http", "https"} else (conn.schema or "http")
    port = f":{conn.port}" if conn.port else ""
    extra = conn.extra_dejson or {}
    return replace(
        settings,
        es_url=f"{scheme}://{conn.host}{port}",
        es_username=conn.login or "",
        es_password=conn.password or "",
        es_api_key=extra.get("api_key", ""),
        es_ca_certs=extra.get("ca_certs", ""),
        es_embedded=bool(extra.get("embedded", False)),
    )


def follow_run_clock() -> None:
    """Inside an Airflow task, set `newsflow.clock` to the time of the task's run."""
    from newsflow import clock

    try:
        from airflow.sdk import get_current_context

        context = get_current_context()
    except Exception as exc:  # noqa: BLE001 - outside a task there is no run, so no run time
        log.debug("no Airflow task context: %s", exc)
        return
    clock.set_run_time(clock.time_of_run(context))


def _airflow_connection(conn_id: str) -> Any:
    try:
        from airflow.sdk import Connection

        return Connection.get(conn_id)
    except Exception as exc:  # noqa: BLE001 - a missing connection is normal on laptops
        log.debug("no Airflow connection %s: %s", conn_id, exc)
        return None


def require_search(settings: Settings) -> None:
    if not settings.es_url:
        raise RuntimeError(
            "No Elasticsearch configured: set NEWSFLOW_ES_URL (or the Airflow connection "
            f"'{ES_CONNECTION_ID}'). `newsflow demo` starts an embedded server for you; "
            "`newsflow serve-search` starts one you can point Airflow at."
        )


# dag_run.conf key that chooses a run's interval (`newsflow ingest --start/--end` sets it; a
# manual trigger may too): {"interval": {"start": "2026-11-20T00:00:00+00:00", "end": "..."}}.
INTERVAL_CONF_KEY = "interval"


def run_window(context: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The interval a run ingests: the one chosen in its conf, else its data interval.

    A manual run's data interval is only the schedule's last tick (half an hour by default);
    `newsflow ingest --date/--start/--end` passes the interval the user chose in the conf.
    """
    dag_run = context.get("dag_run")
    chosen = (getattr(dag_run, "conf", None) or {}).get(INTERVAL_CONF_KEY) or {}
    if chosen.get("start") and chosen.get("end"):
        return _utc(chosen["start"]), _utc(chosen["end"])
    return context.get("data_interval_start"), context.get("data_interval_end")


def _utc(value: str | datetime) -> datetime:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def before_start_date(settings: Settings, window_end: datetime | None) -> str:
    """Why a run must not ingest its interval (it ends on or before NEWSFLOW_START_DATE), else ''."""
    start = settings.start_datetime
    if window_end is None or start is None or _utc(window_end) > start:
        return ""
    return (
        f"the interval ends {_utc(window_end):%Y-%m-%d %H:%M} UTC, before NEWSFLOW_START_DATE "
        f"({start:%Y-%m-%d %H:%M} UTC): nothing is ingested before it; set NEWSFLOW_START_DATE earlier "
        "to ingest it"
    )


def ingest_deadline_minutes(settings: Settings, argv: Sequence[str]) -> float:
    """Minutes after a news_ingest run is queued at which its deadline alert fires (0: no alert).

    `airflow dags test` (like dag.test()) runs without a queue, so the alert's reference (the
    run's queued_at) is None and Airflow skips it; and Airflow 3.3.2 then crashes when the run
    succeeds (DagRun.update_state looks the alerts up by their serialized dicts instead of their
    ids: "'dict' object has no attribute 'hex'"). The alert is for the scheduler: off there.
    """
    if list(argv[1:3]) == ["dags", "test"]:
        return 0.0
    return settings.run_deadline_minutes
