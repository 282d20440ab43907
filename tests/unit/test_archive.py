from __future__ import annotations

from datetime import date, datetime

import pytest

from newsflow.archive import archive_batch, iter_archive, safe_run_id
from newsflow.config import Settings
from newsflow.models import RawItem, read_raw


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path)


def _items(n, source="hh"):
    for i in range(n):
        yield RawItem(source=source, url=f"https://x.example/{i}", body=f"<p>{i} ünïcode</p>", line=i)


def test_archive_batch_writes_partitioned_file(settings):
    run_id = "scheduled__2026-11-20T08:00:00+00:00"
    path, count = archive_batch(settings, "hh", run_id, _items(3), date(2026, 11, 20))
    assert count == 3
    assert path.parent == settings.archive / "source=hh" / "date=2026-11-20"
    assert path.suffix == ".jsonl"
    assert ":" not in path.name and "+" not in path.name
    back = list(read_raw(path))
    assert [i.url for i in back] == [f"https://x.example/{i}" for i in range(3)]
    assert back[1].body == "<p>1 ünïcode</p>" and back[1].line == 1
    assert not list(path.parent.glob("*.tmp"))


def test_archive_batch_streams(settings):
    consumed = []

    def gen():
        for item in _items(5):
            consumed.append(item.url)
            yield item

    path, count = archive_batch(settings, "hh", "manual_1", gen(), date(2026, 11, 20))
    assert count == 5 and len(consumed) == 5
    assert path.name == "manual_1.jsonl"


def test_rerun_overwrites_and_empty_batch(settings):
    day = date(2026, 11, 20)
    p1, _ = archive_batch(settings, "hh", "run", _items(4), day)
    p2, n = archive_batch(settings, "hh", "run", [], day)
    assert p1 == p2 and n == 0
    assert p2.read_text() == ""


def test_safe_run_id_distinct():
    assert safe_run_id("manual_1") == "manual_1"
    a, b = safe_run_id("a:b"), safe_run_id("a_b")
    assert a != b and "/" not in safe_run_id("../../etc/passwd")
    assert safe_run_id("../../etc/passwd").startswith("etc_passwd-")


def test_unsafe_source_rejected(settings):
    with pytest.raises(ValueError):
        archive_batch(settings, "../x", "run", [], date(2026, 11, 20))


def test_iter_archive_filters_and_orders(settings):
    archive_batch(settings, "hh", "r1", _items(1), date(2026, 11, 21))
    archive_batch(settings, "hh", "r1", _items(1), date(2026, 11, 19))
    archive_batch(settings, "cwd", "r1", _items(1, "cwd"), date(2026, 11, 20))
    archive_batch(settings, "hh", "r2", _items(1), date(2026, 11, 20))
    (settings.archive / "source=hh" / "date=2026-11-20" / "r3.jsonl.tmp").write_text("half")
    (settings.archive / "stray.txt").write_text("x")

    def rel(paths):
        return [str(p.relative_to(settings.archive)) for p in paths]

    assert rel(iter_archive(settings)) == [
        "source=hh/date=2026-11-19/r1.jsonl",
        "source=cwd/date=2026-11-20/r1.jsonl",
        "source=hh/date=2026-11-20/r2.jsonl",
        "source=hh/date=2026-11-21/r1.jsonl",
    ]
    assert rel(iter_archive(settings, source="cwd")) == ["source=cwd/date=2026-11-20/r1.jsonl"]
    assert rel(iter_archive(settings, source="hh", start=date(2026, 11, 20))) == [
        "source=hh/date=2026-11-20/r2.jsonl",
        "source=hh/date=2026-11-21/r1.jsonl",
    ]
    assert rel(iter_archive(settings, end=datetime(2026, 11, 19, 23, 0))) == [
        "source=hh/date=2026-11-19/r1.jsonl"
    ]


def test_iter_archive_empty(tmp_path):
    assert list(iter_archive(Settings(home=tmp_path / "none"))) == []


def test_temp_files_of_other_writers_are_aged_by_the_filesystem_clock(settings):
    """A write removes temp files a day older than the batch it just wrote, and keeps younger
    ones of other hosts (their writers may still run). The age is the filesystem's, so a
    process whose clock is shifted (faketime, a container) never deletes a live writer's file."""
    import os

    from newsflow.models import write_jsonl

    path = settings.archive / "b.jsonl"
    path.parent.mkdir(parents=True)
    young = path.with_name("b.jsonl.otherhost-1-aaaa.tmp")
    old = path.with_name("b.jsonl.otherhost-2-bbbb.tmp")
    for tmp in (young, old):
        tmp.write_text("half")
    write_jsonl(path, [{"n": 1}])
    written = path.stat().st_mtime
    os.utime(young, (written - 3600, written - 3600))
    os.utime(old, (written - 2 * 86400, written - 2 * 86400))
    write_jsonl(path, [{"n": 2}])  # the second write compares against the batch's own new time
    assert young.exists()
    assert not old.exists()
