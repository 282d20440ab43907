"""Dedupe cost per article as the index grows: 1k, 10k, 100k indexed articles.

    .venv/bin/python benchmarks/dedupe_scale.py --sizes 1k,10k,100k [--batch 500]
    .venv/bin/python benchmarks/dedupe_scale.py --sizes 1k,10k,100k --es-url https://es.example:9200 [--merge]

Why its own script: the target is that deduplicating a batch costs the same per
article whether the index holds a thousand articles or a hundred thousand, and
filling an index with 100k fully cleaned and enriched articles takes longer than
the question deserves. Here the index (the embedded server, the real template) is
filled with what dedupe reads: each corpus article fingerprinted (`fingerprint`:
id, text hash, MinHash, LSH keys, shingle count) and bulk-indexed with its text
left out (text fields are what make indexing slow on the embedded server, and
dedupe never reads them). Then the same batch of `--batch` articles that the index
does not hold (the corpus continued past the largest size, syndicated copies of
indexed stories included) is deduplicated against it with `EsCandidateStore`, as
the DAG's dedupe task does, and the cost per article is printed for each size.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import DEFAULT_SEED, SIZES, article, raw_record  # noqa: E402


def _articles(start: int, stop: int, seed: int) -> list:
    from newsflow.models import Article

    out = []
    for i in range(start, stop):
        gen = article(i, seed)
        rec = raw_record(gen, "text")
        out.append(Article(url=str(rec["url"]), source=str(rec["source"]), title=gen.title, text=gen.text))
    return out


def _batch(start: int, n: int, seed: int) -> list:
    """The same batch for every size: 80% articles the index does not hold, 20% edited copies
    of stories among the first 1000 (in the index at every size), under new URLs."""
    import random

    from corpus import _edit, _story
    from newsflow.models import Article

    copies = n // 5
    out = _articles(start, start + n - copies, seed)
    for k in range(copies):
        lang, title, paragraphs, _ = _story((k * 37) % 1000, seed)
        text = "\n\n".join(_edit(paragraphs, random.Random(f"scale:{k}"), lang))
        out.append(
            Article(url=f"http://wire-copy.example/{k}.html", source="wire_copy", title=title, text=text)
        )
    return out


def _empty_lookup_ms(store, articles: int = 50, repeat: int = 3) -> float:
    """Server time per article of one batched look-up that matches nothing.

    Separates the server's fixed cost per query from the work on matches: on a search engine
    with an inverted index a band key no document holds costs one dictionary look-up,
    whatever the index size."""
    keys = [[f"b{b:03d}_absent{a:04d}{b:03d}" for b in range(128)] for a in range(articles)]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        found = store.by_lsh_many(keys, 50)
        best = min(best, time.perf_counter() - t0)
        assert not any(found), "absent keys matched"
    return 1000 * best / articles


def _segments(client, alias: str) -> int:
    """Lucene segments behind `alias` (Elasticsearch): each band key costs one terms-dictionary
    seek per segment, so this, not the document count, is what a look-up's cost follows."""
    shards = client.indices.segments(index=alias).body["indices"]
    return sum(
        len(copy["segments"])
        for index in shards.values()
        for shard in index["shards"].values()
        for copy in shard
        if copy["routing"]["primary"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="dedupe cost per article against indices of growing size")
    parser.add_argument("--sizes", default="1k,10k", help="comma-separated: 1k,10k,100k or numbers")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--es-url",
        default="",
        help="measure against this Elasticsearch instead of the embedded "
        "server (credentials from NEWSFLOW_ES_*); writes to a throwaway alias dedupe-scale-<pid>",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="force-merge the index to one segment before each "
        "measurement (with --es-url): the look-up cost follows the number of segments",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="dedupe the batch this many times per size and keep "
        "the fastest (a shared machine's load inflates single runs)",
    )
    args = parser.parse_args(argv)
    sizes = sorted(SIZES.get(s.strip().lower()) or int(s) for s in args.sizes.split(","))

    from newsflow.config import Settings
    from newsflow.dedupe import fingerprint
    from newsflow.index import ensure_index, index_articles, make_client
    from newsflow.index.embedded import EmbeddedSearch
    from newsflow.models import NEW

    home = Path(os.environ.get("TMPDIR", "/tmp")) / f"newsflow-dedupe-scale-{os.getpid()}"
    print(f"dedupe scale: sizes {sizes}, batch {args.batch}, load average {os.getloadavg()[0]:.2f}")
    states = ["as loaded", "merged to one segment"] if args.merge and args.es_url else ["as loaded"]
    rows: dict[str, list[tuple]] = {state: [] for state in states}
    with contextlib.ExitStack() as stack:
        if args.es_url:
            settings = Settings.from_env(
                es_url=args.es_url, home=home, index_alias=f"dedupe-scale-{os.getpid()}"
            )
            print(f"  against {args.es_url}, alias {settings.index_alias} (delete its indices afterwards)")
        else:
            settings = stack.enter_context(EmbeddedSearch()).settings(Settings(home=home))
        client = make_client(settings)
        ensure_index(client, settings)
        filled = 0
        batch_start = sizes[-1] + 1_000_000  # far past every size: never in the index
        for size in sizes:
            started = time.perf_counter()
            for chunk in range(filled, size, 2000):
                arts = _articles(chunk, min(size, chunk + 2000), args.seed)
                for art in arts:
                    fingerprint(art)
                    art.status, art.cluster_id, art.is_canonical = NEW, art.id, True
                    art.text = ""  # dedupe reads the fingerprint fields only
                index_articles(client, settings, arts, home / "dead_letters")
            fill_s = time.perf_counter() - started
            filled = size
            client.indices.refresh(index=settings.index_alias)
            for state in states:
                if state != "as loaded":
                    client.options(request_timeout=1800).indices.forcemerge(
                        index=settings.index_alias, max_num_segments=1
                    )
                row = _measure(
                    client,
                    settings,
                    lambda: _batch(batch_start, args.batch, args.seed),
                    args.es_url,
                    args.repeat,
                )
                rows[state].append(row)
                count, n, wall, cpu, segments, counts, empty = row
                print(
                    f"  index {count:>7} docs {state} ({segments} segments; filled in {fill_s:6.1f} s): dedupe "
                    f"{n} articles {wall:7.2f} ms/article wall, {cpu:6.2f} ms/article client CPU  {counts}",
                    flush=True,
                )
                print(
                    f"    the server alone: 50 look-ups of 128 band keys that no document holds (nothing "
                    f"matches): {empty:.2f} ms/article",
                    flush=True,
                )
    print(
        f"\ndedupe cost per article vs the smallest index ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average {os.getloadavg()[0]:.2f}):"
    )
    for state in states:
        base = rows[state][0][2]
        print(f"  {state}:")
        for count, _, wall, cpu, segments, _, empty in rows[state]:
            print(
                f"  {count:>7} indexed, {segments:>3} segments: {wall:7.2f} ms/article (x{wall / base:.2f}), "
                f"client CPU {cpu:.2f} ms, no-match look-up {empty:.2f} ms"
            )
        worst = max(r[2] for r in rows[state]) / min(r[2] for r in rows[state])
        print(
            f"  {'OK  ' if worst <= 1.5 else 'MISS'} flat within 1.5x from {rows[state][0][0]} to "
            f"{rows[state][-1][0]} {state} (largest / smallest cost): x{worst:.2f}"
        )
    return 0


def _measure(client, settings, make_batch, on_es: str, repeat: int = 1) -> tuple:
    """Dedupe a fresh `make_batch()` against the index as the DAG's dedupe task does, `repeat`
    times; the cost per article of the fastest (the others waited for the shared machine)."""
    from newsflow.dedupe import Deduplicator
    from newsflow.dedupe.store import LayeredStore, MemoryStore
    from newsflow.index import EsCandidateStore
    from newsflow.models import NEW

    count = client.count(index=settings.index_alias)["count"]
    segments = _segments(client, settings.index_alias) if on_es else "?"
    wall = cpu = float("inf")
    for _ in range(repeat):
        batch = make_batch()
        store = LayeredStore(MemoryStore(), EsCandidateStore(client, settings))
        cpu0, t0 = time.process_time(), time.perf_counter()
        decided = Deduplicator(store, policy=settings.duplicate_policy).process(batch)
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - cpu0)
    counts: dict[str, int] = {}
    for art in decided:
        # under the `cluster` policy a near-duplicate is `new`, joined to its story's cluster
        what = "joined_story" if art.status == NEW and art.cluster_id != art.id else art.status
        counts[what] = counts.get(what, 0) + 1
    empty = _empty_lookup_ms(store.stores[1])
    return count, len(batch), 1000 * wall / len(batch), 1000 * cpu / len(batch), segments, counts, empty


if __name__ == "__main__":
    raise SystemExit(main())
