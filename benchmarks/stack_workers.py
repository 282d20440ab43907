"""One Celery worker against two on the same backfill, on the production stack without Docker.

    .venv/bin/python benchmarks/stack_workers.py                 # 1 worker, then 2
    .venv/bin/python benchmarks/stack_workers.py --workers 1 2 3

For each worker count it starts the whole stack of tests/stack (PostgreSQL, Redis, scheduler,
dag-processor, triggerer, api-server and N workers of concurrency 2, parallelism 2N) on a fresh
scratch folder, with the test's newsroom (the demo feeds and folder of files, plus a news
sitemap with two articles on each of three days), and runs `airflow backfill create` over the
three days (`--rounds 2`: then again, the same runs reprocessed). Prints, per backfill, the
wall time from `backfill create` to its completion, the task instances run, their mean time
waiting (scheduled to started) and running, the slot time per task (wall x slots / tasks), and
how many each worker ran.

Needs what `make test-stack` needs (Debian's postgresql and redis-server, root or user
namespaces). The machine's load average is printed with each figure: the stack shares the
cores with everything else running.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the stack harness lives with the stack test

from airflow_e2e import backfill, task_instances  # noqa: E402
from stack.environment import WORKER_CONCURRENCY  # noqa: E402
from stack.services import celery_stack  # noqa: E402


def _seconds(ti: dict, start: str, end: str) -> float | None:
    if not ti.get(start) or not ti.get(end):
        return None
    return (datetime.fromisoformat(ti[end]) - datetime.fromisoformat(ti[start])).total_seconds()


def measure(running: dict, label: str) -> dict:
    """One backfill over the three days; its figures."""
    load = os.getloadavg()[0]
    started = time.monotonic()
    runs = backfill(running, timeout=1200)
    wall = time.monotonic() - started
    tis = [t for r in runs for t in task_instances(running["api"], r) if t["state"] == "success"]
    waits = [s for t in tis if (s := _seconds(t, "scheduled_when", "start_date")) is not None]
    durations = [s for t in tis if (s := _seconds(t, "start_date", "end_date")) is not None]
    per_worker: dict[str, int] = {}
    for t in tis:
        per_worker[t["hostname"]] = per_worker.get(t["hostname"], 0) + 1
    return {
        "label": label,
        "wall": wall,
        "tasks": len(tis),
        "wait": statistics.mean(waits) if waits else 0.0,
        "run": statistics.mean(durations) if durations else 0.0,
        "per_worker": dict(sorted(per_worker.items())),
        # Wall time x task slots per task: how long each task held a slot, start-up included.
        "slot": wall * running["slots"] / len(tis) if tis else 0.0,
        "load": (load, os.getloadavg()[0]),
    }


def bench(workers: int, rounds: int) -> list[dict]:
    names = tuple(f"stack-worker-{chr(ord('a') + i)}" for i in range(workers))
    slots = WORKER_CONCURRENCY * workers
    with tempfile.TemporaryDirectory(prefix="newsflow-stack-bench-") as tmp:
        with celery_stack(Path(tmp), names, parallelism=slots) as running:
            running["api"].call("PATCH", "/api/v2/dags/news_ingest", {"is_paused": False})
            running["slots"] = slots
            print(
                f"{workers} worker(s), {slots} task slots: stack up in {running['startup_seconds']:.0f} s",
                flush=True,
            )
            return [measure(running, "new" if i == 0 else "reprocessed") for i in range(rounds)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to compare")
    parser.add_argument("--rounds", type=int, default=1, help="backfills per stack (the 2nd reprocesses)")
    args = parser.parse_args(argv)
    rows = []
    for n in args.workers:
        rows += [(n, r) for r in bench(n, args.rounds)]
    print()
    print(
        f"{'workers':>7} {'backfill':>11} {'wall s':>7} {'tasks':>5} {'wait s':>6} {'run s':>5} {'slot s':>6} "
        f"{'load 1m start/end':>18}  tasks per worker"
    )
    for n, r in rows:
        load = f"{r['load'][0]:.1f}/{r['load'][1]:.1f}"
        print(
            f"{n:>7} {r['label']:>11} {r['wall']:>7.1f} {r['tasks']:>5} {r['wait']:>6.1f} {r['run']:>5.1f} "
            f"{r['slot']:>6.1f} {load:>18}  {r['per_worker']}"
        )
    print(
        "\nwait: mean seconds from scheduled to started; run: mean seconds running; slot: wall x task slots / tasks,"
    )
    print("the time each task held a slot, process start-up and hand-over included.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
