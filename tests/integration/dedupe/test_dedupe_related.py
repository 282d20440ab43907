"""Related coverage: independently written articles on one event share a story_id, copies keep cluster_id."""

from __future__ import annotations

from pathlib import Path

import pytest
from dedupe_helpers import Run, seed_article, stored
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.models import Article, read_jsonl

pytestmark = pytest.mark.integration

URLS = {
    "000": ("aljazeera", "https://aljazeera.example/a/000"),
    "001": ("dawn", "https://dawn.example/a/001"),
    "002": ("arab_today", "https://arabtoday.example/a/002"),
    "003": ("digital_journal", "https://dj.example/a/003"),
    "004": ("digital_journal", "https://dj.example/a/004"),
}


def _seeds(seed_files: list[Path], keys: list[str]) -> dict[str, list]:
    s = {p.name[:3]: p for p in seed_files}
    out: dict[str, list] = {}
    for k in keys:
        source, url = URLS[k]
        out.setdefault(source, []).append(seed_article(s[k], url, source))
    return out


def _background(repo_root: Path) -> dict[str, list[Article]]:
    """Other news (our fictional labelled set) so the index's term statistics mean something:
    in an index holding only five stories about one war every word looks common."""
    rows = [
        r
        for r in read_jsonl(repo_root / "benchmarks" / "data" / "dedupe" / "articles.jsonl")
        if "derived" not in r
    ]
    return {
        "background": [
            Article(
                url=f"https://bg.example/{r['id']}",
                source="background",
                text=r["text"],
                title=r["title"],
                claims={"published": [r["published_at"]]},
            )
            for r in rows
        ]
    }


def _by_seed(client: Elasticsearch, settings: Settings) -> dict[str, dict]:
    docs = {d["url"]: d for d in stored(client, settings).values()}
    return {k: docs[url] for k, (_, url) in URLS.items() if url in docs}


def test_seeds_000_and_003_are_related_003_and_004_are_not(
    run: Run, client: Elasticsearch, settings: Settings, seed_files: list[Path], repo_root: Path
) -> None:
    run("day-0", _background(repo_root))
    run("run-1", _seeds(seed_files, sorted(URLS)))
    d = _by_seed(client, settings)
    assert d["003"]["cluster_id"] == d["003"]["id"] != d["000"]["cluster_id"]  # related, never a copy
    assert d["003"]["id"] in d["000"]["related_ids"], d["000"]["related_ids"]
    assert d["004"]["story_id"] != d["003"]["story_id"]  # five days apart: outside the window
    assert d["000"]["story_id"] in (d["003"]["story_id"], d["004"]["story_id"])
    # the copies of 000 carry their cluster's story; the background stays apart
    assert d["001"]["story_id"] == d["002"]["story_id"] == d["000"]["story_id"]
    others = {v["story_id"] for v in stored(client, settings).values() if v["source"] == "background"}
    assert not others & {v["story_id"] for v in d.values()}


def test_related_across_runs_and_rerun_is_stable(
    run: Run, client: Elasticsearch, settings: Settings, seed_files: list[Path], repo_root: Path
) -> None:
    run("day-0", _background(repo_root))
    run("day-1", _seeds(seed_files, ["003"]))
    run("day-2", _seeds(seed_files, ["000", "001"]))
    d = _by_seed(client, settings)
    assert d["003"]["story_id"] == d["003"]["id"]  # the older article keeps its story
    assert d["000"]["story_id"] == d["001"]["story_id"] == d["003"]["story_id"]
    assert d["000"]["cluster_id"] == d["001"]["cluster_id"] != d["003"]["cluster_id"]
    before = {k: (v["story_id"], v["cluster_id"]) for k, v in d.items()}
    run("day-2", _seeds(seed_files, ["000", "001"]))  # re-run: unchanged, nothing moves
    assert {k: (v["story_id"], v["cluster_id"]) for k, v in _by_seed(client, settings).items()} == before


def test_the_common_word_cap_is_a_share_of_the_index_with_a_floor(
    settings: Settings, client: Elasticsearch
) -> None:
    """A small index keeps every word (the floor); a large one leaves out the words in more
    than `related_max_doc_share` of it; share 0 switches the cap off."""
    from elasticsearch import helpers

    from newsflow.dedupe.related import MIN_DOC_FREQ_CAP, doc_freq_cap
    from newsflow.index import ensure_index

    ensure_index(client, settings)
    alias = settings.index_alias
    assert doc_freq_cap(client, alias, 0.2) == MIN_DOC_FREQ_CAP
    assert doc_freq_cap(client, alias, 0.0) is None
    docs = ({"_index": settings.write_alias, "_id": f"n{i}", "_source": {"title": "x"}} for i in range(1000))
    helpers.bulk(client, docs, refresh=True)
    assert doc_freq_cap(client, alias, 0.2) == 200
    assert doc_freq_cap(client, alias, 0.05) == MIN_DOC_FREQ_CAP  # 50 is under the floor
