"""news_ingest: fetch → clean → dedupe → enrich → index, one run per data interval.

Wiring only: every step is a function in `newsflow.pipeline`, imported inside
the task so that parsing this file does no work.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

import pendulum
from airflow.sdk import (
    Asset,
    AsyncCallback,
    CronDataIntervalTimetable,
    DeadlineAlert,
    DeadlineReference,
    TriggerRule,
    dag,
    get_current_context,
    task,
)

from newsflow.pools import NAMES as POLITENESS_CLASSES  # stdlib-only module: cheap at parse time
from newsflow.pools import pool_name

DOC = """
### news_ingest
Fetches every source declared in `include/sources.yaml` (or `NEWSFLOW_SOURCES_FILE`) for
this run's data interval, then cleans, deduplicates, enriches and indexes the articles into
Elasticsearch (alias `NEWSFLOW_INDEX_ALIAS`, default `news`).

* **fetch_<class>** is mapped: one task per source, named after the source, one such task per
  politeness class (`default`, `gentle`, `local`, the source's `politeness`), each in its own
  Airflow pool `newsflow_fetch_<class>` whose slots bound how many of its sources are fetched at
  once (`NEWSFLOW_POOL_<CLASS>_SLOTS`; Admin → Pools). A class without sources is skipped.
* Tasks pass batch-file paths through XCom, never article bodies; raw payloads land in the
  archive (`NEWSFLOW_ARCHIVE_DIR`) before anything else happens.
* **ledger** returns the run's counts (see its XCom):
  fetched = new + updated + unchanged + duplicates + rejected (by reason).
* Re-running an interval changes nothing: document ids come from canonical URLs.
* **Backfills** (`airflow backfill create --dag-id news_ingest --from-date … --to-date …`):
  sitemaps and dated file archives return each interval's articles; RSS feeds have no history,
  so a backfill replays them from the raw archive and the ledger says so.
* **Health** of every source (consecutive failures, last success, last item seen) is in the
  ledger's `health`, in `<NEWSFLOW_STATE_DIR>/health.json` and in `newsflow health`.
* The **index** task updates the asset `newsflow_articles`: schedule a DAG on it to react to
  new articles. A run still going `NEWSFLOW_RUN_DEADLINE_MINUTES` after it was queued raises
  a deadline alert (triggerer log, `<state>/alerts.jsonl`).
"""

# The cron string is configuration, read from the environment; an interval timetable gives
# each run a real window (a bare cron string gives zero-width windows in Airflow 3).
SCHEDULE = os.environ.get("NEWSFLOW_SCHEDULE", "*/30 * * * *")
RUN_DEADLINE_MINUTES = float(os.environ.get("NEWSFLOW_RUN_DEADLINE_MINUTES", "25"))
# `airflow dags test` (like dag.test()) runs without a queue, so the alert's reference
# (the run's queued_at) is None and Airflow skips it; and Airflow 3.3.2 then crashes when the
# run succeeds (DagRun.update_state looks the alerts up by their serialized dicts instead of
# their ids: "'dict' object has no attribute 'hex'"). The alert is for the scheduler: off here.
if sys.argv[1:3] == ["dags", "test"]:
    RUN_DEADLINE_MINUTES = 0.0
# NEWSFLOW_START_DATE (Settings.start_date, default 2026-01-01) bounds what is ingested: a run of
# an earlier interval fails in load_sources and its ledger says why. Airflow's own start_date is
# kept far earlier on purpose: Airflow marks a run before its start_date successful without
# running a task, which is how a backfill of 2025 used to "succeed" silently.
AIRFLOW_START_DATE = pendulum.datetime(2000, 1, 1, tz="UTC")

# Updated by the index task (extra: the run's counts); downstream DAGs can schedule on it.
NEWS_ARTICLES = Asset(name="newsflow_articles", uri="newsflow://index/news", group="newsflow")

default_args = {
    "owner": "newsflow",
    "retries": 2,
    "retry_delay": timedelta(seconds=float(os.environ.get("NEWSFLOW_RETRY_DELAY", "30"))),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(minutes=30),
}


@dag(
    dag_id="news_ingest",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=AIRFLOW_START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["newsflow", "ingest"],
    doc_md=DOC,
    # 0 turns the alert off (newsflow.airflow_runner does, for dag.test()).
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=timedelta(minutes=RUN_DEADLINE_MINUTES),
        callback=AsyncCallback("newsflow.alerts.run_overran", kwargs={"minutes": RUN_DEADLINE_MINUTES}),
    )
    if RUN_DEADLINE_MINUTES > 0
    else None,
)
def news_ingest():
    @task(doc_md="Load and validate the sources file; the enabled sources of one politeness class, "
                 "one entry per source to fetch.")
    def load_sources(politeness: str) -> list[dict]:
        from airflow.sdk.exceptions import AirflowFailException

        from newsflow.runtime import before_start_date, run_window, task_settings
        from newsflow.sources import load_sources_lenient

        settings = task_settings()
        start, end = run_window(get_current_context())
        print(f"interval: {start} to {end}")
        too_early = before_start_date(settings, end)
        if too_early:
            raise AirflowFailException(too_early)
        sources, errors = load_sources_lenient(settings.sources_file)
        for error in errors:
            print(f"SOURCE ERROR {error}")
        if not sources and errors:
            raise ValueError("no valid source in the sources file:\n" + "\n".join(errors))
        from newsflow.pipeline import xcom_source
        from newsflow.pools import max_map_length, over_map_limit

        mine = [xcom_source(s) for s in sources if s.enabled and s.politeness == politeness]
        limit = max_map_length()
        for problem in over_map_limit({politeness: len(mine)}, limit):
            print(f"SOURCE ERROR {problem}")  # the ledger repeats it as a note
        mine = mine[:limit]
        print(f"politeness class {politeness}: {len(mine)} source(s) {[s['name'] for s in mine]}")
        return mine

    @task(
        doc_md="Fetch one source for this run's data interval into the raw archive.",
        map_index_template="{{ source_name }}",
    )
    def fetch(source: dict) -> dict:
        from newsflow.pipeline import fetch_stage, task_source
        from newsflow.runtime import run_window, task_settings
        from newsflow.sources import Source

        context = get_current_context()
        context["source_name"] = source["name"]
        src = Source.from_dict(source)  # its URL is redacted: task_source reads the real one
        ti = context["ti"]
        settings = task_settings()
        dag_run = context["dag_run"]
        is_backfill = str(getattr(dag_run, "run_type", "")).lower().endswith("backfill")
        window_start, window_end = run_window(context)
        try:
            result = fetch_stage(
                task_source(source, settings),
                settings,
                context["run_id"],
                window_start,
                window_end,
                live=False if is_backfill else None,
            )
        except Exception as exc:
            # Retry while tries remain; on the last try record the failure so the rest of
            # the run goes on and the ledger (and the source's health) names the source.
            if ti.try_number <= ti.max_tries:
                raise
            from newsflow.health import record_failure

            error = f"{type(exc).__name__}: {exc}"
            health = record_failure(settings, src.name, context["run_id"], error)
            print(f"source {src.name}: FAILED after {ti.try_number} tries "
                  f"({health['consecutive_failures']} runs in a row): {error}")
            return {"source": src.name, "raw": "", "fetched": 0, "error": error}
        print(f"source {src.name}: fetched {result['fetched']} items ({result['status']})")
        for note in result.get("notes", []):
            print(note)
        return result

    # A class without sources leaves its fetch task SKIPPED (mapped over nothing), and Airflow
    # skips a task mapped directly over a skipped task whatever its trigger rule: so `clean` maps
    # over this join, not over the fetch tasks themselves.
    @task(doc_md="Join the fetch results of every politeness class into one list for `clean` "
                 "(a class without sources adds nothing).",
          trigger_rule=TriggerRule.NONE_FAILED)
    def join_fetches(fetch_results: list[dict]) -> list[dict]:
        from newsflow.pipeline import with_items

        results = list(fetch_results or [])
        todo = with_items(results)
        # A source that brought nothing (HTTP 304, not polled, an empty window) needs no clean,
        # dedupe or enrich task: each mapped task costs ~0.2 s of Airflow's time. The ledger
        # still gets every fetch result.
        print(f"{len(results)} source(s) fetched, {len(todo)} with items to clean: {sorted(r['source'] for r in todo)}")
        return todo

    @task(doc_md="Extract main text and metadata, strip boilerplate, reject non-articles with a reason.",
          map_index_template="{{ source_name }}")
    def clean(fetch_result: dict) -> dict:
        from newsflow.pipeline import clean_stage
        from newsflow.runtime import task_settings

        context = get_current_context()
        context["source_name"] = fetch_result["source"]
        return clean_stage(fetch_result, task_settings(), context["run_id"])

    @task(doc_md="Deduplicate all sources together and against the index (URL, exact text, MinHash LSH).",
          trigger_rule=TriggerRule.NONE_FAILED)
    def dedupe(clean_results: list[dict]) -> list[dict]:
        from newsflow.index import EsCandidateStore, make_client
        from newsflow.pipeline import dedupe_stage
        from newsflow.runtime import require_search, task_settings

        settings = task_settings()
        require_search(settings)
        store = EsCandidateStore(make_client(settings), settings)
        return dedupe_stage(list(clean_results or []), settings, get_current_context()["run_id"], store)

    @task(doc_md="Language, dates, outlet, agency and counts; a failing enricher never drops an article.",
          map_index_template="{{ source_name }}")
    def enrich(batch: dict) -> dict:
        from newsflow.pipeline import enrich_stage
        from newsflow.runtime import task_settings
        from newsflow.sources import load_sources_lenient

        context = get_current_context()
        context["source_name"] = batch["source"]
        settings = task_settings()
        sources = {s.name: s for s in load_sources_lenient(settings.sources_file)[0]}
        return enrich_stage(batch, settings, context["run_id"], sources.get(batch["source"]))

    @task(doc_md="Bulk-index into the write alias; per-document failures go to the dead-letter store. "
                 "Updates the asset `newsflow_articles` (extra: indexed count, run id).",
          trigger_rule=TriggerRule.NONE_FAILED, outlets=[NEWS_ARTICLES])
    def index(batches: list[dict]) -> dict:
        from newsflow.index import make_client
        from newsflow.pipeline import index_stage
        from newsflow.runtime import require_search, task_settings

        settings = task_settings()
        require_search(settings)
        context = get_current_context()
        result = index_stage(list(batches or []), settings, context["run_id"], make_client(settings))
        context["outlet_events"][NEWS_ARTICLES].extra = {
            "run_id": context["run_id"],
            "indexed": result.get("indexed", 0),
            "alias": settings.index_alias,
        }
        return result

    @task(doc_md="Count what happened to every fetched item; the return value is the run ledger.",
          trigger_rule=TriggerRule.ALL_DONE)
    def ledger(fetch_results: list[dict], index_result: dict | None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from newsflow.pipeline import ledger_stage, save_ledger, source_file_errors
        from newsflow.runtime import before_start_date, run_window, task_settings

        run_id = get_current_context()["run_id"]
        settings = task_settings()
        batches = (index_result or {}).get("batches", [])
        result = ledger_stage(list(fetch_results or []), batches, run_id, source_file_errors(settings.sources_file))
        start, end = run_window(get_current_context())
        result.notes.insert(0, f"interval: {start} to {end}")
        too_early = before_start_date(settings, end)
        if too_early:
            result.notes.insert(1, f"nothing ingested: {too_early}")
        if index_result is None:
            result.notes.append("index task did not finish: see its log; re-run the run to complete it")
        print(result.format_table())
        save_ledger(settings, result)
        ledger_dict = result.to_dict()
        ledger_dict["health"] = _health_and_telemetry(settings, ledger_dict, list(fetch_results or []))
        if index_result is None:
            # The ledger is the only leaf: fail it (no retry) so the run shows as failed.
            raise AirflowFailException("the run did not finish indexing; its ledger is saved; re-run it")
        return ledger_dict

    def _health_and_telemetry(settings, ledger_dict: dict, fetch_results: list[dict]) -> dict:
        """The run's sources' health (also printed), and the ledger written to the telemetry index."""
        from newsflow.health import format_health, read_health
        from newsflow.index import make_client, write_ledger

        health = read_health(settings, sorted(r["source"] for r in fetch_results))
        print(format_health(health))
        if settings.es_url:
            try:
                write_ledger(make_client(settings), settings, {**ledger_dict, "dag_id": "news_ingest"})
            except Exception as exc:  # noqa: BLE001 - telemetry must never fail the run's ledger
                print(f"telemetry: the ledger could not be written to the telemetry index: {exc}")
        return health

    # One mapped fetch per politeness class: a pool is per task, not per mapped instance.
    fetches = [
        fetch.override(
            task_id=f"fetch_{cls}",
            pool=pool_name(cls),
            doc_md=f"Fetch one source of politeness class `{cls}` for this run's data interval into the "
                   f"raw archive; runs in the pool `{pool_name(cls)}`.",
        ).expand(source=load_sources.override(task_id=f"load_sources_{cls}")(cls))
        for cls in POLITENESS_CLASSES
    ]
    fetched = fetches[0].concat(*fetches[1:])
    cleaned = clean.expand(fetch_result=join_fetches(fetched))
    deduped = dedupe(cleaned)
    enriched = enrich.expand(batch=deduped)
    indexed = index(enriched)
    ledger(fetched, indexed)


news_ingest()
