"""Soak benchmark: a loopback site of generated fictional articles, the pipeline end to end.

    .venv/bin/python benchmarks/soak.py                      # 5,000 then 20,000 articles, 50 feeds
    .venv/bin/python benchmarks/soak.py --sizes 20000 --feeds 50 --workers 2

Serves `--feeds` RSS feeds (tests/reliability/newsroom.py generates every page on the fly),
starts the embedded search server, and runs the stages as `news_ingest` runs its tasks: one
fresh process per task (fetch, clean and enrich once per source, dedupe and index once per
run), `--workers` at a time. Each task process reports its peak RSS (`getrusage`), so the
figures are those of one Airflow task. Comparing the peaks of a 5,000- and a 20,000-article
run shows which tasks stream (flat) and which grow with the run.

Prints articles per second (fetched items over the wall time of all stages), per-stage wall
time and peak RSS, and checks the run: ledger balanced, index count equal to the new
articles, zero articles lost.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the generated newsroom lives with the reliability tests

from newsflow.config import Settings  # noqa: E402
from newsflow.sources import Source  # noqa: E402
from reliability.newsroom import Newsroom  # noqa: E402

_PRELOAD = [
    "newsflow.pipeline",
    "newsflow.index",
    "newsflow.fetch",
    "newsflow.clean",
    "newsflow.enrich",
    "newsflow.dedupe",
    "trafilatura",
    "langdetect",
]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _task(
    stage: str, settings: Settings, run_id: str, arg: Any, source: Source | None = None
) -> tuple[Any, float]:
    """One task in its own process: (its result, its peak RSS in MB)."""
    from newsflow import pipeline
    from newsflow.index import EsCandidateStore, make_client

    if stage == "fetch":
        out = pipeline.fetch_stage(arg, settings, run_id)
    elif stage == "clean":
        out = pipeline.clean_stage(arg, settings, run_id)
    elif stage == "dedupe":
        out = pipeline.dedupe_stage(arg, settings, run_id, EsCandidateStore(make_client(settings), settings))
    elif stage == "enrich":
        out = pipeline.enrich_stage(arg, settings, run_id, source)
    elif stage == "index":
        out = pipeline.index_stage(arg, settings, run_id, make_client(settings))
    else:
        raise ValueError(stage)
    return out, _rss_mb()


def _baseline() -> float:
    import newsflow.pipeline  # noqa: F401 - what every task imports

    return _rss_mb()


def run_size(total: int, feeds: int, workers: int, es_url: str, related: bool = True) -> dict[str, Any]:
    from newsflow.index import make_client
    from newsflow.pipeline import ledger_stage

    per_feed = total // feeds
    home = Path(tempfile.mkdtemp(prefix=f"newsflow-soak-{total}-"))
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    stats: dict[str, Any] = {"articles": per_feed * feeds, "stages": {}}
    with Newsroom(feeds=feeds, per_feed=per_feed) as site:
        settings = Settings(
            home=home,
            es_url=es_url,
            es_embedded=True,
            index_alias=f"soak{total}",
            allow_private=True,
            max_items_per_source=max(500, per_feed),
            related_coverage=related,
        )
        sources = [Source(name=f"feed{n:02d}", type="rss", url=site.feed_url(n)) for n in range(feeds)]
        by_name = {s.name: s for s in sources}
        run_id = f"soak-{total}"

        def stage(name: str, calls: list[tuple[Any, Source | None]]) -> list[Any]:
            started = time.monotonic()
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, max_tasks_per_child=1) as pool:
                futures = [pool.submit(_task, name, settings, run_id, arg, src) for arg, src in calls]
                done = [f.result() for f in futures]
            stats["stages"][name] = {
                "tasks": len(calls),
                "seconds": time.monotonic() - started,
                "peak_rss_mb": max(rss for _, rss in done),
            }
            print(f"   [{total}] {name}: {stats['stages'][name]}", flush=True)  # progress of a long run
            return [out for out, _ in done]

        with ProcessPoolExecutor(max_workers=1, mp_context=ctx, max_tasks_per_child=1) as pool:
            stats["baseline_rss_mb"] = pool.submit(_baseline).result()
        started = time.monotonic()
        fetched = stage("fetch", [(s, None) for s in sources])
        cleaned = stage("clean", [(r, None) for r in fetched])
        deduped = stage("dedupe", [(cleaned, None)])[0]
        enriched = stage("enrich", [(b, by_name[b["source"]]) for b in deduped])
        indexed = stage("index", [(enriched, None)])[0]
        ledger = ledger_stage(fetched, indexed["batches"], run_id)
        stats["seconds"] = time.monotonic() - started
        client = make_client(settings)
        client.indices.refresh(index=settings.index_alias)
        stats["indexed"] = int(client.count(index=settings.index_alias)["count"])
        stats["ledger"] = {
            k: v
            for k, v in ledger.to_dict().items()
            if k
            in (
                "fetched",
                "new",
                "updated",
                "unchanged",
                "duplicates",
                "rejected",
                "balanced",
                "rejected_by_reason",
            )
        }
        stats["lost"] = stats["articles"] - ledger.fetched + (ledger.new - stats["indexed"])
        client.indices.delete(index=f"{settings.index_alias}-v*", ignore_unavailable=True)
    return stats


def report(stats: dict[str, Any]) -> None:
    n = stats["articles"]
    print(f"\n== {n} articles: {n / stats['seconds']:.1f} articles/s end to end ({stats['seconds']:.0f}s)")
    print(f"   task process after imports: {stats['baseline_rss_mb']:.0f} MB RSS")
    print(f"   {'stage':8}{'tasks':>7}{'seconds':>10}{'art/s':>9}{'peak RSS of a task (MB)':>26}")
    for name, s in stats["stages"].items():
        print(
            f"   {name:8}{s['tasks']:>7}{s['seconds']:>10.1f}{n / s['seconds']:>9.1f}{s['peak_rss_mb']:>26.0f}"
        )
    print(f"   ledger: {stats['ledger']}")
    print(f"   index holds {stats['indexed']} documents; articles lost: {stats['lost']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument(
        "--workers", type=int, default=2, help="tasks running at once (like an executor's slots)"
    )
    parser.add_argument(
        "--no-related",
        action="store_true",
        help="skip related-coverage linking (one more_like_this query per story; slow on the "
        "embedded server)",
    )
    args = parser.parse_args(argv)
    from newsflow.index.embedded import EmbeddedSearch

    results = []
    with EmbeddedSearch(startup_timeout=60) as es:
        for size in args.sizes:
            stats = run_size(size, args.feeds, args.workers, es.url, related=not args.no_related)
            report(stats)
            results.append(stats)
    if len(results) > 1:
        small, big = results[0], results[-1]
        print(f"\n== bounded memory: peak RSS of a task, {small['articles']} vs {big['articles']} articles")
        for name in big["stages"]:
            a, b = small["stages"][name]["peak_rss_mb"], big["stages"][name]["peak_rss_mb"]
            print(
                f"   {name:8}{a:>8.0f} MB {b:>8.0f} MB  ({b / a:.2f}x for {big['articles'] / small['articles']:.0f}x the articles)"
            )
    return 0 if all(r["lost"] == 0 and r["ledger"]["balanced"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
