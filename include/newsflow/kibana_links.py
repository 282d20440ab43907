"""Links from an Airflow run to Kibana Discover, showing exactly the documents the run indexed.

Every indexed document carries `ingest_run_id` (the Airflow run id), so Discover filtered on
it is the run's output. The state goes into Discover's `_g`/`_a` URL parameters in rison;
run ids hold `:` and `+`, which rison strings keep as they are inside quotes.
`NEWSFLOW_KIBANA_URL` (default http://localhost:5601) and `NEWSFLOW_KIBANA_DATA_VIEW`
(default `news`, the data view over the news alias) say where to go.
"""

from __future__ import annotations

import os
from urllib.parse import quote

DEFAULT_KIBANA_URL = "http://localhost:5601"


def rison_string(value: str) -> str:
    """A rison string literal: quoted, with `!` and `'` escaped by `!`."""
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


def discover_url(run_id: str, kibana_url: str | None = None, data_view: str | None = None) -> str:
    """Kibana Discover over all time, filtered on `ingest_run_id:"<run_id>"`."""
    base = (kibana_url or os.environ.get("NEWSFLOW_KIBANA_URL") or DEFAULT_KIBANA_URL).rstrip("/")
    view = data_view or os.environ.get("NEWSFLOW_KIBANA_DATA_VIEW") or "news"
    kql = 'ingest_run_id:"' + run_id.replace("\\", "\\\\").replace('"', '\\"') + '"'
    g = "(time:(from:now-5y,to:now))"
    a = f"(dataSource:(dataViewId:{rison_string(view)},type:dataView),query:(language:kuery,query:{rison_string(kql)}))"
    return f"{base}/app/discover#/?_g={quote(g, safe='(),:!')}&_a={quote(a, safe='(),:!')}"
