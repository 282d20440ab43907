"""Run a newsflow DAG once with `dag.test()`, in a child process with its own Airflow home.

Airflow reads its configuration from the environment when first imported and
takes over logging, so the CLI runs it in a child process: the parent keeps a
clean terminal and can pass the embedded search server's URL through the
environment. The child prepares a throwaway SQLite metadata database once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from newsflow.config import INCLUDE_DIR, Settings


def dags_folder() -> Path:
    return Path(os.environ.get("NEWSFLOW_DAGS_FOLDER", INCLUDE_DIR.parent / "dags")).resolve()


def airflow_env(settings: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for an embedded Airflow: SQLite under <home>/airflow, our dags folder, no examples."""
    home = settings.home / "airflow"
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(home))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(dags_folder()))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    env.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    # dag.test() in Airflow 3.3.2 fails on a DAG with a DeadlineAlert (it looks the alert up by a
    # dict instead of its id); the deadline is for the real scheduler, so it is off here.
    env.setdefault("NEWSFLOW_RUN_DEADLINE_MINUTES", "0")
    env["NEWSFLOW_HOME"] = str(settings.home)
    if extra:
        env.update(extra)
    return env


def run_dag(
    dag_id: str,
    settings: Settings,
    logical_date: datetime | None = None,
    extra_env: dict[str, str] | None = None,
    quiet: bool = True,
    run_after: datetime | None = None,
) -> dict:
    """Run `dag_id` once via dag.test() in a child process; return its ledger (or raise).

    `run_after` is the time the run stands for (`newsflow.clock`): a caller that controls
    time (a test, the demo) passes it; without it Airflow takes the wall clock.
    """
    env = airflow_env(settings, extra_env)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    when = (logical_date or datetime.now(UTC)).isoformat()
    cmd = [sys.executable, "-m", "newsflow.airflow_runner", "--dag-id", dag_id, "--logical-date", when]
    if run_after is not None:
        cmd += ["--run-after", run_after.isoformat()]
    log_path = settings.home / "logs" / f"{dag_id}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log_fh:
        proc = subprocess.run(
            cmd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log_fh if quiet else None,
            text=True,
            check=False,
        )
    result_line = [ln for ln in proc.stdout.splitlines() if ln.startswith("NEWSFLOW_RESULT ")]
    if proc.returncode != 0 or not result_line:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
        raise RuntimeError(f"DAG {dag_id} failed (exit {proc.returncode}); log: {log_path}\n{tail}")
    return json.loads(result_line[-1].removeprefix("NEWSFLOW_RESULT "))


def _child(dag_id: str, logical_date: str, run_after: str | None = None) -> int:
    """Inside the child: migrate the metadata DB if needed, parse our DAGs, run one, print its result."""
    import logging

    logging.getLogger("newsflow").setLevel(logging.INFO)
    _ensure_db()
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_folder()))
    if bag.import_errors:
        for path, err in bag.import_errors.items():
            print(f"import error in {path}: {err}", file=sys.stderr)
        return 2
    dag = bag.dags.get(dag_id)
    if dag is None:
        print(f"no DAG named {dag_id} in {dags_folder()}", file=sys.stderr)
        return 2
    # dag.test() runs each task in this process without asking the pools for a slot, so the
    # fetch pools (newsflow.pools) need not exist here; the scheduler would wait for them.
    dagrun = dag.test(
        logical_date=datetime.fromisoformat(logical_date),
        run_after=datetime.fromisoformat(run_after) if run_after else None,
    )
    result = {"state": str(dagrun.state), "run_id": dagrun.run_id, "tasks": _task_instances(dag_id, dagrun.run_id)}
    ledger_file = Settings.from_env().work / "ledgers" / f"{_safe(dagrun.run_id)}.json"
    if ledger_file.exists():
        result["ledger"] = json.loads(ledger_file.read_text())
    print("NEWSFLOW_RESULT " + json.dumps(result), flush=True)
    return 0 if str(dagrun.state).endswith("success") else 1


def _task_instances(dag_id: str, run_id: str) -> list[dict]:
    """The run's task instances (state, pool, source name of a mapped one), for callers and tests."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        tis = session.scalars(
            select(TaskInstance)
            .where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
            .order_by(TaskInstance.task_id, TaskInstance.map_index)
        ).all()
        return [
            {"task_id": ti.task_id, "map_index": ti.map_index, "state": getattr(ti.state, "value", ti.state),
             "pool": ti.pool, "name": ti.rendered_map_index}
            for ti in tis
        ]


def _safe(run_id: str) -> str:
    from newsflow.pipeline import safe_name

    return safe_name(run_id)


def _ensure_db() -> None:
    """Migrate the SQLite metadata DB once per Airflow home (a marker file remembers it)."""
    marker = Path(os.environ["AIRFLOW_HOME"]) / ".newsflow-db-ready"
    if marker.exists() and (marker.parent / "airflow.db").exists():
        return
    from airflow.utils import db

    db.upgradedb()
    marker.write_text("ok")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dag-id", required=True)
    parser.add_argument("--logical-date", required=True)
    parser.add_argument("--run-after", help="the time the run stands for (ISO 8601); default: now")
    args = parser.parse_args()
    sys.exit(_child(args.dag_id, args.logical_date, args.run_after))
