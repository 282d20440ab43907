"""Keywords of an article with YAKE (`yake` on PyPI): unsupervised, multilingual, no model.

YAKE scores candidate phrases from statistics of the text alone (position, frequency,
casing, spread over sentences, context diversity), so it needs no training data or
download; it knows stopwords for about 35 languages (`yake/core/StopwordsList/stopwords_<lang>.txt`) and
falls back to a language-neutral list for the others. It is deterministic.

- The title and the lede are read: the first `MAX_CHARS` characters of title and text, cut
  at a word. YAKE (pure Python) costs about 1 CPU ms per 100 characters, and a news story's
  key terms are in its head: over the 193 real pages of `benchmarks/realpages_speed.py`, 97%
  of the top-5 keywords at 400 characters are in the list read from 700 (82% of all ten),
  for 0.6 ms less per article.
- A rejected article gets none (it is not indexed, so nothing facets on its keywords).
- Up to `MAX_KEYWORDS` phrases of 1 to `MAX_WORDS` words, near-duplicates removed
  (`DEDUP_LIMIT`), best first.
- As facet values, a phrase whose words are all capitalised keeps its case (a name:
  "Deir Ezzor"); any other is lower-cased ("border town"), so "Border town" at a sentence
  start and "border town" are one value. Numbers and phrases shorter than 3 letters are
  dropped, and so is a single word already inside a chosen phrase ("Kamal" after "Albu
  Kamal").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

MAX_CHARS = 400
MAX_KEYWORDS = 10
MAX_WORDS = 2
DEDUP_LIMIT = 0.7


@lru_cache(maxsize=1)
def _languages() -> frozenset[str]:
    import yake

    folder = Path(yake.__file__).parent / "core" / "StopwordsList"
    return frozenset(p.stem.removeprefix("stopwords_") for p in folder.glob("stopwords_*.txt"))


@lru_cache(maxsize=64)
def _extractor(lang: str) -> Any:
    import yake

    return yake.KeywordExtractor(lan=lang, n=MAX_WORDS, dedup_lim=DEDUP_LIMIT, top=MAX_KEYWORDS * 2)


def _bounded(title: str, text: str) -> str:
    sample = f"{title or ''}.\n{text or ''}".strip(". \n")
    if len(sample) > MAX_CHARS:
        cut = sample.rfind(" ", 0, MAX_CHARS)
        sample = sample[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    return sample


def _facet_value(phrase: str) -> str:
    phrase = " ".join(phrase.split())
    words = phrase.split()
    if words and all(w[:1].isupper() for w in words):
        return phrase
    return phrase.lower()


def _inside(value: str, chosen: list[str]) -> bool:
    """A single word already part of a chosen phrase ("Kamal" after "Albu Kamal")."""
    if " " in value:
        return False
    folded = value.casefold()
    return any(folded in phrase.casefold().split() for phrase in chosen if " " in phrase)


def keywords_of(title: str, text: str, language: str = "") -> list[str]:
    """The article's key phrases, best first (see the module docstring)."""
    sample = _bounded(title, text)
    if sum(ch.isalpha() for ch in sample) < 20:
        return []
    lang = (language or "").split("-")[0].lower()
    lang = {"cs": "cz"}.get(lang, lang)  # yake names Czech "cz"
    lang = lang if lang in _languages() else "noLang"
    out: list[str] = []
    for phrase, _score in _extractor(lang).extract_keywords(sample):
        value = _facet_value(phrase)
        if sum(ch.isalpha() for ch in value) < 3 or value in out or _inside(value, out):
            continue
        out.append(value)
        if len(out) == MAX_KEYWORDS:
            break
    return out
