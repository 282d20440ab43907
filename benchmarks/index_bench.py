"""Indexing throughput: bulk (`index_articles`) vs one request per document.

    .venv/bin/python benchmarks/index_bench.py [--docs 2000] [--single 300] [--words 400]
    .venv/bin/python benchmarks/index_bench.py --es-url http://127.0.0.1:9200   # a real Elasticsearch

Against the embedded server by default, or the Elasticsearch at `--es-url` (or at
NEWSFLOW_TEST_ES_URL: `tests/engine/run.sh --serve` starts one), into a throwaway alias.

Articles are synthetic (seeded random words, fictional), every one new, so each costs a
full index operation. Prints documents per second and MB of JSON per second for each way.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index import ensure_index, index_articles, make_client
from newsflow.index.documents import to_document
from newsflow.index.embedded import ExternalSearch, search_engine
from newsflow.models import NEW, Article

VOCAB = (
    "harbour council ferry strike budget port storm vote market school bridge river tide crane quay "
    "minister union fishing weather festival lifeboat dredging night council plan rail bus city"
).split()


def articles(n: int, words: int, prefix: str) -> list[Article]:
    rng = random.Random(42)
    out = []
    for i in range(n):
        text = " ".join(rng.choice(VOCAB) for _ in range(words)) + "."
        out.append(
            Article(
                id=f"{prefix}{i}",
                url=f"https://bench.example/{prefix}{i}",
                source="bench",
                publisher="Bench Gazette",
                title=f"Bench article {i}",
                text=text,
                language="en",
                status=NEW,
                published_at="2026-11-20T10:00:00Z",
                cluster_id=f"{prefix}{i}",
                minhash=[rng.randrange(2**32) for _ in range(128)],
                lsh=[f"b{b}:{rng.randrange(2**32)}" for b in range(16)],
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents for the bulk run")
    parser.add_argument("--single", type=int, default=300, help="documents for the one-at-a-time run")
    parser.add_argument("--words", type=int, default=400, help="words per article")
    parser.add_argument(
        "--es-url",
        default="",
        help="a running Elasticsearch (default: NEWSFLOW_TEST_ES_URL, else the embedded server)",
    )
    args = parser.parse_args()
    engine = ExternalSearch(args.es_url) if args.es_url else search_engine()
    with engine as server, tempfile.TemporaryDirectory() as home:
        settings = server.settings(Settings(home=Path(home), index_alias=f"bench{os.getpid()}"))
        client = make_client(settings)
        ensure_index(client, settings)
        name = "embedded server (osmem-server)" if server.embedded else f"Elasticsearch at {server.url}"
        try:
            run(client, settings, args, name)
        finally:
            client.indices.delete(index=f"{settings.index_alias}-v*", ignore_unavailable=True)


def run(client: Elasticsearch, settings: Settings, args: argparse.Namespace, name: str) -> None:
    """Bulk then one at a time, each into the same index; prints the figures."""
    bulk = articles(args.docs, args.words, "b")
    size = sum(len(json.dumps(to_document(a, "2026-11-20T10:00:00Z"))) for a in bulk)
    start = time.perf_counter()
    report = index_articles(client, settings, bulk)  # refresh relaxed when >= LARGE_LOAD
    bulk_s = time.perf_counter() - start
    assert report.indexed == args.docs, report

    single = articles(args.single, args.words, "s")
    start = time.perf_counter()
    for art in single:
        client.index(index=settings.write_alias, id=art.id, document=to_document(art, "2026-11-20T10:00:00Z"))
    client.indices.refresh(index=settings.index_alias)
    single_s = time.perf_counter() - start

    mb = size / 1e6
    print(f"{name}, {args.words}-word articles, ~{size / len(bulk) / 1000:.1f} kB JSON each")
    print(
        f"bulk (index_articles, {settings.bulk_chunk_bytes / 1e6:g} MB chunks): {args.docs} docs in "
        f"{bulk_s:.2f} s = {args.docs / bulk_s:,.0f} docs/s, {mb / bulk_s:.1f} MB/s"
    )
    print(
        f"one at a time (client.index): {args.single} docs in {single_s:.2f} s = "
        f"{args.single / single_s:,.0f} docs/s"
    )
    print(f"bulk is {(args.docs / bulk_s) / (args.single / single_s):.1f}x faster")


if __name__ == "__main__":
    main()
