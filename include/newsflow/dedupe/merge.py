"""Post-index cluster merge: copies indexed at the same moment by two workers end in one story.

Dedupe looks candidates up in the index *before* indexing, so two workers (mapped tasks,
parallel DAG runs, a backfill next to the schedule) that take copies of one story at
the same moment both see an empty index and both start a cluster. After indexing (and
the refresh that ends it) each worker calls `merge_clusters` with the ids it wrote: for
every article that *started* a cluster, it asks the index again (one `mget` and one LSH
look-up per batch, like dedupe) and, when a verified near-duplicate (same rule as
dedupe: `minhash.is_near_duplicate`) sits in another cluster, the two clusters are
re-pointed to the one whose first article is earliest (`published_at`, then id; a
missing date sorts last).

Why this converges: whichever worker refreshes last sees both articles, and the target
is a function of the stored records only, so two workers that both see the pair write
the same `cluster_id`/`is_canonical` values (partial updates; the last write wins and
equals the first). Only cluster *starters* of this run are checked: an article that dedupe
joined to a cluster saw its candidates already, and merging through it would chain
unrelated stories (dedupe is deliberately not transitive).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.dedupe.minhash import estimate_jaccard, is_near_duplicate

log = logging.getLogger(__name__)

BATCH = 50
CANDIDATES_PER_ARTICLE = 20


class UnionFind:
    """Disjoint sets over string keys; `groups()` lists sets of two or more."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = {}
        for x in list(self.parent):
            out.setdefault(self.find(x), []).append(x)
        return [sorted(g) for g in out.values() if len(g) > 1]


def earliest_key(record: dict[str, Any] | None, fallback_id: str) -> tuple[str, str]:
    """Sort key of a cluster's first article: date (missing last), then id."""
    rec = record or {}
    return (str(rec.get("published_at") or "~"), str(rec.get("id") or fallback_id))


def best_other_cluster(rec: dict[str, Any], candidates: Iterable[dict[str, Any]]) -> str | None:
    """The cluster of the verified near-duplicate with the highest estimated Jaccard, if not `rec`'s own."""
    mine = np.asarray(rec.get("minhash") or (), dtype=np.int64)
    best: tuple[float, str] | None = None
    for cand in candidates:
        if cand["id"] == rec["id"]:
            continue
        other = cand.get("minhash") or ()
        if len(other) != len(mine) or not len(mine):
            continue
        jac = estimate_jaccard(mine, np.asarray(other, dtype=np.int64))
        if not is_near_duplicate(
            jac, int(rec.get("shingle_count") or 0), int(cand.get("shingle_count") or 0)
        ):
            continue
        if best is None or (-jac, cand["id"]) < best:
            best = (-jac, cand["id"])
    if best is None:
        return None
    winner = next(c for c in candidates if c["id"] == best[1])
    cluster = winner.get("cluster_id") or winner["id"]
    return None if cluster == (rec.get("cluster_id") or rec["id"]) else cluster


def plan_merges(edges: Iterable[tuple[str, str]], roots: dict[str, dict[str, Any]]) -> dict[str, str]:
    """`{losing cluster id: target cluster id}` for clusters joined by `edges`.

    `roots` holds each cluster's first article (keyed by cluster id) for the date.
    """
    uf = UnionFind()
    for a, b in edges:
        uf.union(a, b)
    moves: dict[str, str] = {}
    for group in uf.groups():
        target = min(group, key=lambda c: earliest_key(roots.get(c), c))
        moves.update({c: target for c in group if c != target})
    return moves


def merge_clusters(
    client: Elasticsearch, settings: Settings, ids: Iterable[str], *, index: str | None = None
) -> int:
    """Re-point clusters that copies written concurrently split; returns documents changed.

    `index` defaults to the aliases (the reindex passes the version it is building, unaliased)."""
    from dataclasses import replace

    from newsflow.index.store import EsCandidateStore, cluster_members, update_fields

    store = EsCandidateStore(client, replace(settings, index_alias=index) if index else settings)
    ids = list(dict.fromkeys(i for i in ids if i))
    edges: list[tuple[str, str]] = []
    for start in range(0, len(ids), BATCH):
        records = store.by_ids(ids[start : start + BATCH])
        starters = [
            r for r in records.values() if (r.get("cluster_id") or r["id"]) == r["id"] and r.get("lsh")
        ]
        if not starters:
            continue
        found = store.by_lsh_many([r["lsh"] for r in starters], CANDIDATES_PER_ARTICLE)
        for rec, cands in zip(starters, found, strict=True):
            other = best_other_cluster(rec, cands)
            if other is not None:
                edges.append((rec["id"], other))
    if not edges:
        return 0
    clusters = sorted({c for e in edges for c in e})
    moves = plan_merges(edges, store.by_ids(clusters))
    if not moves:
        return 0
    updates: dict[str, dict[str, Any]] = {}
    for member in cluster_members(
        client, index or settings.index_alias, sorted(set(moves) | set(moves.values()))
    ):
        cluster = member.get("cluster_id") or member["id"]
        target = moves.get(cluster, cluster)
        want = {"cluster_id": target, "is_canonical": member["id"] == target}
        if (cluster, bool(member.get("is_canonical"))) != (want["cluster_id"], want["is_canonical"]):
            updates[member["id"]] = want
    changed = update_fields(client, index or settings.write_alias, updates)
    log.info(
        "merged %d cluster(s) split by concurrent writers: %d document(s) re-pointed", len(moves), changed
    )
    return changed
