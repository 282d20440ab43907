"""Pure parts of the post-index steps: which clusters merge, which stories articles join."""

from __future__ import annotations

from newsflow.dedupe import signature
from newsflow.dedupe.merge import UnionFind, best_other_cluster, plan_merges
from newsflow.dedupe.related import assign_stories, mlt_query, scores_from_hits

TEXT = (
    "The harbour authority of Portmerrow suspended the night ferry to the Skerry Isles on Monday after "
    "inspectors found cracks in the loading ramp of the terminal, and about four hundred passengers a night "
    "now have no way home. The authority said a temporary ramp would be towed from Lanfirth by Thursday."
)
OTHER = (
    "Apple growers in the Varden valley expect their smallest harvest in twenty years after a late frost in "
    "April killed most of the blossom, and the cooperative asked the regional council for help with frost fans."
)


def rec(id: str, text: str, cluster: str = "", **kw: object) -> dict:
    mh, n = signature(text)
    return {"id": id, "cluster_id": cluster or id, "minhash": mh, "shingle_count": n, **kw}


def test_union_find_groups() -> None:
    uf = UnionFind()
    uf.union("b", "a")
    uf.union("c", "b")
    uf.union("x", "y")
    uf.find("lonely")
    assert sorted(uf.groups()) == [["a", "b", "c"], ["x", "y"]]


def test_best_other_cluster_verifies_and_ignores_own_cluster() -> None:
    me = rec("m", TEXT)
    copy = rec("c", TEXT + " Reporting by wire staff.", cluster="root")
    unrelated = rec("u", OTHER)
    assert best_other_cluster(me, [me, unrelated, copy]) == "root"
    assert best_other_cluster(me, [me, unrelated]) is None
    assert best_other_cluster({**me, "cluster_id": "root"}, [copy]) is None  # already together


def test_plan_merges_targets_the_earliest_first_article() -> None:
    roots = {
        "x": {"id": "x", "published_at": "2025-03-03T10:00:00Z"},
        "y": {"id": "y", "published_at": "2025-03-03T08:00:00Z"},
        "z": {"id": "z"},  # undated: sorts last
    }
    assert plan_merges([("x", "y"), ("z", "x")], roots) == {"x": "y", "z": "y"}
    # the same answer whichever worker computes it, in whatever order it saw the pairs
    assert plan_merges([("y", "z"), ("x", "z")], roots) == {"x": "y", "z": "y"}
    assert plan_merges([("a", "b")], {}) == {"b": "a"}  # roots unknown: by id


def test_scores_are_relative_to_the_article_itself() -> None:
    hits = [{"_id": "me", "_score": 8.0}, {"_id": "b", "_score": 4.0}, {"_id": "c", "_score": 1.0}]
    assert scores_from_hits("me", hits) == {"b": 0.5, "c": 0.125}
    assert scores_from_hits("me", hits[1:]) == {}  # no self score: nothing to compare with


def test_mlt_query_is_bounded_by_language_window_and_cluster() -> None:
    body = mlt_query(
        "news",
        {"id": "a", "cluster_id": "k", "language": "fr", "published_at": "2025-03-03T08:00:00Z"},
        days=2,
        candidates=7,
    )
    assert body["size"] == 8
    assert body["track_total_hits"] is False  # top hits only: the engine may skip the rest
    q = body["query"]["bool"]
    assert q["must"]["more_like_this"]["fields"] == ["text_fr"]
    assert {"term": {"language": "fr"}} in q["filter"]
    span = q["filter"][2]["bool"]["should"][0]["range"]["published_at"]
    assert span["gte"].startswith("2025-03-01T08") and span["lte"].startswith("2025-03-05T08")
    assert q["must_not"]["bool"]["filter"] == {"term": {"cluster_id": "k"}}
    undated = mlt_query("news", {"id": "a", "language": "en"}, days=2)
    assert len(undated["query"]["bool"]["filter"]) == 2  # no window without a date
    assert "max_doc_freq" not in undated["query"]["bool"]["must"]["more_like_this"]
    capped = mlt_query("news", {"id": "a", "language": "en"}, days=2, max_doc_freq=500)
    assert capped["query"]["bool"]["must"]["more_like_this"]["max_doc_freq"] == 500


def test_assign_stories_joins_placed_stories_in_date_order() -> None:
    run = {
        "a": {"id": "a", "cluster_id": "a", "published_at": "2025-03-03T08:00:00Z"},
        "b": {"id": "b", "cluster_id": "b", "published_at": "2025-03-03T12:00:00Z"},
        "c": {"id": "c", "cluster_id": "c", "published_at": "2025-03-04T08:00:00Z"},
    }
    old = {"o": {"id": "o", "cluster_id": "o", "story_id": "s-old"}}
    # b is related to a in one direction only; c to the old story better than to b
    scores = {("a", "b"): 0.1, ("b", "a"): 0.4, ("c", "o"): 0.6, ("c", "b"): 0.35}
    out = assign_stories(run, old, scores, threshold=0.3)
    assert out["a"] == ("a", ["b"])
    assert out["b"] == ("a", ["a"])
    assert out["c"] == ("s-old", ["o", "b"])
    assert assign_stories(run, old, scores, threshold=0.9)["b"] == ("b", [])
