"""The `newsflow` command: process local files, search the index, run the demo.

`process` runs the very functions the DAG runs (clean, dedupe, enrich) on local
files, so a user can see what would be indexed and why anything was not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.config import DuplicatePolicy, Settings
from newsflow.ledger import run_ledger_table

if TYPE_CHECKING:
    from newsflow.models import Article

# Fields `process` leaves out: signatures are long and only meaningful to dedupe.
_HIDDEN = {"minhash", "lsh"}
# The fields a user reads first, in this order; the rest follow.
_FIRST = (
    "path",
    "line",
    "id",
    "url",
    "status",
    "reason",
    "cluster_id",
    "title",
    "language",
    "published_at",
    "publisher",
    "agency",
)


def _article_json(article: Article) -> str:
    data = article.to_dict()
    ordered = {k: data[k] for k in _FIRST if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered and k not in _HIDDEN})
    text = json.dumps(ordered, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a hostile input: escaped, never a crash
        return json.dumps(ordered, ensure_ascii=True)
    return text


def cmd_process(args: argparse.Namespace) -> int:
    from newsflow.fetch.files import read_paths
    from newsflow.pipeline import process_items

    settings = Settings.from_env()
    if args.policy:
        settings = replace(settings, duplicate_policy=args.policy)
    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"newsflow process: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    # stdout carries JSON lines only: anything a library prints while processing (YAKE warns
    # on stdout when it reads some stop-word lists) goes to stderr instead.
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        articles = process_items(
            read_paths(paths, source=args.source, max_bytes=int(settings.max_bytes)), settings
        )
        for article in articles:
            out.write(_article_json(article) + "\n")
    out.flush()
    if args.summary:
        from newsflow.ledger import Ledger

        print(Ledger(run_id="process").extend(articles).format_table(), file=sys.stderr)
    return 0


def _search_settings(args: argparse.Namespace) -> Settings:
    """The search server to use: --es-url, NEWSFLOW_ES_URL, else a running `newsflow serve-search`.

    Exits with one line (no traceback) when there is none, or when serve-search's state file
    names a server that is no longer running.
    """
    command = f"newsflow {getattr(args, 'command', 'search')}"
    settings = Settings.from_env()
    url = getattr(args, "es_url", None)
    if url:
        settings = replace(settings, es_url=url)
    if not settings.es_url:
        state = settings.home / "embedded-search.json"
        if state.exists():
            info = json.loads(state.read_text())
            if not _answers(info["url"]):
                raise SystemExit(
                    f"{command}: the search server at {info['url']} is not running (its state file {state} is "
                    "left from a `newsflow serve-search` that stopped); start it again with `newsflow serve-search` "
                    "in another terminal, or set NEWSFLOW_ES_URL"
                )
            settings = replace(settings, es_url=info["url"], es_embedded=True)
    if not settings.es_url:
        raise SystemExit(
            f"{command}: no search server. Set NEWSFLOW_ES_URL (or --es-url), or run `newsflow serve-search` "
            "in another terminal"
            + (" and ingest into it (`newsflow ingest`)" if command.endswith("search") else "")
            + "; `make demo` shows it all."
        )
    return settings


def _answers(url: str, timeout: float = 2.0) -> bool:
    """Whether something listens at the URL's host and port (a stale state file names a dead one)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "localhost", port), timeout=timeout):
            return True
    except OSError:
        return False


def cmd_search(args: argparse.Namespace) -> int:
    from newsflow.index import make_client
    from newsflow.index.search import format_result, parse_cursor, search

    try:
        cursor = parse_cursor(args.after)
    except ValueError as exc:
        print(f"newsflow search: {exc}", file=sys.stderr)
        return 2
    langs = [x.strip() for x in (args.lang or "").split(",") if x.strip()]
    settings = _search_settings(args)
    if not _answers(settings.es_url):
        print(
            f"newsflow search: the search server at {settings.es_url} is not answering; is it running?",
            file=sys.stderr,
        )
        return 1
    client = make_client(settings)
    result = search(
        client,
        settings,
        args.query,
        lang=langs or None,
        source=args.source,
        country=args.country,
        agency=args.agency,
        date_from=args.date_from,
        date_to=args.date_to,
        size=args.size,
        search_after=cursor,
        prefer_lang=args.prefer_lang or (langs[0] if len(langs) > 1 else None),
    )
    if args.json:
        print(
            json.dumps(
                result.to_dict() if hasattr(result, "to_dict") else result, ensure_ascii=False, default=str
            )
        )
    else:
        print(format_result(result))
    return 0


def cmd_serve_search(args: argparse.Namespace) -> int:
    """Start the embedded server and keep it up, so Airflow or `newsflow search` can use it."""
    import time

    from newsflow.index.embedded import EmbeddedSearch

    settings = Settings.from_env()
    state = settings.home / "embedded-search.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    with EmbeddedSearch() as server:
        state.write_text(json.dumps({"url": server.url, "pid": os.getpid()}))
        print(f"embedded search server at {server.url} (in memory; stops with this command)")
        print(f"export NEWSFLOW_ES_URL={server.url} NEWSFLOW_ES_EMBEDDED=1")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            state.unlink(missing_ok=True)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Run news_ingest once, here, against the configured Elasticsearch (no scheduler needed).

    Prints the interval it ingests; on failure the failing tasks' log tails and the saved ledger.
    """
    from newsflow.airflow_runner import run_dag
    from newsflow.runtime import before_start_date

    try:
        interval = ingest_interval(args.date, args.start, args.end)
    except ValueError as exc:
        print(f"newsflow ingest: {exc}", file=sys.stderr)
        return 2
    settings = _search_settings(args)
    if not _answers(settings.es_url):
        print(
            f"newsflow ingest: the search server at {settings.es_url} is not answering; start it "
            "(`newsflow serve-search`) or fix NEWSFLOW_ES_URL",
            file=sys.stderr,
        )
        return 1
    if interval:
        too_early = before_start_date(settings, interval[1])
        if too_early:
            print(f"newsflow ingest: {too_early}", file=sys.stderr)
            return 2
        print(f"news_ingest: interval {_fmt_utc(interval[0])} to {_fmt_utc(interval[1])}", flush=True)
    else:
        print(
            "news_ingest: interval: the schedule's last complete interval before now "
            "(choose one with --date or --start/--end)",
            flush=True,
        )
    env = {"NEWSFLOW_ES_URL": settings.es_url, "NEWSFLOW_ES_EMBEDDED": "1" if settings.es_embedded else "0"}
    result = run_dag(
        "news_ingest",
        settings,
        extra_env=env,
        quiet=not args.verbose,
        interval=interval,
        raise_on_failure=False,
    )
    return _report_run(result)


def _report_run(result: dict[str, Any]) -> int:
    """What a user needs after a run: its interval and state, then the ledger, or why it failed."""
    ok = result.get("state", "").endswith("success")
    span = result.get("interval") or []
    if len(span) == 2:
        print(f"run {result.get('run_id', '?')} over {span[0]} to {span[1]}: {result.get('state')}")
    if result.get("error"):
        print(f"newsflow ingest: {result['error']}", file=sys.stderr)
    for name, tail in (result.get("failed_tasks") or {}).items():
        print(f"--- task {name} failed; the end of its log:\n{tail}", file=sys.stderr)
    print(run_ledger_table(result))
    if not ok:
        print(f"the run failed; full log: {result.get('log')}", file=sys.stderr)
    return 0 if ok else 1


def _fmt_utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def ingest_interval(day: str | None, start: str | None, end: str | None) -> tuple[datetime, datetime] | None:
    """The interval `newsflow ingest` was asked for: a whole UTC day (--date), or [--start, --end)."""
    if day and (start or end):
        raise ValueError("give --date or --start/--end, not both")
    if day:
        first = _parse_when(day, "--date")
        return first, first + timedelta(days=1)
    if bool(start) != bool(end):
        raise ValueError("give both --start and --end (or --date for a whole day)")
    if not start or not end:
        return None
    begin, finish = _parse_when(start, "--start"), _parse_when(end, "--end")
    if finish <= begin:
        raise ValueError(f"--end ({end}) must be after --start ({start})")
    return begin, finish


def _parse_when(value: str, option: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{option} {value!r} is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def cmd_demo(args: argparse.Namespace) -> int:
    from newsflow.demo import run_demo

    return run_demo(verbose=args.verbose, keep=args.keep)


def cmd_sources_check(args: argparse.Namespace) -> int:
    """Check the whole sources file in one pass and print every error with its line."""
    from newsflow.sources import SourcesError, load_sources_lenient

    path = Path(args.file) if args.file else Settings.from_env().sources_file
    try:
        sources, errors = load_sources_lenient(path)
    except SourcesError as exc:
        for error in exc.errors:
            print(error)
        return 2
    for error in errors:
        print(error)
    enabled = sum(s.enabled for s in sources)
    print(
        f"{path}: {len(sources)} valid source(s) ({enabled} enabled, {len(sources) - enabled} disabled), "
        f"{len(errors)} error(s)" + ("" if errors else ": OK")
    )
    return 1 if errors else 0


def _sources_overview(settings: Settings) -> dict[str, Any]:
    """The sources `news_ingest` will not fetch: disabled ones, and the file's errors."""
    from newsflow.sources import SourcesError, load_sources_lenient

    try:
        sources, errors = load_sources_lenient(settings.sources_file)
    except SourcesError as exc:
        return {"skipped": [], "invalid": list(exc.errors)}
    return {"skipped": sorted(s.name for s in sources if not s.enabled), "invalid": errors}


def cmd_health(args: argparse.Namespace) -> int:
    """Per-source health and recent overrun alerts, from the state folder the DAG writes;
    also the sources no run fetches (disabled, or invalid in the sources file)."""
    from newsflow.alerts import read_alerts
    from newsflow.health import format_health, read_health

    settings = Settings.from_env()
    health = read_health(settings)
    alerts = read_alerts(settings)
    overview = _sources_overview(settings)
    if args.json:
        print(json.dumps({"sources": health, "alerts": alerts, **overview}, indent=2, ensure_ascii=False))
    else:
        print(format_health(health))
        if overview["skipped"]:
            print(f"skipped (enabled: false): {', '.join(overview['skipped'])}")
        for error in overview["invalid"]:
            print(f"INVALID (not fetched; `newsflow sources check`): {error}")
        for alert in alerts:
            print(
                f"ALERT {alert['at']}: run {alert['run_id']} overran its {alert['deadline_minutes']:g} min deadline"
            )
    return 1 if any(h["state"] == "failing" for h in health.values()) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="show library logs")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "process", help="clean, dedupe and enrich local files; print one JSON line per article"
    )
    p.add_argument(
        "paths", nargs="+", help=".html/.htm pages, .txt articles, .jsonl (url/html/text per line), folders"
    )
    p.add_argument(
        "--source", default="local", help="source name the files are attributed to (default: local)"
    )
    p.add_argument(
        "--policy",
        choices=[x.value for x in DuplicatePolicy],
        help="near-duplicate policy (default: cluster)",
    )
    p.add_argument("--summary", action="store_true", help="print the ledger table on stderr")
    p.set_defaults(func=cmd_process)

    s = sub.add_parser("search", help="search the index: one hit per story, with facets")
    s.add_argument(
        "query",
        help="""words all required; '"a phrase"', 'port | harbour' (either), '-strike' (without), 'ferr*'""",
    )
    s.add_argument("--lang", help="only these languages (ISO 639-1, comma-separated); the first ranks first")
    s.add_argument("--prefer-lang", help="rank this language first without filtering the others out")
    s.add_argument("--source", help="only this source")
    s.add_argument("--country", help="only articles mentioning this country (ISO alpha-2)")
    s.add_argument("--agency", help="only this wire agency (e.g. AFP)")
    s.add_argument("--from", dest="date_from", help="published on or after (YYYY-MM-DD)")
    s.add_argument("--to", dest="date_to", help="published on or before (YYYY-MM-DD)")
    s.add_argument("--size", type=int, default=10, help="stories per page (default 10)")
    s.add_argument("--after", help="next page: the cursor the previous page printed (e.g. '[10]')")
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.add_argument("--es-url", help="Elasticsearch URL (default: NEWSFLOW_ES_URL or a running serve-search)")
    s.set_defaults(func=cmd_search)

    i = sub.add_parser(
        "ingest", help="run news_ingest once here with dag.test() against the configured index"
    )
    i.add_argument("--es-url", help="Elasticsearch URL (default: NEWSFLOW_ES_URL or a running serve-search)")
    i.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="stream every task's log while the run goes (it is kept in <home>/logs either way)",
    )
    i.add_argument("--date", help="ingest this whole UTC day (YYYY-MM-DD)")
    i.add_argument("--start", help="ingest from this UTC date or date-time (with --end)")
    i.add_argument("--end", help="ingest up to this UTC date or date-time, excluded (with --start)")
    i.set_defaults(func=cmd_ingest)

    e = sub.add_parser("serve-search", help="start the embedded search server and keep it running")
    e.set_defaults(func=cmd_serve_search)

    h = sub.add_parser("health", help="per-source health: failures in a row, last success, last item seen")
    h.add_argument("--json", action="store_true", help="machine-readable output")
    h.set_defaults(func=cmd_health)

    so = sub.add_parser("sources", help="the sources file: `newsflow sources check` lists every error")
    so_sub = so.add_subparsers(dest="sources_command", required=True)
    sc = so_sub.add_parser("check", help="validate the whole sources file; print every error with its line")
    sc.add_argument(
        "--file", help="the sources file (default: NEWSFLOW_SOURCES_FILE or include/sources.yaml)"
    )
    sc.set_defaults(func=cmd_sources_check)

    d = sub.add_parser("demo", help="run the pipeline on the bundled demo newsroom and print searches")
    d.add_argument("--keep", action="store_true", help="keep the servers up after the demo until Ctrl-C")
    d.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # inside the try: a pipe closed early fails here, not at interpreter exit
        return code
    except BrokenPipeError:
        # `newsflow search ... | head`: the reader left; stop quietly (Python's documented recipe).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
