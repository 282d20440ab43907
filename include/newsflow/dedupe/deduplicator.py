"""The `Deduplicator`: one article's decision (new, update, unchanged, duplicate, same story).

The rules, the thresholds and why they are what they are: see the package docstring
(`newsflow.dedupe`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from newsflow.dedupe.furniture import story_text
from newsflow.dedupe.minhash import (
    estimate_jaccard,
    is_near_duplicate,
    lsh_keys,
    signature,
    text_hash,
    tokens,
)
from newsflow.dedupe.runstore import RunStore
from newsflow.dedupe.store import CandidateStore
from newsflow.dedupe.urls import _clean_host, canonicalize_url, doc_id
from newsflow.models import DEDUPE_RECORD_FIELDS as RECORD_FIELDS
from newsflow.models import DUPLICATE, NEW, UNCHANGED, UPDATED, Article

POLICIES = ("cluster", "drop")


def _same_site(a: str, b: str) -> bool:
    ha, hb = urlsplit(a).hostname, urlsplit(b).hostname
    return bool(ha and hb) and _clean_host(ha or "") == _clean_host(hb or "")


def _pick_canonical(article: Article) -> str:
    from_url = canonicalize_url(article.url)
    page = article.claims.get("canonical_url") or ""  # what the page declared (clean's claim)
    declared = canonicalize_url(page) if page else ""
    if (
        declared
        and (not from_url or _same_site(declared, from_url))
        and urlsplit(declared).path not in ("", "/")
    ):
        return declared
    return from_url


def fingerprint(article: Article, furniture: frozenset[str] = frozenset()) -> Article:
    """Set `canonical_url`, `id`, `text_hash`, `minhash`, `shingle_count` and `lsh` (in place).

    The signature leaves out the source's `furniture` lines (see `newsflow.dedupe.furniture`);
    the exact-copy hash is of the whole text. Also clears what a previous dedupe decision left
    (status, reason, duplicate_of, similarity), so a batch file can be deduplicated again.
    """
    article.status = article.reason = article.duplicate_of = ""
    article.similarity = None
    toks = tokens(article.text)
    article.canonical_url = _pick_canonical(article)
    article.text_hash = text_hash(toks)
    article.id = (
        doc_id(article.canonical_url) if article.canonical_url else doc_id("text:" + article.text_hash)
    )
    story = tokens(story_text(article.text, furniture)) if furniture else toks
    article.minhash, article.shingle_count = signature(story)
    article.lsh = lsh_keys(article.minhash)
    return article


def record_of(article: Article) -> dict[str, Any]:
    """The store record of an article (the fields in `models.DEDUPE_RECORD_FIELDS`)."""
    rec = {name: getattr(article, name) for name in RECORD_FIELDS if name != "url"}
    rec["url"] = article.canonical_url or article.url
    return rec


class Deduplicator:
    """Decides each article's identity, copy status and story cluster (see the module docstring).

    One instance is one run: it remembers every article it decided across `process()` calls
    (the pipeline calls it once per source), so the same URL or text met again in the run
    is a duplicate. Create a new instance for the next run.
    """

    def __init__(
        self,
        store: CandidateStore,
        policy: str = "cluster",
        *,
        batch_size: int = 50,
        candidate_limit: int = 50,
        furniture: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        if policy not in POLICIES:
            raise ValueError(f"duplicate policy must be one of {POLICIES}, not {policy!r}")
        if batch_size < 1 or candidate_limit < 1:
            raise ValueError("batch_size and candidate_limit must be positive")
        self.store = store
        self.policy = policy
        self.batch_size = batch_size
        self.candidate_limit = candidate_limit
        self.furniture = dict(furniture or {})  # source -> its furniture line keys (signatures skip them)
        # (original_id, copy url) for copies whose original is not written with them.
        self.links: list[tuple[str, str]] = []
        self._run = RunStore()  # records of this run's non-duplicates, compact (2 to 3 KB each)
        self._run_ids: dict[str, str] = {}  # id decided in this run -> its cluster id

    # -- public -------------------------------------------------------------------------

    def process(self, articles: list[Article]) -> list[Article]:
        """Decide every non-rejected article in place, in order; returns the same list."""
        this_call: dict[str, Article] = {}  # id -> the article of this call holding it
        todo = [a for a in articles if not a.rejected]
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            for article in chunk:
                fingerprint(article, self.furniture.get(article.source, frozenset()))
            self._process_chunk(chunk, this_call)
            self.store.add(record_of(a) for a in chunk if a.status in (NEW, UPDATED))
        return articles

    # -- internals ----------------------------------------------------------------------

    def _process_chunk(self, chunk: list[Article], this_call: dict[str, Article]) -> None:
        fresh = [a for a in chunk if a.id not in self._run_ids]
        known = self.store.by_ids(sorted({a.id for a in fresh})) if fresh else {}
        rest = [a for a in fresh if a.id not in known]
        hashes = sorted({a.text_hash for a in rest if a.text_hash})
        known_hashes = self.store.by_text_hashes(hashes) if hashes else {}
        hashed = [a for a in rest if a.lsh]
        found = self.store.by_lsh_many([a.lsh for a in hashed], self.candidate_limit) if hashed else []
        external = {a.id: recs for a, recs in zip(hashed, found, strict=True)}

        for article in chunk:
            first_cluster = self._run_ids.get(article.id)
            if first_cluster is not None:
                self._mark_duplicate(article, article.id, first_cluster, f"same_url: {article.id}")
                continue
            if article.id in known:
                self._known(article, known[article.id])
            elif (original := self._exact_original(article, known_hashes)) is not None:
                oid = original["id"]
                self._mark_duplicate(article, oid, original.get("cluster_id") or oid, f"exact: copy of {oid}")
                article.similarity = 1.0
                self._link(oid, article, this_call)
            else:
                self._near(article, external.get(article.id, ()), this_call)
            self._run_ids[article.id] = article.cluster_id or article.id
            if article.status != DUPLICATE:
                this_call[article.id] = article
                self._run.add([record_of(article)])

    @staticmethod
    def _mark_duplicate(article: Article, original_id: str, cluster_id: str, reason: str) -> None:
        article.status = DUPLICATE
        article.reason = reason
        article.duplicate_of = original_id
        article.cluster_id = cluster_id
        article.is_canonical = False

    @staticmethod
    def _known(article: Article, rec: dict[str, Any]) -> None:
        article.status = UNCHANGED if rec.get("text_hash") == article.text_hash else UPDATED
        article.cluster_id = rec.get("cluster_id") or article.id
        canonical = rec.get("is_canonical")
        article.is_canonical = True if canonical is None else bool(canonical)

    def _exact_original(
        self, article: Article, known_hashes: dict[str, dict[str, Any]]
    ) -> dict[str, Any] | None:
        if not article.text_hash:
            return None
        rec = known_hashes.get(article.text_hash)
        if rec is None or rec.get("id") == article.id:
            rec = self._run.by_text_hashes([article.text_hash]).get(article.text_hash)
        if rec is None or rec.get("id") == article.id:
            return None
        return rec

    def _near(
        self, article: Article, external: Iterable[dict[str, Any]], this_call: dict[str, Article]
    ) -> None:
        candidates: dict[str, dict[str, Any]] = {}
        # This run's records first: they are the freshest view of a document.
        for rec in self._run.by_lsh(article.lsh, self.candidate_limit):
            candidates.setdefault(rec["id"], rec)
        for rec in external:
            candidates.setdefault(rec["id"], rec)
        candidates.pop(article.id, None)

        best: tuple[float, str] | None = None  # (-jaccard, id): the smallest wins
        mine = np.asarray(article.minhash, dtype=np.int64)
        for cid, rec in candidates.items():
            other = rec.get("minhash") or ()
            if len(other) != len(mine):
                continue
            jac = estimate_jaccard(mine, np.asarray(other, dtype=np.int64))
            if not is_near_duplicate(jac, article.shingle_count, int(rec.get("shingle_count") or 0)):
                continue
            if best is None or (-jac, cid) < best:
                best = (-jac, cid)

        if best is None:
            article.status = NEW
            article.cluster_id = article.id
            article.is_canonical = True
            article.similarity = None
            return
        jac, cid = -best[0], best[1]
        article.cluster_id = candidates[cid].get("cluster_id") or cid
        article.is_canonical = False
        article.similarity = round(jac, 3)
        if self.policy == "drop":
            self._mark_duplicate(article, cid, article.cluster_id, f"near: {article.similarity} to {cid}")
            self._link(cid, article, this_call)
        else:
            article.status = NEW

    def _link(self, original_id: str, copy: Article, this_call: dict[str, Article]) -> None:
        url = copy.url or copy.canonical_url
        if not url:
            return
        original = this_call.get(original_id)
        if original is not None and original.status in (NEW, UPDATED):
            if url not in original.also_urls:
                original.also_urls.append(url)
        elif (original_id, url) not in self.links:
            self.links.append((original_id, url))
