"""The ingest ledger as a time series: one document per run in `<alias>-telemetry`.

The run ledger (see `newsflow.ledger`) is the DAG's return value and a JSON file; written
here as well, Kibana can chart it over runs next to the articles ("Ingest ledger" panel).
The document id is the run id, so a re-run of the ledger task overwrites, never doubles.
The languages the search server had no analyzer for (mapped to `standard`, see
`newsflow.index.template`) are read from the live index's mapping and stored with each
run, so that fallback stays visible in the ledger.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from newsflow.config import INCLUDE_DIR, Settings
from newsflow.index.template import load_template_source

TELEMETRY_TEMPLATE_FILE = INCLUDE_DIR / "elasticsearch" / "telemetry.json"
COUNTS = ("fetched", "new", "updated", "unchanged", "duplicates", "rejected", "clustered")


def telemetry_index(settings: Settings) -> str:
    return f"{settings.index_alias}-telemetry"


def render_telemetry_template(settings: Settings) -> dict[str, Any]:
    """The body for `put_index_template` (pattern: exactly the telemetry index)."""
    body = load_template_source(TELEMETRY_TEMPLATE_FILE)
    body.pop("_comment", None)
    body["index_patterns"] = [telemetry_index(settings)]
    return body


def ensure_telemetry(client: Elasticsearch, settings: Settings) -> str:
    """Put the telemetry template and create the index if missing. Idempotent; returns its name."""
    name = telemetry_index(settings)
    client.indices.put_index_template(name=f"{name}-template", **render_telemetry_template(settings))
    if not client.indices.exists(index=name):
        client.indices.create(index=name)
    return name


def _standard_languages(client: Elasticsearch, settings: Settings) -> list[str]:
    try:
        mappings = client.indices.get_mapping(index=settings.write_alias).body
    except NotFoundError:
        return []
    found: set[str] = set()
    for info in mappings.values():
        found.update(info.get("mappings", {}).get("_meta", {}).get("standard_languages", []))
    return sorted(found)


def ledger_document(ledger: dict[str, Any], standard_languages: list[str] | None = None) -> dict[str, Any]:
    """The telemetry document for a ledger dict (`Ledger.to_dict()`); unknown keys are left out."""
    doc: dict[str, Any] = {
        "run_id": str(ledger.get("run_id") or ""),
        "timestamp": ledger.get("timestamp")
        or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    for name in COUNTS:
        doc[name] = int(ledger.get(name) or 0)
    if "balanced" in ledger:
        doc["balanced"] = bool(ledger["balanced"])
    if ledger.get("dag_id"):
        doc["dag_id"] = str(ledger["dag_id"])
    doc["sources_failed"] = sorted(ledger.get("sources_failed") or {})
    doc["rejected_reasons"] = sorted(ledger.get("rejected_by_reason") or {})
    doc["standard_languages"] = list(standard_languages or [])
    return doc


def write_ledger(client: Elasticsearch, settings: Settings, ledger_dict: dict[str, Any]) -> dict[str, Any]:
    """Index one run's ledger into `<alias>-telemetry` (id = run id); returns the document."""
    if not ledger_dict.get("run_id"):
        raise ValueError("a ledger without run_id cannot be written to telemetry")
    name = ensure_telemetry(client, settings)
    doc = ledger_document(ledger_dict, _standard_languages(client, settings))
    client.index(index=name, id=doc["run_id"], document=doc, refresh=True)
    return doc
