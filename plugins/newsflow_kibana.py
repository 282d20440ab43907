"""Airflow UI: open Kibana Discover on exactly the documents a news_ingest run indexed.

* An extra link "Kibana: this run's articles" on the tasks of `news_ingest` (task instance
  view), built from the task instance's run id.
* A "Kibana" tab on every run page of the DAG (an external view; `{RUN_ID}` is filled in by
  the UI).
The Kibana address comes from NEWSFLOW_KIBANA_URL (see `newsflow.kibana_links`).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from airflow.sdk import BaseOperatorLink

from newsflow.kibana_links import discover_url

DAG_ID = "news_ingest"
RUN_PLACEHOLDER = "__NEWSFLOW_RUN_ID__"


class KibanaRunLink(BaseOperatorLink):
    """Kibana Discover filtered on the run's `ingest_run_id` (only for news_ingest tasks)."""

    name = "Kibana: this run's articles"

    def get_link(self, operator, *, ti_key) -> str:  # type: ignore[no-untyped-def]
        if ti_key.dag_id != DAG_ID:
            return ""
        return discover_url(ti_key.run_id)


def _run_tab_href() -> str:
    # The UI substitutes {RUN_ID} (URL-encoded) in external views shown on a run.
    return discover_url(RUN_PLACEHOLDER).replace(RUN_PLACEHOLDER, "{RUN_ID}")


class NewsflowKibanaPlugin(AirflowPlugin):
    name = "newsflow_kibana"
    global_operator_extra_links = [KibanaRunLink()]
    external_views = [
        {
            "name": "Kibana",
            "href": _run_tab_href(),
            "destination": "dag_run",
            "url_route": "kibana",
        }
    ]
