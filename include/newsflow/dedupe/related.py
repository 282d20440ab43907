"""Related coverage: independently written articles on one event share a `story_id`.

Copies (exact or near) share a `cluster_id`; that stays the job of MinHash. Two outlets
writing their own text about the same event share too few word shingles for that, so
after indexing each article that starts a cluster is compared with the index by a
TF-IDF-style score:

- candidates: one `more_like_this` query per article (all of a batch in one `msearch`),
  on the article's language field, filtered to the same `language`, to cluster starters
  (`is_canonical`), to other clusters, and to `published_at` within `window_days` of the
  article's date (undated articles on either side are compared on text alone); at most
  `candidates` hits. The index's own term statistics supply the IDF, so no other state is
  kept. Words in more than `related_max_doc_share` of the index are left out of the query:
  their postings grow with the index, the rarer words' do not;
- score: the candidate's MLT score divided by the article's own score for the same query
  (the article itself is let through for that), so 1.0 means "carries all of the
  article's most distinctive terms as strongly as the article itself"; for two articles
  of one run the higher of both directions counts;
- decision: score >= `threshold` (default `RELATED_THRESHOLD`, chosen on the labelled
  pairs in `benchmarks/data/dedupe/`, see docs/dedupe.md).

Articles are then taken in date order: an article joins the `story_id` of its best related
article that already has one (an older article, or one of this run placed before it);
otherwise its story is its own `cluster_id`. Copies take their cluster's `story_id`.
Older articles are never re-pointed (that would chain a long-running topic into one
story); their `related_ids` are not updated either: the link is stored on the newer
article and `story_id` groups both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.index.documents import language_field

log = logging.getLogger(__name__)

RELATED_THRESHOLD = Settings.related_threshold  # the defaults of the settings
WINDOW_DAYS = Settings.related_window_days
CANDIDATES = 10
MAX_QUERY_TERMS = 100  # 25 (the default) missed 5 of 16 related pairs entirely, 100 none
# `related_max_doc_share` is Lucene's MoreLikeThis `maxDocFreqPct`, which Elasticsearch does not
# expose: a term in more than that share of the index says little about one event, yet its
# postings are the longest, so with it each query cost in proportion to the index (14-25 ms an
# article at 10k indexed when a burst of 10k articles fell in one window; 3.5 ms without).
# Decisions with and without it: docs/dedupe.md.
MAX_DOC_SHARE = Settings.related_max_doc_share
MIN_DOC_FREQ_CAP = 100  # a small index keeps its terms: its statistics are too thin to judge
MAX_RELATED = 5
BATCH = 50
_FIELDS = ["id", "cluster_id", "is_canonical", "language", "published_at", "story_id", "related_ids"]


def _parse(date: str | None) -> datetime | None:
    if not date:
        return None
    try:
        return datetime.fromisoformat(str(date).replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None


def doc_freq_cap(client: Elasticsearch, index: str, share: float = MAX_DOC_SHARE) -> int | None:
    """`max_doc_freq` of the MLT queries on `index`: `share` of its documents, at least the floor;
    None (no cap) when `share` is 0."""
    if share <= 0:
        return None
    count = int(client.count(index=index).body.get("count") or 0)
    return max(MIN_DOC_FREQ_CAP, int(count * share))


def mlt_query(
    index: str,
    rec: dict[str, Any],
    *,
    days: float,
    candidates: int = CANDIDATES,
    max_doc_freq: int | None = None,
) -> dict[str, Any]:
    """The MLT search body for one article (itself included, for the self score).

    No total hit count is asked for (`track_total_hits`): the engine may then skip documents
    that cannot reach the top hits. Same hits and scores (checked on 300 articles at 10k and
    100k indexed); 5-40% less time a query (benchmarks/RESULTS.md, issue 21).
    """
    own_cluster = rec.get("cluster_id") or rec["id"]
    filters: list[dict[str, Any]] = [
        {"term": {"language": rec.get("language") or "und"}},
        {"bool": {"should": [{"term": {"is_canonical": True}}, {"ids": {"values": [rec["id"]]}}]}},
    ]
    when = _parse(rec.get("published_at"))
    if when is not None and days > 0:
        span = {
            "gte": (when - timedelta(days=days)).isoformat(),
            "lte": (when + timedelta(days=days)).isoformat(),
        }
        filters.append(
            {
                "bool": {
                    "should": [
                        {"range": {"published_at": span}},
                        {"bool": {"must_not": {"exists": {"field": "published_at"}}}},
                    ]
                }
            }
        )
    like: dict[str, Any] = {
        "fields": [language_field("text", rec.get("language") or "")],
        "like": [{"_index": index, "_id": rec["id"]}],
        "min_term_freq": 1,
        "min_doc_freq": 1,
        "max_query_terms": MAX_QUERY_TERMS,
        "include": True,
    }
    if max_doc_freq is not None:
        like["max_doc_freq"] = max_doc_freq
    return {
        "query": {
            "bool": {
                "must": {"more_like_this": like},
                "filter": filters,
                "must_not": {
                    "bool": {
                        "filter": {"term": {"cluster_id": own_cluster}},
                        "must_not": {"ids": {"values": [rec["id"]]}},
                    }
                },
            }
        },
        "size": candidates + 1,
        "track_total_hits": False,
        "_source": _FIELDS,
    }


def scores_from_hits(self_id: str, hits: list[dict[str, Any]]) -> dict[str, float]:
    """`{candidate id: score / self score}`; empty when the article itself is not among the hits."""
    own = next((h.get("_score") or 0.0 for h in hits if h["_id"] == self_id), 0.0)
    if own <= 0:
        return {}
    return {h["_id"]: round(min(1.0, (h.get("_score") or 0.0) / own), 4) for h in hits if h["_id"] != self_id}


def assign_stories(
    run: dict[str, dict[str, Any]],
    others: dict[str, dict[str, Any]],
    scores: dict[tuple[str, str], float],
    threshold: float,
) -> dict[str, tuple[str, list[str]]]:
    """`{run article id: (story_id, related ids)}` (see the module docstring for the rule).

    `run` are this run's cluster starters, `others` the candidates from earlier runs, and
    `scores` the pair scores (a pair of two run articles in both orders).
    """
    # by article, so that each article reads its own pairs (a scan of all pairs per article
    # was quadratic: ~5 minutes of a 10k-article run on the real engine)
    best: dict[str, dict[str, float]] = {}
    for (a, b), s in scores.items():
        if a != b:
            mine = best.setdefault(a, {})
            mine[b] = max(mine.get(b, 0.0), s, scores.get((b, a), 0.0))
    story: dict[str, str] = {i: (r.get("story_id") or r.get("cluster_id") or i) for i, r in others.items()}
    out: dict[str, tuple[str, list[str]]] = {}
    for aid in sorted(run, key=lambda i: (str(run[i].get("published_at") or "~"), i)):
        related = sorted(
            ((s, b) for b, s in best.get(aid, {}).items() if s >= threshold),
            key=lambda t: (-t[0], t[1]),
        )
        placed = [(s, b) for s, b in related if b in story]
        story[aid] = story[placed[0][1]] if placed else (run[aid].get("cluster_id") or aid)
        out[aid] = (story[aid], [b for _, b in related[:MAX_RELATED]])
    return out


def link_related(
    client: Elasticsearch,
    settings: Settings,
    ids: Iterable[str],
    *,
    threshold: float | None = None,
    days: float | None = None,
    candidates: int = CANDIDATES,
    index: str | None = None,
) -> int:
    """Set `story_id` and `related_ids` on the written articles `ids`; returns documents updated.

    `threshold` and `days` default to the settings `related_threshold` and `related_window_days`;
    `index` defaults to the aliases (the reindex passes the version it is building, unaliased).
    """
    from newsflow.index.store import update_fields

    threshold = settings.related_threshold if threshold is None else threshold
    days = settings.related_window_days if days is None else days
    alias = index or settings.index_alias
    records = _get_records(client, alias, list(dict.fromkeys(i for i in ids if i)))
    starters = {i: r for i, r in records.items() if (r.get("cluster_id") or i) == i}
    cap = doc_freq_cap(client, alias, settings.related_max_doc_share) if starters else None
    scores, others = _score_starters(client, alias, starters, days, candidates, cap)
    placed = assign_stories(starters, others, scores, threshold)
    # copies take their cluster's story (the starter may be this run's or an older one)
    roots = {r.get("cluster_id") for i, r in records.items() if i not in starters}
    placed.update(_stories_of(client, alias, sorted(c for c in roots if c and c not in placed)))
    changed = update_fields(client, index or settings.write_alias, _updates(records, starters, placed))
    log.info(
        "related coverage: %d of %d article(s) linked to another story",
        sum(1 for v in placed.values() if v[1]),
        len(starters),
    )
    return changed


def _get_records(client: Elasticsearch, alias: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The indexed articles `ids` (the fields related coverage reads), by id."""
    records: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), BATCH):
        resp = client.mget(index=alias, ids=ids[start : start + BATCH], source_includes=_FIELDS)
        records.update(
            {d["_id"]: {**d["_source"], "id": d["_id"]} for d in resp.body["docs"] if d.get("found")}
        )
    return records


def _score_starters(
    client: Elasticsearch,
    alias: str,
    starters: dict[str, dict[str, Any]],
    days: float,
    candidates: int,
    cap: int | None,
) -> tuple[dict[tuple[str, str], float], dict[str, dict[str, Any]]]:
    """Pair scores of the cluster starters against their MLT candidates, and the candidates from
    earlier runs; one msearch per `BATCH` starters."""
    scores: dict[tuple[str, str], float] = {}
    others: dict[str, dict[str, Any]] = {}
    order = sorted(starters)
    for start in range(0, len(order), BATCH):
        chunk = order[start : start + BATCH]
        searches: list[dict[str, Any]] = []
        for aid in chunk:
            query = mlt_query(alias, starters[aid], days=days, candidates=candidates, max_doc_freq=cap)
            searches += [{"index": alias}, query]
        responses = client.msearch(searches=searches).body["responses"]
        for aid, resp in zip(chunk, responses, strict=True):
            hits = (resp.get("hits") or {}).get("hits") or []
            for bid, s in scores_from_hits(aid, hits).items():
                scores[(aid, bid)] = s
            for h in hits:
                if h["_id"] not in starters:
                    others.setdefault(h["_id"], {**(h.get("_source") or {}), "id": h["_id"]})
    return scores, others


def _stories_of(
    client: Elasticsearch, alias: str, cluster_ids: list[str]
) -> dict[str, tuple[str, list[str]]]:
    """The story of each indexed cluster starter `cluster_ids` (for copies whose starter is older)."""
    if not cluster_ids:
        return {}
    resp = client.mget(index=alias, ids=cluster_ids, source_includes=_FIELDS)
    return {
        d["_id"]: (d["_source"].get("story_id") or d["_source"].get("cluster_id") or d["_id"], [])
        for d in resp.body["docs"]
        if d.get("found")
    }


def _updates(
    records: dict[str, dict[str, Any]],
    starters: dict[str, dict[str, Any]],
    placed: dict[str, tuple[str, list[str]]],
) -> dict[str, dict[str, Any]]:
    """The `story_id`/`related_ids` changes to write: only where they differ from the index."""
    updates: dict[str, dict[str, Any]] = {}
    for i, rec in records.items():
        if i in starters:
            story_id, related = placed[i]
        else:
            cluster = rec.get("cluster_id") or i
            story_id, related = (placed.get(cluster) or (cluster, []))[0], []
        if rec.get("story_id") != story_id or list(rec.get("related_ids") or []) != related:
            updates[i] = {"story_id": story_id, "related_ids": related}
    return updates
