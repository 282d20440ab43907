"""Canonical URLs and document ids."""

from __future__ import annotations

import re

import pytest

from newsflow.dedupe import canonicalize_url, doc_id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme/host case, www., default port, fragment, trailing slash
        ("HTTP://WWW.Example.COM:80/World/Story/#comments", "http://example.com/World/Story"),
        ("https://www.example.com:443/a/", "https://example.com/a"),
        ("https://example.com", "https://example.com"),
        ("https://example.com/", "https://example.com"),
        ("https://example.com:8443/a/", "https://example.com:8443/a"),
        # mobile and AMP hosts, AMP paths and parameters
        ("https://m.example.co.uk/news/story", "https://example.co.uk/news/story"),
        ("https://mobile.example.com/news/story", "https://example.com/news/story"),
        ("https://amp.theguardian.com/world/2017/nov/x", "https://theguardian.com/world/2017/nov/x"),
        ("https://example.com/news/story/amp", "https://example.com/news/story"),
        ("https://example.com/news/story/amp/", "https://example.com/news/story"),
        ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
        ("https://example.com/news/story?amp=1", "https://example.com/news/story"),
        ("https://example.com/news/story?outputType=amp&id=7", "https://example.com/news/story?id=7"),
        ("https://m.com/a", "https://m.com/a"),  # nothing left to register without the prefix
        # tracking parameters, any case; meaningful ones kept and sorted
        (
            "https://www.example.com/a?utm_source=rss&UTM_Medium=x&fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=tw&cmpid=5",
            "https://example.com/a",
        ),
        ("https://example.com/a?page=2&id=10&utm_campaign=x", "https://example.com/a?id=10&page=2"),
        ("https://example.com/a?q=a b&x=", "https://example.com/a?q=a+b&x="),
        ("  https://www.example.com/p%7ea  ", "https://example.com/p~a"),
        # local files from the CLI
        ("file:///tmp/A%20b.html#x", "file:///tmp/A%20b.html"),
        ("", ""),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "HTTP://WWW.Example.COM:80/World/Story/?b=2&a=1&utm_source=x#c",
        "https://amp.example.com/a/amp?amp=1",
        "file:///tmp/x.txt",
    ],
)
def test_canonicalize_is_idempotent(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


def test_variants_share_one_doc_id() -> None:
    variants = [
        "https://www.example.com/world/story-1?utm_source=twitter",
        "http://example.com/world/story-1/",
        "https://m.example.com/world/story-1#top",
        "https://amp.example.com/world/story-1/amp?amp=1",
    ]
    ids = {doc_id(canonicalize_url(u)) for u in variants}
    assert len(ids) == 1
    (the_id,) = ids
    assert re.fullmatch(r"[0-9a-f]{20}", the_id)
    assert the_id != doc_id(canonicalize_url("https://example.com/world/story-2"))


def test_doc_id_is_deterministic() -> None:
    # A fixed value: the id must never change between versions, or re-fetches would duplicate.
    assert doc_id("https://example.com/a") == doc_id("http://example.com/a")
    assert doc_id("https://example.com/a") == "24f6c94ae30b9b6fbbdc"  # sha1("example.com/a")[:20]
