"""An outlet that republishes an exact copy shows in `newsflow search` (issue 19, point 10), as a
user meets it: `newsflow ingest` over local `files` sources, then `newsflow search`.

The copy is a duplicate (never indexed: one document per text), so its outlet is known only by
its URL on the original. Both ways a copy arrives are covered: in the original's run, and in a
later run (the index stage then records it on the indexed original).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reliability.newsroom import article_text

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def _story() -> dict[str, str]:
    title, paragraphs = article_text(19, 10)
    return {"title": title, "text": "\n\n".join(paragraphs)}


def _source(root: Path, name: str, url: str) -> str:
    """A `files` source whose folder holds the story under `url`; its sources.yaml entry."""
    folder = root / name
    folder.mkdir()
    (folder / "story.jsonl").write_text(json.dumps({"url": url, **_story()}) + "\n")
    return f"  - name: {name}\n    type: files\n    path: {folder}\n"


def _newsflow(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "newsflow.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=600)


def _total(out: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith("TOTAL "))[1:]


def test_exact_copies_show_their_outlets_in_search(tmp_path):
    from newsflow.index.embedded import EmbeddedSearch

    sources = tmp_path / "sources.yaml"
    entries = _source(tmp_path, "herald", "https://www.herald.example/news/story")
    entries += _source(tmp_path, "mirror", "https://www.copycat.example/world/story-copy")
    sources.write_text("sources:\n" + entries)
    with EmbeddedSearch() as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "AIRFLOW"))}
        env.update(
            NEWSFLOW_HOME=str(tmp_path / "home"),
            PYTHONPATH=str(REPO / "include"),
            NEWSFLOW_ES_URL=server.url,
            NEWSFLOW_ES_EMBEDDED="1",
            NEWSFLOW_SOURCES_FILE=str(sources),
            NEWSFLOW_DAGS_FOLDER=str(REPO / "dags"),
            AIRFLOW_HOME=str(tmp_path / "home" / "airflow"),
            NEWSFLOW_RETRY_DELAY="0",
        )
        first = _newsflow(env, "ingest")
        assert first.returncode == 0, first.stderr[-3000:]
        # fetched, new, updated, unchanged, duplicate, rejected: the copy is a duplicate
        assert _total(first.stdout) == ["2", "1", "0", "0", "1", "0"], first.stdout
        entries += _source(tmp_path, "reposter", "https://latecomer.example/2026/story")
        sources.write_text("sources:\n" + entries)
        second = _newsflow(env, "ingest")
        assert second.returncode == 0, second.stderr[-3000:]
        assert _total(second.stdout) == ["3", "0", "0", "1", "2", "0"], second.stdout
        found = _newsflow(env, "search", "*")
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    assert lines[0].startswith("1 article(s) in 1 story(ies)"), found.stdout
    hit = lines.index("     https://www.herald.example/news/story")
    assert (
        "     also carried by: copycat.example (exact copy), latecomer.example (exact copy)"
        in lines[hit + 1 : hit + 5]
    ), found.stdout
