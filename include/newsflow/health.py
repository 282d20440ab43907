"""Per-source health, in one file a user (or `newsflow health`) can read: `<state>/health.json`.

For each source: consecutive failed runs, the last success and failure (with the error), the
last item seen (its date and URL) and what the last run did (`ok`, `failed`, `not_modified`,
`not_polled`, `outside_live_window`). The fetch task writes it; the ledger task copies the
run's sources into the ledger, so the UI's XCom view and the telemetry index show it too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow.config import Settings
from newsflow.jsonstate import read_json, update_json
from newsflow.redact import redact_text

# A source this many runs in a row failed is reported as `failing` (before that: `degraded`).
FAILING_AFTER = 3
# Run statuses in which the source was really asked (and answered).
POLLED = frozenset({"ok", "not_modified"})


def health_path(settings: Settings) -> Path:
    return Path(settings.state) / "health.json"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def record_success(
    settings: Settings,
    source: str,
    run_id: str,
    fetched: int,
    status: str = "ok",
    last_item: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A run fetched the source (possibly nothing new); `last_item` is (date, url) of its newest item.

    Only a run that reached the source (`ok`, `not_modified`) ends a failure streak: a run that
    did not poll (`not_polled`: the back-off said wait; `outside_live_window`: replayed from the
    archive) proves nothing, so a source failing before it stays failing until a poll succeeds.
    """

    def change(data: dict[str, Any]) -> None:
        entry = _entry(data, source)
        entry.update(last_run_id=run_id, last_status=status, last_fetched=fetched)
        if status in POLLED:
            entry.update(consecutive_failures=0, last_success=_now())
        if last_item and (not entry.get("last_item_at") or last_item[0] >= entry["last_item_at"]):
            entry["last_item_at"], entry["last_item_url"] = last_item

    entry: dict[str, Any] = update_json(health_path(settings), change)[source]
    return entry


def record_failure(settings: Settings, source: str, run_id: str, error: str) -> dict[str, Any]:
    """The source failed for this run (after its retries)."""

    def change(data: dict[str, Any]) -> None:
        entry = _entry(data, source)
        entry.update(
            consecutive_failures=_count(entry.get("consecutive_failures")) + 1,
            last_failure=_now(),
            last_error=redact_text(error)[:500],
            last_run_id=run_id,
            last_status="failed",
            last_fetched=0,
        )

    entry: dict[str, Any] = update_json(health_path(settings), change)[source]
    return entry


def _entry(data: dict[str, Any], source: str) -> dict[str, Any]:
    """The source's entry, rebuilt when the file holds something else there."""
    entry = data.get(source)
    if not isinstance(entry, dict):
        entry = data[source] = {}
    return entry


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def state_of(entry: dict[str, Any]) -> str:
    """`healthy`, `degraded` (failed lately) or `failing` (FAILING_AFTER runs in a row)."""
    failures = _count(entry.get("consecutive_failures"))
    if failures >= FAILING_AFTER:
        return "failing"
    return "degraded" if failures else "healthy"


def read_health(settings: Settings, sources: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Every source's health entry (or only `sources`), each with its `state`."""
    data = read_json(health_path(settings))
    names = sorted(data) if sources is None else sources
    return {n: {**data[n], "state": state_of(data[n])} for n in names if isinstance(data.get(n), dict)}


def format_health(health: dict[str, dict[str, Any]]) -> str:
    """A table for the terminal: one line per source."""
    if not health:
        return "no source has run yet (no health.json)"
    cols = ("state", "consecutive_failures", "last_status", "last_success", "last_item_at")
    width = max(len("source"), *(len(n) for n in health))
    lines = ["source".ljust(width) + "  " + "  ".join(c.ljust(20) for c in cols)]
    for name, entry in health.items():
        cells = [str(entry.get(c, "") or "-")[:20].ljust(20) for c in cols]
        lines.append(name.ljust(width) + "  " + "  ".join(cells))
        if entry.get("last_error") and entry.get("consecutive_failures"):
            lines.append(" " * width + f"  last error: {entry['last_error']}")
    return "\n".join(lines)
