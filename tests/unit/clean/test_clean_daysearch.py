"""The publication-day search scopes htmldate's slow parser to the page's language."""

from __future__ import annotations

import htmldate.extractors

from newsflow.clean import daysearch
from newsflow.clean.daysearch import _parser, for_string, page_languages, search_day, url_day


def test_declared_language_and_english() -> None:
    assert page_languages("de-AT") == ("de", "en")
    assert page_languages("en") == ("en",)


def test_undeclared_page_gets_the_most_used_languages() -> None:
    languages = page_languages("")
    assert "en" in languages and "ru" in languages and len(languages) < 60
    assert page_languages("xx-nonsense") == languages


def test_a_date_only_dateparser_reads_is_found_in_the_page_language() -> None:
    page = (
        "<html lang='es'><head><title>Noticia</title></head><body><article><h1>Una noticia</h1>"
        "<p class='fecha'>/ jueves 2 de abril de 2020</p><p>" + "Texto de la noticia. " * 30 + "</p>"
        "</article></body></html>"
    )
    assert search_day(page, "https://example.es/noticia", "es") == "2020-04-02"


def test_other_callers_keep_htmldates_own_parser() -> None:
    parser = htmldate.extractors.get_external_parser()
    assert parser.get_date_data("15 августа 2016")["date_obj"].day == 15  # every locale, as htmldate has it


def test_url_day() -> None:
    assert url_day("https://www.washingtonpost.com/politics/x/2020/07/08/c3d2_story.html") == "2020-07-08"
    # as htmldate reads it: a slug's digit is the day
    assert url_day("https://blog.example.de/2023/10/3-fragen-an-tina/") == "2023-10-03"
    assert url_day("https://example.com/2020/13/45/x") is None
    assert url_day("https://example.com/news/12345") is None


def test_an_undeclared_pages_date_is_read_in_the_languages_of_its_script() -> None:
    """dateparser over the most used languages of the string's script (and English) answers as over all."""
    languages = page_languages("")
    assert for_string(languages, "تم نشره الجمعة 24 نيسان 2020") == ("en", "fa", "ar")
    assert for_string(languages, "03.04.2020") == languages  # no letters: every language
    everyone = _parser(languages)
    token = daysearch._SCOPE.set(languages)
    try:
        scoped = daysearch._scoped_parser()  # what htmldate gets on an undeclared page
    finally:
        daysearch._SCOPE.reset(token)
    for text in ("03.04.2020 г.", "22 апреля 2020 г.", "2020年4月24日 10:30", "3 Μαΐου 2020",
                 "jueves 2 de abril de 2020", "24 نيسان 2020", "10:30 PM", "03/04/2020"):  # fmt: skip
        a, b = everyone.get_date_data(text), scoped.get_date_data(text)
        assert (a["date_obj"], a["locale"]) == (b["date_obj"], b["locale"]), text
