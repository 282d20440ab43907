"""The work of each DAG task, one function per task, so that the DAG files are wiring only.

Each function takes the task's Airflow context (a mapping: `run_id`, `ti`, `dag_run`, the data
interval, `params`, `outlet_events`) and the task's XCom inputs, and returns the task's XCom
value. Retry bookkeeping, the ledger, telemetry and reading the sources file live here, where a
test can call them and a reader finds them next to the stages, not in a DAG function.

Heavy modules (the pipeline, the search client) are imported inside the functions: the DAG
files import this module only inside their tasks, and nothing here runs at import time.
Messages go to the `newsflow.tasks` logger (Airflow puts them in the task's log).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping
from typing import Any, cast

from newsflow.config import Settings
from newsflow.contracts import CleanResult, DedupeResult, EnrichResult, FetchResult, IndexResult
from newsflow.runtime import before_start_date, require_search, run_window, task_settings

log = logging.getLogger("newsflow.tasks")

Context = Mapping[str, Any]
"""An Airflow task context (`airflow.sdk.get_current_context()`); a plain dict in tests."""


def _name_instance(context: Context, name: str) -> None:
    """Name the mapped task instance in the UI: its `map_index_template` reads `source_name`.

    Airflow's template reads keys added to the live context, which its TypedDict does not declare.
    """
    cast(MutableMapping[str, Any], context)["source_name"] = name


def _fail(message: str) -> Exception:
    """Airflow's "fail now, no retry" exception (a plain RuntimeError outside Airflow)."""
    try:
        from airflow.sdk.exceptions import AirflowFailException
    except ImportError:  # pragma: no cover - the library without Airflow (the CLI's own runs)
        return RuntimeError(message)
    return AirflowFailException(message)


# --------------------------------------------------------------------------- news_ingest
def load_sources(context: Context, politeness: str) -> list[dict[str, Any]]:
    """The enabled sources of one politeness class, one XCom entry per source to fetch.

    A run whose interval ends before the start date fails at once (no retry); a sources file
    without one valid source fails the task; bad entries are logged and the good ones run.
    """
    from newsflow.pipeline import xcom_source
    from newsflow.pools import max_map_length, over_map_limit
    from newsflow.sources import load_sources_lenient

    settings = task_settings()
    start, end = run_window(context)
    log.info("interval: %s to %s", start, end)
    too_early = before_start_date(settings, end)
    if too_early:
        raise _fail(too_early)
    sources, errors = load_sources_lenient(settings.sources_file)
    for error in errors:
        log.error("SOURCE ERROR %s", error)
    if not sources and errors:
        raise ValueError("no valid source in the sources file:\n" + "\n".join(errors))
    mine = [xcom_source(s) for s in sources if s.enabled and s.politeness == politeness]
    limit = max_map_length()
    for problem in over_map_limit({politeness: len(mine)}, limit):
        log.error("SOURCE ERROR %s", problem)  # the ledger repeats it as a note
    mine = mine[:limit]
    log.info("politeness class %s: %d source(s) %s", politeness, len(mine), [s["name"] for s in mine])
    return mine


def fetch(context: Context, source: dict[str, Any]) -> FetchResult:
    """Fetch one source for the run's interval into the raw archive.

    A failure is raised while Airflow has tries left; on the last try it is recorded in the
    source's health and returned as the source's result, so the rest of the run goes on and
    the ledger names the source.
    """
    from newsflow.pipeline import fetch_stage, task_source

    _name_instance(context, source["name"])
    settings = task_settings()
    window_start, window_end = run_window(context)
    try:
        result = fetch_stage(
            task_source(source, settings),  # the XCom copy's URL is redacted: this reads the real one
            settings,
            context["run_id"],
            window_start,
            window_end,
            live=False if is_backfill(context) else None,
        )
    except Exception as exc:
        if has_tries_left(context):
            raise
        return fetch_failed(settings, context, source["name"], exc)
    log.info("source %s: fetched %s items (%s)", source["name"], result["fetched"], result["status"])
    for note in result.get("notes", []):
        log.info("%s", note)
    return result


def is_backfill(context: Mapping[str, Any]) -> bool:
    """The run is a backfill: live-only sources (RSS) replay the archive instead of fetching."""
    return str(getattr(context.get("dag_run"), "run_type", "")).lower().endswith("backfill")


def has_tries_left(context: Mapping[str, Any]) -> bool:
    """Airflow will run this task again if it fails now."""
    ti = context["ti"]
    return bool(ti.try_number <= ti.max_tries)


def fetch_failed(settings: Settings, context: Mapping[str, Any], name: str, exc: Exception) -> FetchResult:
    """The fetch result of a source that failed for good: recorded in its health, named in the ledger."""
    from newsflow.health import record_failure

    error = f"{type(exc).__name__}: {exc}"
    health = record_failure(settings, name, context["run_id"], error)
    log.error(
        "source %s: FAILED after %s tries (%s runs in a row): %s",
        name,
        context["ti"].try_number,
        health["consecutive_failures"],
        error,
    )
    return {"source": name, "raw": "", "fetched": 0, "error": error}


def join_fetches(fetch_results: list[FetchResult] | None) -> list[FetchResult]:
    """The fetch results with items to clean, over every politeness class.

    A source that brought nothing (HTTP 304, not polled, an empty window) needs no clean,
    dedupe or enrich task: each mapped task costs ~0.2 s of Airflow's time. The ledger still
    gets every fetch result.
    """
    from newsflow.pipeline import with_items

    results = list(fetch_results or [])
    todo = with_items(results)
    log.info(
        "%d source(s) fetched, %d with items to clean: %s",
        len(results),
        len(todo),
        sorted(r["source"] for r in todo),
    )
    return todo


def clean(context: Context, fetch_result: FetchResult) -> CleanResult:
    """Clean one source's fetched items."""
    from newsflow.pipeline import clean_stage

    _name_instance(context, fetch_result["source"])
    return clean_stage(fetch_result, task_settings(), context["run_id"])


def dedupe(context: Context, clean_results: list[CleanResult] | None) -> list[DedupeResult]:
    """Deduplicate every source's clean batch together and against the index."""
    from newsflow.index import EsCandidateStore, make_client
    from newsflow.pipeline import dedupe_stage

    settings = task_settings()
    require_search(settings)
    store = EsCandidateStore(make_client(settings), settings)
    return dedupe_stage(list(clean_results or []), settings, context["run_id"], store)


def enrich(context: Context, batch: DedupeResult) -> EnrichResult:
    """Enrich one source's deduplicated batch, with the source's declared metadata."""
    from newsflow.pipeline import enrich_stage

    _name_instance(context, batch["source"])
    settings = task_settings()
    return enrich_stage(batch, settings, context["run_id"], declared_source(settings, batch["source"]))


def declared_source(settings: Settings, name: str) -> Any:
    """The source `name` as the sources file declares it (None when it is gone from the file)."""
    from newsflow.sources import load_sources_lenient

    return next((s for s in load_sources_lenient(settings.sources_file)[0] if s.name == name), None)


def index(context: Context, batches: list[EnrichResult] | None, asset: Any) -> IndexResult:
    """Bulk-index the enriched batches; the asset event's extra carries the run's counts."""
    from newsflow.index import make_client
    from newsflow.pipeline import index_stage

    settings = task_settings()
    require_search(settings)
    result = index_stage(list(batches or []), settings, context["run_id"], make_client(settings))
    context["outlet_events"][asset].extra = {
        "run_id": context["run_id"],
        "indexed": result.get("indexed", 0),
        "alias": settings.index_alias,
    }
    return result


def ledger(
    context: Context, fetch_results: list[FetchResult] | None, index_result: IndexResult | None
) -> dict[str, Any]:
    """The run's ledger: saved, logged, with the sources' health, and written to telemetry.

    When indexing did not finish the ledger is still saved, then the task fails (no retry) so
    the run shows as failed.
    """
    from newsflow.pipeline import save_ledger

    settings = task_settings()
    fetches = list(fetch_results or [])
    result = run_ledger(settings, context, fetches, index_result)
    log.info("%s", result.format_table())
    save_ledger(settings, result)
    ledger_dict: dict[str, Any] = result.to_dict()
    ledger_dict["health"] = health_and_telemetry(settings, ledger_dict, fetches)
    if index_result is None:
        raise _fail("the run did not finish indexing; its ledger is saved; re-run it")
    return ledger_dict


def run_ledger(
    settings: Settings,
    context: Mapping[str, Any],
    fetches: list[FetchResult],
    index_result: IndexResult | None,
) -> Any:
    """The ledger of the run's final batches, with the run's notes (interval, start date, index)."""
    from newsflow.pipeline import ledger_stage, source_file_errors

    batches = index_result["batches"] if index_result is not None else []
    result = ledger_stage(fetches, batches, context["run_id"], source_file_errors(settings.sources_file))
    start, end = run_window(context)
    result.notes.insert(0, f"interval: {start} to {end}")
    too_early = before_start_date(settings, end)
    if too_early:
        result.notes.insert(1, f"nothing ingested: {too_early}")
    if index_result is None:
        result.notes.append("index task did not finish: see its log; re-run the run to complete it")
    return result


def health_and_telemetry(settings: Settings, ledger_dict: dict[str, Any], fetches: list[FetchResult]) -> Any:
    """The run's sources' health (also logged), and the ledger written to the telemetry index."""
    from newsflow.health import format_health, read_health
    from newsflow.index import make_client, write_ledger

    health = read_health(settings, sorted(r["source"] for r in fetches))
    log.info("%s", format_health(health))
    if settings.es_url:
        try:
            write_ledger(make_client(settings), settings, {**ledger_dict, "dag_id": "news_ingest"})
        except Exception as exc:  # noqa: BLE001 - telemetry must never fail the run's ledger
            log.warning("telemetry: the ledger could not be written to the telemetry index: %s", exc)
    return health


# --------------------------------------------------------------------------- news_reindex
def reindex_prepare(context: Context) -> str:
    """Put the template and create the next index version; returns its name."""
    from newsflow.index import make_client
    from newsflow.reindex import prepare

    settings = task_settings()
    require_search(settings)
    return prepare(make_client(settings), settings)


def reindex_load(context: Context, index_name: str) -> dict[str, Any]:
    """Replay the raw archive days of the run's params into `index_name`; returns the load report."""
    from newsflow.index import make_client
    from newsflow.reindex import load, parse_day

    params = context["params"]
    settings = task_settings()
    report = load(
        make_client(settings),
        settings,
        index_name,
        start=parse_day(params.get("start")),
        end=parse_day(params.get("end")),
    )
    return report.to_dict()


def reindex_verify(context: Context, report: dict[str, Any]) -> dict[str, Any]:
    """Restore the refresh interval and check the document count against the load report."""
    from newsflow.index import make_client
    from newsflow.reindex import verify

    settings = task_settings()
    return verify(make_client(settings), settings, report["index"], report["expected"])


def reindex_swap(context: Context, index_name: str) -> dict[str, Any]:
    """Move the read and write aliases to `index_name` in one atomic call."""
    from newsflow.index import make_client
    from newsflow.reindex import swap

    settings = task_settings()
    return swap(make_client(settings), settings, index_name)


def reindex_cleanup(context: Context, index_name: str | None) -> list[str]:
    """Delete a build that was not swapped in; keep the `keep` param's older versions."""
    from newsflow.index import make_client
    from newsflow.reindex import cleanup

    settings = task_settings()
    keep = int(context["params"].get("keep", 1))
    return cleanup(make_client(settings), settings, index_name, keep=keep)
