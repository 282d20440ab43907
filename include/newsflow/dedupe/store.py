"""Where dedupe looks for articles it has already seen.

Dedupe needs three look-ups, always in batches (one request per batch, not per
article): by document id (same canonical URL), by text hash (exact copy) and
by LSH band key (near-duplicate candidates). The index itself answers them in
production (`newsflow.index.store.EsCandidateStore`), so candidates are found
across runs and across parallel workers with no other state; `MemoryStore`
answers them within one run and for the CLI, which has no index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Protocol


class CandidateStore(Protocol):
    def by_ids(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Records keyed by document id, for the ids that exist."""
        ...

    def by_text_hashes(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The first (canonical) record for each known text hash."""
        ...

    def by_lsh(self, keys: Iterable[str], limit: int = 50) -> list[dict[str, Any]]:
        """Records sharing at least one LSH band key, most shared first, at most `limit`."""
        ...

    def by_lsh_many(self, key_lists: Sequence[Iterable[str]], limit: int = 50) -> list[list[dict[str, Any]]]:
        """`by_lsh` for each key list (one article's keys each), answered together.

        Ranking per article, not over the batch's pooled keys: a copy sharing three keys
        with its article is never crowded out by documents sharing many keys with others.
        """
        ...

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        """Remember records decided in this run (no-op for stores that learn by indexing)."""
        ...


class MemoryStore:
    """An in-memory CandidateStore: used for one run's own articles and by the CLI.

    Records are kept as given (the dicts built by `newsflow.dedupe.record_of`). Adding a
    record with a known id replaces it (an updated article) and moves its LSH keys; the
    first record of a text hash stays the one `by_text_hashes` answers, as in the index.
    """

    def __init__(self) -> None:
        self._by_id: dict[str, dict[str, Any]] = {}
        self._by_hash: dict[str, dict[str, Any]] = {}
        # key -> the id holding it, or the ids in insertion order when several do. Most band
        # keys belong to one article: a plain id instead of a one-entry dict per key cut the
        # index from ~38 KB to ~13 KB per article (128 keys each).
        self._by_key: dict[str, str | list[str]] = {}

    def by_ids(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {i: self._by_id[i] for i in ids if i in self._by_id}

    def by_text_hashes(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {h: self._by_hash[h] for h in hashes if h in self._by_hash}

    def by_lsh(self, keys: Iterable[str], limit: int = 50) -> list[dict[str, Any]]:
        hits: dict[str, int] = defaultdict(int)
        for key in dict.fromkeys(keys):  # a key asked twice counts once
            held = self._by_key.get(key)
            if held is None:
                continue
            for doc_id in (held,) if isinstance(held, str) else held:
                hits[doc_id] += 1
        ranked = sorted(hits, key=lambda d: (-hits[d], d))[:limit]
        return [self._by_id[d] for d in ranked]

    def by_lsh_many(self, key_lists: Sequence[Iterable[str]], limit: int = 50) -> list[list[dict[str, Any]]]:
        return [self.by_lsh(keys, limit) for keys in key_lists]

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        for rec in records:
            doc_id = rec["id"]
            old = self._by_id.get(doc_id)
            if old is not None:
                for key in old.get("lsh") or ():
                    self._unlink(key, doc_id)
                old_hash = old.get("text_hash")
                if old_hash and self._by_hash.get(old_hash, {}).get("id") == doc_id:
                    del self._by_hash[old_hash]  # that text is no longer this document's
            self._by_id[doc_id] = rec
            if rec.get("text_hash"):
                self._by_hash.setdefault(rec["text_hash"], rec)
            for key in rec.get("lsh") or ():
                self._link(key, doc_id)

    def _link(self, key: str, doc_id: str) -> None:
        held = self._by_key.get(key)
        if held is None:
            self._by_key[key] = doc_id
        elif isinstance(held, str):
            if held != doc_id:
                self._by_key[key] = [held, doc_id]
        elif doc_id not in held:
            held.append(doc_id)

    def _unlink(self, key: str, doc_id: str) -> None:
        held = self._by_key.get(key)
        if held == doc_id:
            del self._by_key[key]
        elif isinstance(held, list) and doc_id in held:
            held.remove(doc_id)
            if len(held) == 1:
                self._by_key[key] = held[0]

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._by_id


class LayeredStore:
    """This run's decisions first, then the index: finds copies inside one batch and across runs."""

    def __init__(self, *stores: CandidateStore) -> None:
        self.stores = stores

    def by_ids(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = list(ids)
        out: dict[str, dict[str, Any]] = {}
        for store in reversed(self.stores):
            out.update(store.by_ids(ids))
        return out

    def by_text_hashes(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        hashes = list(hashes)
        out: dict[str, dict[str, Any]] = {}
        for store in reversed(self.stores):
            out.update(store.by_text_hashes(hashes))
        return out

    def by_lsh(self, keys: Iterable[str], limit: int = 50) -> list[dict[str, Any]]:
        keys = list(keys)
        seen: dict[str, dict[str, Any]] = {}
        for store in self.stores:
            for rec in store.by_lsh(keys, limit):
                seen.setdefault(rec["id"], rec)
        return list(seen.values())[:limit]

    def by_lsh_many(self, key_lists: Sequence[Iterable[str]], limit: int = 50) -> list[list[dict[str, Any]]]:
        key_lists = [list(keys) for keys in key_lists]
        merged: list[dict[str, dict[str, Any]]] = [{} for _ in key_lists]
        for store in self.stores:
            for seen, found in zip(merged, store.by_lsh_many(key_lists, limit), strict=True):
                for rec in found:
                    seen.setdefault(rec["id"], rec)
        return [list(seen.values())[:limit] for seen in merged]

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        self.stores[0].add(records)
