"""Versioned indices behind the aliases: build a version aside, then swap atomically.

Readers only ever query the read alias `<alias>` and writers the write alias
`<alias>-write`, so a new mapping is rolled out by filling `<alias>-v<N+1>` while nothing
points at it, checking it, and moving both aliases in ONE `update_aliases` call: readers
see the old version until the instant they see the complete new one, never an empty or
half-built index. The same calls work on Elasticsearch and on the embedded server.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError

from newsflow.config import Settings
from newsflow.index.template import index_name, load_template_source, put_template

log = logging.getLogger(__name__)

RELAXED = "-1"
"""refresh_interval during big loads: no periodic refresh at all (one explicit refresh after)."""


def concrete_indices(client: Elasticsearch, name: str) -> list[str]:
    """The indices `name` (an index, alias or pattern) resolves to; empty if none."""
    try:
        return sorted(client.indices.get(index=name).body)
    except NotFoundError:
        return []


@contextmanager
def relaxed_refresh(client: Elasticsearch, index: str, interval: str = RELAXED) -> Iterator[dict[str, Any]]:
    """Turn periodic refresh off on `index` (an index or alias) for a big load, then restore it.

    The previous value of each concrete index is put back (or reset to the default when
    it was not set), even when the load fails, and the index is refreshed once so the load
    is searchable. Yields {index: previous value or None}.
    """
    indices = concrete_indices(client, index)
    previous: dict[str, Any] = {}
    for name in indices:
        got = client.indices.get_settings(index=name, name="index.refresh_interval").body
        previous[name] = got.get(name, {}).get("settings", {}).get("index", {}).get("refresh_interval")
    for name in indices:
        client.indices.put_settings(index=name, settings={"index": {"refresh_interval": interval}})
    log.info("refresh_interval of %s set to %s for a big load", ", ".join(indices) or index, interval)
    try:
        yield previous
    finally:
        for name, value in previous.items():
            client.indices.put_settings(index=name, settings={"index": {"refresh_interval": value}})
        if indices:
            client.indices.refresh(index=",".join(indices))
        log.info("refresh_interval of %s restored", ", ".join(indices) or index)


def version_of(index: str) -> int:
    found = re.search(r"-v(\d+)$", index)
    return int(found.group(1)) if found else 0


def versions(client: Elasticsearch, settings: Settings) -> list[str]:
    """Every `<alias>-v<N>` index, aliased or not, oldest first."""
    names = concrete_indices(client, f"{settings.index_alias}-v*")
    return sorted((n for n in names if version_of(n)), key=version_of)


def behind_alias(client: Elasticsearch, alias: str) -> list[str]:
    """The indices the alias points at (empty when the alias does not exist)."""
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias).body)


def create_next_version(client: Elasticsearch, settings: Settings) -> str:
    """Put the current template and create `<alias>-v<N+1>`, with no alias and no periodic refresh.

    N is the highest version present, aliased or not, so a leftover from a failed build is
    never reused. The refresh interval stays relaxed until `finish_load`.
    """
    put_template(client, settings)
    existing = versions(client, settings)
    name = index_name(settings, (version_of(existing[-1]) if existing else 0) + 1)
    client.indices.create(index=name, settings={"index": {"refresh_interval": RELAXED}})
    log.info("created %s (not aliased yet) for a rebuild", name)
    return name


MERGE_TIMEOUT = 1800.0
"""Seconds the force-merge of a rebuilt version may take before the rebuild goes on without it."""


def finish_load(client: Elasticsearch, index: str) -> None:
    """Restore the template's refresh interval on a freshly loaded version, refresh it, and
    force-merge it to one segment.

    Why merge: each dedupe look-up seeks every band key in every segment's terms dictionary,
    so its cost follows the segment count (measured on Elasticsearch 9 at 100k documents:
    17.7 ms/article with the 27 segments a bulk load left, 3.4 ms merged; benchmarks/RESULTS.md,
    issue 16). The version is not live yet, so merging costs readers nothing, and later ingest
    runs add small segments beside the large one. A merge that fails or times out is logged
    and skipped: it is an optimisation, never a reason to fail a rebuild.
    """
    interval = load_template_source()["template"]["settings"].get("refresh_interval")
    client.indices.put_settings(index=index, settings={"index": {"refresh_interval": interval}})
    client.indices.refresh(index=index)
    try:
        client.options(request_timeout=MERGE_TIMEOUT).indices.forcemerge(index=index, max_num_segments=1)
    except (ApiError, TransportError) as exc:
        log.warning(
            "force-merge of %s skipped (%s): dedupe look-ups cost more until it is merged", index, exc
        )


def swap_aliases(client: Elasticsearch, settings: Settings, new_index: str) -> dict[str, Any]:
    """Point the read and the write alias at `new_index` in one atomic `update_aliases` call.

    Returns {"index", "previous": [old indices]}. Old versions are kept (roll back by
    swapping to one of them); `drop_versions` deletes the ones no longer needed.
    """
    alias, write_alias = settings.index_alias, settings.write_alias
    old = sorted(set(behind_alias(client, alias)) | set(behind_alias(client, write_alias)))
    actions: list[dict[str, Any]] = []
    for index in old:
        if index == new_index:
            continue
        if index in behind_alias(client, alias):
            actions.append({"remove": {"index": index, "alias": alias}})
        if index in behind_alias(client, write_alias):
            actions.append({"remove": {"index": index, "alias": write_alias}})
    actions.append({"add": {"index": new_index, "alias": alias}})
    actions.append({"add": {"index": new_index, "alias": write_alias, "is_write_index": True}})
    client.indices.update_aliases(actions=actions)
    previous = [i for i in old if i != new_index]
    log.info("aliases %s and %s now point at %s (were %s)", alias, write_alias, new_index, previous)
    return {"index": new_index, "previous": previous}


def drop_versions(
    client: Elasticsearch, settings: Settings, keep: int = 1, only: str | None = None
) -> list[str]:
    """Delete unaliased versions, keeping the newest `keep` of them (for roll-back).

    `only` restricts deletion to that one index (used to throw away a failed build).
    Never deletes an index behind either alias. Returns the deleted names.
    """
    live = set(behind_alias(client, settings.index_alias)) | set(behind_alias(client, settings.write_alias))
    idle = [i for i in versions(client, settings) if i not in live]
    doomed = [i for i in idle if i == only] if only else idle[: max(0, len(idle) - keep)]
    for index in doomed:
        client.indices.delete(index=index, ignore_unavailable=True)
        log.info("deleted index version %s", index)
    return doomed
