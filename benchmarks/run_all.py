"""One command for every figure: `make bench` (or `.venv/bin/python benchmarks/run_all.py`).

    benchmarks/run_all.py                 # 1k articles (about 5 minutes on an idle 2-core machine)
    benchmarks/run_all.py --size 10k      # 10k (about 45 minutes: enrich and indexing dominate)
    benchmarks/run_all.py --quick         # 200 articles, small samples: a smoke run
    benchmarks/run_all.py --size 100k --fetch-pages 5000 --skip-text

What it does, in order:
1. writes a fictional corpus (`corpus.py`) into a temporary folder;
2. serves its site on loopback (`loopback.py`, its own process) and starts the embedded
   search server (osmem, its own process);
3. runs the pipeline stage by stage, each stage in a child process as an Airflow task
   would run: fetch (the outlets' RSS feeds and pages over loopback), clean, dedupe
   (against the index, like the DAG), enrich, index; then dedupe of a fixed batch
   against the now-filled index (the cost that must stay flat as the index grows);
4. runs the text-input pipeline (clean, dedupe, enrich on plain text);
5. runs the baselines (plain trafilatura, plain langdetect, all-pairs MinHash,
   one-document-at-a-time indexing) and a pyinstrument profile of the hot path;
6. prints the table and the ratios and writes `results.json`, `report.txt` and
   `profile.txt`/`profile.html` to the output folder (default `.newsflow/bench/`).

Wall-clock figures depend on what else runs on the machine; CPU seconds per article
depend much less on it, so both are printed and the ratios are given on both.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import DEFAULT_SEED, SIZES, write_corpus  # noqa: E402
from report import render  # noqa: E402

PIPELINE = ("fetch", "clean", "dedupe", "enrich", "index", "dedupe_warm")
TEXT_PIPELINE = ("clean_text", "dedupe_text", "enrich_text")
BASELINES = ("plain_trafilatura", "plain_langdetect", "all_pairs_minhash", "one_at_a_time_index", "profile")


def _child(name: str, state: dict[str, Any], work: Path) -> dict[str, Any]:
    """Run one stage in a fresh interpreter; its own figures plus what the parent saw."""
    state_path = work / f"state-{name}.json"
    out_path = work / f"result-{name}.json"
    state_path.write_text(json.dumps(state, default=str))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import stages; "
        f"stages.run_child({name!r}, __import__('pathlib').Path({str(state_path)!r}), "
        f"__import__('pathlib').Path({str(out_path)!r}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=HERE.parent)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step {name} failed (exit {proc.returncode})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out_path.read_text())
    result["process_wall_s"] = round(time.perf_counter() - started, 3)
    result["process_cpu_s"] = round(
        (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 3
    )
    print(
        f"  {name:<22} {result['items']:>7} items  {result['wall_s']:>8.2f} s  "
        f"cpu {result['cpu_s']:>8.2f} s  peak {result['peak_rss_mb']:>7.1f} MB",
        flush=True,
    )
    return result


def _start_site(site: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "loopback.py"), str(site)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE.parent,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise SystemExit("the loopback site did not start")
    return proc, url


def _size(value: str) -> int:
    return SIZES.get(value.lower()) or int(value)


def _pass_on(name: str, extra: dict[str, Any], state: dict[str, Any], fetched_all: bool) -> None:
    """Hand a stage's output to the next stage through `state`, as the DAG passes batches on.
    Fetch results are handed on only when the whole corpus was on the site (`fetched_all`);
    otherwise clean reads the corpus' raw batches."""
    if name == "fetch" and fetched_all:
        state["fetch_results"] = extra["results"]
    elif name in ("clean", "dedupe", "enrich"):
        state[f"{name}_results"] = extra["results"]
    elif name == "index":
        state["indexed"] = extra["indexed"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="newsflow benchmarks: per stage, end to end, and baselines.")
    parser.add_argument("--size", help="1k, 10k, 100k or a number of articles (default 1k; 200 with --quick)")
    parser.add_argument("--quick", action="store_true", help="a small corpus and small baseline samples")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--fetch-pages",
        type=int,
        default=10_000,
        help="pages put on the loopback site (the rest go to clean from raw batches)",
    )
    parser.add_argument("--skip-text", action="store_true", help="skip the text-input pipeline")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--out", type=Path, help="output folder (default .newsflow/bench/<size>-<time>)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus and work files")
    parser.add_argument(
        "--es-url",
        default="",
        help="index into this running Elasticsearch (a throwaway alias "
        "bench-<pid>) instead of the embedded server; `tests/engine/run.sh --serve` starts one",
    )
    parser.add_argument(
        "--es-pid", type=int, help="the engine's process id, to count its CPU time (with --es-url)"
    )
    args = parser.parse_args(argv)  # fmt: skip
    size = _size(args.size) if args.size else (200 if args.quick else 1_000)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = (args.out or Path(".newsflow") / "bench" / f"{size}-{stamp}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="newsflow-bench-"))
    print(f"newsflow benchmark: {size} articles, seed {args.seed}; work in {tmp}; results in {out}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)", flush=True)

    started = time.perf_counter()
    corpus = write_corpus(tmp / "corpus", size, args.seed, site_pages=args.fetch_pages)
    corpus_s = time.perf_counter() - started
    print(
        f"  corpus written in {corpus_s:.1f} s ({corpus.copies} copies, {corpus.site_pages} pages on the site)"
    )

    sample = (lambda n: min(size, n // 10)) if args.quick else (lambda n: min(size, n))
    state: dict[str, Any] = {
        "home": str(tmp / "home"),
        "out": str(out),
        "run_id": "bench",
        "corpus": corpus.to_dict(),
        "warm_batch": 100 if args.quick else 500,
        "samples": {
            "trafilatura": sample(3000),
            "langdetect": sample(2000),
            "allpairs": sample(1500),
            "single_index": sample(1000),
            "profile": sample(300),
        },
    }

    from newsflow.config import Settings
    from newsflow.index import ensure_index, make_client
    from newsflow.index.embedded import EmbeddedSearch, ExternalSearch

    site_proc, site_url = _start_site(corpus.site)
    results: dict[str, dict[str, Any]] = {}
    load: list[float] = [os.getloadavg()[0]]
    try:
        engine = ExternalSearch(args.es_url) if args.es_url else EmbeddedSearch()
        with engine as search:
            if isinstance(search, ExternalSearch):
                state.update(index_alias=f"bench-{os.getpid()}", es_pid=args.es_pid)
            else:
                state.update(es_pid=search._server.pid if search._server else None)
            settings = search.settings(
                Settings(home=Path(state["home"]), index_alias=state.get("index_alias", "news"))
            )
            ensure_index(make_client(settings), settings)
            print(
                f"  search engine: {'embedded osmem-server' if search.embedded else 'Elasticsearch at ' + search.url}"
            )
            state.update(
                es_url=search.url, es_embedded=search.embedded, site_url=site_url, site_pid=site_proc.pid
            )
            print("pipeline, one process per stage:")
            for name in PIPELINE:
                results[name] = res = _child(name, state, tmp)
                _pass_on(name, res["extra"], state, fetched_all=corpus.site_pages >= size)
                load.append(os.getloadavg()[0])
            if not args.skip_text:
                print("text inputs:")
                for name in TEXT_PIPELINE:
                    results[name] = res = _child(name, state, tmp)
                    state[f"{name}_results"] = res["extra"]["results"]
                    load.append(os.getloadavg()[0])
            if not args.skip_baselines:
                print("baselines:")
                for name in BASELINES:
                    results[name] = _child(name, state, tmp)
                    load.append(os.getloadavg()[0])
    finally:
        site_proc.terminate()
        site_proc.wait(timeout=10)

    meta = {
        "size": size, "seed": args.seed, "quick": args.quick, "corpus_s": round(corpus_s, 2),
        "copies": corpus.copies, "site_pages": corpus.site_pages, "samples": state["samples"],
        "warm_batch": state["warm_batch"], "load_avg": [round(x, 2) for x in load],
        "cpus": os.cpu_count(), "when": stamp, "python": sys.version.split()[0],
    }  # fmt: skip
    text = render(meta, results)
    print(text)
    (out / "report.txt").write_text(text)
    (out / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2, default=str))
    print(f"written: {out / 'results.json'}, {out / 'report.txt'}")
    if args.keep:
        print(f"corpus and work files kept in {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
