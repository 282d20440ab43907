"""The demo newsroom dated to any day: no trace of the day it was written for, valid feeds."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

import feedparser
import pytest

from newsflow.config import INCLUDE_DIR
from newsflow.demo import demo_interval, prepare_newsroom
from newsflow.demo_dating import ANCHOR, date_forms, forms_pattern, render_newsroom, shift_text
from newsflow.sources import load_sources

DEMO = INCLUDE_DIR / "demo"


@pytest.mark.parametrize("day", [date(2028, 2, 29), date(2031, 1, 5), date(2025, 12, 31)])
def test_rendered_newsroom_keeps_no_trace_of_the_anchor_day(tmp_path, day):
    out = render_newsroom(DEMO, tmp_path / "room", day)
    texts = {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()
    }
    assert len(texts) == sum(1 for p in DEMO.rglob("*") if p.is_file())
    for rel, text in texts.items():
        for form in date_forms(ANCHOR):
            assert form not in rel, rel
            assert form not in text.replace(f"{ANCHOR.year}:", ""), (rel, form)
    originals = [p.read_text(encoding="utf-8") for p in DEMO.rglob("*") if p.is_file()]
    anchored = sum(len(forms_pattern(ANCHOR).findall(text)) for text in originals)
    shifted = sum(len(forms_pattern(day).findall(text)) for text in texts.values())
    assert anchored > 40 and shifted == anchored


def test_rendered_feeds_date_every_entry_on_the_day_with_its_weekday(tmp_path):
    day = date(2028, 2, 29)
    out = render_newsroom(DEMO, tmp_path / "room", day)
    feeds = sorted((out / "site").glob("*/feed.xml"))
    assert len(feeds) == 4
    for feed in feeds:
        raw = feed.read_text(encoding="utf-8")
        parsed = feedparser.parse(raw)
        assert parsed.entries and not parsed.bozo, feed
        for entry in parsed.entries:
            stamp = entry.get("published") or entry.get("updated")
            when = _parse(stamp)
            assert when.date() in {day, day - timedelta(days=1), day + timedelta(days=1)}, stamp
            assert f"/{day:%Y/%m/%d}/" in entry.link, entry.link
        if "<pubDate>" in raw:
            assert "Tue, 29 Feb 2028" in raw  # the weekday follows the day


def _parse(stamp: str) -> datetime:
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return parsedate_to_datetime(stamp)


def test_rendered_archive_is_dated_and_readable_by_its_sources_file(tmp_path):
    day = date(2031, 1, 5)
    out = prepare_newsroom(tmp_path, datetime(2031, 1, 5))
    (files,) = [s for s in load_sources(out / "sources.yaml") if s.type == "files"]
    names = sorted(p.name for p in files.path.rglob("*") if p.is_file())
    assert f"bayside-bulletin-{day}.jsonl" in names and f"{day}-parking-on-the-seafront.txt" in names
    records = [
        json.loads(line) for line in (files.path / f"bayside-bulletin-{day}.jsonl").read_text().splitlines()
    ]
    assert records and all(r["published"].startswith(str(day)) for r in records)


def test_shift_leaves_other_days_and_words_alone():
    text = "Fri, 20 Nov 2026 08:00 +0100; 2026-11-21; Nov 2026; on Thursday; November 20, 2026; 20. November 2026"
    assert shift_text(text, date(2027, 3, 1)) == (
        "Mon, 01 Mar 2027 08:00 +0100; 2026-11-21; Nov 2026; on Thursday; March 1, 2027; 1. März 2027"
    )
    assert shift_text(text, ANCHOR) == text


def test_demo_interval_is_the_latest_whole_day_before_the_run():
    from datetime import UTC

    start, end = demo_interval(datetime(2030, 7, 1, 0, 30, tzinfo=UTC))
    assert (start, end) == (datetime(2030, 6, 30, tzinfo=UTC), datetime(2030, 7, 1, tzinfo=UTC))
