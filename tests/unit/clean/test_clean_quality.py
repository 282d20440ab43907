"""The quality gate: binary payloads, interstitials, index pages, short texts; readable reasons."""

from __future__ import annotations

import pytest

from newsflow.clean import clean_item
from newsflow.clean.quality import check_not_text, check_too_short, detect_index_page, detect_interstitial
from newsflow.config import Settings
from newsflow.models import RawItem

PARA = (
    "The council voted on Tuesday to rebuild the old bridge across the river, ending a debate that had "
    "divided the town for more than ten years and delayed other projects in the district."
)


def html_item(body: str, **kw: object) -> RawItem:
    return RawItem(source="ex", url="https://example.com/a", kind="html", body=body, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "ctype", "reason"),
    [("%PDF-1.7\n...", "", "not_text: PDF document"),
     ("\x89PNG\r\n\x1a\n....", "", "not_text: PNG image"),
     ("abc", "image/jpeg", "not_text: content type image/jpeg"),
     ("\x00\x01\x02\x03" * 50, "application/octet-stream", "not_text: binary content")],
)  # fmt: skip
def test_not_text(body: str, ctype: str, reason: str) -> None:
    result = check_not_text(body, ctype)
    assert result is not None and result.startswith(reason)
    article = clean_item(RawItem(source="ex", url="u", body=body, content_type=ctype))
    assert article.rejected and article.reason.startswith(reason)


def test_text_content_types_pass() -> None:
    assert check_not_text("<html></html>", "text/html; charset=utf-8") is None
    assert check_not_text('{"a": 1}', "application/json") is None


SHELL = ('<html><head><title>App</title></head><body><div id="root"></div>'
         "<noscript>You need to enable JavaScript to run this app.</noscript><script>boot()</script></body></html>")  # fmt: skip
COOKIE = ('<html><body><div class="consent"><h2>We value your privacy</h2><p>We use cookies and similar '
          "technologies to improve your experience. Our partners store and access information on your device."
          '</p><button>Accept all</button><button>Reject all</button><a href="/c">Cookie policy</a></div></body></html>')  # fmt: skip
ERROR = ('<html><head><title>Page not found</title></head><body><h1>404 - Page not found</h1><p>Sorry, the page '
         'you are looking for does not exist.</p><a href="/">Home</a></body></html>')  # fmt: skip
CAPTCHA = ("<html><head><title>Just a moment...</title></head><body><p>Checking your browser before accessing "
           "example.com.</p><p>Please complete the security check to access this site.</p></body></html>")  # fmt: skip
PAYWALL = (f"<html><head><title>Bridge vote</title></head><body><article><h1>Bridge vote</h1><p>{PARA}</p>"
           '<div class="paywall"><p>Subscribe to continue reading. Already a subscriber? Log in.</p></div>'
           "</article></body></html>")  # fmt: skip


@pytest.mark.parametrize(
    ("page", "reason"),
    [(SHELL, "interstitial: javascript required"), (COOKIE, "interstitial: cookie consent"),
     (ERROR, "interstitial: error page"), (CAPTCHA, "interstitial: captcha"), (PAYWALL, "interstitial: paywall")],
)  # fmt: skip
def test_interstitials(page: str, reason: str) -> None:
    article = clean_item(html_item(page))
    assert article.rejected
    assert article.reason == reason


def test_http_error_status() -> None:
    article = clean_item(html_item(f"<html><body><p>{PARA}</p></body></html>", status_code=404))
    assert article.reason == "interstitial: error page (HTTP 404)"


def test_long_article_mentioning_cookies_is_not_a_wall() -> None:
    text = " ".join([PARA] * 10) + " The bakery said we use cookies from an old family recipe."
    assert detect_interstitial(text, 300) is None


def test_index_page_by_shape_and_links() -> None:
    links = "".join(
        f'<li><a href="/s/{i}">Story number {i} about the economy and politics</a></li>' for i in range(30)
    )
    article = clean_item(
        html_item(f"<html><head><title>World</title></head><body><ul>{links}</ul></body></html>")
    )
    assert article.rejected and article.reason.startswith("index_page:")
    lines = [f"Headline number {i} about something" for i in range(12)]
    assert detect_index_page(lines) == "index_page: 12 of 12 lines are headline-like"
    assert detect_index_page([PARA] * 12) is None


def test_too_short_uses_settings() -> None:
    assert check_too_short(12, 40) == "too_short: 12 words < 40"
    raw = RawItem(source="ex", url="u", kind="text", body="Bridge vote\n\n" + PARA)
    article = clean_item(raw)
    assert article.reason == "too_short: 33 words < 40"
    # Rejected articles still carry their cleaned text and title (the CLI prints them).
    assert article.title == "Bridge vote" and article.text == PARA
    assert not clean_item(raw, Settings(min_words=20)).rejected


def test_empty_body() -> None:
    assert clean_item(RawItem(source="ex", url="u", kind="text", body="  \n")).reason == "no_text: empty body"
    assert clean_item(html_item("<html><body></body></html>")).reason.startswith("no_text")
