"""Security: robots.txt with our User-Agent, http/https only, no credentials in errors or logs.

(Private, loopback and link-local addresses, redirects re-checked and the connected peer
checked are tested in tests/unit/fetch/test_fetch_http.py; plain-text indexed documents in
test_reliability_bad_input.py; logs and XCom of a whole DAG run in test_reliability_dag.py.)
"""

from __future__ import annotations

import dataclasses
import logging

import pytest

from newsflow.config import Settings
from newsflow.fetch import fetch_url, make_session, parse_feed

from .newsroom import Newsroom, article_html, send

ROBOTS = b"""User-agent: *
Disallow: /everyone-out/

User-agent: newsflow
Disallow: /not-for-newsflow/
Disallow: /redirected-out/
"""


@pytest.fixture
def site():
    with Newsroom(feeds=1, per_feed=3) as room:
        page = article_html(0, 0)
        room.routes["/robots.txt"] = lambda req, hit: send(req, 200, ROBOTS, "text/plain")
        for path in ("/not-for-newsflow/a.html", "/open/a.html", "/redirected-out/a.html"):
            room.routes[path] = lambda req, hit: send(req, 200, page)
        room.routes["/hop.html"] = lambda req, hit: send(
            req, 302, b"", "text/plain", {"Location": "/redirected-out/a.html"}
        )
        yield room


@pytest.fixture
def fsettings(tmp_path) -> Settings:
    return Settings(home=tmp_path, allow_private=True, fetch_retries=0, fetch_timeout=2.0)


def test_robots_rules_for_our_user_agent_apply(site, fsettings):
    with make_session(fsettings) as session:
        refused = fetch_url(session, site.base_url + "/not-for-newsflow/a.html", fsettings)
        allowed = fetch_url(session, site.base_url + "/open/a.html", fsettings)
        # Our group names us, so the `*` group does not apply to us (RFC 9309: the most specific group).
        everyone = fetch_url(session, site.base_url + "/everyone-out/none.html", fsettings)
    assert refused.error == (
        f"refused: robots.txt of {site.base_url} disallows /not-for-newsflow/a.html for User-Agent 'newsflow'"
    )
    assert allowed.ok and "<article>" in allowed.text
    assert everyone.error == "HTTP 404"
    assert site.hits["/not-for-newsflow/a.html"] == 0, "a disallowed page is never requested"
    assert site.hits["/robots.txt"] == 1, "robots.txt is fetched once per host and session"
    assert site.user_agents == {fsettings.user_agent}


def test_robots_checked_again_after_a_redirect(site, fsettings):
    with make_session(fsettings) as session:
        res = fetch_url(session, site.base_url + "/hop.html", fsettings)
    assert res.error.startswith("refused: robots.txt") and "/redirected-out/a.html" in res.error
    assert site.hits["/redirected-out/a.html"] == 0


def test_another_user_agent_follows_its_own_group(site, fsettings):
    other = dataclasses.replace(fsettings, user_agent="otherbot/2.0")
    with make_session(other) as session:
        assert fetch_url(session, site.base_url + "/not-for-newsflow/a.html", other).ok
        assert fetch_url(session, site.base_url + "/everyone-out/x.html", other).error.startswith("refused")


@pytest.mark.parametrize("status, outcome", [(404, "allowed"), (403, "allowed"), (503, "refused")])
def test_robots_unavailable_or_unreachable(site, fsettings, status, outcome):
    """RFC 9309: 4xx means no rules; 5xx means assume everything is disallowed (the task retries later)."""
    site.routes["/robots.txt"] = lambda req, hit: send(req, status, b"", "text/plain")
    with make_session(fsettings) as session:
        res = fetch_url(session, site.base_url + "/open/a.html", fsettings)
    if outcome == "allowed":
        assert res.ok
    else:
        assert (
            res.error
            == f"refused: robots.txt of {site.base_url} answered HTTP 503 (RFC 9309: treated as disallow all)"
        )
        assert site.hits["/open/a.html"] == 0


def test_only_http_and_https(fsettings, site):
    with make_session(fsettings) as session:
        for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "javascript:alert(1)"):
            assert fetch_url(session, url, fsettings).error.startswith("unsupported URL scheme"), url
    feed = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>a</title><link>file:///etc/passwd</link></item>"
        b"<item><title>b</title><link>javascript:alert(1)</link></item>"
        b"<item><title>c</title><link>/ok.html</link></item></channel></rss>"
    )
    entries = parse_feed(feed, site.base_url + "/feed.xml")
    assert [e.link for e in entries] == [site.base_url + "/ok.html"]


def test_elasticsearch_password_not_in_errors_or_logs(tmp_path, caplog, proxy):
    """Elasticsearch down: the error names the server, never the credentials (not even in debug logs)."""
    from newsflow.index import make_client
    from newsflow.pipeline import SearchUnavailable, index_stage

    secret = "pw-Tern-51c2-never-log-me"
    settings = Settings(
        home=tmp_path,
        es_url=proxy.url,
        es_embedded=True,
        es_username="elastic",
        es_password=secret,
        index_alias="secretcheck",
    )
    proxy.stop()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SearchUnavailable) as err:
        index_stage([], settings, "run-1", make_client(settings))
    assert proxy.url in str(err.value)
    assert secret not in str(err.value) and secret not in repr(err.value.__cause__)
    assert caplog.records and secret not in caplog.text
