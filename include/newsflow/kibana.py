"""Kibana setup: import the saved objects in include/kibana/ (data views, saved search, dashboard).

Run once per stack, and again after upgrading newsflow (the import overwrites by id, so it
is idempotent): the compose service `kibana-setup` runs `python -m newsflow.kibana`, which
waits until Kibana reports itself available, then posts the NDJSON to the saved-objects
import API, retrying while Kibana is still starting. Credentials are the Elasticsearch
ones (`NEWSFLOW_ES_API_KEY`, or `NEWSFLOW_ES_USERNAME`/`NEWSFLOW_ES_PASSWORD`; CA bundle
`NEWSFLOW_ES_CA_CERTS`), read from the environment, never from code.

The objects name the default alias `news`; `render_objects` rewrites the two data views
for another `NEWSFLOW_INDEX_ALIAS` (`<alias>` and `<alias>-telemetry`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests

from newsflow.config import INCLUDE_DIR, Settings

log = logging.getLogger("newsflow.kibana")

SAVED_OBJECTS = INCLUDE_DIR / "kibana" / "saved_objects.ndjson"
DEFAULT_ALIAS = "news"
DATA_VIEW_TITLES = {"newsflow-news": "{alias}", "newsflow-telemetry": "{alias}-telemetry"}


class KibanaError(RuntimeError):
    """Kibana refused the import or never became available."""


def load_objects(path: Path | None = None) -> list[dict[str, Any]]:
    """The saved objects, one JSON object per non-empty line."""
    text = (path or SAVED_OBJECTS).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def render_objects(alias: str = DEFAULT_ALIAS, path: Path | None = None) -> list[dict[str, Any]]:
    """The objects with the data views pointed at `alias` and its telemetry index."""
    objects = load_objects(path)
    for obj in objects:
        if obj["type"] == "index-pattern" and obj["id"] in DATA_VIEW_TITLES:
            obj["attributes"]["title"] = DATA_VIEW_TITLES[obj["id"]].format(alias=alias)
    return objects


def _session(settings: Settings) -> requests.Session:
    session = requests.Session()
    session.headers["kbn-xsrf"] = "newsflow"
    if settings.es_api_key:
        session.headers["Authorization"] = f"ApiKey {settings.es_api_key}"
    elif settings.es_username:
        session.auth = (settings.es_username, settings.es_password)
    if settings.es_ca_certs:
        session.verify = settings.es_ca_certs
    return session


def _refused(resp: requests.Response) -> None:
    if resp.status_code in (401, 403):  # waiting will not fix credentials
        raise KibanaError(f"Kibana refused the credentials ({resp.status_code}): {resp.text[:300]}")


def wait_for_kibana(session: requests.Session, url: str, deadline: float, interval: float) -> None:
    """Poll `/api/status` until the overall level is `available`, or raise at `deadline`."""
    last = ""
    while True:
        try:
            resp = session.get(f"{url}/api/status", timeout=10)
            _refused(resp)
            if resp.status_code == 200:
                level = resp.json().get("status", {}).get("overall", {}).get("level")
                if level == "available":
                    return
                last = f"status {level}"
            else:
                last = f"HTTP {resp.status_code}"
        except (requests.ConnectionError, requests.Timeout, ValueError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise KibanaError(f"Kibana at {url} not available: {last}")
        log.info("waiting for Kibana at %s (%s)", url, last)
        time.sleep(interval)


def import_saved_objects(
    url: str,
    settings: Settings,
    *,
    timeout: float = 300.0,
    interval: float = 5.0,
    path: Path | None = None,
) -> dict[str, Any]:
    """Wait for Kibana, then import (overwrite) the saved objects; returns Kibana's answer."""
    url = url.rstrip("/")
    deadline = time.monotonic() + timeout
    session = _session(settings)
    objects = render_objects(settings.index_alias, path)
    payload = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")
    while True:
        wait_for_kibana(session, url, deadline, interval)
        try:
            resp = session.post(
                f"{url}/api/saved_objects/_import",
                params={"overwrite": "true"},
                files={"file": ("newsflow.ndjson", payload, "application/ndjson")},
                timeout=60,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            resp, last = None, f"{type(exc).__name__}: {exc}"
        if resp is not None:
            _refused(resp)
            if resp.status_code == 200:
                answer: dict[str, Any] = resp.json()
                if not answer.get("success"):
                    raise KibanaError(f"Kibana rejected saved objects: {answer.get('errors')}")
                log.info("imported %s saved objects into Kibana at %s", answer.get("successCount"), url)
                return answer
            if resp.status_code < 500 and resp.status_code != 429:
                raise KibanaError(f"saved-objects import failed ({resp.status_code}): {resp.text[:500]}")
            last = f"HTTP {resp.status_code}"
        if time.monotonic() >= deadline:
            raise KibanaError(f"saved-objects import into {url} kept failing: {last}")
        time.sleep(interval)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsflow.kibana", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=Settings.from_env().kibana_url)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to keep trying (default 600)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between tries (default 5)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        answer = import_saved_objects(
            args.url, Settings.from_env(), timeout=args.timeout, interval=args.interval
        )
    except KibanaError as exc:
        print(f"kibana setup failed: {exc}", file=sys.stderr)
        return 1
    print(f"kibana setup: {answer.get('successCount')} saved objects imported into {args.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
