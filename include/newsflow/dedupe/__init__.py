"""Dedupe stage: the same article, exact copies and near-duplicates (syndicated stories).

`Deduplicator(store, policy).process(articles)` fingerprints every article that is not
rejected and decides, in order, one of:

| case (checked in this order) | status | fields set |
| --- | --- | --- |
| id already decided earlier in this run (this instance) | `duplicate` | reason `same_url: <id>`, `duplicate_of`, cluster of the first |
| id known to the store, same text hash | `unchanged` | `cluster_id`, `is_canonical` from the stored record |
| id known to the store, other text | `updated` | keeps the stored `cluster_id`/`is_canonical` |
| text hash of another document (store first, then this run) | `duplicate` | reason `exact: copy of <id>`, `duplicate_of`, `similarity` 1.0 |
| LSH candidate verified (see `minhash.is_near_duplicate`) | `new` (policy `cluster`) or `duplicate` (policy `drop`, reason `near: <similarity> to <id>`, `duplicate_of`) | `cluster_id` of the best candidate, `is_canonical=False`, `similarity` |
| otherwise: a new story | `new` | `cluster_id = id`, `is_canonical=True` |

Decisions (deliberate, so tell us before changing them):

- Dedupe sets `new`/`updated`/`unchanged` itself (never leaves "" on a decided article);
  the indexer is expected to write `new` and `updated` and to skip `unchanged` and
  `duplicate`. Rejected articles are left untouched (no id, no fingerprint).
- `id = doc_id(canonical_url)`. The canonical URL comes from the fetched `url`; a
  canonical URL the page declared (its `<link rel=canonical>`, `claims["canonical_url"]` from clean)
  is preferred only when it is on the same host (after dropping `www.`/`m.`/`amp.`) and
  is not the site root, because broken pages declare their home page as canonical.
  Without any URL the id is `doc_id("text:" + text_hash)`.
- One `Deduplicator` is one run. It remembers what it decided across `process()` calls
  (the pipeline calls it once per source), so an id met again in the run is a `same_url`
  duplicate even when its text changed (the first version wins until the next run), and
  copies across sources are found even with a store that learns only by indexing.
- First come, first served: within a run, the earlier article is the original and the
  canonical article of its story; a record already in the store always wins over this
  run's articles (it was there first).
- A near-duplicate joins the cluster of the candidate with the highest estimated Jaccard
  (ties: smaller id). `similarity` is that estimated Jaccard of word 4-shingles (1.0 for
  exact copies). A near-duplicate kept under `cluster` gets no `duplicate_of`.
- Links to copies that are not indexed (exact copies; near copies under `drop`): the
  copy's `url` is appended to the original's `also_urls` when the original is in the same
  `process()` call and is written (status `new`/`updated`); otherwise (an index record, an
  `unchanged` article, or an article of an earlier call, already written to its batch
  file) `(original_id, url)` is appended to `Deduplicator.links`, which accumulates over
  the instance's life, for the indexer to record.
- An `updated` article keeps its cluster even if its text moved; it is not re-matched.
- Text without words gets no text hash and no signature: it is never a copy of anything.
- Look-ups are batched: per chunk of `batch_size` articles one `by_ids`, then (only for
  articles whose id is not known) one `by_text_hashes` and one `by_lsh_many`: the
  `candidate_limit` records sharing most band keys with each article (on the index: one
  pooled `terms` query ranked per article, or one `msearch` of bounded per-article searches
  when the pooled answer would exceed articles x limit; see `newsflow.index.store`).
  Articles of this run are
  resolved against each other through a compact run store (`runstore.RunStore`: the
  same answers as a `MemoryStore`, a few KB instead of ~25 KB an article). After each
  chunk the new and updated records are `add`ed to the store (a `MemoryStore` remembers them for the next
  run; the index store learns by indexing).
- Deterministic: no randomness, no clocks, ties broken by id.

After indexing, two more steps run over the ids the run wrote (`pipeline.index_stage`):
`merge.merge_clusters` joins clusters that two workers started at the same moment for
copies of one story, and `related.link_related` sets `story_id`/`related_ids` for
independently written articles on the same event (never touching `cluster_id`).
"""

from newsflow.dedupe.deduplicator import POLICIES, Deduplicator, fingerprint, record_of
from newsflow.dedupe.minhash import (
    estimate_containment,
    estimate_jaccard,
    lsh_keys,
    normalize_for_hash,
    signature,
    text_hash,
)
from newsflow.dedupe.store import CandidateStore, LayeredStore, MemoryStore
from newsflow.dedupe.urls import canonicalize_url, doc_id

__all__ = [
    "CandidateStore",
    "Deduplicator",
    "LayeredStore",
    "MemoryStore",
    "POLICIES",
    "canonicalize_url",
    "doc_id",
    "estimate_containment",
    "estimate_jaccard",
    "fingerprint",
    "lsh_keys",
    "normalize_for_hash",
    "record_of",
    "signature",
    "text_hash",
]
