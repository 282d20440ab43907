"""Bytes of each stage's batch files for one run over real pages (issue 14, item 6).

Runs the DAG's stage functions (clean -> dedupe -> enrich) on the first `--pages` pages of
../shared/datasets/realpages, one source per site, and prints the size of every stage's
batch files, the dedupe signature side files, and the share of the dedupe and enrich
records taken by `minhash` and `lsh`. Run it on two trees to compare (PYTHONPATH=<tree>/include).

    python benchmarks/batch_sizes.py --pages 400
    python benchmarks/batch_sizes.py --demo     # the demo newsroom's 20 short articles instead
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from newsflow.config import Settings
from newsflow.models import RawItem, write_jsonl
from newsflow.pipeline import clean_stage, dedupe_stage, enrich_stage, run_dir, safe_name

REALPAGES = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "realpages"


def raw_batches(pages: int, folder: Path) -> list[dict[str, object]]:
    """The first `pages` real pages as raw batch files, one per site (as fetch writes them)."""
    by_site: dict[str, list[RawItem]] = {}
    with (REALPAGES / "index.jsonl").open(encoding="utf-8") as fh:
        for line, _ in zip(fh, range(pages), strict=False):
            row = json.loads(line)
            body = gzip.decompress((REALPAGES / row["page"]).read_bytes()).decode("utf-8", "replace")
            site = safe_name(urlsplit(row["url"]).hostname or "site")
            by_site.setdefault(site, []).append(
                RawItem(source=site, url=row["url"], body=body, fetched_at="2026-11-30T12:00:00+00:00")
            )
    out = []
    for site, items in by_site.items():
        path = folder / "raw" / f"{site}.jsonl"
        write_jsonl(path, items)
        out.append({"source": site, "raw": str(path), "fetched": len(items)})
    return out


def demo_batches(folder: Path) -> list[dict[str, object]]:
    """The demo newsroom's pages (short articles, four outlets) as raw batch files."""
    from newsflow.config import INCLUDE_DIR
    from newsflow.fetch.files import read_paths

    out = []
    for outlet in sorted((INCLUDE_DIR / "demo" / "site").iterdir()):
        source = outlet.name.replace("-", "_")
        path = folder / "raw" / f"{source}.jsonl"
        count = write_jsonl(path, read_paths([outlet], source=source))
        out.append({"source": source, "raw": str(path), "fetched": count})
    return out


def signature_share(folder: Path) -> float:
    """The share of the batch's bytes that `minhash` and `lsh` take."""
    total = sig = 0
    for path in folder.glob("*.jsonl"):
        if path.name.endswith(".signatures.jsonl"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            total += len(line.encode())
            sig += sum(
                len(json.dumps(rec.get(k, []), ensure_ascii=False).encode()) for k in ("minhash", "lsh")
            )
    return sig / total if total else 0.0


def sizes(folder: Path, pattern: str) -> int:
    return sum(p.stat().st_size for p in folder.glob(pattern))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--demo", action="store_true", help="the demo newsroom instead of real pages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp) / "home")
        fetched = demo_batches(Path(tmp)) if args.demo else raw_batches(args.pages, Path(tmp))
        cleaned = [clean_stage(f, settings, "bench") for f in fetched]
        deduped = dedupe_stage(cleaned, settings, "bench")
        for batch in deduped:
            enrich_stage(batch, settings, "bench", None)
        work = run_dir(settings, "bench")
        records = sum(int(b["count"]) for b in deduped)
        print(f"{'demo' if args.demo else f'pages {args.pages}'}, sources {len(fetched)}, records {records}")
        for stage in ("clean", "dedupe", "enrich"):
            batch = sizes(work / stage, "*.jsonl") - sizes(work / stage, "*.signatures.jsonl")
            print(
                f"{stage:8s} batch files {batch:>11,d} bytes  {batch / records:>9,.0f} per record  "
                f"minhash+lsh {signature_share(work / stage):5.1%}"
            )
        side = sizes(work / "dedupe", "*.signatures.jsonl")
        print(f"dedupe   signature side files {side:,d} bytes")


if __name__ == "__main__":
    main()
