"""A Japanese article re-fetched run after run, through `newsflow ingest` (issue 19, point 7).

The boilerplate learner tells re-fetches of one story from different stories by their long
lines. Counted by whitespace, a Japanese line has no words, so each fetch of one real NHK page
counted as another story: by the third run all its lines were "furniture" and the article was
rejected "too_short: 0 words". The page is a real one (../shared/datasets/realpages), served on
loopback behind an RSS feed.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from tests.conftest import REPO_ROOT

from airflow_e2e import cli_env, ledger_total, run_newsflow
from reliability.newsroom import Newsroom, send

pytestmark = pytest.mark.e2e

REALPAGES = REPO_ROOT.parent / "shared" / "datasets" / "realpages"
NHK = "https://www3.nhk.or.jp/news/easy/k10011959621000/k10011959621000.html"


def _nhk_page() -> tuple[bytes, list[str]]:
    """The real NHK page and the snippets its annotators say are in its main text."""
    if not (REALPAGES / "index.jsonl").is_file():
        pytest.fail("../shared/datasets/realpages is not here (CI has it beside the repository)")
    rows = (json.loads(line) for line in (REALPAGES / "index.jsonl").read_text(encoding="utf-8").splitlines())
    row = next(r for r in rows if r["url"] == NHK)
    return gzip.decompress((REALPAGES / row["page"]).read_bytes()), row["text_with"]


def _ingest(home: Path, sources: Path, es_url: str) -> subprocess.CompletedProcess[str]:
    return run_newsflow(cli_env(home, es_url, sources, NEWSFLOW_ALLOW_PRIVATE="1"), "ingest")


def test_a_japanese_article_fetched_three_times_stays_an_article(tmp_path):
    from newsflow.index.embedded import EmbeddedSearch

    page, snippets = _nhk_page()
    with Newsroom(feeds=0) as room, EmbeddedSearch() as server:
        link = f"{room.base_url}/news/easy/k10011959621000.html"
        feed = (
            "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>NHK easy</title>"
            f"<link>{room.base_url}/</link><description>loopback</description><item><title>虐待</title>"
            f"<link>{link}</link><guid>{link}</guid></item></channel></rss>"
        ).encode()

        def serve_feed(req: BaseHTTPRequestHandler, hit: int) -> None:
            send(req, 200, feed, "application/rss+xml; charset=utf-8")

        def serve_page(req: BaseHTTPRequestHandler, hit: int) -> None:
            send(req, 200, page)

        room.routes["/feed.xml"] = serve_feed
        room.routes["/news/easy/k10011959621000.html"] = serve_page
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            f"sources:\n  - name: nhk_easy\n    type: rss\n    url: {room.base_url}/feed.xml\n"
        )
        runs = [_ingest(tmp_path, sources, server.url) for _ in range(3)]
    for run in runs:
        assert run.returncode == 0, run.stderr[-3000:]
    assert room.hits["/news/easy/k10011959621000.html"] == 3, "each run fetched the page again"
    totals = [ledger_total(run.stdout) for run in runs]
    assert [(t["fetched"], t["new"], t["unchanged"], t["rejected"]) for t in totals] == [
        (1, 1, 0, 0),
        (1, 0, 1, 0),
        (1, 0, 1, 0),
    ], "\n".join(run.stdout for run in runs)
    assert all("too_short" not in run.stdout for run in runs)
    memory = json.loads((tmp_path / "state" / "sources" / "nhk_easy" / "boilerplate.json").read_text())
    assert len(memory["recent"]) == 3 and all(s in memory["recent"][-1] for s in snippets[:2])
