"""Cost of each enricher per article, after the one-off model/gazetteer loading.

Articles: the 5 seed texts (../shared/seeds, read only) and the 45 longer texts of
benchmarks/data/language/articles.tsv, each enriched `ROUNDS` times.
Run: `.venv/bin/python benchmarks/enrich_bench.py`.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

from newsflow.enrich import ENRICHERS, detect_language
from newsflow.models import Article

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3


def articles() -> list[Article]:
    out = []
    for path in sorted((ROOT.parent / "shared" / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.append(Article(url=path.resolve().as_uri(), title=text.splitlines()[0], text=text))
    for line in (
        (ROOT / "benchmarks" / "data" / "language" / "articles.tsv").read_text(encoding="utf-8").splitlines()
    ):
        if line.strip() and not line.startswith("#"):
            _, text = line.split("\t", 1)
            out.append(Article(url="https://example.org/a", title=text[:60], text=text))
    return out


def main() -> None:
    docs = articles()
    for doc in docs:  # keywords use the article's language, as in the pipeline
        doc.language = detect_language(doc.title, doc.text)[0]
    print(
        f"{len(docs)} articles, {ROUNDS} rounds, mean {sum(len(d.text) for d in docs) / len(docs):.0f} chars"
    )
    print(f"{'enricher':<10} {'first call (load) s':>20} {'ms/article':>11}")
    total = 0.0
    for enricher in ENRICHERS:
        work = [copy.deepcopy(d) for d in docs]
        start = time.perf_counter()
        enricher.func(work[0], {})
        first = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(ROUNDS):
            for art in work:
                for name, value in enricher.func(art, {}).items():
                    setattr(art, name, value)  # keywords read the language found before
        per = (time.perf_counter() - start) / (ROUNDS * len(work)) * 1000
        total += per
        print(f"{enricher.name:<10} {first:>20.2f} {per:>11.2f}")
    print(f"{'total':<10} {'':>20} {total:>11.2f}")


if __name__ == "__main__":
    main()
