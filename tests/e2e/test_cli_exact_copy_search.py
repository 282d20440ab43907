"""An outlet that republishes an exact copy shows in `newsflow search` (issue 19, point 10), as a
user meets it: `newsflow ingest` over local `files` sources, then `newsflow search`.

The copy is a duplicate (never indexed: one document per text), so its outlet is known only by
its URL on the original. Both ways a copy arrives are covered: in the original's run, and in a
later run (the index stage then records it on the indexed original).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_e2e import cli_env, ledger_total, run_newsflow
from reliability.newsroom import article_text

pytestmark = pytest.mark.e2e


def _story() -> dict[str, str]:
    title, paragraphs = article_text(19, 10)
    return {"title": title, "text": "\n\n".join(paragraphs)}


def _source(root: Path, name: str, url: str) -> str:
    """A `files` source whose folder holds the story under `url`; its sources.yaml entry."""
    folder = root / name
    folder.mkdir()
    (folder / "story.jsonl").write_text(json.dumps({"url": url, **_story()}) + "\n")
    return f"  - name: {name}\n    type: files\n    path: {folder}\n"


def test_exact_copies_show_their_outlets_in_search(tmp_path):
    from newsflow.index.embedded import EmbeddedSearch

    sources = tmp_path / "sources.yaml"
    entries = _source(tmp_path, "herald", "https://www.herald.example/news/story")
    entries += _source(tmp_path, "mirror", "https://www.copycat.example/world/story-copy")
    sources.write_text("sources:\n" + entries)
    with EmbeddedSearch() as server:
        env = cli_env(tmp_path / "home", server.url, sources)
        first = run_newsflow(env, "ingest")
        assert first.returncode == 0, first.stderr[-3000:]
        # fetched, new, updated, unchanged, duplicate, rejected: the copy is a duplicate
        assert ledger_total(first.stdout) == {
            "fetched": 2,
            "new": 1,
            "updated": 0,
            "unchanged": 0,
            "duplicate": 1,
            "rejected": 0,
        }, first.stdout
        entries += _source(tmp_path, "reposter", "https://latecomer.example/2026/story")
        sources.write_text("sources:\n" + entries)
        second = run_newsflow(env, "ingest")
        assert second.returncode == 0, second.stderr[-3000:]
        assert ledger_total(second.stdout) == {
            "fetched": 3,
            "new": 0,
            "updated": 0,
            "unchanged": 1,
            "duplicate": 2,
            "rejected": 0,
        }, second.stdout
        found = run_newsflow(env, "search", "*")
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    assert lines[0].startswith("1 article(s) in 1 story(ies)"), found.stdout
    hit = lines.index("     https://www.herald.example/news/story")
    assert (
        "     also carried by: copycat.example (exact copy), latecomer.example (exact copy)"
        in lines[hit + 1 : hit + 5]
    ), found.stdout
