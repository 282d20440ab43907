"""Is langdetect-rs the same detector as langdetect? Identity on real texts, and the speed-up.

newsflow uses `langdetect-rs` (a Rust port) as the engine behind langdetect when it is
installed (`newsflow.enrich.language.ENGINE`). That is only right if it answers exactly as
langdetect does. This script runs both on the same real texts with newsflow's settings (a
detector per text, seed `SEED`, `TRIALS` trials for long text and `SHORT_TRIALS` for short
text) and compares the whole probability vector, float for float, not just the top answer.

Texts: the sets of `benchmarks/language_data.py` (real titles, Universal Dependencies
sentences and paragraphs in 44 languages) and the first 2,000 characters of the paragraphs of
every page in `../shared/datasets/realpages`.

Run: `python benchmarks/langdetect_identity.py` (exit status 1 if any text differs).
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html

from newsflow.enrich.language import SEED, SHORT_TRIALS, TRIALS, sample_text

REPO_ROOT = Path(__file__).resolve().parent.parent
REALPAGES = REPO_ROOT.parent / "shared" / "datasets" / "realpages"
DATA = Path(os.environ.get("NEWSFLOW_LANGDATA", Path.home() / ".cache" / "newsflow" / "language"))


def texts() -> list[str]:
    found = []
    for name in ("titles", "sentences", "paragraphs"):
        path = DATA / f"{name}.tsv"
        if path.exists():
            found += [line.split("\t", 2)[2] for line in path.read_text(encoding="utf-8").splitlines()]
    for line in (REALPAGES / "index.jsonl").read_text(encoding="utf-8").splitlines():
        raw = gzip.decompress((REALPAGES / json.loads(line)["page"]).read_bytes())
        try:
            tree = lxml.html.document_fromstring(raw)
        except (ValueError, lxml.etree.ParserError):
            continue
        body = " ".join(" ".join(p.text_content().split()) for p in tree.iter("p"))[:2000]
        if body:
            found.append(body)
    return found


def engine(module: str) -> Callable[[str, int], list[tuple[str, float]]]:
    """One detection with newsflow's settings: the languages' probabilities, in langdetect's order."""
    factory_module: Any = __import__(f"{module}.detector_factory", fromlist=["DetectorFactory"])
    exc: Any = __import__(f"{module}.lang_detect_exception", fromlist=["LangDetectException"])
    factory = factory_module.DetectorFactory()
    factory.load_profile(factory_module.PROFILES_DIRECTORY)

    def run(text: str, trials: int) -> list[tuple[str, float]]:
        detector = factory.create()
        detector.seed = SEED
        detector.n_trial = trials
        detector.append(text)
        try:
            detector.get_probabilities()
        except exc.LangDetectException as e:
            return [("error", float(e.get_code()))]
        return list(zip(detector.langlist, detector.langprob, strict=True))

    return run


def main() -> None:
    try:
        rust = engine("langdetect_rs")
    except ImportError:
        sys.exit("langdetect-rs is not installed: `pip install langdetect-rs`")
    pure = engine("langdetect")
    samples = [sample_text("", t) for t in texts()]
    print(f"{len(samples)} real texts; settings: seed {SEED}, {TRIALS} trials (long), {SHORT_TRIALS} (short)")
    differ = 0
    timings = {"langdetect": 0.0, "langdetect-rs": 0.0}
    for trials in (TRIALS, SHORT_TRIALS):
        for text in samples:
            start = time.perf_counter()
            a = pure(text, trials)
            timings["langdetect"] += time.perf_counter() - start
            start = time.perf_counter()
            b = rust(text, trials)
            timings["langdetect-rs"] += time.perf_counter() - start
            if a != b:
                differ += 1
                print(f"  differs ({trials} trials): {text[:80]!r}")
    total = 2 * len(samples)
    print(f"identical probability vectors: {total - differ} of {total} ({(total - differ) / total:.2%})")
    for name, seconds in timings.items():
        print(f"{name:<14} {total / seconds:>8.0f} texts/s")
    print(f"speed-up: {timings['langdetect'] / timings['langdetect-rs']:.1f}x")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
