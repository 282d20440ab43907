"""Interstitials are rejected before hashing, so they never merge unrelated stories into one cluster."""

from __future__ import annotations

import pytest
from dedupe_helpers import Run, stored
from elasticsearch import Elasticsearch

from newsflow.config import Settings
from newsflow.dedupe import estimate_jaccard, signature
from newsflow.dedupe.minhash import is_near_duplicate
from newsflow.models import RawItem
from newsflow.pipeline import clean_batch

pytestmark = pytest.mark.integration

WALLS = {
    "cookie consent": (
        "We value your privacy. We and our partners use cookies and similar technologies to store and access "
        "information on your device, to personalise ads and content, to measure ads and content and to develop "
        "our services. You can accept all cookies, reject all, or manage your cookie preferences at any time "
        "in the cookie settings at the bottom of every page. Accept all. Reject all. Manage settings."
    ),
    "captcha": (
        "Please verify you are a human. Our systems have detected unusual traffic from your computer network. "
        "Complete the security check below to continue to the page you requested. Press and hold the button "
        "until it turns green. If you believe this is an error, contact our support team with the reference "
        "number shown below and we will restore your access as soon as we can."
    ),
    "paywall": (
        "Subscribe now to continue reading. This article is only available to subscribers. Already a "
        "subscriber? Log in to read the full story and the rest of our journalism on any device. Become a "
        "member to read unlimited articles, get our morning newsletter and support independent reporting in "
        "the region. Plans start at a few coins a week and you can cancel any time online."
    ),
}
TEASERS = [
    "Portmerrow ferry suspended after cracks found in ramp",
    "Varden valley growers brace for smallest apple harvest in decades",
    "Lanfirth council approves new tram line to the university",
]


def _page(title: str, wall: str) -> str:
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1><div><p>{wall}</p></div></body></html>"


@pytest.mark.parametrize("kind", sorted(WALLS))
def test_walls_of_unrelated_stories_are_rejected_and_never_clustered(
    kind: str, run: Run, client: Elasticsearch, settings: Settings
) -> None:
    wall = WALLS[kind]
    raws = [
        RawItem(
            source="walls",
            url=f"https://walled.example/story/{n}",
            kind="html",
            body=_page(t, wall),
            content_type="text/html",
        )
        for n, t in enumerate(TEASERS)
    ]
    # Why the gate must come first: the walls' texts are near-duplicates of each other.
    (a, na), (b, nb) = signature(f"{TEASERS[0]}. {wall}"), signature(f"{TEASERS[1]}. {wall}")
    assert is_near_duplicate(estimate_jaccard(a, b), na, nb)

    articles, _ = clean_batch(raws, settings)
    assert [x.reason for x in articles] == [f"interstitial: {kind}"] * 3
    final = run("run-1", {"walls": articles})
    assert all(x.status == "rejected" and not x.cluster_id and not x.minhash for x in final.values())
    assert stored(client, settings) == {}
