"""Links from an Airflow run to Kibana Discover, showing exactly the documents the run indexed.

Every indexed document carries `ingest_run_id` (the Airflow run id), so Discover filtered on
it is the run's output. The state goes into Discover's `_g`/`_a` URL parameters in rison;
run ids hold `:` and `+`, which rison strings keep as they are inside quotes.
The settings `kibana_url` (`NEWSFLOW_KIBANA_URL`, default http://localhost:5601) and
`kibana_data_view` (`NEWSFLOW_KIBANA_DATA_VIEW`, default `news`, the data view over the news
alias) say where to go.
"""

from __future__ import annotations

from urllib.parse import quote

from newsflow.config import Settings

DEFAULT_KIBANA_URL = Settings.kibana_url


def rison_string(value: str) -> str:
    """A rison string literal: quoted, with `!` and `'` escaped by `!`."""
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


def discover_url(run_id: str, kibana_url: str | None = None, data_view: str | None = None) -> str:
    """Kibana Discover over all time, filtered on `ingest_run_id:"<run_id>"`."""
    if kibana_url is None or data_view is None:
        settings = Settings.from_env()
        kibana_url, data_view = kibana_url or settings.kibana_url, data_view or settings.kibana_data_view
    base = (kibana_url or DEFAULT_KIBANA_URL).rstrip("/")
    view = data_view or Settings.kibana_data_view
    kql = 'ingest_run_id:"' + run_id.replace("\\", "\\\\").replace('"', '\\"') + '"'
    g = "(time:(from:now-5y,to:now))"
    a = f"(dataSource:(dataViewId:{rison_string(view)},type:dataView),query:(language:kuery,query:{rison_string(kql)}))"
    return f"{base}/app/discover#/?_g={quote(g, safe='(),:!')}&_a={quote(a, safe='(),:!')}"
