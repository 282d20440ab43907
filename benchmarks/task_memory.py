"""Peak memory of the run-wide dedupe task at 1k, 10k and 100k articles in one run.

    .venv/bin/python benchmarks/task_memory.py --sizes 1k,10k,100k [--sources 50]

Why its own script: fetch, clean and enrich are mapped per source and hold one source's
batch (at most `max_items`), and index streams its batches in bulk chunks, so their peak
memory does not depend on the size of the run (the soak benchmark shows them flat from
5,000 to 20,000 articles). The dedupe task is the one that holds the whole run: it sees
every source of the run together, so its memory grows with the run by design. This script
writes a run of `--size` cleaned corpus articles as the clean stage does (one JSON-lines
batch per source), starts the embedded search server with an empty index (the first run
of a backfill: every look-up goes to the server and misses), and runs
`newsflow.pipeline.dedupe_stage` in a fresh process, as an Airflow task does. That
process reports its peak RSS (`getrusage`, imports included), its CPU and wall time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import DEFAULT_SEED, SIZES, article, raw_record  # noqa: E402


def _write_run(root: Path, size: int, sources: int, seed: int) -> list[dict[str, Any]]:
    """The clean stage's output for a run of `size` corpus articles over `sources` sources."""
    from newsflow.models import Article, write_jsonl

    def batch(k: int):
        for i in range(k, size, sources):
            gen = article(i, seed)
            rec = raw_record(gen, "text")
            yield Article(url=str(rec["url"]), source=f"s{k:03d}", title=gen.title, text=gen.text)

    results = []
    for k in range(min(sources, size)):
        path = root / "clean" / f"s{k:03d}.jsonl"
        count = write_jsonl(path, batch(k))
        results.append({"source": f"s{k:03d}", "path": str(path), "count": count})
    return results


def _dedupe_task(settings: Any, results: list[dict[str, Any]]) -> dict[str, Any]:
    """One dedupe task in this (fresh) process."""
    from newsflow import pipeline
    from newsflow.index import EsCandidateStore, ensure_index, make_client

    client = make_client(settings)
    ensure_index(client, settings)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu0, t0 = time.process_time(), time.perf_counter()
    out = pipeline.dedupe_stage(results, settings, "memory-bench", EsCandidateStore(client, settings))
    counts: dict[str, int] = {}
    for res in out:
        for status, n in res["counts"].items():
            counts[status] = counts.get(status, 0) + n
    return {
        "wall_s": time.perf_counter() - t0,
        "cpu_s": time.process_time() - cpu0,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "imports_mb": base_rss,
        "counts": counts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="peak RSS of the dedupe task as the run grows")
    parser.add_argument("--sizes", default="1k,10k", help="comma-separated: 1k,10k,100k or numbers")
    parser.add_argument("--sources", type=int, default=50)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    sizes = sorted(SIZES.get(s.strip().lower()) or int(s) for s in args.sizes.split(","))

    from newsflow.config import Settings
    from newsflow.index.embedded import EmbeddedSearch

    ctx = multiprocessing.get_context("spawn")
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="newsflow-task-memory-") as tmp, EmbeddedSearch() as search:
            root = Path(tmp)
            settings = search.settings(Settings(home=root / "home", related_coverage=False))
            t0 = time.perf_counter()
            results = _write_run(root, size, args.sources, args.seed)
            written = time.perf_counter() - t0
            with ctx.Pool(1, maxtasksperchild=1) as pool:
                row = pool.apply(_dedupe_task, (settings, results))
            row["size"] = size
            rows.append(row)
            print(
                f"  run of {size:>7} articles ({len(results)} sources, written in {written:.0f} s): dedupe task "
                f"peak RSS {row['peak_mb']:.0f} MB (after imports {row['imports_mb']:.0f} MB), "
                f"{row['wall_s']:.1f} s wall, {1000 * row['cpu_s'] / size:.2f} CPU ms/article  {row['counts']}",
                flush=True,
            )
    print("\npeak RSS of the dedupe task (the one task that holds the whole run):")
    for row in rows:
        grown = row["peak_mb"] - row["imports_mb"]
        print(
            f"  {row['size']:>7} articles: {row['peak_mb']:.0f} MB  ({1024 * grown / row['size']:.1f} KB an article "
            f"above imports)  {'under' if row['peak_mb'] < 1024 else 'OVER'} 1 GiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
