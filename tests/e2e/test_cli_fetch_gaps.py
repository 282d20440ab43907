"""Fetch gaps a user meets through `newsflow ingest`: a sitemap is asked for with its validators
(and a 304 still yields the window's entries, from the sitemap's last copy); an RSS backfill
finds items the live runs archived weeks after the window."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from airflow_e2e import cli_env, ledger_total, run_newsflow
from newsflow.models import RawItem
from reliability.newsroom import Newsroom, article_html, send

pytestmark = pytest.mark.e2e


def _ingest(home: Path, sources: Path, es_url: str, *args: str) -> subprocess.CompletedProcess:
    return run_newsflow(cli_env(home, es_url, sources, NEWSFLOW_ALLOW_PRIVATE="1"), "ingest", *args)


def test_sitemap_conditional_get_keeps_the_window(tmp_path):
    from newsflow.index.embedded import EmbeddedSearch

    now = datetime.now(UTC).replace(microsecond=0)
    answers: list[int] = []
    with Newsroom(feeds=1, per_feed=3) as room, EmbeddedSearch() as server:
        entries = "".join(
            f"<url><loc>{room.base_url}/f0/a{m}.html</loc><news:news><news:publication>"
            f"<news:name>Gen</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>{(now - timedelta(minutes=10 + m if m < 3 else 3 * 24 * 60)).isoformat()}"
            f"</news:publication_date><news:title>t{m}</news:title></news:news></url>"
            for m in range(4)  # the 4th is three days old: another interval's
        )
        body = (
            "<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            f"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>{entries}</urlset>"
        ).encode()

        def sitemap(req: BaseHTTPRequestHandler, hit: int) -> None:
            status = 304 if req.headers.get("If-None-Match") == '"v1"' else 200
            answers.append(status)
            send(req, status, b"" if status == 304 else body, "application/xml", {"ETag": '"v1"'})

        room.routes["/sitemap.xml"] = sitemap
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            f"sources:\n  - name: gen_sitemap\n    type: sitemap\n    url: {room.base_url}/sitemap.xml\n"
        )
        window = (
            "--start",
            (now - timedelta(hours=1)).isoformat(),
            "--end",
            (now + timedelta(hours=1)).isoformat(),
        )
        first = _ingest(tmp_path, sources, server.url, *window)
        second = _ingest(tmp_path, sources, server.url, *window)
    assert first.returncode == 0 and second.returncode == 0, first.stderr[-2000:] + second.stderr[-2000:]
    assert answers == [200, 304]
    assert ledger_total(first.stdout)["new"] == 3
    assert "sitemap lists 4 entries, 3 dated in the run's interval" in first.stdout, first.stdout
    assert "the 1 others belong to other intervals" in first.stdout
    assert ledger_total(second.stdout) == {
        "fetched": 3,
        "new": 0,
        "updated": 0,
        "unchanged": 3,
        "duplicate": 0,
        "rejected": 0,
    }
    assert "sitemap" in second.stdout and "not modified (HTTP 304): read from its last copy" in second.stdout


def test_rss_backfill_replays_items_archived_weeks_later(tmp_path):
    """A source added on 2026-01-20 archived, that day, an item its feed dated 2026-01-05."""
    from newsflow.index.embedded import EmbeddedSearch

    day = tmp_path / "archive" / "source=late_feed" / "date=2026-01-20"
    day.mkdir(parents=True)
    item = RawItem(
        source="late_feed",
        url="https://late.example/news/harbour",
        kind="html",
        body=article_html(7, 1).decode(),
        fetched_at="2026-01-20T09:00:00+00:00",
        status_code=200,
        content_type="text/html",
        feed_url="https://late.example/feed.xml",
        feed_published="2026-01-05T10:00:00+00:00",
    )
    (day / "live-run.jsonl").write_text(json.dumps(item.to_dict()) + "\n")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - name: late_feed\n    type: rss\n    url: https://late.example/feed.xml\n"
    )
    with EmbeddedSearch() as server:
        out = _ingest(tmp_path, sources, server.url, "--date", "2026-01-05")
    assert out.returncode == 0, out.stderr[-3000:]
    assert ledger_total(out.stdout)["new"] == 1, out.stdout
    assert "1 items were replayed from the raw archive" in out.stdout
