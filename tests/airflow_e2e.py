"""Helpers for the tests that drive real Airflow services as a user does (REST API, CLI).

Shared by tests/e2e/test_airflow_services.py (SQLite, LocalExecutor) and tests/stack/
(PostgreSQL, Redis, CeleryExecutor, two workers): the loopback newsroom with a dated news
sitemap, the REST client, waiting, starting and stopping Airflow components, backfills and the
checks on runs, ledgers and the index. `tests/` is on sys.path (pytest puts the root
conftest's folder there), so tests import this as `airflow_e2e`.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from newsflow.config import INCLUDE_DIR
from newsflow.demo_dating import render_newsroom

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# The test's clock: read once, so `faketime` moves the test and the services it starts together.
NOW = datetime.now(UTC)
# The live demo newsroom is dated to the day before NOW; the sitemap's history to days well before.
NEWSROOM_DAY = (NOW - timedelta(days=1)).date()
HISTORY_DAYS = tuple(str((NOW - timedelta(days=back)).date()) for back in (13, 12, 11))

# Fictional articles of the "Tidewater Gazette", two a day, served with a news sitemap.
ARTICLES_BY_DAY = [
    [
        (
            "Kessmouth library extends winter opening hours",
            "The central library in Kessmouth will stay open until nine in the evening from December, "
            "the town council decided on Monday after a petition signed by more than eight hundred "
            "students and shift workers. The longer hours will be paid for by closing the little-used "
            "mobile book van, which librarians say reached fewer than forty readers a month. A reading "
            "room with desk lamps and free tea is planned for the upper floor.",
        ),
        (
            "Orchard growers report a record apple harvest on the eastern slopes",
            "Growers on the eastern slopes above Port Avelin picked almost a third more apples this "
            "autumn than last year, helped by a dry September and fewer late frosts. The cooperative "
            "that presses most of the fruit has hired twelve seasonal workers to keep its cider line "
            "running into January, and is talking to two supermarket chains about a regional label "
            "for juice made only from local orchards.",
        ),
    ],
    [
        (
            "Volunteer divers clear abandoned nets from Gull Point reef",
            "A team of thirty volunteer divers lifted more than two tonnes of abandoned fishing net "
            "from the reef off Gull Point over the weekend. The nets, some of them tangled around rocks "
            "for years, had trapped crabs, seabirds and at least one seal. The harbour authority lent "
            "a crane barge and the divers plan to return in spring to survey how quickly kelp grows "
            "back on the cleared ledges.",
        ),
        (
            "Night bus between Kessmouth and the airport will run all year",
            "The night bus linking Kessmouth with the regional airport will keep running through the "
            "winter after passenger numbers doubled during its summer trial. The operator said cleaners, "
            "baggage handlers and cabin crew made up most riders on the hourly service. Fares stay at "
            "three euros, and a second stop is being added near the hospital for staff finishing late "
            "shifts on the wards.",
        ),
    ],
    [
        (
            "Old customs house to become a maritime craft school",
            "The empty customs house on the south quay will reopen in two years as a school for boat "
            "building, sail making and rope work, after a heritage trust bought the building for a "
            "symbolic sum. Carpenters will first repair the slate roof and the oak floors. The trust "
            "expects forty apprentices a year and wants older shipwrights from the yards to teach "
            "evening classes for adults.",
        ),
        (
            "Choir from the fishing villages wins the coastal song contest",
            "A choir of fishermen, net menders and their families from the three villages north of "
            "the estuary won the coastal song contest on Wednesday night with a set of old working "
            "songs arranged for four voices. The jury praised their harmonies and the story told "
            "between songs about hauling nets by hand. The prize money will pay for a recording "
            "session and a small tour of harbour towns in the summer.",
        ),
    ],
]
ARTICLES = dict(zip(HISTORY_DAYS, ARTICLES_BY_DAY, strict=True))


def cli_env(home: Path, es_url: str = "", sources: Path | None = None, **settings: str) -> dict[str, str]:
    """The environment of a `newsflow` command run as a user runs it: this checkout's code and
    DAGs, a home of its own, no retry delay, and none of the caller's NEWSFLOW_/AIRFLOW settings
    (the test process's own would leak into the child); `es_url` an embedded server's,
    `sources` the sources file; `settings` on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "AIRFLOW"))}
    env.update(
        NEWSFLOW_HOME=str(home),
        PYTHONPATH=str(REPO / "include"),
        NEWSFLOW_DAGS_FOLDER=str(REPO / "dags"),
        AIRFLOW_HOME=str(home / "airflow"),
        NEWSFLOW_RETRY_DELAY="0",
    )
    if es_url:
        env.update(NEWSFLOW_ES_URL=es_url, NEWSFLOW_ES_EMBEDDED="1")
    if sources is not None:
        env["NEWSFLOW_SOURCES_FILE"] = str(sources)
    env.update(settings)
    return env


def run_newsflow(
    env: Mapping[str, str], *args: str, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`newsflow ARGS` in a child process, its output captured, whatever its exit status."""
    cmd = [sys.executable, "-m", "newsflow.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=dict(env), check=False, timeout=timeout)


def ledger_total(out: str) -> dict[str, int]:
    """The counts of the TOTAL row of the ledger table `newsflow ingest` prints."""
    total = next(line.split() for line in out.splitlines() if line.startswith("TOTAL "))
    names = ("fetched", "new", "updated", "unchanged", "duplicate", "rejected")
    return dict(zip(names, map(int, total[1:]), strict=True))


def _slug(title: str) -> str:
    return "-".join(w.lower().strip(",.") for w in title.split()[:6])


def build_history_site(root: Path) -> int:
    """The demo newsroom plus `tidewater-gazette/` with a news sitemap; returns the article count."""
    newsroom = render_newsroom(INCLUDE_DIR / "demo", root.parent / "newsroom", NEWSROOM_DAY)
    shutil.copytree(newsroom / "site", root)
    site = root / "tidewater-gazette"
    urls = []
    for day, articles in ARTICLES.items():
        for n, (title, body) in enumerate(articles):
            published = f"{day}T{8 + 3 * n:02d}:30:00+00:00"
            rel = f"tidewater-gazette/{day.replace('-', '/')}/{_slug(title)}.html"
            paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in body.split(". ") if s.strip())
            page = (
                f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
                f'<meta property="article:published_time" content="{published}">'
                f'<meta property="og:site_name" content="Tidewater Gazette"></head><body>'
                f"<header><nav><a href='/'>Home</a></nav></header><main><article><h1>{title}</h1>"
                f"<p class='byline'>By Staff Reporter</p>{paragraphs}</article></main>"
                f"<footer>Tidewater Gazette</footer></body></html>"
            )
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(page, encoding="utf-8")
            urls.append(
                f"<url><loc>{{{{BASE_URL}}}}/{rel}</loc><news:news><news:publication>"
                f"<news:name>Tidewater Gazette</news:name><news:language>en</news:language>"
                f"</news:publication><news:publication_date>{published}</news:publication_date>"
                f"<news:title>{title}</news:title></news:news></url>"
            )
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(urls) + "</urlset>",
        encoding="utf-8",
    )
    return len(urls)


def dags_on_test_clock(dest: Path) -> Path:
    """A copy of the repo's `dags/` whose files are dated by the test's clock; the DAG folder to serve.

    The kernel stamps files with the real time, which `faketime` does not move. Thirty days back
    (`scripts/shifted -30d`), a checked-out DAG file is then modified "in the future" of every
    Airflow process, and the dag-processor (file_parsing_sort_mode = modified_time) takes a file
    modified after its last parse as changed: it re-parses both DAG files on every loop and
    re-writes them to the database, starving the runs of CPU and of SQLite's one write lock (a
    backfill then never completes). A real deployment has no such skew; the copy removes the
    harness's own.
    """
    shutil.copytree(REPO / "dags", dest, ignore=shutil.ignore_patterns("__pycache__"))
    stamp = time.time()  # the test's clock (faked under scripts/shifted), not the kernel's
    for path in (dest, *dest.rglob("*")):
        os.utime(path, (stamp, stamp))
    return dest


def free_port() -> int:
    """A TCP port free on loopback right now (each test's services get their own)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    """The Airflow REST API (SimpleAuthManager with every user an admin: no token needed)."""

    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"{}")

    def get(self, path: str) -> dict:
        return self.call("GET", path)


def wait(
    what: str,
    check: Callable[[], Any],
    timeout: float,
    procs: list[subprocess.Popen] | None = None,
    logs: Path | str | None = None,
    interval: float = 1.0,
) -> Any:
    """Poll `check` until it returns something true; fail early if one of `procs` has exited."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        for p in procs or []:
            assert p.poll() is None, (
                f"{p.args} exited with {p.returncode} while waiting for {what}; logs in {logs}"
            )
        try:
            last = check()
            if last:
                return last
        except (urllib.error.URLError, ConnectionError, OSError, KeyError) as exc:
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r}); logs in {logs}")


def start_component(argv: list[str | Path], env: Mapping[str, str], log: Path) -> subprocess.Popen:
    """Start one Airflow component (or any service) logging to `log`, leading its own process
    group so that it and everything it forks can be stopped, or killed, together."""
    with log.open("w") as out:
        return subprocess.Popen(
            [str(a) for a in argv],
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_components(procs: Iterable[subprocess.Popen], timeout: float = 20) -> None:
    """SIGTERM each component's process group, then SIGKILL what is left after `timeout`."""
    procs = list(procs)
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)


def migrate_and_import_pools(env: Mapping[str, str], tmp: Path) -> None:
    """`airflow db migrate`, then the fetch pools as docker-compose's airflow-init makes them."""
    out = subprocess.run([BIN / "airflow", "db", "migrate"], env=dict(env), capture_output=True, text=True)
    assert out.returncode == 0, f"airflow db migrate failed:\n{out.stdout[-3000:]}\n{out.stderr[-5000:]}"
    pools_file = tmp / "pools.json"
    subprocess.run(
        [sys.executable, "-m", "newsflow.pools", "--output", str(pools_file)], env=dict(env), check=True
    )
    subprocess.run(
        [BIN / "airflow", "pools", "import", str(pools_file)], env=dict(env), check=True, capture_output=True
    )


def run_path(run_id: str) -> str:
    return f"/api/v2/dags/news_ingest/dagRuns/{quote(run_id, safe='')}"


def run_state(api: Api, run_id: str) -> str:
    return api.get(run_path(run_id))["state"]


def wait_runs(services: dict, run_ids: list[str], timeout: float) -> None:
    """Wait until every run succeeded; a failed run fails at once."""
    api = services["api"]

    def done() -> bool:
        states = {r: run_state(api, r) for r in run_ids}
        assert "failed" not in states.values(), (
            f"run failed: {states}; logs in {services['env']['AIRFLOW_HOME']}"
        )
        return all(s == "success" for s in states.values())

    wait(f"runs {run_ids} to succeed", done, timeout, services["procs"], services["env"]["AIRFLOW_HOME"])


def run_ledger(api: Api, run_id: str) -> dict:
    """The run's ledger (the `ledger` task's XCom)."""
    value = api.get(f"{run_path(run_id)}/taskInstances/ledger/xcomEntries/return_value?deserialize=true")[
        "value"
    ]
    return value if isinstance(value, dict) else json.loads(value)


def task_instances(api: Api, run_id: str) -> list[dict]:
    """Every task instance of a run, mapped ones one row per map index."""
    return api.get(f"{run_path(run_id)}/taskInstances?limit=1000")["task_instances"]


def indexed_docs(settings, source: str | None = None) -> list[dict]:
    """The indexed documents (of one source, or all), with url, publication date and run id."""
    from newsflow.index import make_client

    client = make_client(settings)
    client.indices.refresh(index=settings.index_alias)
    query = {"term": {"source": source}} if source else {"match_all": {}}
    hits = client.search(
        index=settings.index_alias,
        size=1000,
        query=query,
        source_includes=["url", "source", "published_at", "ingest_run_id"],
    )["hits"]["hits"]
    return [h["_source"] | {"_id": h["_id"]} for h in hits]


def time_left(deadline: float, what: str, logs: Path | str) -> float:
    """Seconds left before `deadline` (time.monotonic); past it, fail naming the wait and the logs."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise AssertionError(f"out of time waiting for {what}; the Airflow service logs are in {logs}")
    return left


def create_backfill(services: dict, cmd: list, tries: list[str], deadline: float) -> dict:
    """Run `airflow backfill create`; the new backfill as the REST API shows it."""
    api, env = services["api"], services["env"]
    logs, procs = env["AIRFLOW_HOME"], services["procs"]
    before = {b["id"] for b in api.get("/api/v2/backfills?dag_id=news_ingest")["backfills"]}

    def new() -> list[dict]:
        return [
            b for b in api.get("/api/v2/backfills?dag_id=news_ingest")["backfills"] if b["id"] not in before
        ]

    for _ in range(5):  # SQLite has one writer: the CLI may meet the scheduler's lock; try again
        limit = min(120.0, time_left(deadline, "`airflow backfill create`", logs))
        try:
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(
                f"`airflow backfill create` did not return within {limit:.0f}s; logs in {logs}"
            ) from exc
        tries.append(out.stdout + out.stderr)
        # A lock met after the backfill was committed (the CLI's own audit log write) still created it.
        if out.returncode == 0 or "database is locked" not in out.stderr or new():
            break
        time.sleep(2)
    assert out.returncode == 0 or new(), "\n---\n".join(tries)
    limit = min(30.0, time_left(deadline, "the backfill to be created", logs))
    return wait("the backfill to be created", new, limit, procs, logs)[0]


def _ended_since(api: Api, days: tuple[str, ...], since: datetime) -> Callable[[], list[dict]]:
    """Each day's backfill run, once all have ended after `since` (a reprocessed run's ledger XCom
    is the previous backfill's until the run has re-run); [] until then."""

    def check() -> list[dict]:
        runs = api.get("/api/v2/dags/news_ingest/dagRuns?run_type=backfill&limit=50")["dag_runs"]
        mine = sorted(
            (r for r in runs if r["data_interval_start"][:10] in days),
            key=lambda r: r["data_interval_start"],
        )
        done = [
            r
            for r in mine
            if r["state"] in ("success", "failed")
            and r.get("end_date")
            and datetime.fromisoformat(r["end_date"]) >= since
        ]
        return mine if len(done) == len(days) else []

    return check


def backfill(
    services: dict,
    days: tuple[str, ...] = HISTORY_DAYS,
    timeout: float = 600,
    during: Callable[[], None] | None = None,
) -> list[str]:
    """`airflow backfill create` over `days`, reprocessing completed runs; their run ids.

    `timeout` bounds the whole call (creating the backfill, its runs, asking again for an empty
    one): past it the test fails, naming what it waited for and where the service logs are,
    instead of waiting on. `during`, when given, is called once the backfill exists (while its
    runs go on)."""
    api, env = services["api"], services["env"]
    logs, procs = env["AIRFLOW_HOME"], services["procs"]
    deadline = time.monotonic() + timeout
    cmd = [
        BIN / "airflow",
        "backfill",
        "create",
        "--dag-id",
        "news_ingest",
        "--from-date",
        days[0],
        "--to-date",
        days[-1],
        "--reprocess-behavior",
        "completed",
        "--max-active-runs",
        str(len(days)),
    ]
    tries: list[str] = []
    for _ in range(3):
        made = create_backfill(services, cmd, tries, deadline)
        if during is not None:
            during()
            during = None
        what = f"backfill {made['id']} over {days[0]}..{days[-1]} to complete"
        wait(
            what,
            lambda b=made["id"]: api.get(f"/api/v2/backfills/{b}")["completed_at"],
            time_left(deadline, what, logs),
            procs,
            logs,
        )
        # Airflow commits the backfill row before it creates or clears the runs; a SQLite lock
        # met in between leaves an empty backfill (its clean-up only recognises PostgreSQL and
        # MySQL lock errors) that completes at once having run nothing (seen on a loaded
        # machine; PostgreSQL, as in docker-compose, cleans it up). Then the backfill is asked again.
        what = "each day's run to end after the backfill was created"
        limit = min(30.0, time_left(deadline, what, logs))
        try:
            mine = wait(
                what, _ended_since(api, days, datetime.fromisoformat(made["created_at"])), limit, procs, logs
            )
        except AssertionError as exc:
            tries.append(f"backfill {made['id']} completed without running the days: {exc}")
            continue
        assert [r["data_interval_start"][:10] for r in mine] == list(days), mine
        assert all(r["state"] == "success" for r in mine), [(r["dag_run_id"], r["state"]) for r in mine]
        return [r["dag_run_id"] for r in mine]
    raise AssertionError(f"no backfill ran the days (logs in {logs}):\n---\n" + "\n---\n".join(tries))


def mapped_spans(api: Api, run_ids: Iterable[str], task_id: str) -> list[tuple[datetime, datetime, dict]]:
    """(start, end, task instance) of every mapped instance of `task_id` in the runs."""
    spans = []
    for run_id in run_ids:
        for ti in api.get(f"{run_path(run_id)}/taskInstances/{task_id}/listMapped")["task_instances"]:
            spans.append(
                (datetime.fromisoformat(ti["start_date"]), datetime.fromisoformat(ti["end_date"]), ti)
            )
    return sorted(spans, key=lambda s: (s[0], s[1]))


def most_at_once(spans: Iterable[tuple[datetime, datetime, Any]]) -> int:
    """The largest number of the spans that overlap at one instant (an end before a start)."""
    events = sorted(
        [(s, 1) for s, _, _ in spans] + [(e, -1) for _, e, _ in spans], key=lambda x: (x[0], x[1])
    )
    running = best = 0
    for _, step in events:
        running += step
        best = max(best, running)
    return best


def assert_one_at_a_time(api: Api, run_ids: list[str], task_id: str) -> None:
    """The backfill runs its days side by side, but the `gentle` pool has one slot: the runs'
    fetches of the gentle source must not overlap in time."""
    spans = mapped_spans(api, run_ids, task_id)
    for _, _, ti in spans:
        assert ti["pool"] == "newsflow_fetch_gentle" and ti["state"] == "success", ti
    assert len(spans) == len(run_ids)
    for (_, end, _), (start, _, _) in itertools.pairwise(spans):
        assert start >= end, f"two {task_id} instances ran at once in a 1-slot pool: {spans}"
