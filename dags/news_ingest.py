"""news_ingest: fetch → clean → dedupe → enrich → index, one run per data interval.

Wiring only: every task is one call to a function in `newsflow.tasks`, imported inside
the task so that parsing this file does no work.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import (
    Asset,
    CronDataIntervalTimetable,
    TriggerRule,
    dag,
    get_current_context,
    task,
)

# Their defining modules: airflow.sdk exports them at run time, but its type stub does not list them.
from airflow.sdk.definitions.callback import AsyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

# stdlib-only modules: cheap at parse time
from newsflow.config import Settings
from newsflow.contracts import CleanResult, DedupeResult, EnrichResult, FetchResult, IndexResult
from newsflow.pools import NAMES as POLITENESS_CLASSES
from newsflow.pools import pool_name
from newsflow.runtime import ingest_deadline_minutes

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

# Read once at parse time: Airflow needs the schedule, the retry delay and the deadline to build
# the DAG (each is a setting, docs/settings.md). An interval timetable gives each run a real
# window (a bare cron string gives zero-width windows in Airflow 3).
SETTINGS = Settings.from_env()
RUN_DEADLINE_MINUTES = ingest_deadline_minutes(SETTINGS, sys.argv)
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
    "retry_delay": timedelta(seconds=SETTINGS.retry_delay),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(minutes=30),
}


@dag(
    dag_id="news_ingest",
    schedule=CronDataIntervalTimetable(SETTINGS.schedule, timezone="UTC"),
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
def news_ingest() -> None:
    # Each task is one call into newsflow.tasks, imported inside the task: parsing does no work.
    @task(
        doc_md="Load and validate the sources file; the enabled sources of one politeness class, "
        "one entry per source to fetch."
    )
    def load_sources(politeness: str) -> list[dict[str, Any]]:
        from newsflow import tasks

        return tasks.load_sources(get_current_context(), politeness)

    @task(
        doc_md="Fetch one source for this run's data interval into the raw archive.",
        map_index_template="{{ source_name }}",
    )
    def fetch(source: dict[str, Any]) -> FetchResult:
        from newsflow import tasks

        return tasks.fetch(get_current_context(), source)

    # A class without sources leaves its fetch task SKIPPED (mapped over nothing), and Airflow
    # skips a task mapped directly over a skipped task whatever its trigger rule: so `clean` maps
    # over this join, not over the fetch tasks themselves.
    @task(
        doc_md="Join the fetch results of every politeness class into one list for `clean` "
        "(a class without sources adds nothing).",
        trigger_rule=TriggerRule.NONE_FAILED,
    )
    def join_fetches(fetch_results: list[FetchResult]) -> list[FetchResult]:
        from newsflow import tasks

        return tasks.join_fetches(fetch_results)

    @task(
        doc_md="Extract main text and metadata, strip boilerplate, reject non-articles with a reason.",
        map_index_template="{{ source_name }}",
    )
    def clean(fetch_result: FetchResult) -> CleanResult:
        from newsflow import tasks

        return tasks.clean(get_current_context(), fetch_result)

    @task(
        doc_md="Deduplicate all sources together and against the index (URL, exact text, MinHash LSH).",
        trigger_rule=TriggerRule.NONE_FAILED,
    )
    def dedupe(clean_results: list[CleanResult]) -> list[DedupeResult]:
        from newsflow import tasks

        return tasks.dedupe(get_current_context(), clean_results)

    @task(
        doc_md="Language, dates, outlet, agency and counts; a failing enricher never drops an article.",
        map_index_template="{{ source_name }}",
    )
    def enrich(batch: DedupeResult) -> EnrichResult:
        from newsflow import tasks

        return tasks.enrich(get_current_context(), batch)

    @task(
        doc_md="Bulk-index into the write alias; per-document failures go to the dead-letter store. "
        "Updates the asset `newsflow_articles` (extra: indexed count, run id).",
        trigger_rule=TriggerRule.NONE_FAILED,
        outlets=[NEWS_ARTICLES],
    )
    def index(batches: list[EnrichResult]) -> IndexResult:
        from newsflow import tasks

        return tasks.index(get_current_context(), batches, NEWS_ARTICLES)

    @task(
        doc_md="Count what happened to every fetched item; the return value is the run ledger.",
        trigger_rule=TriggerRule.ALL_DONE,
    )
    def ledger(fetch_results: list[FetchResult], index_result: IndexResult | None) -> dict[str, Any]:
        from newsflow import tasks

        return tasks.ledger(get_current_context(), fetch_results, index_result)

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
    # Each name stands for a task's output, which Airflow resolves when the downstream task runs;
    # typed Any because the task functions are typed with the resolved values, not the references.
    fetched: Any = fetches[0].concat(*fetches[1:])
    joined: Any = join_fetches(fetched)
    cleaned: Any = clean.expand(fetch_result=joined)
    deduped: Any = dedupe(cleaned)
    enriched: Any = enrich.expand(batch=deduped)
    indexed: Any = index(enriched)
    ledger(fetched, indexed)


news_ingest()
