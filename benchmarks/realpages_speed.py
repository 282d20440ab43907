"""Speed on real pages: `newsflow process` against the pipeline a user would otherwise write.

Over real news pages from ../shared/datasets/realpages (by default the 200 pages of the
htmldate project's `eval_mediacloud_2020` set: news from 2020 in many languages), each of
these runs in a fresh process, alternating, `--repeats` times:

- `newsflow`: `newsflow process DIR` exactly as a user runs it (clean, dedupe, enrich);
- `naive`: trafilatura `bare_extraction` with metadata, then langdetect on the text;
- `trafilatura`: `trafilatura.extract` alone.

It prints CPU seconds of the whole process (imports included, from the kernel's rusage),
pages per CPU second and peak RSS, the median of the repeats, the ratios to the naive
pipeline and to trafilatura alone, and newsflow's CPU per stage (clean, dedupe, enrich) from
one in-process run. Rerun: `.venv/bin/python benchmarks/realpages_speed.py [--pages N]`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "datasets" / "realpages"
KINDS = ("newsflow", "naive", "trafilatura")


def select_pages(data: Path, date_set: str, limit: int) -> list[dict]:
    rows = [json.loads(line) for line in (data / "index.jsonl").read_text().splitlines() if line.strip()]
    chosen = [r for r in rows if not date_set or r.get("date_set") == date_set]
    return sorted(chosen, key=lambda r: r["page"])[:limit]


def write_pages(data: Path, rows: list[dict], out: Path) -> None:
    """Decompressed copies named NNNN.html, so every pipeline reads plain files."""
    for n, row in enumerate(rows):
        raw = gzip.decompress((data / row["page"]).read_bytes())
        (out / f"{n:04d}.html").write_bytes(raw)


def run_child(argv: list[str]) -> dict[str, float]:
    """Run a child; its CPU seconds (user + system) and peak RSS from the kernel, and wall time."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[:3]} failed with {status}")
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": time.monotonic() - started,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def command(kind: str, pages: Path) -> list[str]:
    if kind == "newsflow":
        return [str(Path(sys.executable).with_name("newsflow")), "process", str(pages)]
    return [sys.executable, __file__, "--child", kind, "--dir", str(pages)]


def child(kind: str, pages: Path) -> None:
    """The baselines, as a user would write them."""
    import trafilatura

    files = sorted(pages.glob("*.html"))
    if kind == "trafilatura":
        for path in files:
            trafilatura.extract(path.read_text(encoding="utf-8", errors="replace"))
        return
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    for path in files:
        doc = trafilatura.bare_extraction(
            path.read_text(encoding="utf-8", errors="replace"), with_metadata=True
        )
        text = getattr(doc, "text", None) or ""
        try:
            detect(text) if text else None
        except LangDetectException:
            pass


def stage_profile(pages: Path) -> dict[str, float]:
    """newsflow's CPU seconds per stage in this process (imports and models warmed up first)."""
    from newsflow.config import Settings
    from newsflow.dedupe import Deduplicator
    from newsflow.dedupe.store import MemoryStore
    from newsflow.enrich import enrich_article, skipped_enrichers
    from newsflow.fetch.files import read_paths
    from newsflow.pipeline import clean_batch

    settings = Settings.from_env()
    raws = list(read_paths([pages], source="realpages"))
    warm, _ = clean_batch(raws[:2], settings)
    [enrich_article(a, {}) for a in warm]
    marks = {}
    t = time.process_time()
    articles, _ = clean_batch(raws, settings)
    marks["clean"], t = time.process_time() - t, time.process_time()
    decided = Deduplicator(MemoryStore(), policy=settings.duplicate_policy).process(articles)
    marks["dedupe"], t = time.process_time() - t, time.process_time()
    skip = skipped_enrichers(settings)
    [enrich_article(a, {}, skip=skip) for a in decided]
    marks["enrich"] = time.process_time() - t
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--date-set", default="eval_mediacloud_2020", help="'' for every page")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=KINDS[1:])
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.dir)
        return
    rows = select_pages(args.data, args.date_set, args.pages)
    with tempfile.TemporaryDirectory(prefix="newsflow-speed-") as tmp:
        pages = Path(tmp)
        write_pages(args.data, rows, pages)
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in KINDS}
        for _ in range(args.repeats):
            for kind in KINDS:
                runs[kind].append(run_child(command(kind, pages)))
        stages = stage_profile(pages)
    report(len(rows), args.repeats, runs, stages)


def report(n: int, repeats: int, runs: dict[str, list[dict[str, float]]], stages: dict[str, float]) -> None:
    med = {
        k: {m: statistics.median(r[m] for r in v) for m in ("cpu", "wall", "rss_mb")} for k, v in runs.items()
    }
    print(f"real pages: {n}; median of {repeats} alternating runs, whole process (imports included)")
    print(f"{'pipeline':<12} {'CPU s':>8} {'pages/CPU-s':>12} {'wall s':>8} {'peak RSS MB':>12}")
    for kind, m in med.items():
        print(f"{kind:<12} {m['cpu']:>8.2f} {n / m['cpu']:>12.1f} {m['wall']:>8.2f} {m['rss_mb']:>12.0f}")
    nf = med["newsflow"]["cpu"]
    print(
        f"newsflow / naive (trafilatura with metadata + langdetect): {nf / med['naive']['cpu']:.2f}x "
        "(target <= 1.00x)"
    )
    print(f"newsflow / trafilatura.extract alone: {nf / med['trafilatura']['cpu']:.2f}x (stretch <= 1.00x)")
    total = sum(stages.values())
    print(
        "newsflow per stage, one in-process run (CPU s): "
        + ", ".join(f"{k} {v:.2f} ({v / total:.0%})" for k, v in stages.items())
    )


if __name__ == "__main__":
    main()
