"""Language of an article: `langdetect` for long texts, `lingua` for short ones.

- Mojibake is repaired first (`ftfy.fix_text`), so "franÃ§ais" reads as "français".
- Only the title and the start of the body are read (`MAX_CHARS`, cut at a word):
  enough for a sure answer, and a long tail of quotes or boilerplate cannot sway it.
- The sample is `MAX_CHARS` = 500 characters and langdetect averages `TRIALS` = 5 random
  trials (its default is 7): on `benchmarks/language_bench.py` and the corpus of
  `benchmarks/run_all.py` both give the same answers as 1,000 characters and 7 trials,
  about 40% faster.
- langdetect samples n-grams at random. Each call builds a fresh detector with a fixed
  seed (`SEED`), so the answer for a text never depends on what was detected before
  (the global `DetectorFactory.seed = 0` recipe still shares one random stream per
  detector and is not safe across threads); the profiles are loaded once per process.
- Short texts (fewer than `SHORT_LETTERS` letters: titles, feed summaries) are where
  langdetect's random 3-gram sampling fails (95% on our labelled titles). There the
  `lingua` detector (`lingua-language-detector`, models inside the wheel, no download,
  deterministic, no sampling) decides among `LINGUA_LANGUAGES`, the languages the index
  has analyzers for plus Dutch. Restricting it keeps it accurate and its memory bounded
  (about 280 MB once the Latin-script models are loaded, loaded lazily per script).
  A title in another language must not be forced into one of them: when langdetect puts
  more than `1 - IN_SET_MASS` of its probability outside the set, its best outside
  language is taken only if lingua's all-language low-accuracy detector (trigrams, about
  110 MB) names the same one (a Polish, Turkish, Swedish title); when they disagree it is
  a close relative's false alarm (Dutch read as Afrikaans, German as Swedish) and the
  restricted lingua decides. `benchmarks/language_bench.py` measures the choice.
- `und` (undetermined) when the text has fewer than `MIN_LETTERS` letters or the chosen
  detector's best probability is below its threshold (`MIN_CONFIDENCE` for langdetect,
  `LINGUA_MIN_CONFIDENCE` for lingua, whose probabilities are spread over fewer languages
  but are lower on a few words; when both detectors agree the answer is taken as sure).
- The hint (the source's declared language, or the page's `lang`) is a tie-breaker only:
  it wins when its probability is within `TIE_MARGIN` of the best one, and then the tied
  languages' probabilities together must reach the threshold (Danish vs Norwegian,
  Spanish vs Catalan...). A hint never overrides a clear answer.
- Codes are ISO 639-1 (`zh-cn`/`zh-tw` become `zh`).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import ftfy
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from newsflow.clean.normalize import needs_ftfy

UNDETERMINED = "und"
MAX_CHARS = 500
MIN_LETTERS = 15
SHORT_LETTERS = 200
MIN_CONFIDENCE = 0.7
LINGUA_MIN_CONFIDENCE = 0.5
IN_SET_MASS = 0.5
TIE_MARGIN = 0.1
SEED = 0
TRIALS = 5  # langdetect's default is 7; 5 answers the same on our labelled sets, 25% faster
LINGUA_LANGUAGES = ("ar", "de", "en", "es", "fr", "it", "nl", "pt", "ru")

_FULLWIDTH = re.compile("[\uff01-\uff5e]")  # ftfy's default config folds these to ASCII
Probabilities = dict[str, float]
_lingua_lock = threading.Lock()


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    return factory


def _detector() -> Detector:
    detector = _factory().create()
    detector.seed = SEED  # re-seeded at every detection: same text, same answer
    detector.n_trial = TRIALS
    return detector


@lru_cache(maxsize=1)
def _lingua() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LINGUA_LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).build()


@lru_cache(maxsize=1)
def _lingua_all() -> Any:
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def _code(lang: str) -> str:
    return lang.split("-")[0].lower()


def sample_text(title: str, text: str) -> str:
    """Title and the start of the body, mojibake repaired, cut at a word near `MAX_CHARS`.

    Only the head is read and repaired: the clean stage already fixed the text, so ftfy
    (about 2 ms on a whole article) runs only when its cheap pre-check finds something to fix.
    """
    sample = f"{title or ''}\n{(text or '')[: 2 * MAX_CHARS]}".strip()
    if needs_ftfy(sample) or _FULLWIDTH.search(sample):
        sample = ftfy.fix_text(sample).strip()
    if len(sample) > MAX_CHARS:
        cut = sample.rfind(" ", 0, MAX_CHARS)
        sample = sample[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    return sample


def langdetect_probabilities(sample: str) -> Probabilities:
    """langdetect's probabilities by ISO 639-1 code ({} when the text has no usable features)."""
    detector = _detector()
    detector.append(sample)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:  # digits, symbols only
        return {}
    probs: Probabilities = {}
    for lang in ranked:  # zh-cn and zh-tw are both zh
        probs[_code(lang.lang)] = probs.get(_code(lang.lang), 0.0) + lang.prob
    return probs


def lingua_probabilities(sample: str) -> Probabilities:
    """lingua's relative confidences over `LINGUA_LANGUAGES` ({} when none fits)."""
    detector = _lingua()
    with _lingua_lock:  # lazy model loading is not worth racing on
        values = detector.compute_language_confidence_values(sample)
    return {v.language.iso_code_639_1.name.lower(): v.value for v in values if v.value > 0}


def lingua_guess(sample: str) -> str:
    """lingua's answer among all its 75 languages, trigrams only (the out-of-set guard)."""
    with _lingua_lock:
        lang = _lingua_all().detect_language_of(sample)
    return lang.iso_code_639_1.name.lower() if lang is not None else UNDETERMINED


def _best(probs: Probabilities) -> tuple[str, float]:
    return max(probs.items(), key=lambda kv: (kv[1], kv[0])) if probs else (UNDETERMINED, 0.0)


def _decide(probs: Probabilities, threshold: float, hint: str) -> tuple[str, float]:
    best, best_p = _best(probs)
    if best == UNDETERMINED:
        return UNDETERMINED, 0.0
    if hint and hint != best and hint in probs and probs[hint] >= best_p - TIE_MARGIN:
        tied = sum(p for p in probs.values() if p >= best_p - TIE_MARGIN)
        if tied >= threshold:
            return hint, round(probs[hint], 3)
    if best_p < threshold:
        return UNDETERMINED, round(best_p, 3)
    return best, round(best_p, 3)


def detect_language(title: str, text: str, hint: str = "") -> tuple[str, float]:
    """(ISO 639-1 code or "und", confidence 0..1) of the title and the start of the text."""
    sample = sample_text(title, text)
    letters = sum(ch.isalpha() for ch in sample)
    if letters < MIN_LETTERS:
        return UNDETERMINED, 0.0
    hint = _code(hint or "")
    ld = langdetect_probabilities(sample)
    if letters >= SHORT_LETTERS:
        return _decide(ld, MIN_CONFIDENCE, hint)
    if ld and sum(ld.get(c, 0.0) for c in LINGUA_LANGUAGES) < IN_SET_MASS:
        outside, _ = _best({k: v for k, v in ld.items() if k not in LINGUA_LANGUAGES})
        if lingua_guess(sample) == outside:  # another language, confirmed: restricted lingua cannot say it
            return _decide(ld, MIN_CONFIDENCE, hint)
    li = lingua_probabilities(sample)
    best, best_p = _best(li)
    if best != UNDETERMINED and best == _best(ld)[0] and not (hint and hint != best):
        return best, round(max(best_p, ld[best]), 3)  # both detectors agree: sure
    return _decide(li, LINGUA_MIN_CONFIDENCE, hint)
