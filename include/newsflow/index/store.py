"""The index as dedupe's `CandidateStore`: candidates across runs and workers, no other state.

One request per look-up batch, on the read alias:
- `by_ids`: one `mget`;
- `by_text_hashes`: one `terms` query on `text_hash`, collapsed on it so each hash yields
  its first (canonical, earliest) record;
- `by_lsh`: one bool query with a `should` clause per band key, each a `constant_score`
  `term` query, so a document's score is exactly the number of keys it shares (a single
  `terms` query scores every match alike and would not rank).
A missing index (first run) answers empty. `add` is a no-op: the store learns by indexing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from newsflow.config import Settings
from newsflow.dedupe.store import RECORD_FIELDS
from newsflow.index.documents import minhash_values

MAX_TERMS = 10_000


def to_record(source: dict[str, Any], doc_id: str = "") -> dict[str, Any]:
    """A dedupe record (the `RECORD_FIELDS`) from a stored `_source`."""
    record = {name: source.get(name) for name in RECORD_FIELDS}
    record["id"] = record.get("id") or doc_id
    record["minhash"] = minhash_values(source.get("minhash"))
    record["lsh"] = list(record.get("lsh") or [])
    record["shingle_count"] = record.get("shingle_count") or 0
    if record.get("is_canonical") is None:
        record["is_canonical"] = True
    return record


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


MAX_CLAUSES = 1000


class EsCandidateStore:
    """`CandidateStore` backed by the index (read alias `settings.index_alias`)."""

    def __init__(self, client: Elasticsearch, settings: Settings) -> None:
        self.client = client
        self.alias = settings.index_alias

    def by_ids(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = _unique(ids)
        if not ids:
            return {}
        try:
            resp = self.client.mget(index=self.alias, ids=ids, source_includes=list(RECORD_FIELDS))
        except NotFoundError:
            return {}
        return {
            d["_id"]: to_record(d.get("_source") or {}, d["_id"])
            for d in resp.body.get("docs", [])
            if d.get("found")
        }

    def _search(self, **body: Any) -> list[dict[str, Any]]:
        try:
            resp = self.client.search(
                index=self.alias, ignore_unavailable=True, source_includes=list(RECORD_FIELDS), **body
            )
        except NotFoundError:
            return []
        return [to_record(h.get("_source") or {}, h["_id"]) for h in resp.body["hits"]["hits"]]

    def by_text_hashes(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        hashes = _unique(hashes)[:MAX_TERMS]
        if not hashes:
            return {}
        records = self._search(
            query={"terms": {"text_hash": hashes}},
            collapse={"field": "text_hash"},
            sort=[
                {"is_canonical": {"order": "desc"}},
                {"published_at": {"order": "asc", "missing": "_last"}},
                {"id": {"order": "asc"}},
            ],
            size=len(hashes),
        )
        out: dict[str, dict[str, Any]] = {}
        for rec in records:
            out.setdefault(rec["text_hash"], rec)
        return out

    def by_lsh(self, keys: Iterable[str], limit: int = 50) -> list[dict[str, Any]]:
        """Records sharing band keys, most shared first.

        A bool `should` of constant-score terms scores each document by the number of keys it
        shares. Keys go in chunks of `MAX_CLAUSES`, below Elasticsearch's `max_clause_count`
        on a small heap; the chunks' hits are merged and ranked by all keys they share.
        """
        keys = _unique(keys)
        if not keys or limit <= 0:
            return []
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), MAX_CLAUSES):
            should = [
                {"constant_score": {"filter": {"term": {"lsh": key}}, "boost": 1.0}}
                for key in keys[start : start + MAX_CLAUSES]
            ]
            for rec in self._search(
                query={"bool": {"should": should, "minimum_should_match": 1}},
                sort=[{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
                size=limit,
            ):
                found.setdefault(rec["id"], rec)
        wanted = set(keys)
        ranked = sorted(found.values(), key=lambda r: (-len(wanted.intersection(r.get("lsh") or ())), r["id"]))
        return ranked[:limit]

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        """No-op: indexed articles are found by the next look-up."""


def cluster_members(client: Elasticsearch, alias: str, cluster_ids: Iterable[str], limit: int = 10_000) -> list[
    dict[str, Any]
]:
    """`id`, `cluster_id`, `is_canonical` of every document in these clusters (one request)."""
    wanted = _unique(cluster_ids)
    if not wanted:
        return []
    try:
        resp = client.search(
            index=alias,
            ignore_unavailable=True,
            query={"terms": {"cluster_id": wanted}},
            source_includes=["id", "cluster_id", "is_canonical"],
            sort=[{"id": {"order": "asc"}}],
            size=limit,
        )
    except NotFoundError:
        return []
    return [{**(h.get("_source") or {}), "id": h["_id"]} for h in resp.body["hits"]["hits"]]


def update_fields(client: Elasticsearch, index: str, updates: dict[str, dict[str, Any]]) -> int:
    """Partial updates (`doc`) of several documents in one bulk request; returns how many succeeded.

    Partial `doc` updates work on Elasticsearch and on the embedded server (which has no
    scripted updates). Two workers writing the same values converge: the last write wins
    and both computed the same thing.
    """
    if not updates:
        return 0
    operations: list[dict[str, Any]] = []
    for doc_id, fields in updates.items():
        operations.append({"update": {"_index": index, "_id": doc_id, "retry_on_conflict": 3}})
        operations.append({"doc": fields})
    result = client.bulk(operations=operations, refresh=True)
    return sum(1 for item in result.body.get("items", []) if 200 <= next(iter(item.values())).get("status", 500) < 300)
