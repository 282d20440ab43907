"""`newsflow process` on one site's articles that share furniture the cleaner leaves in (teaser
paragraphs of other stories, a cookie banner): unrelated articles must stay apart, while a real
copy of a story on another site still joins its story. Texts are made up here from word lists."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_e2e import cli_env, ledger_total, run_newsflow

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
WORDS = (
    "harbour council ferry workers plan minister city port river bridge market report company union "
    "election budget police station project school hospital weather storm coast fishing boats festival "
    "museum strike prices fuel water energy housing residents mayor court decision agreement talks quarter "
    "figures growth trade route season visitors contract vote review inquiry damage repairs funding families "
    "island tide crane timetable lighthouse pier cargo tram library choir bakery clinic rowing signal tower"
).split()


def _paragraph(rng: random.Random, words: int = 34) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _records(tmp_path: Path) -> Path:
    rng = random.Random(19)
    teasers = [_paragraph(rng, 30) for _ in range(3)]  # "most read": other stories' first paragraphs
    banner = _paragraph(rng, 26)  # a cookie banner the extractor kept
    stories = {name: [_paragraph(rng) for _ in range(3)] for name in ("a", "b", "c")}

    def page(name: str, furniture: list[str]) -> str:
        return "\n\n".join([*stories[name], *furniture])

    copy = [p.replace(" the ", " a ") for p in stories["a"]]
    copy[1] = copy[1].replace("harbour", "port")
    rows = [
        {"url": "https://site.example/a", "source": "site", "text": page("a", [*teasers, banner])},
        {"url": "https://site.example/b", "source": "site", "text": page("b", [*teasers, banner])},
        {"url": "https://site.example/c", "source": "site", "text": page("c", [])},
        {"url": "https://other.example/copy-of-a", "source": "other", "text": "\n\n".join(copy)},
    ]
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps({**r, "title": r["url"]}) + "\n" for r in rows))
    return path


def test_shared_furniture_does_not_join_unrelated_articles(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "process", str(_records(tmp_path))],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={"PYTHONPATH": str(REPO / "include"), "NEWSFLOW_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    rows = {r["url"].rsplit("/", 1)[-1]: r for r in map(json.loads, out.stdout.splitlines())}
    assert all(r["status"] == "new" for r in rows.values()), rows
    assert rows["a"]["cluster_id"] != rows["b"]["cluster_id"], "teasers and a banner made a and b one story"
    assert rows["copy-of-a"]["cluster_id"] == rows["a"]["cluster_id"], "a real copy on another site joins a"


def test_shared_furniture_does_not_join_unrelated_articles_in_a_run(tmp_path):
    """The same pages through `newsflow ingest` (the DAG: furniture learned in each source's clean
    task, read by the one dedupe task), two `files` sources, then `newsflow search`."""
    from newsflow.index.embedded import EmbeddedSearch

    rows = [json.loads(line) for line in _records(tmp_path).read_text().splitlines()]
    for name in ("site", "other"):
        folder = tmp_path / name
        folder.mkdir()
        mine = [{k: v for k, v in r.items() if k != "source"} for r in rows if r["source"] == name]
        (folder / "pages.jsonl").write_text("".join(json.dumps(r) + "\n" for r in mine))
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        + "".join(f"  - name: {n}\n    type: files\n    path: {tmp_path / n}\n" for n in ("site", "other"))
    )
    with EmbeddedSearch() as server:
        env = cli_env(tmp_path / "home", server.url, sources)
        ingest = run_newsflow(env, "ingest")
        assert ingest.returncode == 0, ingest.stderr[-3000:]
        total = ledger_total(ingest.stdout)
        assert (total["fetched"], total["new"]) == (4, 4), ingest.stdout
        found = run_newsflow(env, "search", "*", "--size", "10")
        listed = run_newsflow(env, "search", "*", "--size", "10", "--json")
    assert found.returncode == 0 and listed.returncode == 0, found.stderr + listed.stderr
    assert found.stdout.startswith("4 article(s) in 3 story(ies)"), found.stdout
    hits = {h["url"].rsplit("/", 1)[-1]: h for h in json.loads(listed.stdout)["hits"]}
    carried = {name: [o["url"] for o in hit["also"]] for name, hit in hits.items()}
    assert sorted(hits) in (["a", "b", "c"], ["b", "c", "copy-of-a"]), carried
    joined = carried.get("a") or carried.get("copy-of-a")
    assert joined in (["https://other.example/copy-of-a"], ["https://site.example/a"]), carried
    assert carried["b"] == [] and carried["c"] == [], "teasers and a banner joined unrelated articles"
