"""PostgreSQL, Redis and Airflow's components on loopback, as docker-compose.celery.yml runs them.

No Docker: Debian's `postgresql` and `redis-server` packages (tests/stack/setup.sh installs them)
run from scratch folders on free loopback ports, PostgreSQL as the unprivileged `postgres` user
when we are root (it refuses to run as root). The Celery workers each run in their own UTS
namespace with a hostname of their own, as each compose container has, so the REST API's task
instances say which worker ran them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import yaml

from airflow_e2e import (
    BIN,
    Api,
    build_history_site,
    free_port,
    migrate_and_import_pools,
    start_component,
    stop_components,
    wait,
)
from newsflow.config import Settings

from .environment import Endpoints, stack_env, worker_env

SETUP_HINT = "install them with `make test-stack` or `sudo tests/stack/setup.sh` (apt-get install postgresql redis-server)"


class StackError(RuntimeError):
    """A part of the stack is missing or did not start; the message says which and what to do."""


def pg_bindir() -> Path:
    """The newest installed PostgreSQL server's bin folder (Debian keeps them off PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise StackError(f"the PostgreSQL server (initdb, pg_ctl) is not installed: {SETUP_HINT}")


@dataclass(frozen=True)
class _RunAs:
    """The unprivileged account a server runs as when we are root (None: as ourselves)."""

    uid: int | None = None
    gid: int | None = None

    @classmethod
    def for_server(cls, account: str) -> _RunAs:
        if os.geteuid() != 0:
            return cls()
        try:
            entry = pwd.getpwnam(account)
        except KeyError:
            raise StackError(f"no `{account}` account to run the server as: {SETUP_HINT}") from None
        return cls(entry.pw_uid, entry.pw_gid)

    def run(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        if self.uid is not None:
            kwargs.update(user=self.uid, group=self.gid, extra_groups=[])
        return subprocess.run(argv, capture_output=True, text=True, **kwargs)

    def own(self, path: Path) -> None:
        if self.uid is not None:
            os.chown(path, self.uid, self.gid)


@contextmanager
def postgres(port: int, password: str = "airflow") -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1:`port` with user and database `airflow`;
    yields the folder holding its data and log. Durability is off (fsync): it is scratch."""
    bindir = pg_bindir()
    who = _RunAs.for_server("postgres")
    scratch = Path(tempfile.mkdtemp(prefix="newsflow-stack-pg-"))
    who.own(scratch)
    pwfile = scratch / "pw"
    pwfile.write_text(password)
    who.own(pwfile)
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "LC_ALL": "C"}
    try:
        out = who.run(
            [
                str(bindir / "initdb"),
                "-D",
                str(scratch / "data"),
                "-U",
                "airflow",
                f"--pwfile={pwfile}",
                "-A",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            env=env,
            cwd=scratch,
        )
        if out.returncode:
            raise StackError(f"initdb failed: {out.stdout}{out.stderr}")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {scratch} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        out = who.run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(scratch / "data"),
                "-l",
                str(scratch / "postgres.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            env=env,
            cwd=scratch,
        )
        if out.returncode:
            log = (
                (scratch / "postgres.log").read_text(errors="replace")
                if (scratch / "postgres.log").exists()
                else ""
            )
            raise StackError(f"PostgreSQL did not start: {out.stdout}{out.stderr}{log[-2000:]}")
        _create_database(port, password)
        yield str(scratch)
    finally:
        if (scratch / "data" / "postmaster.pid").exists():
            who.run(
                [str(bindir / "pg_ctl"), "-D", str(scratch / "data"), "-m", "fast", "-w", "stop"],
                env=env,
                cwd=scratch,
            )
        shutil.rmtree(scratch, ignore_errors=True)


def _create_database(port: int, password: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=port, user="airflow", password=password, dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE airflow")
    finally:
        conn.close()


@contextmanager
def redis(port: int, log: Path) -> Iterator[subprocess.Popen]:
    """redis-server on 127.0.0.1:`port`, nothing written to disk (the broker's queue is scratch)."""
    exe = shutil.which("redis-server")
    if not exe:
        raise StackError(f"redis-server is not installed: {SETUP_HINT}")
    scratch = Path(tempfile.mkdtemp(prefix="newsflow-stack-redis-"))
    argv = [
        exe,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(scratch),
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
    ]
    proc = start_component(argv, os.environ, log)
    try:
        wait("redis-server to answer PING", lambda: _ping(port), 30, [proc], log)
        yield proc
    finally:
        stop_components([proc])
        shutil.rmtree(scratch, ignore_errors=True)


def _ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(b"PING\r\n")
        return s.recv(64).startswith(b"+PONG")


CORE_COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")


def _uts_wrapper(hostname: str) -> list[str]:
    """Run a command in a new UTS namespace named `hostname` (a user namespace too when not root)."""
    unshare = shutil.which("unshare")
    if not unshare:
        raise StackError("`unshare` (util-linux) is needed to give each worker its own hostname")
    userns = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return [unshare, "--uts", *userns, "--", "sh", "-c", 'hostname "$0" && exec "$@"', hostname]


@dataclass
class AirflowStack:
    """Airflow's components of the compose stack, each its own process group, logging to
    `<AIRFLOW_HOME>/<name>.log`; the Celery workers by name (their hostnames)."""

    env: Mapping[str, str]
    home: Path
    core: dict[str, subprocess.Popen] = field(default_factory=dict)
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)
    worker_env: dict[str, Mapping[str, str]] = field(default_factory=dict)

    def start_core(self) -> None:
        for name in CORE_COMPONENTS:
            self.core[name] = start_component([BIN / "airflow", name], self.env, self.home / f"{name}.log")

    def start_worker(self, hostname: str, extra_env: Mapping[str, str]) -> subprocess.Popen:
        """`airflow celery worker` as host `hostname` (a second start appends to its log)."""
        self.worker_env[hostname] = extra_env
        env = {**self.env, **extra_env}
        log = self.home / f"worker-{hostname}.log"
        if log.exists():
            log.rename(log.with_suffix(f".{int(time.time())}.log"))
        argv = [*_uts_wrapper(hostname), str(BIN / "airflow"), "celery", "worker"]
        self.workers[hostname] = start_component(argv, env, log)
        return self.workers[hostname]

    def kill_worker(self, hostname: str) -> list[int]:
        """SIGKILL the worker and everything it started at once, as when its container dies;
        the pids killed."""
        import psutil

        proc = self.workers.pop(hostname)
        try:
            tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            tree = []
        for p in tree:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                continue
        proc.wait(timeout=30)
        return [p.pid for p in tree]

    @property
    def procs(self) -> list[subprocess.Popen]:
        """The components expected to be running (a killed worker is not)."""
        return [*self.core.values(), *self.workers.values()]

    def stop(self) -> None:
        stop_components([*self.workers.values(), *self.core.values()])
        self.workers.clear()
        self.core.clear()


def write_sources(path: Path, newsroom: Path) -> dict[str, str]:
    """The dated demo newsroom's sources (its folder of files by absolute path) plus the
    sitemap of the Tidewater Gazette in the `gentle` class; name -> politeness class."""
    demo = yaml.safe_load((newsroom / "sources.yaml").read_text())["sources"]
    for src in demo:
        if src["type"] == "files":
            src["path"] = str((newsroom / src["path"]).resolve())
    demo.append(
        {
            "name": "tidewater_gazette",
            "type": "sitemap",
            "url": "${NEWSFLOW_DEMO_BASE_URL}/tidewater-gazette/sitemap.xml",
            "publisher": "Tidewater Gazette",
            "country": "GB",
            "language": "en",
            "politeness": "gentle",
        }
    )
    path.write_text(yaml.safe_dump({"sources": demo}, sort_keys=False))
    return {s["name"]: s.get("politeness", "default") for s in demo}


def _search():
    """The real engine when NEWSFLOW_TEST_ES_URL names one, else the embedded server; and whether embedded."""
    from newsflow.index.embedded import EmbeddedSearch

    url = os.environ.get("NEWSFLOW_TEST_ES_URL", "")
    if url:
        return nullcontext(SimpleNamespace(url=url)), False
    return EmbeddedSearch(), True


def worker_ready(stack: AirflowStack, name: str) -> bool:
    """Celery logs `celery@<hostname> ready.` once the worker consumes from the broker."""
    return f"celery@{name} ready" in (stack.home / f"worker-{name}.log").read_text(errors="replace")


@contextmanager
def celery_stack(tmp: Path, workers: tuple[str, ...], parallelism: int | None = None) -> Iterator[dict]:
    """The whole stack on loopback with the newsroom, `news_ingest` parsed and every worker ready;
    yields what the tests drive it with (api, env, procs: the components that must stay up, ...)."""
    from newsflow.demo_site import serve_site

    build_history_site(tmp / "site")  # renders the dated demo newsroom into tmp/newsroom on the way
    classes = write_sources(tmp / "sources.yaml", tmp / "newsroom")
    airflow_home = tmp / "airflow"
    airflow_home.mkdir()
    pg_port, redis_port, api_port = free_port(), free_port(), free_port()
    search, embedded = _search()
    started = time.monotonic()
    with (
        postgres(pg_port),
        redis(redis_port, tmp / "redis.log"),
        search as engine,
        serve_site(tmp / "site") as site_url,
    ):
        ep = Endpoints(
            api_port=api_port,
            pg_port=pg_port,
            redis_port=redis_port,
            trigger_log_port=free_port(),
            search_url=engine.url,
            site_url=site_url,
            home=tmp / "newsflow",
            sources_file=tmp / "sources.yaml",
            es_embedded=embedded,
            es_username=os.environ.get("NEWSFLOW_TEST_ES_USERNAME", ""),
            es_password=os.environ.get("NEWSFLOW_TEST_ES_PASSWORD", ""),
            index_alias="news" if embedded else f"stack-{uuid.uuid4().hex[:8]}",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW"))}
        env |= {
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "AIRFLOW_HOME": str(airflow_home),
            **stack_env(ep),
        }
        migrate_and_import_pools(env, tmp)
        if parallelism:
            env |= {
                "AIRFLOW__CORE__PARALLELISM": str(parallelism),
                "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(parallelism),
            }
        stack = AirflowStack(env, airflow_home)
        live: list = []  # the components that must stay up; the kill test takes worker b out
        try:
            stack.start_core()
            for name in workers:
                stack.start_worker(name, worker_env(free_port()))
            live.extend(stack.procs)
            api = Api(f"http://127.0.0.1:{api_port}")
            wait(
                "news_ingest to be parsed and served",
                lambda: api.get("/api/v2/dags/news_ingest"),
                180,
                live,
                airflow_home,
            )
            for name in workers:
                wait(
                    f"worker {name} to be ready",
                    lambda n=name: worker_ready(stack, n),
                    120,
                    live,
                    airflow_home,
                )
            yield {
                "startup_seconds": round(time.monotonic() - started, 1),
                "search": {"embedded": embedded, "alias": ep.index_alias},
                "api": api,
                "env": env,
                "procs": live,
                "stack": stack,
                "tmp": tmp,
                "classes": classes,
                "settings": Settings.from_env(env),
                "ep": ep,
            }
        finally:
            stack.stop()
