"""What happens when a `news_ingest` run overruns its deadline (`NEWSFLOW_RUN_DEADLINE_MINUTES`).

Airflow's DeadlineAlert calls `run_overran` in the triggerer when a run is still going that
long after it was queued: the alert is logged (triggerer log) and appended to
`<state>/alerts.jsonl`, the one place `newsflow health` also reads. Hook a notifier (Slack,
e-mail) in here when you have one; the run itself is left alone, it may still finish.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.config import Settings

log = logging.getLogger("newsflow.alerts")


def alerts_path(settings: Settings) -> Path:
    return Path(settings.state) / "alerts.jsonl"


def record_overrun(
    settings: Settings, dag_id: str, run_id: str, minutes: float, deadline_at: str = ""
) -> dict[str, Any]:
    entry = {
        "at": datetime.now(UTC).isoformat(),
        "kind": "run_overran",
        "dag_id": dag_id,
        "run_id": run_id,
        "deadline_minutes": minutes,
    }
    if deadline_at:
        entry["deadline_at"] = deadline_at
    path = alerts_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")
    log.warning("run %s of %s is still running %g minutes after it was queued", run_id, dag_id, minutes)
    return entry


def read_alerts(settings: Settings, last: int = 20) -> list[dict[str, Any]]:
    path = alerts_path(settings)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[-last:]
    return [json.loads(line) for line in lines if line.strip()]


async def run_overran(minutes: float = 0.0, context: dict[str, Any] | None = None, **_: Any) -> None:
    """DeadlineAlert callback (AsyncCallback: runs in the triggerer).

    The scheduler passes `context={"dag_run": <the REST API's DAGRunResponse as JSON>,
    "deadline": {"id", "deadline_time"}}`: the run id is under `dag_run_id` there.
    """
    context = context or {}
    dag_run = context.get("dag_run") or {}
    get = dag_run.get if isinstance(dag_run, dict) else lambda k, d=None: getattr(dag_run, k, d)
    run_id = get("dag_run_id") or get("run_id") or "?"
    deadline = context.get("deadline") or {}
    deadline_at = deadline.get("deadline_time") if isinstance(deadline, dict) else None
    record_overrun(
        Settings.from_env(),
        str(get("dag_id") or "news_ingest"),
        str(run_id),
        minutes,
        deadline_at=_iso(deadline_at),
    )


def _iso(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else str(value)
