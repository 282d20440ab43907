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
from pathlib import Path

from newsflow.config import Settings

# Fields `process` leaves out: signatures are long and only meaningful to dedupe.
_HIDDEN = {"minhash", "lsh"}
# The fields a user reads first, in this order; the rest follow.
_FIRST = ("path", "line", "id", "url", "status", "reason", "cluster_id", "title", "language",
          "published_at", "publisher", "agency")


def _article_json(article) -> str:
    data = article.to_dict()
    ordered = {k: data[k] for k in _FIRST if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered and k not in _HIDDEN})
    return json.dumps(ordered, ensure_ascii=False)


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
        articles = process_items(read_paths(paths, source=args.source), settings)
        for article in articles:
            out.write(_article_json(article) + "\n")
    out.flush()
    if args.summary:
        from newsflow.ledger import Ledger

        print(Ledger(run_id="process").extend(articles).format_table(), file=sys.stderr)
    return 0


def _search_settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    url = getattr(args, "es_url", None)
    if url:
        settings = replace(settings, es_url=url)
    if not settings.es_url:
        state = settings.home / "embedded-search.json"
        if state.exists():
            info = json.loads(state.read_text())
            settings = replace(settings, es_url=info["url"], es_embedded=True)
    if not settings.es_url:
        raise SystemExit(
            "newsflow search: no index to search. Set NEWSFLOW_ES_URL, or run `newsflow serve-search` "
            "in another terminal and ingest into it (`newsflow ingest`), or try `make demo`."
        )
    return settings


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
        print(json.dumps(result.to_dict() if hasattr(result, "to_dict") else result, ensure_ascii=False, default=str))
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
    """Run news_ingest once, here, against the configured Elasticsearch (no scheduler needed)."""
    from newsflow.airflow_runner import run_dag

    settings = _search_settings(args)
    env = {"NEWSFLOW_ES_URL": settings.es_url, "NEWSFLOW_ES_EMBEDDED": "1" if settings.es_embedded else "0"}
    result = run_dag("news_ingest", settings, extra_env=env, quiet=not args.verbose)
    _print_ledger(result)
    return 0 if result.get("state", "").endswith("success") else 1


def _print_ledger(result: dict) -> None:
    from newsflow.ledger import Ledger

    data = result.get("ledger")
    if not data:
        print(f"run {result.get('run_id')} ended {result.get('state')} without a ledger")
        return
    ledger = Ledger(**{k: v for k, v in data.items() if k in Ledger.__dataclass_fields__})
    print(ledger.format_table())


def cmd_demo(args: argparse.Namespace) -> int:
    from newsflow.demo import run_demo

    return run_demo(verbose=args.verbose, keep=args.keep)


def cmd_health(args: argparse.Namespace) -> int:
    """Per-source health and recent overrun alerts, from the state folder the DAG writes."""
    from newsflow.alerts import read_alerts
    from newsflow.health import format_health, read_health

    settings = Settings.from_env()
    health = read_health(settings)
    alerts = read_alerts(settings)
    if args.json:
        print(json.dumps({"sources": health, "alerts": alerts}, indent=2, ensure_ascii=False))
    else:
        print(format_health(health))
        for alert in alerts:
            print(f"ALERT {alert['at']}: run {alert['run_id']} overran its {alert['deadline_minutes']:g} min deadline")
    return 1 if any(h["state"] == "failing" for h in health.values()) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsflow", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="show library logs")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("process", help="clean, dedupe and enrich local files; print one JSON line per article")
    p.add_argument("paths", nargs="+", help=".html/.htm pages, .txt articles, .jsonl (url/html/text per line), folders")
    p.add_argument("--source", default="local", help="source name the files are attributed to (default: local)")
    p.add_argument("--policy", choices=["cluster", "drop"], help="near-duplicate policy (default: cluster)")
    p.add_argument("--summary", action="store_true", help="print the ledger table on stderr")
    p.set_defaults(func=cmd_process)

    s = sub.add_parser("search", help="search the index: one hit per story, with facets")
    s.add_argument("query", help="query-string syntax, e.g. 'port AND strike'")
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

    i = sub.add_parser("ingest", help="run news_ingest once here with dag.test() against the configured index")
    i.add_argument("--es-url", help="Elasticsearch URL (default: NEWSFLOW_ES_URL or a running serve-search)")
    i.set_defaults(func=cmd_ingest)

    e = sub.add_parser("serve-search", help="start the embedded search server and keep it running")
    e.set_defaults(func=cmd_serve_search)

    h = sub.add_parser("health", help="per-source health: failures in a row, last success, last item seen")
    h.add_argument("--json", action="store_true", help="machine-readable output")
    h.set_defaults(func=cmd_health)

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
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
