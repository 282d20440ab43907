"""Cleaning benchmark: main-text precision, recall and F1 (bag of words) and pages per second.

Runs, on the same labelled pages in the same process, newsflow's `clean_item`
(`Article.text`), plain `trafilatura.extract(html)` with its defaults, and
trafilatura with `favor_precision=True`. Scores are micro-averaged over all
pages, as in the common article-extraction benchmarks: a page's tokens are its
lowercased words (\\w+), matched as multisets against the gold text.

It also checks the non-article pages in `data/clean/reject/`: newsflow must
reject each with the reason its `.reason` file names.

    .venv/bin/python benchmarks/clean_bench.py            # summary
    .venv/bin/python benchmarks/clean_bench.py --pages    # plus a line per page and system
    .venv/bin/python benchmarks/clean_bench.py --repeat 3 # more stable timings
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from newsflow.clean import clean_item
from newsflow.models import RawItem

DATA = Path(__file__).resolve().parent / "data" / "clean"
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    return Counter(t.casefold() for t in _TOKEN.findall(text or ""))


def newsflow_text(html: str, url: str) -> str:
    return clean_item(RawItem(source="bench", url=url, kind="html", body=html)).text


def trafilatura_default(html: str, url: str) -> str:
    return trafilatura.extract(html) or ""


def trafilatura_precision(html: str, url: str) -> str:
    return trafilatura.extract(html, favor_precision=True) or ""


SYSTEMS: dict[str, Callable[[str, str], str]] = {
    "newsflow": newsflow_text,
    "trafilatura": trafilatura_default,
    "trafilatura-precision": trafilatura_precision,
}


def load_pages() -> list[tuple[str, str, str]]:
    pages = []
    for path in sorted((DATA / "pages").glob("*.html")):
        gold = path.with_suffix(".txt").read_text(encoding="utf-8")
        pages.append((path.stem, path.read_text(encoding="utf-8"), gold))
    return pages


def score(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run(pages: list[tuple[str, str, str]], repeat: int, per_page: bool) -> None:
    print(f"{len(pages)} labelled pages in {DATA / 'pages'} (bag-of-words, micro-averaged)\n")
    print(f"{'system':<24}{'precision':>10}{'recall':>8}{'F1':>8}{'pages/s':>10}")
    rows: dict[str, list[str]] = {}
    for name, system in SYSTEMS.items():
        for stem, html, _ in pages:  # imports, stoplists and caches out of the timing
            system(html, f"https://bench.example/{stem}")
        tp = pred = gold = 0
        elapsed = 0.0
        for stem, html, expected in pages:
            url = f"https://bench.example/{stem}"
            start = time.perf_counter()
            for _ in range(repeat):
                text = system(html, url)
            elapsed += time.perf_counter() - start
            got, want = tokens(text), tokens(expected)
            hit = sum((got & want).values())
            tp, pred, gold = tp + hit, pred + sum(got.values()), gold + sum(want.values())
            p, r, f = score(hit, sum(got.values()), sum(want.values()))
            rows.setdefault(stem, []).append(f"{name}={f:.3f} (p {p:.2f} r {r:.2f})")
        p, r, f = score(tp, pred, gold)
        print(f"{name:<24}{p:>10.3f}{r:>8.3f}{f:>8.3f}{len(pages) * repeat / elapsed:>10.1f}")
    if per_page:
        print()
        for stem, cells in rows.items():
            print(f"{stem:<16}" + "  ".join(cells))


def check_rejections() -> int:
    wrong = 0
    cases = sorted((DATA / "reject").glob("*.html"))
    for path in cases:
        want = path.with_suffix(".reason").read_text(encoding="utf-8").strip()
        art = clean_item(
            RawItem(source="bench", url=f"https://bench.example/{path.stem}", body=path.read_text("utf-8"))
        )
        ok = art.rejected and art.reason.startswith(want)
        wrong += not ok
        if not ok:
            print(f"  {path.stem}: expected '{want}', got status={art.status or 'ok'} reason='{art.reason}'")
    print(f"\nnon-articles rejected with the expected reason: {len(cases) - wrong}/{len(cases)}")
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", action="store_true", help="print F1 per page and system")
    parser.add_argument("--repeat", type=int, default=1, help="extract each page this many times (timing)")
    args = parser.parse_args(argv)
    run(load_pages(), max(1, args.repeat), args.pages)
    check_rejections()
    return 0


if __name__ == "__main__":
    sys.exit(main())
