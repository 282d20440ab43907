"""Shared test setup.

Airflow reads its configuration when first imported, so its home, DAG folder and
SQLite DB are pointed at a throwaway folder here, before any test imports it.
"""

from __future__ import annotations

import os
import tempfile
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
