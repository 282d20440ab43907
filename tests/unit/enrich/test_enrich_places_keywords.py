"""Places/countries from the packaged gazetteer, keywords from YAKE, and their false positives."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.enrich import enrich_article
from newsflow.enrich.keywords import MAX_KEYWORDS, keywords_of
from newsflow.enrich.places import places_in
from newsflow.models import Article


@pytest.mark.parametrize(
    ("text", "places", "countries"),
    [
        ("Talks resumed in Damascus on Monday, Syria said.", ["Damascus", "Syria"], ["SY"]),
        ("The summit was held in Jordan last week.", ["Jordan"], ["JO"]),
        ("Georgia's president met officials in Tbilisi.", ["Georgia", "Tbilisi"], ["GE"]),
        ("Troops were sent to Chad on Monday.", ["Chad"], ["TD"]),
        ("Talks in Turkey resumed on Monday with Ankara.", ["Ankara", "Turkey"], ["TR"]),
        ("Le président s'est rendu en Syrie et en Irak.", ["Iraq", "Syria"], ["IQ", "SY"]),
        ("Der Kanzler reiste nach Syrien.", ["Syria"], ["SY"]),
        ("Anti-IS Forces Converge On Syria Border Town", ["Syria"], ["SY"]),
        (
            "Officials from the UK and the US met in Geneva.",
            ["Geneva", "United Kingdom", "United States"],
            ["CH", "GB", "US"],
        ),
    ],
)
def test_places_found(text: str, places: list[str], countries: list[str]) -> None:
    got_places, got_countries = places_in(text)
    assert sorted(got_places) == sorted(places) and sorted(got_countries) == sorted(countries)


@pytest.mark.parametrize(
    "text",
    [
        "Michael Jordan scored 30 points on Friday.",  # a person
        "Jordan Henderson signed a new contract.",  # a person
        "Voters in Georgia went to the polls on Tuesday.",  # the US state, no Georgian place
        "Chad Smith was elected mayor.",
        "Nice weather is expected. The family ate turkey.",  # a word at a sentence start, the bird
        "Turkey dinner prices rose before the holiday.",
        "Paris Hilton arrived late. The Washington Post reported it.",  # longer proper nouns
        "Reading the report, officials said. Mobile phones were seized.",
        "Henderson said the plan would work.",  # a surname that is also a mid-sized city
    ],
)
def test_classic_false_positives_are_refused(text: str) -> None:
    assert places_in(text) == ([], [])


def test_seeds_mention_syria_and_iraq(seed_files: list[Path]) -> None:
    for path in seed_files:
        text = path.read_text(encoding="utf-8")
        a = enrich_article(Article(url=path.resolve().as_uri(), title=text.splitlines()[0], text=text))
        assert {"SY", "IQ"} <= set(a.countries), path.name
        assert {"Syria", "Iraq"} <= set(a.places), path.name
        assert a.keywords and len(a.keywords) <= MAX_KEYWORDS and a.enrich_errors == []


def test_keywords_are_multilingual_deterministic_and_clean() -> None:
    text = (
        "Les dockers du port de Saint-Aubin ont repris le travail lundi après un accord salarial. "
        "La grève du port avait duré trois semaines. Les dockers obtiennent une hausse de salaire, "
        "et le port de Saint-Aubin retrouve son activité."
    )
    first = keywords_of("Grève du port : accord à Saint-Aubin", text, "fr")
    assert first == keywords_of("Grève du port : accord à Saint-Aubin", text, "fr")
    assert "Saint-Aubin" in first and "dockers" in first
    stop = {"le", "la", "les", "du", "de", "et", "un", "une"}
    assert not any(k.split()[0] in stop or k.split()[-1] in stop for k in first)
    # a single word already inside a chosen phrase is not repeated
    assert not {"Saint", "Aubin"} & set(first)
    assert keywords_of("", "Short.", "en") == []
    # an unknown language falls back to YAKE's language-neutral stopwords
    assert keywords_of("", text, "xx")
