from __future__ import annotations

import os
import re
from html import unescape

import pytest
import requests

from newsflow.demo_site import BASE_URL_ENV, DEMO_SITE, serve_demo, serve_site
from newsflow.fetch.feeds import parse_feed
from newsflow.fetch.files import read_paths
from newsflow.sources import load_sources

OUTLETS = ("harbour-herald", "courrier-du-port", "hafenbote", "coastal-wire-daily")
INTERSTITIAL = "/hafenbote/artikel/2026/11/20/hafenfest-bilanz-veranstalter.html"


@pytest.fixture(scope="module")
def site():
    with serve_site(DEMO_SITE) as base_url:
        yield base_url


def _body_text(html: str) -> str:
    m = re.search(r'<div class="article-body">(.*?)</div>', html, re.S)
    assert m, "no article body"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", m.group(1)))).strip()


def test_feeds_parse_and_links_resolve(site):
    total = 0
    with requests.Session() as session:
        for outlet in OUTLETS:
            resp = session.get(f"{site}/{outlet}/feed.xml", timeout=5)
            assert resp.status_code == 200
            assert "{{BASE_URL}}" not in resp.text
            entries = parse_feed(resp.content, resp.url)
            assert 3 <= len(entries) <= 5, outlet
            for entry in entries:
                assert entry.link.startswith(f"{site}/{outlet}/")
                assert entry.title and entry.published.startswith("2026-11-20")
                page = session.get(entry.link, timeout=5)
                assert page.status_code == 200, entry.link
                assert page.headers["Content-Type"].startswith("text/html")
                assert "{{BASE_URL}}" not in page.text
                total += 1
    assert total == 15


def test_article_pages_have_metadata(site):
    for path in DEMO_SITE.rglob("*.html"):
        rel = "/" + path.relative_to(DEMO_SITE).as_posix()
        if rel == INTERSTITIAL:
            continue
        html = requests.get(site + rel, timeout=5).text
        assert re.search(r'<html lang="[a-z]{2}', html)
        assert f'<link rel="canonical" href="{site}{rel}">' in html
        assert 'property="article:published_time" content="2026-11-20T' in html
        assert 'property="og:title"' in html
        words = len(_body_text(html).split())
        assert 140 <= words <= 400, (rel, words)


def test_syndicated_and_copied_stories():
    def body(rel):
        return _body_text((DEMO_SITE / rel).read_text(encoding="utf-8"))

    original = body("harbour-herald/news/2026/11/20/old-basin-dredging-to-begin.html")
    copy = body("coastal-wire-daily/partners/2026/11/20/old-basin-dredging.html")
    assert original == copy  # verbatim republication under another URL

    wire_a = body("harbour-herald/news/2026/11/20/ferry-operators-fuel-sharing-pact.html")
    wire_b = body("coastal-wire-daily/business/2026/11/20/narrow-sea-ferries-pool-fuel.html")
    assert wire_a != wire_b and "(CPA)" in wire_a and "(CPA)" in wire_b
    (wire_c,) = [i for i in read_paths([DEMO_SITE.parent / "archive"]) if "ferry-firms" in i.url]
    assert "(CPA)" in wire_c.body

    def shingles(text):
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}

    for other in (wire_b, wire_c.body):
        a, b = shingles(wire_a), shingles(other)
        assert 0.5 < len(a & b) / len(a | b) < 1.0


def test_interstitial_is_consent_only(site):
    html = requests.get(site + INTERSTITIAL, timeout=5).text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1]))
    assert "Cookies" in text and len(text.split()) < 40


def test_archive_folder_reads(repo_root):
    items = list(read_paths([DEMO_SITE.parent / "archive"], source="bayside_archive"))
    assert len(items) == 4
    assert not any(i.error for i in items)
    assert {i.kind for i in items} == {"text", "html"}


def test_serve_demo_sets_env_and_sources_expand(repo_root):
    before = os.environ.get(BASE_URL_ENV)
    with serve_demo() as base_url:
        assert os.environ[BASE_URL_ENV] == base_url
        sources = load_sources(repo_root / "include" / "sources.yaml")
        rss = [s for s in sources if s.type == "rss"]
        assert len(rss) == 4
        for s in rss:
            assert s.url.startswith(base_url)
            assert requests.get(s.url, timeout=5).status_code == 200
    assert os.environ.get(BASE_URL_ENV) == before


def test_missing_file_is_404(site):
    assert requests.get(site + "/nope.html", timeout=5).status_code == 404
