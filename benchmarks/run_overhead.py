"""Per-run overhead of news_ingest over ~200 sources when nothing changed (every feed answers 304).

A generated newsroom on loopback (tests/reliability/newsroom.py) serves `--sources` RSS feeds of
`--per-feed` articles, each feed with an ETag. The DAG runs twice through `dag.test()` (the CLI's
`newsflow ingest` path) against the embedded search server: the first run fetches and indexes
everything; in the second every feed answers 304, so the run has nothing to do and what it
costs is the floor: Airflow's per-task overhead and the stages' fixed costs. Prints the wall
time of each run and, per task, how many instances ran and their summed duration.

    .venv/bin/python benchmarks/run_overhead.py [--sources 200] [--per-feed 1] [--es-url URL] [--no-related]

With `--es-url` the runs index into that Elasticsearch (a throwaway alias `overhead-<pid>`)
instead of the embedded server; with `--per-feed` in the tens or hundreds the first run is an
end-to-end throughput figure (articles per second, each task's share of the summed task time,
and the orchestration time: wall time not spent inside a task). `dag.test()` runs every task in
one child process, so a task's peak memory is sampled: the child's resident set every 0.1 s,
and per task the largest sample taken while one of its instances ran. `--no-related` switches
related coverage off (`NEWSFLOW_RELATED_COVERAGE=false`), to time the run without it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the generated newsroom lives with the reliability tests

from newsflow.airflow_runner import run_dag  # noqa: E402
from newsflow.config import Settings  # noqa: E402
from newsflow.index.embedded import EmbeddedSearch  # noqa: E402
from reliability.newsroom import Newsroom  # noqa: E402


def sources_yaml(room: Newsroom, count: int) -> str:
    lines = ["sources:"]
    for n in range(count):
        lines += [
            f"  - name: feed_{n:03d}",
            "    type: rss",
            f"    url: {room.feed_url(n)}",
            f"    publisher: Feed {n}",
        ]
    return "\n".join(lines) + "\n"


class RssSampler:
    """The resident set of the `newsflow.airflow_runner` child (the one running every task), sampled."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float]] = []  # (epoch seconds, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in _runner_pids():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    status = Path(f"/proc/{pid}/status").read_text()
                    kb = next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]
                    self.samples.append((time.time(), int(kb) / 1024))

    def peak(self, start: str | None, end: str | None) -> float:
        """The largest sample between two ISO times (0 when none was taken)."""
        if not start or not end:
            return 0.0
        t0, t1 = datetime.fromisoformat(start).timestamp(), datetime.fromisoformat(end).timestamp()
        return max((mb for t, mb in self.samples if t0 <= t <= t1), default=0.0)


def _runner_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if b"newsflow.airflow_runner" in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
    return pids


def summary(name: str, result: dict, wall: float, sampler: RssSampler | None = None) -> None:
    tasks: dict[str, list[float]] = defaultdict(list)
    states: dict[str, set[str]] = defaultdict(set)
    peaks: dict[str, float] = defaultdict(float)
    for ti in result.get("tasks", []):
        states[ti["task_id"]].add(str(ti["state"]))
        if ti["state"] in ("success", "failed"):  # ran (skipped and upstream_failed ones did not)
            tasks[ti["task_id"]].append(float(ti.get("duration") or 0.0))
            if sampler is not None:
                peaks[ti["task_id"]] = max(
                    peaks[ti["task_id"]], sampler.peak(ti.get("start_date"), ti.get("end_date"))
                )
    ran = sum(len(v) for v in tasks.values())
    ledger = result.get("ledger") or {}
    busy = sum(sum(v) for v in tasks.values())
    new = ledger.get("new") or 0
    print(
        f"{name}: {wall:.1f} s wall, {ran} task instances ran, state {result.get('state')}, "
        f"fetched {ledger.get('fetched')}, new {new} ({new / wall:.1f} new articles/s)"
    )
    print(
        f"  inside tasks {busy:.1f} s; outside ({wall - busy:.1f} s: process start, DAG parsing, "
        f"scheduling) = {(wall - busy) / max(ran, 1):.2f} s per task instance"
    )
    for task_id in sorted(states):
        durations = tasks.get(task_id, [])
        print(
            f"  {task_id:<22} {len(durations):>4} ran  {sum(durations):7.1f} s "
            f"{100 * sum(durations) / max(busy, 1e-9):5.1f}%  peak RSS {peaks[task_id]:5.0f} MB  "
            f"({', '.join(sorted(states[task_id]))})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--per-feed", type=int, default=1)
    parser.add_argument(
        "--es-url", default="", help="index into this Elasticsearch instead of the embedded server"
    )
    parser.add_argument("--no-related", action="store_true", help="related coverage off")
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="newsflow-overhead-"))
    published = datetime.now(UTC).replace(microsecond=0)
    with (
        Newsroom(feeds=args.sources, per_feed=args.per_feed, published=published, validators=True) as room,
        EmbeddedSearch() if not args.es_url else contextlib.nullcontext() as server,
    ):
        es_url = args.es_url or server.url
        embedded = "" if args.es_url else "1"
        sources = home / "sources.yaml"
        sources.write_text(sources_yaml(room, args.sources))
        settings = replace(
            Settings.from_env({}),
            home=home,
            es_url=es_url,
            es_embedded=bool(embedded),
            index_alias=f"overhead-{os.getpid()}" if args.es_url else "news",
            allow_private=True,
            sources_file=sources,
        )
        env = {
            "NEWSFLOW_ES_URL": es_url,
            "NEWSFLOW_ES_EMBEDDED": embedded,
            "NEWSFLOW_INDEX_ALIAS": f"overhead-{os.getpid()}" if args.es_url else "news",
            "NEWSFLOW_ALLOW_PRIVATE": "1",
            "NEWSFLOW_SOURCES_FILE": str(sources),
            "NEWSFLOW_HOME": str(home),
            "AIRFLOW_HOME": str(home / "airflow"),
        }
        if args.no_related:
            env["NEWSFLOW_RELATED_COVERAGE"] = "false"
        print(f"{args.sources} RSS sources x {args.per_feed} article(s), feeds with ETags; home {home}")
        for name in ("first run (everything new)", "second run (every feed 304)"):
            start = time.perf_counter()
            with RssSampler() as sampler:
                result = run_dag("news_ingest", settings, extra_env=env)
            summary(name, result, time.perf_counter() - start, sampler)
            # dag.test() runs every task in its one child process: its peak is the run's, an upper
            # bound for each task (the largest child so far: the first run's counts for both)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"  peak RSS of the run's process (all tasks in it, largest so far): {peak:.0f} MB")
        feeds_304 = sum(1 for path, hits in room.hits.items() if path.startswith("/feed-") and hits >= 2)
        print(f"feeds polled twice: {feeds_304} of {args.sources}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
