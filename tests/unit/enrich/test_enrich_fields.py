"""Dates, outlet, agency, counts, and the enrich_article contract."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import newsflow.enrich.enrichers as enrich
from newsflow.enrich import enrich_article, reading_time, word_count
from newsflow.enrich.agency import agencies_in, merge_agencies
from newsflow.enrich.dates import dates_in_text, parse_datetime, published_date, text_date, updated_date
from newsflow.enrich.outlet import outlet, registered_domain, section_of, tld_country
from newsflow.models import Article

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
BODY = "The government announced on Tuesday a series of measures to support farmers hit by the drought."


# -- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By AFP     Nov 8, 2017 in World", "2017-11-08"),
        ("Published in Dawn, November 5th, 2017", "2017-11-05"),
        ("Updated 5 Nov 2017", "2017-11-05"),
        ("on 8 November 2017,", "2017-11-08"),
        ("Sept. 3, 2019", "2019-09-03"),
        ("2017-11-08", "2017-11-08"),
    ],
)
def test_dates_in_text(text: str, expected: str) -> None:
    assert [d.date().isoformat() for d in dates_in_text(text)] == [expected]


def test_impossible_dates_are_ignored() -> None:
    assert dates_in_text("31 Nov 2017 and Feb 30, 2020") == []


def test_text_date_prefers_announced_then_head_then_tail() -> None:
    filler = "Words of the story go here. " * 40
    assert text_date(
        "", f"{filler}\nOn 3 March 2019 it rained.\n{filler}\nPublished in Dawn, November 5th, 2017"
    ) == (datetime(2017, 11, 5, tzinfo=UTC))
    assert text_date("", f"By AFP Nov 8, 2017\n{filler}\nOn 3 March 2019 it rained. {filler}") == datetime(
        2017, 11, 8, tzinfo=UTC
    )
    # a date in the middle tells the story's events, not its publication
    assert text_date("", f"{filler}\nOn 3 March 2019 it rained.\n{filler}") is None
    assert text_date("", f"{filler}{filler}\nLast updated 4 May 2020") == datetime(2020, 5, 4, tzinfo=UTC)


def test_parse_datetime_is_aware() -> None:
    assert parse_datetime("2017-11-05T10:00:00") == datetime(2017, 11, 5, 10, tzinfo=UTC)
    assert parse_datetime("2017-11-05T10:00:00Z") == datetime(2017, 11, 5, 10, tzinfo=UTC)
    assert parse_datetime("Sun, 05 Nov 2017 10:00:00 GMT") == datetime(2017, 11, 5, 10, tzinfo=UTC)
    assert parse_datetime("2017-11-05T10:00:00+02:00").utcoffset().total_seconds() == 7200  # type: ignore[union-attr]
    assert parse_datetime("not a date") is None and parse_datetime("") is None


def test_published_date_order_and_suspicious_dates() -> None:
    feed = "2017-11-05T10:00:00+02:00"
    text = "By AFP Nov 8, 2017\n" + BODY
    # clean's candidates in order (the page's, ..., the feed's), then the text
    assert published_date(["2017-11-04T08:00:00", feed], "", text, now=NOW) == ("2017-11-04T08:00:00", [])
    assert published_date([feed], "", text, now=NOW) == ("2017-11-05T10:00:00+02:00", [])
    assert published_date([], "", text, now=NOW) == ("2017-11-08", [])
    # untrusted dates are flagged and skipped
    assert published_date(["2030-01-01", feed], "", text, now=NOW) == (
        "2017-11-05T10:00:00+02:00",
        ["suspicious_future"],
    )
    assert published_date(["1970-01-01T00:00:00Z"], "", BODY, now=NOW) == (None, ["suspicious_past"])
    assert published_date(["2024-06-02T11:00:00Z"], "", BODY, now=NOW)[0] == "2024-06-02T11:00:00+00:00"
    assert published_date(["2024-06-02T13:00:00Z"], "", BODY, now=NOW) == (None, ["suspicious_future"])
    assert published_date([], "", BODY, now=NOW) == (None, [])


# -- outlet ------------------------------------------------------------------------------


def test_registered_domain() -> None:
    assert registered_domain("https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert registered_domain("http://m.lemonde.fr/a") == "lemonde.fr"
    assert registered_domain("https://news.example.com:8080/a") == "example.com"
    assert registered_domain("file:///tmp/x.txt") == ""
    assert registered_domain("") == ""


def test_outlet_publisher_order() -> None:
    url = "https://www.dawn.com/news/1"
    assert outlet(url, "DAWN.COM", "", {"publisher": "Dawn", "country": "pk"}) == ("Dawn", "dawn.com", "PK")
    assert outlet(url, "DAWN.COM", "Dawn", {}) == ("Dawn", "dawn.com", "")
    assert outlet(url, "DAWN.COM", "", None) == ("DAWN.COM", "dawn.com", "")
    assert outlet(url, "", "", {"country": "Pakistan"}) == ("dawn.com", "dawn.com", "")


# -- agency ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By AFP     Nov 8, 2017 in World\nSyrian troops entered the town.", ["AFP"]),
        ("By The Associated Press\nText here.", ["AP"]),
        ("WASHINGTON (Reuters) - The United States said on Monday.", ["Reuters"]),
        ("PARIS, Nov 5 (AFP) — France said.", ["AFP"]),
        ("Text of the story.\nSource: AFP", ["AFP"]),
        ("Text of the story.\nSources: AFP, Reuters", ["AFP", "Reuters"]),
        ("Text of the story.\nAFP/dpa", ["AFP", "dpa"]),
        ("Text of the story.\n- AFP", ["AFP"]),
        ("Text.\nWith Agence France-Presse", ["AFP"]),
        ("A spokesman told AFP on Friday that the army advanced.", ["AFP"]),
        # not credits
        ("The state news agency SANA reported that troops advanced.", []),
        ("According to Reuters, talks failed.", []),
        ("A soldier in Deir Ezzor. / AFP PHOTO / STRINGER\nText.", []),
        ("Protesters march (AP Photo/Jane Doe)\nText.", []),
        ("The app was downloaded.\nap", []),
    ],
)
def test_agencies_in(text: str, expected: list[str]) -> None:
    assert agencies_in(text) == expected


def test_agency_merge_is_sorted_and_unique() -> None:
    assert merge_agencies(["Reuters", "AFP"], ["AFP", "dpa"]) == ["AFP", "dpa", "Reuters"]


# -- counts ------------------------------------------------------------------------------


def test_word_count_and_reading_time() -> None:
    assert word_count("Don't stop — anti-IS forces, 30 km away.") == 7
    assert word_count("") == 0 and word_count("日本語") == 2  # one counter: two Han/kana characters a word
    assert reading_time(230) == 1.0 and reading_time(115) == 0.5 and reading_time(0) == 0.0


# -- enrich_article ------------------------------------------------------------------------


def test_enrich_article_fills_every_field() -> None:
    a = Article(
        url="https://www.example.co.uk/world/story",
        title="Farmers get help",
        text="By AFP Nov 8, 2017\n" + BODY + " A farmer told Reuters the help came late.",
        site_name="Example News",
        claims={"agency": ["dpa"]},
    )
    out = enrich_article(a, {"publisher": "Example", "country": "gb", "language": "en"})
    assert out is a
    assert (a.language, a.publisher, a.domain, a.country) == ("en", "Example", "example.co.uk", "GB")
    assert a.language_confidence >= 0.7
    assert a.published_at == "2017-11-08" and a.date_flags == []
    assert a.agency == ["AFP", "dpa", "Reuters"]
    assert a.word_count == word_count(a.text) and a.reading_time_min == reading_time(a.word_count)
    assert a.enrich_errors == []
    # enriching again changes nothing
    before = a.to_dict()
    assert enrich_article(a, {"publisher": "Example", "country": "gb", "language": "en"}).to_dict() == before


def test_keywords_can_be_turned_off() -> None:
    from newsflow.config import Settings
    from newsflow.enrich import skipped_enrichers

    a = Article(url="https://www.example.co.uk/world/story", title="Farmers get help", text=BODY)
    enrich_article(a, {"language": "en"})
    assert a.keywords  # on by default
    assert skipped_enrichers(Settings()) == frozenset()
    skip = skipped_enrichers(Settings.from_env({"NEWSFLOW_KEYWORDS": "false"}))
    assert skip == {"keywords"}
    enrich_article(a, {"language": "en"}, skip=skip)
    assert a.keywords == [] and a.language == "en" and a.enrich_errors == []


def test_rejected_articles_get_a_language_too() -> None:
    a = Article(url="https://example.com/a", title="Breaking", text="").reject("too short")
    enrich_article(a)
    assert (a.status, a.language, a.enrich_errors) == ("rejected", "und", [])
    b = Article(url="https://example.com/b", text=BODY).reject("too short")
    assert enrich_article(b).language == "en"
    assert b.keywords == []  # never indexed: no keywords to facet on
    assert enrich_article(Article(url="https://example.com/b", text=BODY)).keywords


def test_a_rejected_short_text_is_answered_without_the_short_text_models(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsflow.enrich import language

    title = "Der Bundeskanzler reiste am Montag nach Paris und traf dort die Ministerin"
    assert language.detect_language(title, "")[0] == "de"  # the blend (py3langid and lingua)

    def no_blend(*args: object) -> tuple[str, float]:
        raise AssertionError("the short-text blend ran for a rejected article")

    monkeypatch.setattr(language, "_short", no_blend)
    a = Article(url="https://example.com/c", title=title, text="").reject("too short")
    assert enrich_article(a).language == "de" and a.enrich_errors == []
    assert language.detect_language(title, "", blend=False)[0] == "de"
    wall = Article(url="https://example.com/d", title="Request unsuccessful", text="Access denied.")
    assert enrich_article(wall.reject("interstitial")).language == "en"  # langdetect alone: Catalan
    assert language.detect_language("Лучшие новости дня", "", blend=False)[0] == "ru"


def test_failing_enricher_is_counted_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("detector exploded")

    monkeypatch.setattr(enrich, "detect_language", boom)
    monkeypatch.setattr(enrich, "agencies_in", boom)
    a = Article(
        url="https://example.com/a",
        text="By AFP Nov 8, 2017\n" + BODY,
        language="fr",
        claims={"agency": ["dpa"]},
    )
    enrich_article(a, {"country": "fr"})
    assert a.enrich_errors == ["language", "agency"]
    assert (a.language, a.language_confidence, a.agency) == ("und", 0.0, [])  # left empty, not stale
    assert a.published_at == "2017-11-08" and a.country == "FR" and a.word_count > 0


def test_seeds_enrich_as_english(seed_files: list[Path]) -> None:
    for path in seed_files:
        text = path.read_text(encoding="utf-8")
        a = enrich_article(Article(url=path.resolve().as_uri(), title=text.splitlines()[0], text=text))
        assert a.language == "en" and a.enrich_errors == [], path.name
        assert a.domain == "" and a.word_count > 300


# -- issue 5 additions: other languages' dates, updates, TLD country, section, agencies ----


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Publié le 8 novembre 2017 à 10h", "2017-11-08"),
        ("1er mai 2020", "2020-05-01"),
        ("Berlin, 8. November 2017", "2017-11-08"),
        ("Madrid, 8 de noviembre de 2017", "2017-11-08"),
        ("Roma, 3 settembre 2019", "2019-09-03"),
        ("Lisboa, 5 de março de 2019", "2019-03-05"),
        ("Amsterdam, 12 maart 2018", "2018-03-12"),
        ("Москва, 8 ноября 2017 г.", "2017-11-08"),
        ("Stand: 08.11.2017", "2017-11-08"),
    ],
)
def test_dates_in_other_languages(text: str, expected: str) -> None:
    assert [d.date().isoformat() for d in dates_in_text(text)] == [expected]


def test_words_that_look_like_months_are_not_dates() -> None:
    assert dates_in_text("The mar 2017 figure and 31.13.2017 and may 5") == []


def test_updated_date_sources_and_flags() -> None:
    pub = "2017-11-08"
    assert updated_date(["2017-11-09T08:00:00Z"], pub, "", now=NOW) == ("2017-11-09T08:00:00+00:00", [])
    assert updated_date([], pub, f"{BODY}\nMis à jour le 9 novembre 2017", now=NOW) == (
        "2017-11-09",
        [],
    )
    assert updated_date(["", "2017-11-10"], pub, "", now=NOW)[0] == "2017-11-10"
    assert updated_date(["2017-01-01"], pub, "", now=NOW) == (None, ["updated_before_published"])
    assert updated_date(["2031-01-01"], pub, "", now=NOW) == (None, ["updated_suspicious_future"])
    # a date in the story's text is not an update unless announced as one
    assert updated_date([], pub, "Talks on 9 November 2017 failed.", now=NOW) == (None, [])


def test_outlet_country_from_the_tld_and_section() -> None:
    assert tld_country("lemonde.fr") == "FR" and tld_country("bbc.co.uk") == "GB"
    assert tld_country("example.com") == "" and tld_country("news.tv") == "" and tld_country("") == ""
    assert (
        section_of("News > World") == "World" and section_of("  Sport  ") == "Sport" and section_of("") == ""
    )
    a = enrich_article(
        Article(url="https://www.lemonde.fr/a", text=BODY, claims={"section": "International / Europe"})
    )
    assert (a.country, a.section, a.domain) == ("FR", "Europe", "lemonde.fr")
    # the source's declaration wins over the TLD
    b = enrich_article(Article(url="https://www.lemonde.fr/a", text=BODY), {"country": "be"})
    assert b.country == "BE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BERLIN (dpa) - Die Regierung hat beschlossen.", ["dpa"]),
        ("ROMA (ANSA) - Il governo ha deciso.", ["ANSA"]),
        ("MADRID, 8 nov (EFE).- El Gobierno aprobó.", ["EFE"]),
        ("Text des Artikels.\nQuelle: dpa", ["dpa"]),
        ("Testo dell'articolo.\nFonte: ANSA", ["ANSA"]),
        ("Texto de la noticia.\nFuente: EFE", ["EFE"]),
        ("BEIJING, Nov. 8 (Xinhua) -- China said.", ["Xinhua"]),
        ("NEW DELHI (PTI) - The government said.", ["PTI"]),
        ("By Kyodo News\nTOKYO - Japan said.", ["Kyodo"]),
        ("SEOUL, Nov. 8 (Yonhap) -- South Korea said.", ["Yonhap"]),
        ("Text of the story.\n(c) Reuters", ["Reuters"]),
        ("Text of the story.\nCredit: AFP", ["AFP"]),
    ],
)
def test_agencies_in_other_languages_and_credits(text: str, expected: list[str]) -> None:
    assert agencies_in(text) == expected


def test_article_gets_places_keywords_and_updated() -> None:
    a = Article(
        url="https://example.org/a",
        title="Farmers in Spain get help",
        text=BODY + " Farmers in Spain and Portugal said the drought was the worst.\nUpdated 9 Nov 2017",
        claims={"published": ["2017-11-08T10:00:00Z"]},
    )
    enrich_article(a)
    assert {"ES", "PT"} <= set(a.countries) and "Spain" in a.places
    assert "drought" in a.keywords or "farmers" in a.keywords
    assert a.updated_at == "2017-11-09" and a.enrich_errors == []
