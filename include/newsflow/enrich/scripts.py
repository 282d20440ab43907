"""Writing systems of a text, and what they say about its language.

Language detectors compare letter n-grams; the script is a stronger and cheaper signal where
it names one language (Hangul is Korean, Greek letters are Greek) and it bounds the candidates
where it does not (a Cyrillic text is not French). This module only reads Unicode character
names (`unicodedata`), so it needs no model and is deterministic.

- `script_counts(text)`: letters per script, Han, kana and Hangul counting `CJK_WEIGHT` each
  (one such character carries about as much as a short word in an alphabet).
- `SCRIPT_LANGUAGE`: scripts that name their language on their own.
- `cyrillic_candidates(text, languages)`: among Cyrillic languages, those whose alphabet has
  every Cyrillic letter of the text (і ї є ґ are Ukrainian, not Russian; ы э ъ ё are not
  Ukrainian; ў is Belarusian; ђ ћ Serbian; ѓ ќ ѕ Macedonian...), and Kazakh and Mongolian
  only with one of their own letters (ә қ ң ө ү...).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

CJK_WEIGHT = 3

# Scripts that decide the language by themselves (among the languages the detectors know).
SCRIPT_LANGUAGE = {
    "HANGUL": "ko",
    "KANA": "ja",
    "GREEK": "el",
    "HEBREW": "he",
    "THAI": "th",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
    "TAMIL": "ta",
    "TELUGU": "te",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "GUJARATI": "gu",
    "GURMUKHI": "pa",
    "BENGALI": "bn",
}

# Other languages written in those scripts, that no detector here knows: a declaration of one is trusted.
SCRIPT_ALSO = {"HEBREW": ("yi", "lad"), "BENGALI": ("as", "mni"), "THAI": ("sou",), "GEORGIAN": ("xmf",)}

# The script of each language the detectors know, for those written in a shared script.
SCRIPT_LANGUAGES = {
    "LATIN": frozenset(
        "af az bs ca cs cy da de en eo es et eu fi fr ga hr hu id is it la lg lt lv mi ms nl no pl pt ro sk "
        "sl sn so sq st sv sw tl tn tr ts vi xh yo zu".split()
    ),
    "CYRILLIC": frozenset("be bg kk mk mn ru sr uk".split()),
    "ARABIC": frozenset("ar fa ur".split()),
    "DEVANAGARI": frozenset("hi mr ne".split()),
}

_RU = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
CYRILLIC_ALPHABETS = {
    "ru": _RU,
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "be": "абвгдеёжзійклмнопрстуўфхцчшыьэюя",
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюя",
    "mk": "абвгдѓежзѕијклљмнњопрстќуфхцчџш",
    "sr": "абвгдђежзијклљмнњопрстћуфхцчџш",
    "kk": _RU + "әғқңөұүһі",
    "mn": _RU + "өү",
}
# Letters a language is not written without for long: a Cyrillic text with none of them is not
# Kazakh or Mongolian, however its other letters fall (both alphabets contain all of Russian's).
CYRILLIC_MARKERS = {"kk": "әғқңөұүһ", "mn": "өү"}


@lru_cache(maxsize=4096)
def script_of(ch: str) -> str:
    """The script of one letter: LATIN, CYRILLIC, HAN, KANA, HANGUL, ... ("" for a non-letter)."""
    if not ch.isalpha():  # a vowel sign or virama is part of its letter in the Indic scripts
        return _mark_script(ch)
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    if first in ("HIRAGANA", "KATAKANA") or name.startswith("HALFWIDTH KATAKANA"):
        return "KANA"
    if first == "CJK":
        return "HAN"
    if first == "HALFWIDTH" and "HANGUL" in name:
        return "HANGUL"
    if first in ("FULLWIDTH", "MATHEMATICAL"):
        return "LATIN" if "LATIN" in name else first
    return first


def _mark_script(ch: str) -> str:
    if unicodedata.category(ch) not in ("Mn", "Mc"):
        return ""
    first = unicodedata.name(ch, "").split(" ", 1)[0]
    return first if first in SCRIPT_LANGUAGE or first == "DEVANAGARI" else ""


def script_counts(text: str) -> Counter[str]:
    """Weighted letters per script (Han, kana and Hangul weigh `CJK_WEIGHT`)."""
    counts: Counter[str] = Counter()
    for ch in text:
        script = script_of(ch)
        if script:
            counts[script] += CJK_WEIGHT if script in ("HAN", "KANA", "HANGUL") else 1
    return counts


def cyrillic_candidates(text: str, languages: frozenset[str]) -> frozenset[str]:
    """The Cyrillic `languages` whose alphabet has every Cyrillic letter of `text`.

    The letters a language lacks are decisive on a short text ("її" is not Russian, "ещё" is
    not Ukrainian). When no language has them all (a quoted name, a typo) nothing is excluded.
    """
    letters = {ch for ch in text.lower() if script_of(ch) == "CYRILLIC"}
    fitting = frozenset(lang for lang in languages if _fits(lang, letters))
    return fitting or languages


def _fits(lang: str, letters: set[str]) -> bool:
    if lang in CYRILLIC_MARKERS and not letters & set(CYRILLIC_MARKERS[lang]):
        return False
    return lang not in CYRILLIC_ALPHABETS or letters <= set(CYRILLIC_ALPHABETS[lang])
