"""Catch-up after a reindex load picks the archive files written since the load began, by the
archive's own clock: a process clock ahead of the filesystem's missed them, one behind replayed all."""

from __future__ import annotations

import os
from datetime import date

from newsflow.archive import archive_batch
from newsflow.config import Settings
from newsflow.models import RawItem
from newsflow.reindex import _archive_clock, archive_runs


def _archive(settings: Settings, run_id: str) -> None:
    item = RawItem(source="hh", url=f"https://x.example/{run_id}", body="<p>text</p>")
    archive_batch(settings, "hh", run_id, [item], date(2026, 11, 20))


def test_files_archived_after_the_mark_are_late_and_earlier_ones_are_not(tmp_path):
    settings = Settings(home=tmp_path)
    _archive(settings, "before")
    (earlier,) = [p for run in archive_runs(settings) for p in run]
    past = earlier.stat().st_mtime - 10
    os.utime(earlier, (past, past))
    began = _archive_clock(settings)
    _archive(settings, "during")
    late = [p.name for run in archive_runs(settings, since=began) for p in run]
    assert late == ["during.jsonl"]
    assert not list(settings.archive.glob("**/.reindex-clock*.jsonl"))
