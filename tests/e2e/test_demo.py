"""`newsflow demo` (what `make demo` runs) as a new user sees it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory) -> str:
    home = tmp_path_factory.mktemp("demo-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW"))}
    env["NEWSFLOW_HOME"] = str(home)
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("newsflow")), "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_prints_a_ledger_that_adds_up_twice(demo_output: str):
    assert demo_output.count(": adds up") == 2
    assert "Ledger of the first run" in demo_output
    assert "PROBLEM" not in demo_output
    second = demo_output.split("run again")[1].split("=== Search")[0]
    assert "new 0 + updated 0" in second


def test_every_source_is_fetched_on_the_day_the_demo_runs(demo_output: str):
    """The demo runs the latest whole day before now, and its newsroom is dated to that day."""
    assert "demo interval:" in demo_output
    first = demo_output.split("Ledger of the first run")[1].split("TOTAL")[0]
    rows = {
        line.split()[0]: int(line.split()[1])
        for line in first.splitlines()
        if line.strip() and line.split()[1:2] and line.split()[1].isdigit()
    }
    assert set(rows) == {
        "bayside_archive",
        "coastal_wire_daily",
        "courrier_du_port",
        "hafenbote",
        "harbour_herald",
    }, first
    assert all(count > 0 for count in rows.values()), rows
    assert "outside the feed's live window" not in demo_output


def test_prints_two_searches_with_facets(demo_output: str):
    searches = demo_output.split("=== Search:")[1:]
    assert len(searches) == 2
    for block in searches:
        assert "publisher:" in block and "language:" in block
    assert "soudeurs" in searches[1]


def test_syndicated_story_once_with_three_outlets(demo_output: str):
    story = demo_output.split("shown once with every outlet")[1]
    assert "3 articles" in story
    for outlet in ("Harbour Herald", "Coastal Wire Daily", "Bayside Bulletin"):
        assert outlet in story
