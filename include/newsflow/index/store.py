"""The index as dedupe's `CandidateStore`: candidates across runs and workers, no other state.

One request per look-up batch, on the read alias:
- `by_ids`: one `mget`;
- `by_text_hashes`: one `terms` query on `text_hash`, collapsed on it so each hash yields
  its first (canonical, earliest) record;
- `by_lsh_many`: one `terms` query on `lsh` with the batch's pooled band keys, answered
  with each match's band keys, ranked per article here: a document's score for an article
  is the number of that article's keys it holds, the `limit` best per article are kept
  (ties: smaller `id`). When more documents match than articles x limit (a batch of
  look-alike texts, or common keys), the pooled answer is dropped and the batch is asked
  again with one bounded search per article (`msearch`, below).

Why pooled first: on Elasticsearch 9 most of a per-article search's cost is fixed (parsing
128 clauses, a search context, a query and a fetch phase), about 2 to 3 ms an article on
the shared 2-core machine, while a pooled `terms` query seeks the same keys in one pass for
a few tenths of a millisecond an article; almost every key matches nothing (0.3 matches an
article at 100k indexed in `benchmarks/dedupe_scale.py`), so the pooled answer is small.
Why the per-article fallback stays: its answer is bounded by articles x limit whatever the
index holds; a pooled answer is not, so it is used only when it fits in that same bound.
A missing index (first run) answers empty. `add` is a no-op: the store learns by indexing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from newsflow.config import Settings
from newsflow.index.documents import minhash_values
from newsflow.models import DEDUPE_RECORD_FIELDS as RECORD_FIELDS

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
# Band keys in one pooled `terms` query: 64 articles' 128 keys, well under Elasticsearch's
# `index.max_terms_count` (65,536).
POOL_TERMS = 8192
# Hits a pooled query may bring back (under `index.max_result_window`, 10,000).
MAX_POOLED_HITS = 5000
# What a candidate needs for the decision: its signature, not its 128 band keys (half the bytes).
CANDIDATE_FIELDS = [name for name in RECORD_FIELDS if name != "lsh"]


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
        """Records sharing band keys, most shared first (one article's keys)."""
        return self.by_lsh_many([keys], limit)[0]

    def by_lsh_many(self, key_lists: Sequence[Iterable[str]], limit: int = 50) -> list[list[dict[str, Any]]]:
        """The `limit` records sharing most band keys with each key list (ties: smaller id).

        Pooled `terms` queries (up to `POOL_TERMS` keys each), or per group whose pooled
        answer would exceed articles x limit, one `msearch` of bounded per-article searches.
        An article's keys beyond `MAX_CLAUSES` (never with `lsh_keys`' 128 bands) are left
        out, below Elasticsearch's `max_clause_count` on a small heap.
        """
        lists = [_unique(keys)[:MAX_CLAUSES] for keys in key_lists]
        out: list[list[dict[str, Any]]] = [[] for _ in lists]
        asked = [i for i, keys in enumerate(lists) if keys] if limit > 0 else []
        for group in _pool_groups(asked, lists):
            ranked = self._pooled(group, lists, limit)
            if ranked is None:
                ranked = self._per_article(group, lists, limit)
            for i, records in zip(group, ranked, strict=True):
                out[i] = records
        return out

    def _pooled(
        self, group: list[int], lists: list[list[str]], limit: int
    ) -> list[list[dict[str, Any]]] | None:
        """Each article's ranked candidates from one pooled `terms` query, or None when more
        documents match than `len(group) * limit` (the bound the per-article searches keep)."""
        cap = min(len(group) * limit, MAX_POOLED_HITS)
        pool = sorted({key for i in group for key in lists[i]})
        try:
            resp = self.client.search(
                index=self.alias,
                ignore_unavailable=True,
                query={"bool": {"filter": {"terms": {"lsh": pool}}}},
                size=cap + 1,
                track_total_hits=False,
                source_includes=[*CANDIDATE_FIELDS, "lsh"],
            )
        except NotFoundError:
            return [[] for _ in group]
        hits = resp.body["hits"]["hits"]
        if len(hits) > cap:
            return None
        records = [to_record(h.get("_source") or {}, h["_id"]) for h in hits]
        keys = [frozenset(rec["lsh"]) for rec in records]
        for rec in records:
            rec["lsh"] = []  # as the per-article searches answer: the signature, not the keys
        return [_rank(lists[i], records, keys, limit) for i in group]

    def _per_article(
        self, group: list[int], lists: list[list[str]], limit: int
    ) -> list[list[dict[str, Any]]]:
        """One bounded search per article in one `msearch` (see the module docstring)."""
        searches: list[dict[str, Any]] = []
        for i in group:
            should = [
                {"constant_score": {"filter": {"term": {"lsh": key}}, "boost": 1.0}} for key in lists[i]
            ]
            searches.append({"index": self.alias, "ignore_unavailable": True})
            searches.append(
                {
                    "query": {"bool": {"should": should, "minimum_should_match": 1}},
                    "sort": [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
                    "size": limit,
                    "_source": {"includes": CANDIDATE_FIELDS},
                }
            )
        try:
            resp = self.client.msearch(searches=searches)
        except NotFoundError:
            return [[] for _ in group]
        out: list[list[dict[str, Any]]] = []
        for answer in resp.body.get("responses", []):
            error = answer.get("error")
            if error and not _index_missing(error):
                raise RuntimeError(f"LSH candidate look-up failed on {self.alias!r}: {_reason(error)}")
            hits = [] if error else answer["hits"]["hits"]
            out.append([to_record(h.get("_source") or {}, h["_id"]) for h in hits])
        if len(out) != len(group):
            raise RuntimeError(
                f"LSH candidate look-up on {self.alias!r}: {len(out)} answers to {len(group)} searches"
            )
        return out

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        """No-op: indexed articles are found by the next look-up."""


def _pool_groups(asked: list[int], lists: list[list[str]]) -> list[list[int]]:
    """`asked` cut into runs whose pooled keys stay within `POOL_TERMS`."""
    groups: list[list[int]] = []
    size = POOL_TERMS + 1
    for i in asked:
        if size + len(lists[i]) > POOL_TERMS:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += len(lists[i])
    return groups


def _rank(
    keys: list[str], records: list[dict[str, Any]], held: list[frozenset[str]], limit: int
) -> list[dict[str, Any]]:
    """The `limit` records holding most of `keys`, most first, ties by id (as the per-article
    search sorts: `_score` desc, `id` asc). Each a shallow copy: callers own their lists."""
    wanted = frozenset(keys)
    scored = [
        (-len(wanted & h), str(records[n]["id"]), n) for n, h in enumerate(held) if not wanted.isdisjoint(h)
    ]
    scored.sort()
    return [dict(records[n]) for _, _, n in scored[:limit]]


def _index_missing(error: Any) -> bool:
    return isinstance(error, dict) and error.get("type") == "index_not_found_exception"


def _reason(error: Any) -> str:
    if isinstance(error, dict):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}".strip()
    return str(error)


def cluster_members(
    client: Elasticsearch, alias: str, cluster_ids: Iterable[str], limit: int = 10_000
) -> list[dict[str, Any]]:
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
    return sum(
        1
        for item in result.body.get("items", [])
        if 200 <= next(iter(item.values())).get("status", 500) < 300
    )
