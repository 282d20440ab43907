"""Headline, publication date and authors as a user sees them (issue 17, defects 5-7)."""

from __future__ import annotations

import json

import pytest

from newsflow.clean import clean_item
from newsflow.clean.html import extract_html, parse_html
from newsflow.clean.metadata import choose_published, clean_authors, iso_value, strip_site
from newsflow.models import RawItem

BODY = " ".join(
    f"Sentence {i} of the story tells readers what the council decided about the river and the bridge."
    for i in range(12)
)


def page(head: str = "", body_top: str = "", ld: dict | None = None) -> str:
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld else ""
    return (
        f"<!DOCTYPE html><html lang='en'><head>{head}{script}</head><body>{body_top}"
        f"<article><p>{BODY}</p><p>{BODY}</p></article></body></html>"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-05-03", "2020-05-03"),
        ("2020-05-03T10:15:00", "2020-05-03T10:15:00"),  # no offset stated: no UTC invented
        ("2020-05-03T10:15:00+02:00", "2020-05-03T10:15:00+02:00"),
        ("2020-05-03T10:15:00Z", "2020-05-03T10:15:00+00:00"),
        ("2020-05-03T00:00:00+00:00", "2020-05-03"),  # a CMS's way of writing a date alone
        ("Sun, 03 May 2020 10:15:00 +0200", "2020-05-03T10:15:00+02:00"),
        ("May 3, 2020", "2020-05-03"),
        ("1970-01-01", None),
        ("not a date", None),
    ],
)
def test_iso_value_keeps_the_stated_precision(value: str, expected: str | None) -> None:
    assert iso_value(value) == expected


def test_jsonld_with_offset_beats_offsetless_meta_and_image_dates() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "ImageObject", "datePublished": "2019-01-01T08:00:00+00:00"},
            {"@type": "NewsArticle", "headline": "Council backs the bridge", "datePublished": "2020-05-03T10:15:00+02:00",
             "dateModified": "2020-05-04T09:00:00+02:00"},
        ],
    }  # fmt: skip
    html = page('<meta property="article:published_time" content="2020-05-03T10:15:00">', ld=ld)
    ext = extract_html(html, "https://news.example/a")
    assert ext.published_at == "2020-05-03T10:15:00+02:00"
    assert ext.updated_at == "2020-05-04T09:00:00+02:00"


def test_date_only_page_stays_a_date() -> None:
    html = page('<meta property="article:published_time" content="2020-05-03">')
    assert extract_html(html, "https://news.example/a").published_at == "2020-05-03"


def test_an_instant_on_the_shown_day_keeps_its_time() -> None:
    """23:01 UTC is 00:01 the next day in Rome: the same instant, written on the day the page shows."""
    assert choose_published(["2023-11-01T23:01:00+00:00"], "2023-11-02") == "2023-11-02T00:01:00+01:00"
    assert choose_published(["2023-11-09T03:30:00+00:00"], "2023-11-08") == "2023-11-08T23:30:00-04:00"


def test_the_publishers_own_offset_names_the_day_over_coarser_copies() -> None:
    """htmldate's day rests on a date alone or a UTC copy of the instant: the local rendering wins."""
    local = "2021-03-05T03:10:00-05:00"  # 08:10 UTC on the 5th; 22:10 on the 4th at UTC-10
    assert choose_published([local, "2021-03-04"], "2021-03-04") == local
    utc_copy = "2021-03-05T02:10:00+00:00"
    evening = "2021-03-04T21:10:00-05:00"  # the same instant, in the site's offset
    assert choose_published([utc_copy, evening], "2021-03-05") == evening


def test_a_local_statement_on_the_days_side_keeps_the_day() -> None:
    """Another instant (a comment's time), a local time or a date no zone reaches: htmldate's day stays."""
    comment = "2021-03-06T01:10:00+01:00"
    assert (
        choose_published(["2021-03-05T05:00:00+00:00", comment], "2021-03-05") == "2021-03-05T05:00:00+00:00"
    )
    both_local = ["2021-03-05T18:00:00+01:00", "2021-03-06T07:30:00+01:00"]
    assert choose_published(both_local, "2021-03-06") == both_local[1]
    local_time = ["2021-03-05T03:10:00-05:00", "2021-03-04T22:10:00"]
    assert choose_published(local_time, "2021-03-04") == local_time[1]
    far = ["2021-03-07T12:00:00+01:00", "2021-03-04"]  # no zone puts it on the 4th
    assert choose_published(far, "2021-03-04") == "2021-03-04"


def test_an_extracted_page_keeps_the_time_its_own_offset_states() -> None:
    html = page(
        '<meta name="dc.date" content="2021-03-04">',
        ld={"@type": "NewsArticle", "datePublished": "2021-03-05T03:10:00-05:00"},
    )
    assert extract_html(html, "https://news.example/a").published_at == "2021-03-05T03:10:00-05:00"


def test_a_conflict_no_time_zone_explains_keeps_the_day() -> None:
    assert choose_published(["2019-09-22T07:30:29+00:00"], "2019-06-28") == "2019-06-28"
    assert choose_published(["2023-11-01T12:43:42"], "2023-01-11") == "2023-11-01T12:43:42"  # local time


def test_a_publication_stamp_soon_after_the_urls_day_wins() -> None:
    """The URL was minted when the story was drafted; the page says when it went out."""
    stamp = ["2020-07-09T10:04:04+00:00"]
    assert choose_published(stamp, "2020-07-08", url_day="2020-07-08") == stamp[0]
    assert choose_published(stamp, "2020-07-08") == "2020-07-08"  # the day is not the URL's
    years_later = ["2019-06-17T18:28:00+02:00"]  # a re-publication: the URL's day stands
    assert choose_published(years_later, "2017-07-12", url_day="2017-07-12") == "2017-07-12"


def test_modified_date_is_never_the_publication_date() -> None:
    html = page(
        '<meta property="article:modified_time" content="2021-02-02T10:00:00+01:00">'
        '<meta property="article:published_time" content="2021-01-15T08:00:00+01:00">'
    )
    ext = extract_html(html, "https://news.example/a")
    assert ext.published_at == "2021-01-15T08:00:00+01:00"
    assert ext.updated_at == "2021-02-02T10:00:00+01:00"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Council backs the bridge | The Gazette", "Council backs the bridge"),
        ("Council backs the bridge - The Gazette", "Council backs the bridge"),
        ("Council backs the bridge:The Gazette", "Council backs the bridge"),
        ("The Gazette | Council backs the bridge", "Council backs the bridge"),
        ("Council backs the bridge | Politics", "Council backs the bridge | Politics"),  # not the site
        ("Brexit: what happens next", "Brexit: what happens next"),
    ],
)
def test_site_name_is_stripped_from_titles(title: str, expected: str) -> None:
    assert strip_site(title, ["The Gazette", "gazette.example"]) == expected


def test_headline_before_social_title() -> None:
    head = '<title>Bridge vote: council says yes | The Gazette</title><meta property="og:title" content="You won\'t believe what the council did">'
    ld = {"@type": "NewsArticle", "headline": "Bridge vote: council says yes"}
    ext = extract_html(page(head, ld=ld), "https://gazette.example/a")
    assert ext.title == "Bridge vote: council says yes"
    # Without JSON-LD, the page's own <h1> (it matches the page's title) wins over og:title.
    ext = extract_html(page(head, "<h1>Bridge vote: council says yes</h1>"), "https://gazette.example/a")
    assert ext.title == "Bridge vote: council says yes"


def test_social_title_loses_the_site_name() -> None:
    head = '<meta property="og:site_name" content="The Gazette"><meta property="og:title" content="Bridge vote: council says yes - The Gazette">'
    ext = extract_html(page(head), "https://gazette.example/a")
    assert ext.title == "Bridge vote: council says yes"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Smith, Jane"], ["Jane Smith"]),  # "Last, First" is one person
        (["Von Anna Müller"], ["Anna Müller"]),
        (["Autor: Max Mustermann"], ["Max Mustermann"]),
        (["By Jane Doe and John Roe"], ["Jane Doe", "John Roe"]),
        (["Ursula von der Leyen"], ["Ursula von der Leyen"]),
        (["The Gazette"], []),  # the site is not an author
        (["Gazette Media GmbH"], []),  # nor is an organisation
        (["Redaktion"], []),
        (["Bundesministerium für Wirtschaft und Klimaschutz"], []),  # not two people
        (["https://www.facebook.com/jane.doe"], []),
        (["HILLEL ITALIE, AP National Writer"], ["HILLEL ITALIE"]),  # a role is nobody's name
        (["User"], []),
        (["PP"], []),
        (["Авторы Дмитрий Попов"], ["Дмитрий Попов"]),
        (["Eine realistische Interpretation des Modells"], []),  # a phrase, not a name
        (["Newsdesk"], []),
    ],
)
def test_authors_are_people(values: list[str], expected: list[str]) -> None:
    assert clean_authors(values, ["The Gazette", "gazette.example"]) == expected


def test_organisation_author_in_jsonld_is_dropped() -> None:
    ld = {"@type": "NewsArticle", "headline": "Bridge vote",
          "author": [{"@type": "Organization", "name": "Gazette Online"}, {"@type": "Person", "name": "Jane Doe"}]}  # fmt: skip
    article = clean_item(RawItem(source="g", url="https://gazette.example/a", body=page(ld=ld)))
    assert article.authors == ["Jane Doe"]


def test_comments_inside_paragraphs_do_not_cut_the_text() -> None:
    """Server-rendered React pages put <!-- --> between text runs."""
    para = (
        "The council met on Monday<!-- --> and agreed<!-- --> a plan for the new bridge after a long debate."
    )
    html = f"<html><body><article><p>{para}</p><p>{BODY}</p></article></body></html>"
    ext = extract_html(html, "https://news.example/a")
    assert "and agreed a plan for the new bridge after a long debate." in ext.text


def test_xml_declaration_page_is_parsed() -> None:
    html = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<html><body><article><p>{BODY}</p></article></body></html>'
    )
    article = clean_item(RawItem(source="x", url="https://news.example/a", body=html))
    assert not article.rejected and article.text.startswith("Sentence 0")
    assert parse_html(html) is not None


JA_PARAGRAPHS = [
    "市議会は月曜日、新しい図書館の建設計画を賛成多数で可決した。",
    "市長は記者会見で、図書館は三年後に開館する予定だと述べた。",
    "建設費は約四十億円で、国の補助金と市の予算でまかなわれるという。",
    "市民からは、子どもたちが安心して勉強できる場所ができると歓迎する声が上がった。",
]


def test_one_word_counter_for_unspaced_scripts() -> None:
    """Issue 17 defect 4: the quality gate split on whitespace ("N of N lines are headline-like")."""
    from newsflow.clean.normalize import count_words as clean_count
    from newsflow.enrich import word_count
    from newsflow.wordcount import count_words

    sentence = JA_PARAGRAPHS[0]
    assert count_words(sentence) == clean_count(sentence) == word_count(sentence) == 15
    assert count_words("สวัสดีครับ") == 3 and count_words("Don't re-fetch, anti-IS") == 3
    body = "".join(f"<p>{p}</p>" for p in JA_PARAGRAPHS * 3)
    html = f"<html lang='ja'><head><title>図書館</title></head><body><article>{body}</article></body></html>"
    article = clean_item(RawItem(source="ja", url="https://ja.example/1", body=html))
    assert not article.rejected, article.reason
    assert count_words(article.text) > 100
