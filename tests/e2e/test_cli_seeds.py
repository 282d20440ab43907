"""`newsflow process ../shared/seeds/*.txt` as a user runs it: the acceptance of the seeds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

FURNITURE = [
    "Remember me",
    "Forgot password",
    "Log in with Twitter",
    "Read more:",
    "Powered by automated translation",
    "More about",
    "More news from",
    "AFP PHOTO",
    "Published in Dawn",
    "Souece:",
    "Chained to the rivers",
    "Agriculture woes",
    "Latest News",
    "Top News",
    "____",
]


def _newsflow() -> str:
    return str(Path(sys.executable).with_name("newsflow"))


@pytest.fixture(scope="module")
def seeds_output(seed_files):
    out = subprocess.run(
        [_newsflow(), "process", *map(str, seed_files)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert len(rows) == 5
    return {Path(r["path"]).name[:3]: r for r in rows}


def test_required_fields_in_input_order(seeds_output, seed_files):
    for key, row in seeds_output.items():
        for field in (
            "path",
            "id",
            "url",
            "title",
            "text",
            "language",
            "published_at",
            "publisher",
            "cluster_id",
            "status",
            "reason",
        ):
            assert field in row, (key, field)
    assert list(seeds_output) == ["000", "001", "002", "003", "004"]


def test_one_story_three_outlets_and_two_other_stories(seeds_output):
    c = {k: r["cluster_id"] for k, r in seeds_output.items()}
    assert c["000"] == c["001"] == c["002"]
    assert len({c["000"], c["003"], c["004"]}) == 3
    assert all(r["status"] == "new" for r in seeds_output.values())


def test_language_and_dates(seeds_output):
    assert {r["language"] for r in seeds_output.values()} == {"en"}
    assert seeds_output["001"]["published_at"].startswith("2017-11-05")
    assert seeds_output["003"]["published_at"].startswith("2017-11-08")
    assert seeds_output["004"]["published_at"].startswith("2017-11-03")


def test_no_site_furniture_and_story_kept(seeds_output, seed_files):
    for key, row in seeds_output.items():
        for junk in FURNITURE:
            assert junk not in row["text"], (key, junk)
    # The story itself is kept (tests/unit/clean checks every paragraph; here the gist).
    for key, row in seeds_output.items():
        assert "Albu Kamal" in row["text"], key
        assert len(row["text"].split()) > 300, key
