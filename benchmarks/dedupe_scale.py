"""Dedupe cost per article as the index grows: 1k, 10k, 100k indexed articles.

    .venv/bin/python benchmarks/dedupe_scale.py --sizes 1k,10k,100k [--batch 500] [--rounds 5]
    .venv/bin/python benchmarks/dedupe_scale.py --sizes 1k,10k,100k --es-url http://127.0.0.1:9200 [--merge]

Why its own script: the target is that deduplicating a batch costs the same per
article whether the index holds a thousand articles or a hundred thousand, and
filling an index with 100k fully cleaned and enriched articles takes longer than
the question deserves. Here one index per size (the embedded server or Elasticsearch,
the real template) is filled with what dedupe reads: each corpus article fingerprinted
(`fingerprint`: id, text hash, MinHash, LSH keys, shingle count) and bulk-indexed with
its text left out (dedupe never reads it). Then the same batch of `--batch` articles
that no index holds (the corpus continued past the largest size, syndicated copies of
indexed stories included) is deduplicated against each with `EsCandidateStore`, as the
DAG's dedupe task does.

Why all sizes at once, in rounds: on a shared machine the load changes from minute to
minute, and an index measured right after it was filled or merged still has the engine
flushing and collecting. So every index is filled (and merged) first, then each round
measures every size, in an order that turns each round; the figures are the median of
the rounds with their spread (min-max), and the ratio of each size's median to the
smallest size's. Two costs are printed per article: the whole `Deduplicator.process`
(fingerprinting and verification included, the same work at every size) and the look-up
alone (the time spent in the store's requests), which is what grows with the index.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import statistics
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
    seek per segment, so this, not the document count alone, is what a look-up's cost follows."""
    shards = client.indices.segments(index=alias).body["indices"]
    return sum(
        len(copy["segments"])
        for index in shards.values()
        for shard in index["shards"].values()
        for copy in shard
        if copy["routing"]["primary"]
    )


class _Timed:
    """A `CandidateStore` proxy that adds up the wall time spent in the inner store's look-ups."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.requests = 0

    def _timed(self, name: str, *args):
        t0 = time.perf_counter()
        try:
            return getattr(self.inner, name)(*args)
        finally:
            self.seconds += time.perf_counter() - t0
            self.requests += 1

    def by_ids(self, ids):
        return self._timed("by_ids", ids)

    def by_text_hashes(self, hashes):
        return self._timed("by_text_hashes", hashes)

    def by_lsh(self, keys, limit=50):
        return self._timed("by_lsh", keys, limit)

    def by_lsh_many(self, key_lists, limit=50):
        return self._timed("by_lsh_many", key_lists, limit)

    def add(self, records) -> None:
        self.inner.add(records)


def _fill(client, settings_by_size: dict, seed: int, home: Path) -> dict[int, float]:
    """Index the first `size` corpus articles (fingerprint fields only) into each size's alias."""
    from newsflow.dedupe import fingerprint
    from newsflow.index import index_articles
    from newsflow.models import NEW

    largest = max(settings_by_size)
    spent = dict.fromkeys(settings_by_size, 0.0)
    for chunk in range(0, largest, 2000):
        arts = _articles(chunk, min(largest, chunk + 2000), seed)
        for art in arts:
            fingerprint(art)
            art.status, art.cluster_id, art.is_canonical = NEW, art.id, True
            art.text = ""  # dedupe reads the fingerprint fields only
        for size, settings in settings_by_size.items():
            if chunk < size:
                started = time.perf_counter()
                index_articles(client, settings, arts[: size - chunk], home / "dead_letters")
                spent[size] += time.perf_counter() - started
    for settings in settings_by_size.values():
        client.indices.refresh(index=settings.index_alias)
    return spent


def _median_spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} [{min(values):.2f}-{max(values):.2f}]"


def _report(state: str, sizes: list[int], rows: dict[int, list[tuple]], segments: dict[int, object]) -> bool:
    """Print one state's table; True when the whole-dedupe and look-up medians are flat within 1.5x
    (the largest median over the smallest, whichever sizes they belong to)."""
    print(f"  {state}: median of {len(rows[sizes[0]])} rounds [min-max], ratio of medians to {sizes[0]}")
    print(
        "  indexed  segments  dedupe ms/article            x    look-up ms/article          x   "
        "client CPU ms  no-match ms   requests"
    )
    medians = {size: [statistics.median(r[k] for r in rows[size]) for k in range(3)] for size in sizes}
    base_all, base_look = medians[sizes[0]][0], medians[sizes[0]][2]
    for size in sizes:
        runs = rows[size]
        whole, cpu, look = ([r[k] for r in runs] for k in range(3))
        empty, requests = [r[3] for r in runs], runs[0][4]
        x_all, x_look = medians[size][0] / base_all, medians[size][2] / base_look
        print(
            f"  {size:>7}  {segments[size]!s:>8}  {_median_spread(whole):24} x{x_all:.2f}  "
            f"{_median_spread(look):24} x{x_look:.2f}  {statistics.median(cpu):8.2f}  "
            f"{statistics.median(empty):11.2f}  {requests:>8}"
        )
    decisions = {size: rows[size][-1][5] for size in sizes}
    if len({tuple(sorted(d.items())) for d in decisions.values()}) == 1:
        print(f"  decisions the same at every size: {decisions[sizes[0]]}")
    else:
        print(f"  decisions by size: {decisions}")
    # per round, the largest size's look-up over the smallest's, both measured in the same minute
    per_round = [big[2] / small[2] for small, big in zip(rows[sizes[0]], rows[sizes[-1]], strict=True)]
    print(
        f"  look-up {sizes[-1]} / {sizes[0]} within each round: median x{statistics.median(per_round):.2f} "
        f"[{min(per_round):.2f}-{max(per_round):.2f}]"
    )
    worst_all = max(m[0] for m in medians.values()) / min(m[0] for m in medians.values())
    worst_look = max(m[2] for m in medians.values()) / min(m[2] for m in medians.values())
    for what, worst in (("whole dedupe", worst_all), ("look-up alone", worst_look)):
        verdict = "OK  " if worst <= 1.5 else "MISS"
        print(f"  {verdict} {what} flat within 1.5x from {sizes[0]} to {sizes[-1]} ({state}): x{worst:.2f}")
    return worst_all <= 1.5 and worst_look <= 1.5


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="dedupe cost per article against indices of growing size")
    parser.add_argument("--sizes", default="1k,10k", help="comma-separated: 1k,10k,100k or numbers")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--es-url",
        default="",
        help="measure against this Elasticsearch instead of the embedded "
        "server (credentials from NEWSFLOW_ES_*); writes to throwaway aliases dedupe-scale-<pid>-<size>, "
        "deleted at the end",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="also force-merge every index to one segment and measure again "
        "(with --es-url): the look-up cost follows the number of segments",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds of measurement; each round dedupes the batch once against every size",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="in every round also measure the look-up as it was before (one search per article, "
        "no pooled query), for a comparison in the same minutes",
    )
    parser.add_argument("--repeat", type=int, default=0, help=argparse.SUPPRESS)  # the old name of --rounds
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _arguments().parse_args(argv)
    rounds = args.repeat or args.rounds
    sizes = sorted(SIZES.get(s.strip().lower()) or int(s) for s in args.sizes.split(","))

    from newsflow.config import Settings
    from newsflow.index import ensure_index, make_client
    from newsflow.index.embedded import EmbeddedSearch

    home = Path(os.environ.get("TMPDIR", "/tmp")) / f"newsflow-dedupe-scale-{os.getpid()}"
    print(
        f"dedupe scale: sizes {sizes}, batch {args.batch}, {rounds} rounds, load average {os.getloadavg()[0]:.2f}"
    )
    states = ["as loaded", "merged to one segment"] if args.merge and args.es_url else ["as loaded"]
    flat = True
    with contextlib.ExitStack() as stack:
        if args.es_url:
            base = Settings.from_env(es_url=args.es_url, home=home)
            print(f"  against {args.es_url}")
        else:
            base = stack.enter_context(EmbeddedSearch()).settings(Settings(home=home))
        by_size = {
            size: dataclasses.replace(base, index_alias=f"dedupe-scale-{os.getpid()}-{size}")
            for size in sizes
        }
        client = make_client(base)
        for settings in by_size.values():
            ensure_index(client, settings)
        stack.callback(_drop, client, by_size.values())
        spent = _fill(client, by_size, args.seed, home)
        print("  filled: " + ", ".join(f"{size} in {spent[size]:.1f} s" for size in sizes), flush=True)
        batch_start = sizes[-1] + 1_000_000  # far past every size: never in an index
        for state in states:
            flat = _measure_state(client, by_size, sizes, state, args, rounds, batch_start) and flat
    return 0


def _measure_state(client, by_size, sizes, state, args, rounds, batch_start) -> bool:
    """One index state (as loaded, or merged first): a warm-up round, then `rounds` turning rounds."""
    flat = True
    if state != "as loaded":
        for settings in by_size.values():
            client.options(request_timeout=1800).indices.forcemerge(
                index=settings.index_alias, max_num_segments=1
            )
        client.indices.flush()
    segments = {s: _segments(client, by_size[s].index_alias) if args.es_url else "?" for s in sizes}
    ways = [("pooled look-up", False)] + ([("per-article msearch", True)] if args.compare else [])
    rows: dict[str, dict[int, list[tuple]]] = {way: {size: [] for size in sizes} for way, _ in ways}
    for size in sizes:  # a round not counted: every index and code path warmed alike
        for _, per_article in ways:
            _measure(client, by_size[size], lambda: _batch(batch_start, args.batch, args.seed), per_article)
    for rnd in range(rounds):
        turn = rnd % len(sizes)
        for size in sizes[turn:] + sizes[:turn]:
            for way, per_article in ways if rnd % 2 == 0 else ways[::-1]:
                batch = lambda: _batch(batch_start, args.batch, args.seed)  # noqa: E731
                rows[way][size].append(_measure(client, by_size[size], batch, per_article))
        print(
            f"  {state}, round {rnd + 1}: "
            + "; ".join(
                f"{way} "
                + ", ".join(f"{s}: {rows[way][s][-1][0]:.2f}/{rows[way][s][-1][2]:.2f}" for s in sizes)
                for way, _ in ways
            )
            + f" ms/article (whole/look-up), load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    print(f"\n({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.2f})")
    for way, _ in ways:
        flat = _report(f"{state}, {way}", sizes, rows[way], segments) and flat
        print()
    return flat


def _drop(client, settings_list) -> None:
    """Delete the throwaway indices behind the benchmark's aliases."""
    for settings in settings_list:
        with contextlib.suppress(Exception):
            client.indices.delete(index=f"{settings.index_alias}-*", ignore_unavailable=True)


def _measure(client, settings, make_batch, per_article: bool = False) -> tuple:
    """Dedupe a fresh `make_batch()` against one index, as the DAG's dedupe task does.

    Returns per article: whole wall ms, client CPU ms, look-up wall ms; the no-match look-up
    ms; and the look-up requests made (with the decisions, which must not differ by size)."""
    from newsflow.dedupe import Deduplicator
    from newsflow.dedupe.store import LayeredStore, MemoryStore
    from newsflow.index import EsCandidateStore

    class PerArticle(EsCandidateStore):
        """The look-up as it was before the pooled query: one bounded search per article."""

        def _pooled(self, *args):
            return None

    batch = make_batch()
    timed = _Timed((PerArticle if per_article else EsCandidateStore)(client, settings))
    store = LayeredStore(MemoryStore(), timed)
    cpu0, t0 = time.process_time(), time.perf_counter()
    decided = Deduplicator(store, policy=settings.duplicate_policy).process(batch)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    counts: dict[str, int] = {}
    for art in decided:
        # under the `cluster` policy a near-duplicate is `new`, joined to its story's cluster
        what = "joined_story" if art.status == "new" and art.cluster_id != art.id else art.status
        counts[what] = counts.get(what, 0) + 1
    n = len(batch)
    empty = _empty_lookup_ms(timed.inner)
    return 1000 * wall / n, 1000 * cpu / n, 1000 * timed.seconds / n, empty, timed.requests, counts


if __name__ == "__main__":
    raise SystemExit(main())
