"""Language detection: accuracy on short titles and longer texts, and docs per second.

Compares, in one run and on the same labelled set (benchmarks/data/language/, written by
us, fictional news in 12 languages: 255 titles, 45 longer texts):

- `plain langdetect`: `langdetect.detect` seeded, its top answer, never `und`;
- `langdetect + und`: langdetect alone with newsflow's thresholds (the previous detector);
- `lingua (9 langs)`: lingua restricted to newsflow's LINGUA_LANGUAGES, its top answer;
- `newsflow`: `newsflow.enrich.language.detect_language`, the detector the pipeline runs.

An `und` answer counts as wrong. Run: `.venv/bin/python benchmarks/language_bench.py`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException

from newsflow.enrich.language import (
    LINGUA_LANGUAGES,
    MIN_CONFIDENCE,
    UNDETERMINED,
    _decide,
    detect_language,
    langdetect_probabilities,
    lingua_guess,
    lingua_probabilities,
    sample_text,
)

DATA = Path(__file__).parent / "data" / "language"


def load(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, text = line.split("\t", 1)
            rows.append((lang, text))
    return rows


def plain_langdetect(text: str) -> str:
    DetectorFactory.seed = 0
    try:
        return detect(text).split("-")[0]
    except LangDetectException:
        return UNDETERMINED


def langdetect_und(text: str) -> str:
    return _decide(langdetect_probabilities(sample_text("", text)), MIN_CONFIDENCE, "")[0]


def lingua_only(text: str) -> str:
    probs = lingua_probabilities(sample_text("", text))
    return max(probs, key=lambda k: probs[k]) if probs else UNDETERMINED


def newsflow(text: str) -> str:
    return detect_language(text, "")[0]


DETECTORS: dict[str, Callable[[str], str]] = {
    "plain langdetect": plain_langdetect,
    "langdetect + und": langdetect_und,
    "lingua (9 langs)": lingua_only,
    "newsflow": newsflow,
}


def run(
    detector: Callable[[str], str], rows: list[tuple[str, str]]
) -> tuple[float, float, float, float, list[str]]:
    """(accuracy, accuracy on LINGUA_LANGUAGES, und rate, docs/s, misses)."""
    start = time.perf_counter()
    answers = [detector(text) for _, text in rows]
    elapsed = time.perf_counter() - start
    ok = [got == lang for (lang, _), got in zip(rows, answers, strict=True)]
    in_set = [o for (lang, _), o in zip(rows, ok, strict=True) if lang in LINGUA_LANGUAGES]
    misses = [
        f"{lang}->{got}: {text[:60]}" for (lang, text), got in zip(rows, answers, strict=True) if got != lang
    ]
    return (
        sum(ok) / len(rows),
        sum(in_set) / max(1, len(in_set)),
        answers.count(UNDETERMINED) / len(rows),
        len(rows) / elapsed,
        misses,
    )


def main() -> None:
    titles, articles = load("titles.tsv"), load("articles.tsv")
    langs = sorted({lang for lang, _ in titles + articles})
    print(f"labelled set: {len(titles)} titles, {len(articles)} longer texts, languages: {' '.join(langs)}")
    start = time.perf_counter()
    for lang in LINGUA_LANGUAGES:  # load the lingua models once, outside the timings
        lingua_guess({"ar": "في", "ru": "в"}.get(lang, "warm up the models"))
        lingua_probabilities({"ar": "في", "ru": "в"}.get(lang, "warm up the models"))
    plain_langdetect("warm up the profiles")
    print(f"model loading (lingua + langdetect, once per process): {time.perf_counter() - start:.1f} s\n")
    header = f"{'detector':<18} {'set':<9} {'accuracy':>8} {'in 9 langs':>10} {'und':>6} {'docs/s':>8}"
    print(header)
    print("-" * len(header))
    show_misses = "--misses" in sys.argv
    for name, detector in DETECTORS.items():
        for set_name, rows in (("titles", titles), ("articles", articles)):
            acc, acc_in, und, rate, misses = run(detector, rows)
            print(f"{name:<18} {set_name:<9} {acc:>8.1%} {acc_in:>10.1%} {und:>6.1%} {rate:>8.0f}")
            if show_misses:
                for miss in misses:
                    print(f"    {miss}")


if __name__ == "__main__":
    main()
