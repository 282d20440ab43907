"""Language of an article with `langdetect`, deterministic and honest about doubt.

- Mojibake is repaired first (`ftfy.fix_text`), so "franÃ§ais" reads as "français".
- Only the title and the start of the body are read (`MAX_CHARS`, cut at a word):
  enough for a sure answer, and a long tail of quotes or boilerplate cannot sway it.
- langdetect samples n-grams at random. Each call builds a fresh detector with a fixed
  seed (`SEED`), so the answer for a text never depends on what was detected before
  (the global `DetectorFactory.seed = 0` recipe still shares one random stream per
  detector and is not safe across threads); the profiles are loaded once per process.
- `und` (undetermined) when the text has fewer than `MIN_LETTERS` letters or the best
  language's probability is below `MIN_CONFIDENCE`.
- The hint (the source's declared language, or the page's `lang`) is a tie-breaker only:
  it wins when its probability is within `TIE_MARGIN` of the best one, and then the tied
  languages' probabilities together must reach `MIN_CONFIDENCE` (Danish vs Norwegian,
  Spanish vs Catalan...). A hint never overrides a clear answer.
- Codes are ISO 639-1 (`zh-cn`/`zh-tw` become `zh`).
"""

from __future__ import annotations

from functools import lru_cache

import ftfy
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

UNDETERMINED = "und"
MAX_CHARS = 1000
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.7
TIE_MARGIN = 0.1
SEED = 0


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    return factory


def _detector() -> Detector:
    detector = _factory().create()
    detector.seed = SEED  # re-seeded at every detection: same text, same answer
    return detector


def _code(lang: str) -> str:
    return lang.split("-")[0].lower()


def _sample(title: str, text: str) -> str:
    sample = ftfy.fix_text(f"{title or ''}\n{text or ''}").strip()
    if len(sample) > MAX_CHARS:
        cut = sample.rfind(" ", 0, MAX_CHARS)
        sample = sample[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    return sample


def detect_language(title: str, text: str, hint: str = "") -> tuple[str, float]:
    """(ISO 639-1 code or "und", confidence 0..1) of the title and the start of the text."""
    sample = _sample(title, text)
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    detector = _detector()
    detector.append(sample)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:  # no usable features (digits, symbols only)
        return UNDETERMINED, 0.0
    if not ranked:
        return UNDETERMINED, 0.0
    probs: dict[str, float] = {}
    for lang in ranked:  # zh-cn and zh-tw are both zh
        probs[_code(lang.lang)] = probs.get(_code(lang.lang), 0.0) + lang.prob
    best, best_p = max(probs.items(), key=lambda kv: (kv[1], kv[0]))
    hint = _code(hint or "")
    if hint and hint != best and hint in probs and probs[hint] >= best_p - TIE_MARGIN:
        tied = sum(p for p in probs.values() if p >= best_p - TIE_MARGIN)
        if tied >= MIN_CONFIDENCE:
            return hint, round(probs[hint], 3)
    if best_p < MIN_CONFIDENCE:
        return UNDETERMINED, round(best_p, 3)
    return best, round(best_p, 3)
