"""Rebuild the index from the raw archive into a new version, check it, swap the aliases.

Why from the archive: every payload ever fetched is there (see `newsflow.archive`), so a
mapping change, an analyzer fix or a better cleaner is applied to the whole history
without fetching anything again.

The replay runs the ingest's own stage sequence (`newsflow.pipeline.run_sequence`), run by
run as the archive recorded them (files of one run id, all sources together): clean per
source (with boilerplate learned from that source's earlier articles in the replay), one
`Deduplicator` per run over an `EsCandidateStore` on the version being built (exactly as
ingest dedupes against the index), enrich, then indexing into that version and the steps
after it (`pipeline.after_index`: copies' URLs, cluster repair, `story_id`/`related_ids`).
A URL fetched again by a later run updates its document in place, as it did in the live index.

Steps (the DAG `news_reindex` runs one task per step):
1. `prepare`: put the template, create `<alias>-v<N+1>` unaliased, periodic refresh off.
2. `load`: replay the archive into it; then replay once more the archive files written
   since the load began (ingest runs that happened meanwhile), until none are new.
3. `verify`: restore the refresh interval, refresh, and compare the document count with
   the distinct ids the load indexed; an empty build never replaces a non-empty index.
4. `swap`: both aliases to the new version in one `update_aliases` call.
5. `cleanup`: a build that did not get swapped in is deleted; older versions are kept
   up to `keep` for roll-back.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from newsflow.archive import iter_archive
from newsflow.config import Settings
from newsflow.index.store import EsCandidateStore
from newsflow.index.versions import (
    behind_alias,
    create_next_version,
    drop_versions,
    finish_load,
    swap_aliases,
)
from newsflow.models import read_raw

log = logging.getLogger(__name__)

KEEP_RECENT = 60
"""Recent article texts per source the replay learns boilerplate from (as BoilerplateMemory)."""
MAX_CATCH_UP = 3
"""Catch-up passes over archive files written while the load ran."""


class ReindexError(RuntimeError):
    """The new version is not fit to replace the current one (counts, emptiness)."""


@dataclass
class LoadReport:
    index: str
    runs: int = 0
    files: int = 0
    articles: int = 0
    """Items read from the archive (every outcome)."""
    indexed: int = 0
    """Index operations that succeeded (an id updated by a later run counts twice)."""
    failed: int = 0
    expected: int = 0
    """Distinct ids indexed: the document count the new version must have."""
    dead_letters: list[str] = field(default_factory=list)
    catch_up_files: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _archive_clock(settings: Settings) -> float:
    """Now, by the clock that stamps the archive's files (a marker's modification time there).

    Catch-up compares archive files' times with this; the process's own clock may differ from
    the filesystem's (a network filesystem, a shifted test clock), and then late files were
    either missed or all replayed again."""
    marker = settings.archive / ".reindex-clock"
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        return marker.stat().st_mtime
    except OSError as exc:  # a read-only archive: the process's clock is all there is
        log.debug("archive clock unavailable (%s); using the process clock", exc)
        return time.time()


def _source_of(path: Path) -> str:
    return path.parent.parent.name.split("=", 1)[1]


def archive_runs(
    settings: Settings, start: date | None = None, end: date | None = None, since: float | None = None
) -> list[list[Path]]:
    """Archive files grouped by run (same day and run file name), in archive order.

    `since` keeps only files modified at or after that epoch time (catch-up passes).
    """
    runs: dict[tuple[str, str], list[Path]] = {}
    for path in iter_archive(settings, start=start, end=end):
        if since is not None and path.stat().st_mtime < since:
            continue
        runs.setdefault((path.parent.name, path.name), []).append(path)
    return list(runs.values())


def _source_meta(settings: Settings) -> dict[str, dict[str, Any]]:
    from newsflow.pipeline import source_meta
    from newsflow.sources import SourcesError, load_sources_lenient

    try:
        sources, _ = load_sources_lenient(settings.sources_file)
    except SourcesError as exc:
        log.warning("sources file unreadable (%s): replaying without source metadata", exc)
        return {}
    return {s.name: source_meta(s) for s in sources}


class _Replay:
    """State of one replay: learned boilerplate per source, ids indexed, the report."""

    def __init__(
        self, client: Elasticsearch, settings: Settings, index: str, dead_letter_dir: Path | None
    ) -> None:
        self.client = client
        self.settings = settings
        self.index = index
        self.dead_letter_dir = dead_letter_dir or settings.home / "dead_letters"
        self.store = EsCandidateStore(client, replace(settings, index_alias=index))
        self.meta = _source_meta(settings)
        self.recent: dict[str, list[str]] = defaultdict(list)
        self.ids: set[str] = set()
        self.report = LoadReport(index=index)

    def run(self, files: list[Path]) -> None:
        """One archived run through the ingest's stage sequence (`pipeline.run_sequence`), then
        indexed into the version being built, and the steps after indexing (`also_urls`, cluster
        repair, related coverage: `pipeline.after_index`), as ingest does."""
        from newsflow import clock
        from newsflow.dedupe.store import LayeredStore, MemoryStore
        from newsflow.pipeline import SourceRun, after_index, index_decided, run_sequence, written_ids

        began = clock.now().isoformat()
        run_id = files[0].stem
        runs: list[SourceRun] = []
        for path in files:
            source = _source_of(path)
            raws = list(read_raw(path))
            if source not in self.meta and raws:
                self.meta[source] = dict(raws[0].source_meta or {})
            runs.append(SourceRun(source, raws, self.meta.get(source, {}), self.recent[source]))
            self.report.files += 1
            self.report.articles += len(raws)
        decided = run_sequence(runs, self.settings, run_id, LayeredStore(MemoryStore(), self.store))
        for source, learning in decided.learning.items():
            self.recent[source] = [*self.recent[source], *learning][-KEEP_RECENT:]
        written: list[str] = []
        for source in sorted(decided.by_source):
            articles = decided.by_source[source]
            result = index_decided(
                self.client, self.settings, articles, index=self.index, dead_letter_dir=self.dead_letter_dir
            )
            written += written_ids(articles)
            self.report.indexed += result.indexed
            self.report.failed += result.failed
            if result.dead_letters and str(result.dead_letters) not in self.report.dead_letters:
                self.report.dead_letters.append(str(result.dead_letters))
        self.ids.update(written)
        after_index(self.client, self.settings, written, decided.links, began, index=self.index)
        self.report.runs += 1


def prepare(client: Elasticsearch, settings: Settings) -> str:
    """Step 1: the new, unaliased version (its name)."""
    return create_next_version(client, settings)


def load(
    client: Elasticsearch,
    settings: Settings,
    index: str,
    *,
    start: date | None = None,
    end: date | None = None,
    dead_letter_dir: Path | None = None,
) -> LoadReport:
    """Step 2: replay the archive (optionally the days `start`..`end`) into `index`."""
    if index in behind_alias(client, settings.index_alias):
        raise ReindexError(f"{index} is behind the read alias: a rebuild only fills an unaliased version")
    replay = _Replay(client, settings, index, dead_letter_dir)
    began = _archive_clock(settings)
    for files in archive_runs(settings, start, end):
        replay.run(files)
    for _ in range(MAX_CATCH_UP):
        mark = _archive_clock(settings)
        late = archive_runs(settings, start, end, since=began)
        if not late:
            break
        log.info("catching up %d run(s) archived while the load ran", len(late))
        for files in late:
            replay.run(files)
            replay.report.catch_up_files += len(files)
        began = mark
    replay.report.expected = len(replay.ids)
    log.info("replayed %d archive files (%d runs) into %s", replay.report.files, replay.report.runs, index)
    return replay.report


def verify(client: Elasticsearch, settings: Settings, index: str, expected: int) -> dict[str, int]:
    """Step 3: restore refresh, then require count == expected and no empty-for-full swap."""
    finish_load(client, index)
    count = int(client.count(index=index)["count"])
    current = behind_alias(client, settings.index_alias)
    live = int(client.count(index=settings.index_alias)["count"]) if current else 0
    if count != expected:
        raise ReindexError(f"{index} holds {count} documents, the load indexed {expected} distinct ids")
    if count == 0 and live > 0:
        raise ReindexError(
            f"{index} is empty while {settings.index_alias} holds {live}: is the archive there?"
        )
    log.info("%s holds %d documents as expected (the live index holds %d)", index, count, live)
    return {"count": count, "expected": expected, "live": live}


def swap(client: Elasticsearch, settings: Settings, index: str) -> dict[str, Any]:
    """Step 4: both aliases to `index`, atomically."""
    return swap_aliases(client, settings, index)


def cleanup(client: Elasticsearch, settings: Settings, index: str | None, keep: int = 1) -> list[str]:
    """Step 5: delete `index` if it was not swapped in; keep `keep` older idle versions."""
    dropped: list[str] = []
    if index and index not in behind_alias(client, settings.index_alias):
        dropped += drop_versions(client, settings, only=index)
    return dropped + drop_versions(client, settings, keep=keep)


def reindex_from_archive(
    client: Elasticsearch,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
    keep: int = 1,
) -> dict[str, Any]:
    """All steps in one call (the CLI, tests). On any failure the half-built version is deleted."""
    index = prepare(client, settings)
    try:
        report = load(client, settings, index, start=start, end=end)
        counts = verify(client, settings, index, report.expected)
        swapped = swap(client, settings, index)
    finally:
        dropped = cleanup(client, settings, index, keep=keep)
    return {"load": report.to_dict(), "counts": counts, "swap": swapped, "dropped": dropped}


def parse_day(value: str | date | None) -> date | None:
    """A DAG param or CLI value (`YYYY-MM-DD`, empty for none) as a date."""
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value).strip()[:10])
