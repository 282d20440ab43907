"""The deduplicator's memory of one run, compact enough for runs of 100k articles.

A `MemoryStore` keeps, per article, 128 band-key strings in a dict of Python objects and a
signature of 256 Python ints: about 25 KB an article, 2.5 GB for a 100k backfill run. The
run store answers the same three look-ups from numpy arrays instead: band keys packed
into `uint64` (band number in the high bits, the key's 48 hash bits below) in a sorted
array with the matching document numbers, signatures as 4-byte unsigned ints, and
records without their key list (the deduplicator never reads a run record's keys).

New keys go to a small dict first and are merged into the sorted arrays when it holds
`PENDING_KEYS` keys; the merge inserts them at their sorted places (one linear copy). A document
added again under its id replaces the old one (which is skipped from then on), and the
first record of a text hash is the one `by_text_hashes` answers, as in `MemoryStore`.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

PENDING_KEYS = 65_536
_FOREIGN = 1 << 63  # keys not in `lsh_keys`' format are hashed into the top half


def pack_key(key: str) -> int:
    """`b017_3fa29c0d11e2` -> (17 << 48) | 0x3fa29c0d11e2; any other key to a hash with the top bit set."""
    if len(key) == 17 and key[0] == "b" and key[4] == "_":
        try:
            return (int(key[1:4]) << 48) | int(key[5:], 16)
        except ValueError:
            pass
    return _FOREIGN | (hash(key) & (_FOREIGN - 1))


class RunStore:
    """A `CandidateStore` for one run's own records (see the module docstring)."""

    def __init__(self) -> None:
        self._recs: list[dict[str, Any] | None] = []  # document number -> record (None: replaced)
        self._number: dict[str, int] = {}  # id -> its current document number
        self._by_hash: dict[str, dict[str, Any]] = {}
        self._keys = np.empty(0, dtype=np.uint64)  # sorted
        self._docs = np.empty(0, dtype=np.int32)  # document number of each key
        self._pending: dict[int, list[int]] = {}
        self._pending_count = 0
        self._replaced: set[int] = set()  # numbers of records replaced by a newer one

    def by_ids(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {i: self._recs[self._number[i]] for i in ids if i in self._number}  # type: ignore[misc]

    def by_text_hashes(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {h: self._by_hash[h] for h in hashes if h in self._by_hash}

    def by_lsh(self, keys: Iterable[str], limit: int = 50) -> list[dict[str, Any]]:
        packed = list(dict.fromkeys(pack_key(k) for k in keys))  # a key asked twice counts once
        docs, shared = self._hits(packed)
        return self._ranked(docs, shared, limit)

    def _hits(self, packed: list[int]) -> tuple[Any, Any]:
        """The document numbers holding any of the keys, and how many of the keys each holds.

        In numpy: in a run of templated text (or one big event) a key can be held by thousands
        of the run's articles, and counting them one by one in Python made each look-up cost
        in proportion to the run (22 ms an article at 100k)."""
        parts = []
        if packed and self._keys.size:
            query = np.asarray(packed, dtype=np.uint64)
            lo = np.searchsorted(self._keys, query, side="left").tolist()
            hi = np.searchsorted(self._keys, query, side="right").tolist()
            parts = [self._docs[start:stop] for start, stop in zip(lo, hi, strict=True) if stop > start]
        parts += [np.asarray(self._pending[key], dtype=np.int32) for key in packed if key in self._pending]
        if not parts:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64)
        docs, shared = np.unique(np.concatenate(parts), return_counts=True)
        if self._replaced:
            live = ~np.isin(docs, np.fromiter(self._replaced, dtype=np.int32, count=len(self._replaced)))
            docs, shared = docs[live], shared[live]
        return docs, shared

    def _ranked(self, docs: Any, shared: Any, limit: int) -> list[dict[str, Any]]:
        """The `limit` records sharing the most keys, ties by id (the order the index's search gives)."""
        if docs.size > limit:
            cut = int(np.partition(shared, docs.size - limit)[docs.size - limit])  # the limit-th most
            above = [
                (-n, d)
                for n, d in zip(shared[shared > cut].tolist(), docs[shared > cut].tolist(), strict=True)
            ]
            tied = heapq.nsmallest(limit - len(above), docs[shared == cut].tolist(), key=self._id)
            ranked = sorted(above, key=lambda nd: (nd[0], self._id(nd[1]))) + [(-cut, d) for d in tied]
        else:
            pairs = zip((-shared).tolist(), docs.tolist(), strict=True)
            ranked = sorted(pairs, key=lambda nd: (nd[0], self._id(nd[1])))
        return [self._recs[doc] for _, doc in ranked[:limit]]

    def _id(self, number: int) -> str:
        return str(self._recs[number]["id"])  # type: ignore[index]

    def by_lsh_many(self, key_lists: Sequence[Iterable[str]], limit: int = 50) -> list[list[dict[str, Any]]]:
        return [self.by_lsh(keys, limit) for keys in key_lists]

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        for rec in records:
            doc_id = rec["id"]
            old_number = self._number.get(doc_id)
            if old_number is not None:
                old = self._recs[old_number]
                self._recs[old_number] = None  # its keys stay in the arrays and are skipped
                self._replaced.add(old_number)
                old_hash = old.get("text_hash") if old else None
                if old_hash and self._by_hash.get(old_hash, {}).get("id") == doc_id:
                    del self._by_hash[old_hash]  # that text is no longer this document's
            stored = {k: v for k, v in rec.items() if k != "lsh"}
            stored["minhash"] = array("I", rec.get("minhash") or ())
            number = len(self._recs)
            self._recs.append(stored)
            self._number[doc_id] = number
            if stored.get("text_hash"):
                self._by_hash.setdefault(stored["text_hash"], stored)
            for key in dict.fromkeys(rec.get("lsh") or ()):
                self._pending.setdefault(pack_key(key), []).append(number)
                self._pending_count += 1
            if self._pending_count >= PENDING_KEYS:
                self._merge()

    def _merge(self) -> None:
        keys = np.fromiter((k for k, docs in self._pending.items() for _ in docs), dtype=np.uint64)
        docs = np.fromiter((d for ds in self._pending.values() for d in ds), dtype=np.int32)
        order = np.argsort(keys, kind="stable")
        keys, docs = keys[order], docs[order]
        at = np.searchsorted(self._keys, keys, side="right")
        # One copy of each array at a time: at 100k articles (12.8M keys) the merge holds at
        # most the old and the new key array, never a sort's index arrays beside them.
        self._keys = np.insert(self._keys, at, keys)
        self._docs = np.insert(self._docs, at, docs)
        self._pending.clear()
        self._pending_count = 0

    def __len__(self) -> int:
        return len(self._number)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._number
