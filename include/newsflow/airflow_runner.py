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
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.config import Settings


def dags_folder() -> Path:
    """The DAGs `dag.test()` runs: the setting `dags_folder` (`NEWSFLOW_DAGS_FOLDER`)."""
    return Settings.from_env().dags_folder.resolve()


def airflow_env(settings: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for an embedded Airflow: SQLite under <home>/airflow, our dags folder, no examples."""
    home = settings.home / "airflow"
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(home))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(dags_folder()))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    # INFO: the log then has each task's own lines, cut per task at dag.test()'s "starting task_id=".
    env.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")
    # dag.test() in Airflow 3.3.2 fails on a DAG with a DeadlineAlert (it looks the alert up by a
    # dict instead of its id); the deadline is for the real scheduler, so it is off here.
    env.setdefault("NEWSFLOW_RUN_DEADLINE_MINUTES", "0")
    env["NEWSFLOW_HOME"] = str(settings.home)
    if extra:
        env.update(extra)
    return env


class DagRunFailed(RuntimeError):
    """A run failed: `result` holds its state, tasks, failing tasks' log tails and saved ledger."""

    def __init__(self, message: str, result: dict[str, Any]):
        super().__init__(message)
        self.result = result


def run_dag(
    dag_id: str,
    settings: Settings,
    logical_date: datetime | None = None,
    extra_env: dict[str, str] | None = None,
    quiet: bool = True,
    interval: tuple[datetime, datetime] | None = None,
    raise_on_failure: bool = True,
    run_after: datetime | None = None,
) -> dict[str, Any]:
    """Run `dag_id` once via dag.test() in a child process; return its result (state, tasks, ledger).

    Everything the child prints (Airflow's and the tasks' logs) goes to `<home>/logs/<dag>-<time>.log`,
    and to stderr as well unless `quiet`. `interval` chooses the run's interval (the DAG reads it
    from the run's conf). A failed run raises DagRunFailed (its message has the failing tasks' log
    tails), or is returned with `failed_tasks` when `raise_on_failure` is False. `run_after` is
    the time the run stands for (`newsflow.clock`): a caller that controls time (a test, the
    demo) passes it; without it Airflow takes the wall clock.
    """
    env = airflow_env(settings, extra_env)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    when = logical_date or (interval[1] if interval else None) or datetime.now(UTC)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    log_path = settings.home / "logs" / f"{dag_id}-{stamp}.log"
    result_path = log_path.with_suffix(".result.json")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "newsflow.airflow_runner",
        "--dag-id",
        dag_id,
        "--logical-date",
        when.isoformat(),
        "--result-file",
        str(result_path),
    ]
    if interval:
        cmd += ["--start", interval[0].isoformat(), "--end", interval[1].isoformat()]
    if run_after is not None:
        cmd += ["--run-after", run_after.isoformat()]
    returncode = _run_logged(cmd, env, log_path, echo=not quiet)
    result = json.loads(result_path.read_text()) if result_path.exists() else {}
    result_path.unlink(missing_ok=True)
    result["log"] = str(log_path)
    if returncode == 0 and result.get("state", "").endswith("success"):
        return result
    result.setdefault("state", f"failed (exit {returncode})")
    result["failed_tasks"] = failed_task_logs(result, log_path)
    if not raise_on_failure:
        return result
    tails = "\n".join(f"--- {name}\n{tail}" for name, tail in result["failed_tasks"].items())
    raise DagRunFailed(f"DAG {dag_id} failed ({result['state']}); log: {log_path}\n{tails}".rstrip(), result)


def _run_logged(cmd: list[str], env: dict[str, str], log_path: Path, echo: bool) -> int:
    """Run `cmd`, writing its stdout and stderr to `log_path` (and to our stderr if `echo`)."""
    with (
        log_path.open("w") as log_fh,
        subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        ) as proc,
    ):
        assert proc.stdout is not None
        for line in proc.stdout:
            log_fh.write(line)
            if echo:
                sys.stderr.write(line)
        return proc.wait()


_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")
_BAD_STATES = {"failed", "upstream_failed"}


def failed_task_logs(result: dict[str, Any], log_path: Path, lines: int = 15) -> dict[str, str]:
    """The last `lines` lines logged by each failed task (its last try), keyed `task_id[map_index]`.

    dag.test() runs one task at a time in the child, announcing each; the log is cut there.
    A run that failed before any task ran gets the log's own tail.
    """
    sections: dict[tuple[str, int], list[str]] = {}
    current: list[str] | None = None
    text = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    for line in text:
        match = _TASK_START.search(line)
        if match:
            current = sections[(match.group(1), int(match.group(2)))] = []
        elif current is not None:
            current.append(line)
    failed = [t for t in result.get("tasks", []) if t.get("state") == "failed"]
    if not failed:
        return {} if result.get("tasks") else {"(no task ran)": "\n".join(text[-lines:])}
    out = {}
    for task in failed:
        key = f"{task['task_id']}[{task['map_index']}]" if task["map_index"] >= 0 else task["task_id"]
        name = f"{key} ({task['name']})" if task.get("name") and task["map_index"] >= 0 else key
        out[name] = "\n".join(_readable(sections.get((task["task_id"], task["map_index"]), []))[-lines:])
    return out


# Lines of a task's log a reader does not need in a summary: traceback frames (the exception's own
# line stays) and Airflow's bookkeeping after the task ended. The full log keeps them all.
_NOISE = re.compile(
    r"^(\s|Traceback \(most recent call last\)|During handling of the above exception"
    r"|The above exception was the direct cause)"
    r"|::group::|::endgroup::|Task instance state updated|\[DAG TEST\] end task|No tasks to run"
)


def _readable(section: list[str]) -> list[str]:
    return [line for line in section if line.strip() and not _NOISE.search(line)]


def _child(
    dag_id: str, logical_date: str, result_file: str, start: str = "", end: str = "", run_after: str = ""
) -> int:
    """Inside the child: migrate the metadata DB if needed, parse our DAGs, run one, write its result."""
    import logging

    logging.getLogger("newsflow").setLevel(logging.INFO)
    result: dict[str, Any] = {"state": "failed", "tasks": []}
    try:
        code = _run_child(dag_id, logical_date, start, end, result, run_after)
    finally:
        if result_file:
            Path(result_file).write_text(json.dumps(result, default=str))
        else:  # no file asked for: the last stdout line, as callers of older versions read it
            print("NEWSFLOW_RESULT " + json.dumps(result, default=str), flush=True)
    return code


def _run_child(
    dag_id: str, logical_date: str, start: str, end: str, result: dict[str, Any], run_after: str = ""
) -> int:
    from newsflow.runtime import INTERVAL_CONF_KEY, before_start_date

    when = datetime.fromisoformat(logical_date)
    too_early = before_start_date(Settings.from_env(), datetime.fromisoformat(end) if end else when)
    if too_early and dag_id == "news_ingest":
        result["error"] = too_early
        print(f"news_ingest: {too_early}", file=sys.stderr)
        return 1
    _ensure_db()
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_folder()))
    if bag.import_errors:
        result["error"] = "; ".join(
            f"import error in {path}: {err}" for path, err in bag.import_errors.items()
        )
        print(result["error"], file=sys.stderr)
        return 2
    dag = bag.dags.get(dag_id)
    if dag is None:
        result["error"] = f"no DAG named {dag_id} in {dags_folder()}"
        print(result["error"], file=sys.stderr)
        return 2
    conf = {INTERVAL_CONF_KEY: {"start": start, "end": end}} if start and end else None
    # dag.test() runs each task in this process without asking the pools for a slot, so the
    # fetch pools (newsflow.pools) need not exist here; the scheduler would wait for them.
    dagrun = dag.test(
        logical_date=when, run_conf=conf, run_after=datetime.fromisoformat(run_after) if run_after else None
    )
    result.update(state=str(dagrun.state), run_id=dagrun.run_id, tasks=_task_instances(dag_id, dagrun.run_id))
    result["interval"] = (
        [start, end] if conf else [str(dagrun.data_interval_start), str(dagrun.data_interval_end)]
    )
    ledger_file = Settings.from_env().work / "ledgers" / f"{_safe(dagrun.run_id)}.json"
    if ledger_file.exists():
        result["ledger"] = json.loads(ledger_file.read_text())
    return 0 if str(dagrun.state).endswith("success") else 1


def _task_instances(dag_id: str, run_id: str) -> list[dict[str, Any]]:
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
            {
                "task_id": ti.task_id,
                "map_index": ti.map_index,
                "state": getattr(ti.state, "value", ti.state),
                "pool": ti.pool,
                "name": ti.rendered_map_index,
                "duration": ti.duration,
                "start_date": ti.start_date.isoformat() if ti.start_date else None,
                "end_date": ti.end_date.isoformat() if ti.end_date else None,
            }
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
    parser.add_argument("--result-file", default="", help="write the result here (default: a stdout line)")
    parser.add_argument("--start", default="")
    parser.add_argument("--end", default="")
    parser.add_argument(
        "--run-after", default="", help="the time the run stands for (ISO 8601); default: now"
    )
    args = parser.parse_args()
    sys.exit(_child(args.dag_id, args.logical_date, args.result_file, args.start, args.end, args.run_after))
