"""The pipeline's stages as the benchmark runs them: one child process per stage.

Why a process per stage: that is how Airflow runs them (one task, one process),
and it is the only honest way to read a stage's peak memory (`ru_maxrss` of the
process, imports included) and its CPU time (`getrusage`, every thread included).

Each function takes the run's state (paths, URLs, sizes; see `run_all.py`) and
returns `(items, extra)`; `run_child` times the call and adds wall seconds, CPU
seconds and the peak RSS. The stage functions call the pipeline's own
`*_stage` functions, so what is measured is what the DAG runs.
"""

from __future__ import annotations

import json
import resource
import time
import urllib.request
from pathlib import Path
from typing import Any

from newsflow.config import Settings

State = dict[str, Any]


def settings_of(state: State) -> Settings:
    base = Settings(
        home=Path(state["home"]),
        allow_private=True,
        max_items_per_source=10**7,
        fetch_retries=1,
        # NEWSFLOW_KEYWORDS=false measures the pipeline without YAKE keywords, as a user may run it.
        keywords=Settings.from_env().keywords,
    )
    if state.get("es_url"):
        import dataclasses

        base = dataclasses.replace(
            base,
            es_url=state["es_url"],
            es_embedded=state.get("es_embedded", True),
            index_alias=state.get("index_alias", base.index_alias),
        )
    return base


def _client(state: State) -> Any:
    from newsflow.index import make_client

    return make_client(settings_of(state))


def _server_cpu(pid: int | None) -> float:
    if not pid:
        return 0.0
    import psutil

    try:
        t = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(t.user + t.system)


# --------------------------------------------------------------------------- pipeline stages
def fetch(state: State) -> tuple[int, dict[str, Any]]:
    from corpus import OUTLETS  # noqa: I001 - benchmarks/ is on sys.path
    from newsflow.pipeline import fetch_stage
    from newsflow.sources import Source

    settings = settings_of(state)
    base = state["site_url"]
    stats0 = json.loads(urllib.request.urlopen(f"{base}/__stats").read())
    server0 = _server_cpu(state.get("site_pid"))
    results = []
    for outlet in OUTLETS:
        if not (Path(state["corpus"]["site"]) / outlet.slug / "feed.xml").exists():
            continue
        source = Source(
            name=outlet.slug.replace("-", "_"), type="rss", url=f"{base}/{outlet.slug}/feed.xml",
            publisher=outlet.name, country=outlet.country, language=outlet.lang,
        )  # fmt: skip
        results.append(fetch_stage(source, settings, state["run_id"]))
    stats1 = json.loads(urllib.request.urlopen(f"{base}/__stats").read())
    requests = stats1["requests"] - stats0["requests"]
    connections = stats1["connections"] - stats0["connections"] - 1  # the /__stats call itself
    extra = {
        "results": results,
        "requests": requests,
        "connections": connections,
        "server_cpu_s": round(_server_cpu(state.get("site_pid")) - server0, 3),
    }
    return sum(int(r.get("fetched", 0)) for r in results), extra


def _fetch_results(state: State, kind: str) -> list[dict[str, Any]]:
    if kind == "html" and state.get("fetch_results"):
        return list(state["fetch_results"])
    return [
        {"source": name, "raw": path, "fetched": 0, "error": ""}
        for name, path in state["corpus"][kind].items()
    ]


def clean(state: State, kind: str = "html") -> tuple[int, dict[str, Any]]:
    from newsflow.pipeline import clean_stage

    settings = settings_of(state)
    run_id = state["run_id"] if kind == "html" else state["run_id"] + "-text"
    results = [clean_stage(res, settings, run_id) for res in _fetch_results(state, kind)]
    return sum(r["count"] for r in results), {
        "results": results,
        "rejected": sum(r["rejected"] for r in results),
    }


def clean_text(state: State) -> tuple[int, dict[str, Any]]:
    return clean(state, "text")


def dedupe(state: State, kind: str = "html") -> tuple[int, dict[str, Any]]:
    from newsflow.pipeline import dedupe_stage

    settings = settings_of(state)
    if kind == "html":
        from newsflow.index import EsCandidateStore

        results = dedupe_stage(
            state["clean_results"], settings, state["run_id"], EsCandidateStore(_client(state), settings)
        )
    else:  # text inputs: within the run only, as `newsflow process` does
        results = dedupe_stage(state["clean_text_results"], settings, state["run_id"] + "-text")
    counts: dict[str, int] = {}
    for res in results:
        for status, n in res["counts"].items():
            counts[status] = counts.get(status, 0) + n
    return sum(r["count"] for r in results), {"results": results, "counts": counts}


def dedupe_text(state: State) -> tuple[int, dict[str, Any]]:
    return dedupe(state, "text")


def _meta(source: str) -> Any:
    from corpus import OUTLETS
    from newsflow.sources import Source

    for outlet in OUTLETS:
        if outlet.slug.replace("-", "_") == source:
            return Source(
                name=source, type="rss", publisher=outlet.name, country=outlet.country, language=outlet.lang
            )
    return None


def enrich(state: State, kind: str = "html") -> tuple[int, dict[str, Any]]:
    from newsflow.pipeline import enrich_stage

    settings = settings_of(state)
    run_id = state["run_id"] if kind == "html" else state["run_id"] + "-text"
    batches = state["dedupe_results"] if kind == "html" else state["dedupe_text_results"]
    results = [enrich_stage(b, settings, run_id, _meta(b["source"])) for b in batches]
    return sum(r["count"] for r in results), {"results": results}


def enrich_text(state: State) -> tuple[int, dict[str, Any]]:
    return enrich(state, "text")


def index(state: State) -> tuple[int, dict[str, Any]]:
    from newsflow.pipeline import index_stage

    settings = settings_of(state)
    server0 = _server_cpu(state.get("es_pid"))
    report = index_stage(state["enrich_results"], settings, state["run_id"], _client(state))
    articles = sum(b["count"] for b in report["batches"])
    return articles, {
        "indexed": report["indexed"],
        "failed": report["failed"],
        "server_cpu_s": round(_server_cpu(state.get("es_pid")) - server0, 3),
    }


def dedupe_warm(state: State) -> tuple[int, dict[str, Any]]:
    """Dedupe cost per article against an index that already holds the corpus.

    The batch is `warm_batch` articles the corpus does not have (indices size..), so
    the cost of looking them up in an index of 1k, 10k or 100k articles compares like
    with like; they are cleaned before the clock starts.
    """
    from corpus import article, raw_record
    from newsflow.clean import clean_item
    from newsflow.dedupe import Deduplicator
    from newsflow.dedupe.store import LayeredStore, MemoryStore
    from newsflow.index import EsCandidateStore
    from newsflow.models import RawItem

    settings = settings_of(state)
    size, n = state["corpus"]["size"], state["warm_batch"]
    raws = [
        RawItem.from_dict(raw_record(article(i, state["corpus"]["seed"]), "text"))
        for i in range(size, size + n)
    ]
    articles = [clean_item(raw, settings) for raw in raws]
    store = LayeredStore(MemoryStore(), EsCandidateStore(_client(state), settings))
    started = time.perf_counter()
    cpu0 = time.process_time()
    decided = Deduplicator(store, policy=settings.duplicate_policy).process(articles)
    wall = time.perf_counter() - started
    counts: dict[str, int] = {}
    for art in decided:  # under the `cluster` policy a near-duplicate is `new`, joined to a story
        what = (
            "joined_story" if art.status == "new" and art.cluster_id != art.id else art.status or "undecided"
        )
        counts[what] = counts.get(what, 0) + 1
    return len(decided), {
        "timed_wall_s": round(wall, 4),
        "timed_cpu_s": round(time.process_time() - cpu0, 4),
        "ms_per_article": round(1000 * wall / max(1, len(decided)), 3),
        "index_docs": state.get("indexed", 0),
        "counts": counts,
    }


# --------------------------------------------------------------------------- the child
STAGES = {
    "fetch": fetch,
    "clean": clean,
    "dedupe": dedupe,
    "enrich": enrich,
    "index": index,
    "clean_text": clean_text,
    "dedupe_text": dedupe_text,
    "enrich_text": enrich_text,
    "dedupe_warm": dedupe_warm,
}


def run_child(name: str, state_path: Path, out_path: Path) -> None:
    """Run one stage or baseline in this (child) process and write its figures to `out_path`."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    state = json.loads(state_path.read_text())
    if name in STAGES:
        func = STAGES[name]
    else:
        import baselines

        func = baselines.BASELINES[name]
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    items, extra = func(state)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out_path.write_text(
        json.dumps(
            {
                "name": name,
                "items": items,
                "wall_s": round(wall, 4),
                "cpu_s": round(cpu, 4),
                "peak_rss_mb": round(after.ru_maxrss / 1024, 1),  # Linux: KiB
                "extra": extra,
            },
            default=str,
        )
    )
