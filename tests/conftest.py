"""Shared test setup.

Airflow reads its configuration when first imported, so its home, DAG folder and
SQLite DB are pointed at a throwaway folder here, before any test imports it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"

_TMP = Path(tempfile.mkdtemp(prefix="newsflow-tests-"))
os.environ.setdefault("AIRFLOW_HOME", str(_TMP / "airflow"))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO_ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
os.environ.setdefault("NEWSFLOW_HOME", str(_TMP / "newsflow"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The real news texts in ../shared/seeds; their absence is a failure, never a skip."""
    files = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(files) == 5, f"expected the 5 seed texts in {SEEDS_DIR}, found {len(files)}"
    return SEEDS_DIR


@pytest.fixture(scope="session")
def seed_files(seeds_dir: Path) -> list[Path]:
    return sorted(seeds_dir.glob("*.txt"))


@dataclass(frozen=True)
class RunClock:
    """A run's time chosen by the test, never today's: the interval [start, end) and `run_after`."""

    start: datetime
    end: datetime
    run_after: datetime


@pytest.fixture(scope="session")
def run_clock() -> RunClock:
    """A daily run over a leap day (the demo newsroom's dates then cross a month), due an hour later.

    Tests that run DAGs pass `end` as the logical date and `run_after` as the run's time, so
    what they see does not depend on the machine's clock (CI reruns them under faketime).
    """
    start = datetime(2028, 2, 29, tzinfo=UTC)
    return RunClock(start=start, end=start + timedelta(days=1), run_after=start + timedelta(days=1, hours=1))


@pytest.fixture(autouse=True)
def _wall_clock_between_tests() -> Iterator[None]:
    """A test that runs a task in this process sets the run's clock; the next test starts without it."""
    yield
    from newsflow import clock

    clock.set_run_time(None)
