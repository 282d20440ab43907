"""news_reindex: rebuild the index from the raw archive into a new version and swap the aliases.

Wiring only: every task is one call to a function in `newsflow.tasks` (which calls
`newsflow.reindex`), imported inside the task so that parsing this file does no work.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Param, TriggerRule, dag, get_current_context, task

DOC = """
### news_reindex
Rebuilds the search index from the **raw archive** (`NEWSFLOW_ARCHIVE_DIR`), nothing is
fetched: after a template change (new field, analyzer), a cleaner or enricher fix, or to
recover an index.

1. **prepare**: put the template, create `<alias>-v<N+1>` with no alias and refresh off.
2. **load**: replay the archive through clean → dedupe → enrich → bulk into the new version
   (ingest runs archived meanwhile are caught up).
3. **verify**: restore the refresh interval; the document count must equal the distinct
   ids loaded, and an empty build never replaces a non-empty index.
4. **swap**: the read alias and the write alias move to the new version in one atomic
   `update_aliases` call; readers never see an empty or half-built index.
5. **cleanup**: a build that was not swapped in is deleted; `keep` older versions stay
   for roll-back (swap back by hand, see the README "Searching" section).

Params: `start`/`end` (archive days, inclusive, empty = all), `keep` (old versions kept).
"""

default_args = {
    "owner": "newsflow",
    "retries": 1,
    "retry_delay": timedelta(minutes=1),
}


@dag(
    dag_id="news_reindex",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["newsflow", "index"],
    doc_md=DOC,
    params={
        "start": Param("", type="string", description="first archive day (YYYY-MM-DD), empty for all"),
        "end": Param("", type="string", description="last archive day (YYYY-MM-DD), empty for all"),
        "keep": Param(1, type="integer", minimum=0, description="older index versions kept for roll-back"),
    },
)
def news_reindex() -> None:
    # Each task is one call into newsflow.tasks, imported inside the task: parsing does no work.
    @task(doc_md="Put the template and create the next index version, unaliased, refresh off.")
    def prepare() -> str:
        from newsflow import tasks

        return tasks.reindex_prepare(get_current_context())

    @task(
        doc_md="Replay the raw archive into the new version (no fetching).",
        execution_timeout=timedelta(hours=6),
        retries=0,
    )
    def load(index: str) -> dict[str, Any]:
        from newsflow import tasks

        return tasks.reindex_load(get_current_context(), index)

    @task(doc_md="Restore the refresh interval and check the document count against the load.")
    def verify(report: dict[str, Any]) -> dict[str, Any]:
        from newsflow import tasks

        return tasks.reindex_verify(get_current_context(), report)

    @task(doc_md="Move the read and write aliases to the new version in one atomic call.")
    def swap(index: str) -> dict[str, Any]:
        from newsflow import tasks

        return tasks.reindex_swap(get_current_context(), index)

    @task(
        doc_md="Delete the new version if it was not swapped in; keep `keep` older versions.",
        trigger_rule=TriggerRule.ALL_DONE,
    )
    def cleanup(index: str | None) -> list[str]:
        from newsflow import tasks

        return tasks.reindex_cleanup(get_current_context(), index)

    # `index` and `loaded` stand for task outputs, which Airflow resolves when the downstream task
    # runs; typed Any because the task functions are typed with the resolved values.
    index: Any = prepare()
    loaded: Any = load(index)
    checked = verify(loaded)
    swapped = swap(index)
    checked >> swapped
    swapped >> cleanup(index)


news_reindex()
