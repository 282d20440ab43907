"""htmldate's publication day, with its slow fallback parser limited to the page's languages.

htmldate (`find_date(extensive_search=True)`) hands the few date strings its own rules
cannot read ("15 августа 2016, 13:43", "jueves 2 de abril de 2020") to dateparser. Built
without languages, dateparser tries every one of its ~200 locales on each such string and
compiles each locale's patterns on first use: about 1.3-2 CPU seconds per process before
the first answer, more than htmldate spends on a hundred pages. On the real pages of
`benchmarks/realpages_bench.py` the strings dateparser reads are in the page's declared
language or in English, so the parser is scoped to those two (`page_languages`) while
htmldate reads the page; a page that declares no language dateparser knows gets the
`UNDECLARED` most used languages of dateparser's own ranking (the Russian dates of an
undeclared Russian page are still read), for each date string those written in its letters'
script and English (`for_string`: the same answers, without loading twenty locales). The scope lives in a context variable, so threads
and other callers of htmldate in the same process keep htmldate's default parser.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from typing import Any

import htmldate
import htmldate.extractors

log = logging.getLogger(__name__)

# htmldate's own settings for its parser (htmldate.extractors.get_external_parser).
_SETTINGS = {
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}
UNDECLARED = 24  # languages tried on a page that declares none (dateparser ranks them by use)
_SCOPE: ContextVar[tuple[str, ...] | None] = ContextVar("newsflow_date_languages", default=None)
_DEFAULT_PARSER = getattr(htmldate.extractors, "get_external_parser", None)


@lru_cache(maxsize=1)
def _known_languages() -> frozenset[str]:
    from dateparser.data.languages_info import language_order

    return frozenset(language_order)


def page_languages(declared: str) -> tuple[str, ...]:
    """The languages dateparser may try for a page declaring `declared` ("de-AT" -> de, en).

    A page that declares no language dateparser knows: its `UNDECLARED` most used ones.
    """
    code = (declared or "").split("-")[0].lower()
    if code not in _known_languages():
        return _most_used()
    return tuple(dict.fromkeys((code, "en")))


@lru_cache(maxsize=1)
def _most_used() -> tuple[str, ...]:
    from dateparser.data.languages_info import language_order

    return tuple(language_order[:UNDECLARED])


@lru_cache(maxsize=64)
def _parser(languages: tuple[str, ...]) -> Any:
    from dateparser import DateDataParser

    return DateDataParser(languages=list(languages), settings=dict(_SETTINGS))


# The scripts the dates of the most used languages are written in (a language not listed is
# always kept). A locale only applies to a string whose words it knows, in its own script.
_SCRIPTS = {
    **dict.fromkeys(
        ("en", "es", "fr", "de", "tr", "pt", "it", "nl", "vi", "pl", "cs", "id", "sv"), {"LATIN"}
    ),
    **dict.fromkeys(("ru", "uk"), {"CYRILLIC"}),
    **dict.fromkeys(("fa", "ar"), {"ARABIC"}),
    **dict.fromkeys(("zh", "zh-Hans"), {"CJK"}),
    "ja": {"CJK", "HIRAGANA", "KATAKANA"},
    "ko": {"HANGUL", "CJK"},
    "el": {"GREEK"},
    "he": {"HEBREW"},
    "th": {"THAI"},
}


def _letter_scripts(text: str) -> set[str]:
    """The scripts of the letters in `text` ("LATIN", "ARABIC", "CJK", ...) by Unicode name."""
    return {unicodedata.name(ch, "?").split(" ")[0] for ch in text if ch.isalpha()}


def for_string(languages: tuple[str, ...], text: str) -> tuple[str, ...]:
    """`languages` (in order) without those written in a script none of `text`'s letters is in.

    For an undeclared page's `UNDECLARED` languages: dateparser loads every locale it tries
    (about 8 CPU ms each, its patterns compiled on first use) to learn that an Arabic date
    is not Swedish. A string without letters keeps them all, and English is always kept: dateparser
    also reads a numeric date followed by a word it does not know ("03.04.2020 г.") with its first
    language, English.
    """
    scripts = _letter_scripts(text)
    if not scripts:
        return languages
    return tuple(
        lang for lang in languages if lang not in _SCRIPTS or _SCRIPTS[lang] & scripts or lang == "en"
    )


class _ScriptScoped:
    """The undeclared page's parser: per string, dateparser over the languages of its script."""

    def __init__(self, languages: tuple[str, ...]) -> None:
        self.languages = languages

    def get_date_data(self, date_string: str, date_formats: Any = None) -> Any:
        return _parser(for_string(self.languages, date_string) or ("en",)).get_date_data(
            date_string, date_formats
        )


def _scoped_parser() -> Any:
    """The parser htmldate gets: scoped to the page being read, else htmldate's own."""
    languages = _SCOPE.get()
    if languages is None and _DEFAULT_PARSER is not None:
        return _DEFAULT_PARSER()
    if languages and len(languages) > 2:  # an undeclared page: the most used languages
        return _ScriptScoped(languages)
    return _parser(languages or ("en",))


if _DEFAULT_PARSER is not None:  # an htmldate without this hook keeps its own (slower) parser
    htmldate.extractors.get_external_parser = _scoped_parser  # type: ignore[assignment]


def search_day(html: str, url: str, declared: str = "") -> str | None:
    """htmldate's publication day for the page (it weighs every date the page shows).

    It reads the page as it parses it itself: on our tree it misses dates it finds on its own.
    """
    token = _SCOPE.set(page_languages(declared))
    try:
        return htmldate.find_date(html, url=url or None, original_date=True, extensive_search=True)
    except Exception as exc:  # a date search must never lose the page
        log.debug("htmldate failed on %s: %s", url, exc)
        return None
    finally:
        _SCOPE.reset(token)


_URL_DATE = re.compile(r"\D((?:19|20)\d\d)[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?:\D|$)")


def url_day(url: str) -> str | None:
    """The date a URL spells ("/2020/07/08/", "2020-07-08"), as htmldate reads one first."""
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None
