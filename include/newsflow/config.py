"""Settings, read from environment variables with embedded defaults.

One place for every knob, so the README table, the DAG, the CLI and the
compose file agree. Values are read when `Settings.from_env()` is called (at
task run time), never at DAG import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

PIPELINE_VERSION = "1"

# The repository root when running from a checkout; include/ holds sources and the demo.
INCLUDE_DIR = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Every knob of newsflow. Each field maps to NEWSFLOW_<FIELD_NAME_UPPER>."""

    home: Path = field(default_factory=lambda: Path(".newsflow").resolve())
    """Root for local state: archive, work files, dead letters, per-source state."""
    sources_file: Path = field(default_factory=lambda: INCLUDE_DIR / "sources.yaml")
    """The YAML file that declares the sources."""
    archive_dir: Path | None = None
    """Raw archive root (default: <home>/archive)."""
    work_dir: Path | None = None
    """Per-run batch files passed between tasks (default: <home>/work)."""
    state_dir: Path | None = None
    """Per-source state kept across runs (default: <home>/state)."""
    es_url: str = ""
    """Elasticsearch URL; empty means the demo/tests start the embedded server."""
    es_api_key: str = ""
    es_username: str = ""
    es_password: str = ""
    es_ca_certs: str = ""
    es_embedded: bool = False
    """True when es_url points at the embedded osmem server (plain JSON content type)."""
    index_alias: str = "news"
    """Read alias; the write alias is <alias>-write and indices are <alias>-v<N>."""
    duplicate_policy: str = "cluster"
    """What to do with a near-duplicate: `cluster` (index it, joined to its story) or `drop`."""
    allow_private: bool = False
    """Allow fetching loopback/private addresses (tests and the demo need it)."""
    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow/newsflow)"
    fetch_timeout: float = 15.0
    """Seconds for connect and for each read."""
    fetch_retries: int = 3
    page_budget: float = 0.0
    """Hard wall-clock seconds per page, headers, retries and waits included (0: 4 x fetch_timeout, at least 30)."""
    source_budget: float = 1200.0
    """Wall-clock seconds one source's pages may take in a run; pages not started by then are rejected
    (`fetch_error: source budget ...`) so one slow site cannot hold the task past its execution_timeout."""
    max_bytes: int = 5_000_000
    """Size cap per response; the body is read no further."""
    max_text_chars: int = 300_000
    """Longest clean article text kept (about 50,000 words); a longer one is rejected `too_large`."""
    max_batch_chars: int = 50_000_000
    """Characters of page bodies one source may bring in one run; later items are rejected `too_large`."""
    max_items_per_source: int = 500
    """Most items one source may bring in one run."""
    min_words: int = 40
    """Articles with fewer words of clean text are rejected as too short."""
    schedule: str = "*/30 * * * *"
    """Cron expression for news_ingest; each run owns the interval up to the next tick."""
    start_date: str = "2026-01-01"
    """news_ingest's start_date (ISO date or date-time, UTC): no run ingests an interval before it."""
    bulk_chunk_bytes: int = 5_000_000
    related_coverage: bool = True
    """Link independently written articles on one event (`story_id`); costs one query per new story."""
    keywords: bool = True
    """YAKE key phrases per article: over half of the enrich stage's CPU; off for bulk backfills."""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"NEWSFLOW_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            if f.name in {"home", "sources_file", "archive_dir", "work_dir", "state_dir"}:
                values[f.name] = Path(raw).expanduser().resolve()
            elif f.type in ("bool",):
                values[f.name] = _bool(raw)
            elif f.type in ("int",):
                values[f.name] = int(raw)
            elif f.type in ("float",):
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.duplicate_policy not in {"cluster", "drop"}:
            raise ValueError(
                f"NEWSFLOW_DUPLICATE_POLICY must be 'cluster' or 'drop', not {settings.duplicate_policy!r}"
            )
        return settings

    @property
    def start_datetime(self) -> datetime | None:
        """`start_date` as an aware UTC datetime (None when set empty)."""
        if not self.start_date.strip():
            return None
        when = datetime.fromisoformat(self.start_date.strip())
        return when if when.tzinfo else when.replace(tzinfo=UTC)

    @property
    def archive(self) -> Path:
        return self.archive_dir or self.home / "archive"

    @property
    def work(self) -> Path:
        return self.work_dir or self.home / "work"

    @property
    def state(self) -> Path:
        return self.state_dir or self.home / "state"

    @property
    def write_alias(self) -> str:
        return f"{self.index_alias}-write"
