"""The run's clock: the one place newsflow asks what time it is.

Decisions that depend on "now" (is a feed window still live, is a date in the future, when
may a feed be polled again) must follow the run's own time, not the machine's. A scheduled
run, a backfill, a test and the demo each say what time it is through their data interval
and the moment their run was due (`run_after`); a task sets that time once with
`set_run_time`, and every stage reads it through `now()`. Outside a run (the `process`
command, a library caller), `now()` is the wall clock.

A module-level value, not a ContextVar: a task handles one run, and the fetch stage's
worker threads must see the same time as the thread that started them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

_run_time: datetime | None = None


def now() -> datetime:
    """The run's time when a run has set it, else the wall clock (always timezone-aware UTC)."""
    return _run_time if _run_time is not None else datetime.now(UTC)


def set_run_time(at: datetime | None) -> None:
    """Make `at` the time every stage of this process reads; None returns to the wall clock."""
    global _run_time
    _run_time = _aware(at) if at is not None else None


@contextmanager
def run_time(at: datetime | None) -> Iterator[None]:
    """Use `at` as the time inside the block (tests, the CLI), then restore the previous one."""
    previous = _run_time
    set_run_time(at)
    try:
        yield
    finally:
        set_run_time(previous)


def time_of_run(context: Mapping[str, Any]) -> datetime | None:
    """The time an Airflow run stands for: when it was due (`run_after`), else its interval's end.

    A scheduled run is due at its interval's end; a manual run or `dag.test()` at the moment
    it was asked for (a test passes it explicitly); neither depends on the worker's clock.
    """
    dag_run = context.get("dag_run")
    for value in (getattr(dag_run, "run_after", None), context.get("data_interval_end")):
        if isinstance(value, datetime):
            return _aware(value)
    return None


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
