"""Identity, exact copies and near-duplicates hold across DAG runs (the index is the only state)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dedupe_helpers import Run, seed_article, stored
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.dedupe import doc_id
from newsflow.index.search import search
from newsflow.models import Article

pytestmark = pytest.mark.integration

FERRY = (
    "The harbour authority of Portmerrow suspended the night ferry to the Skerry Isles on Monday after "
    "inspectors found cracks in the loading ramp of the terminal. About four hundred passengers a night use "
    "the crossing, most of them islanders returning from work on the mainland. The authority said a "
    "temporary ramp would be towed from Lanfirth by Thursday and that tickets already sold would be refunded."
)
ORCHARD = (
    "Apple growers in the Varden valley expect their smallest harvest in twenty years after a late frost in "
    "April killed most of the blossom. The growers' cooperative said it would buy fruit from neighbouring "
    "regions to keep its cider press running, and asked the regional council for help with the cost of "
    "frost fans, which only a handful of farms could afford this spring."
)


def art(url: str, text: str, source: str = "portmerrow_post", **kw: object) -> Article:
    return Article(url=url, source=source, text=text, title=text.split(".")[0][:70], **kw)  # type: ignore[arg-type]


def test_refetch_unchanged_and_updated_across_runs(
    run: Run, client: Elasticsearch, settings: Settings
) -> None:
    first = run(
        "run-1",
        {
            "portmerrow_post": [
                art("https://www.portmerrow-post.example/ferry", FERRY),
                art("https://portmerrow-post.example/orchard", ORCHARD),
            ]
        },
    )
    assert [a.status for a in first.values()] == ["new", "new"]
    changed = ORCHARD.replace("twenty years", "twenty-five years")
    again = run(
        "run-2",
        {
            "portmerrow_post": [
                # the same page through an AMP/mobile link with trackers: same document
                art("https://m.portmerrow-post.example/ferry/amp/?utm_source=rss&fbclid=x#top", FERRY),
                art("https://portmerrow-post.example/orchard/", changed),
            ]
        },
    )
    statuses = {a.url.split("/")[3].split("?")[0]: a.status for a in again.values()}
    assert statuses == {"ferry": "unchanged", "orchard": "updated"}
    docs = stored(client, settings)
    assert len(docs) == 2
    assert docs[doc_id("https://portmerrow-post.example/orchard")]["text"] == changed
    # re-running the interval changes no counts
    rerun = run(
        "run-2",
        {
            "portmerrow_post": [
                art("https://portmerrow-post.example/ferry", FERRY),
                art("https://portmerrow-post.example/orchard", changed),
            ]
        },
    )
    assert [a.status for a in rerun.values()] == ["unchanged", "unchanged"]
    assert len(stored(client, settings)) == 2


def test_exact_copy_a_day_later_is_linked_to_the_original(
    run: Run, client: Elasticsearch, settings: Settings
) -> None:
    run("run-1", {"portmerrow_post": [art("https://portmerrow-post.example/ferry", FERRY)]})
    copy_url = "https://skerry-times.example/news/ferry-suspended?ref=home"
    second = run("run-2", {"skerry_times": [art(copy_url, FERRY.upper(), source="skerry_times")]})
    copy = second[copy_url]
    original = doc_id("https://portmerrow-post.example/ferry")
    assert (copy.status, copy.reason) == ("duplicate", f"exact: copy of {original}")
    docs = stored(client, settings)
    assert list(docs) == [original]
    assert docs[original]["also_urls"] == [copy_url]


def test_syndicated_copy_a_day_later_joins_the_first_runs_cluster(
    run: Run, client: Elasticsearch, settings: Settings, seed_files: list[Path]
) -> None:
    s = {p.name[:3]: p for p in seed_files}
    day1 = run(
        "day-1",
        {
            "aljazeera": [seed_article(s["000"], "https://aljazeera.example/a/000", "aljazeera")],
            "digital_journal": [seed_article(s["004"], "https://dj.example/a/004", "digital_journal")],
        },
    )
    day2 = run(
        "day-2",
        {
            "dawn": [seed_article(s["001"], "https://dawn.example/a/001", "dawn")],
            "arab_today": [seed_article(s["002"], "https://arabtoday.example/a/002", "arab_today")],
            "digital_journal": [seed_article(s["003"], "https://dj.example/a/003", "digital_journal")],
        },
    )
    first = day1["https://aljazeera.example/a/000"]
    assert first.cluster_id == first.id and first.is_canonical
    for url in ("https://dawn.example/a/001", "https://arabtoday.example/a/002"):
        assert (day2[url].status, day2[url].cluster_id, day2[url].is_canonical) == ("new", first.id, False)
    other = day2["https://dj.example/a/003"]
    assert other.cluster_id == other.id != day1["https://dj.example/a/004"].cluster_id
    docs = stored(client, settings)
    assert len(docs) == 5 and len({d["cluster_id"] for d in docs.values()}) == 3

    # the search side: one hit per story, "also carried by", facets count articles and stories
    result = search(client, settings, "Albu Kamal")
    assert (result.total, result.stories) == (5, 3)
    story = next(h for h in result.hits if h.cluster_id == first.id)
    assert story.story_size == 3 and {o.id for o in story.also} == {
        day2[u].id for u in ("https://dawn.example/a/001", "https://arabtoday.example/a/002")
    }
    by_source = {b.key: (b.articles, b.stories) for b in result.facets["language"]}
    assert by_source == {"en": (5, 3)}
    # a third run of the same interval changes nothing
    again = run("day-2", {"dawn": [seed_article(s["001"], "https://dawn.example/a/001", "dawn")]})
    assert again["https://dawn.example/a/001"].status == "unchanged"
    assert len(stored(client, settings)) == 5
