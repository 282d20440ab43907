"""Near-duplicate threshold from measured pairs of real pages, with and without site furniture.

Pairs, all cleaned by newsflow's own clean stage (`clean_and_learn`), word 4-shingles as dedupe
makes them (`newsflow.dedupe.minhash.shingle_hashes`), exact Jaccard of the shingle sets:

- same-site unrelated pairs: every pair of pages of one site in ../shared/datasets/realpages
  (a site: the host without `www.`; archived pages count under the archived URL's host);
- cross-site unrelated pairs: a fixed random sample of pages of different sites;
- same-story pairs: seeds 000, 001 and 002 (one AFP story printed by three outlets), measured
  across sources (each its own site) and as if one source had printed all three (the hard case
  for furniture filtering: their shared story lines must not be taken for furniture).

Each pair is measured on the full text and on the text without the site's furniture (the lines
of the source's memory found in two or more different stories, `newsflow.dedupe.furniture`);
each site's memory is its pages here. The threshold is chosen between the highest unrelated and
the lowest same-story Jaccard (their geometric middle), with furniture filtered.

    .venv/bin/python benchmarks/near_duplicate_pairs.py [--sample 3000]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from newsflow.clean import clean_and_learn
from newsflow.dedupe.furniture import source_furniture, story_text
from newsflow.dedupe.minhash import BANDS, JACCARD_THRESHOLD, ROWS, shingle_hashes
from newsflow.models import RawItem

ROOT = Path(__file__).resolve().parents[2] / "shared"
REALPAGES = ROOT / "datasets" / "realpages"
IDENTICAL = 0.9  # a pair this similar is one text twice (a page under two URLs), not two stories
SEEDS = ROOT / "seeds"


def site_of(url: str) -> str:
    """The site a page belongs to; an archived page belongs to the archived URL's site.

    A few pages are named `hard::<site>-<slug>.html` (htmldate's hard set): the site is in the name.
    """
    if url.startswith("hard::"):
        return url.removeprefix("hard::").split("-", 1)[0].removeprefix("www.")
    parts = urlsplit(url if "://" in url else "http://" + url)
    host = (parts.hostname or "").removeprefix("www.")
    if host == "web.archive.org":
        inner = parts.path.split("/", 3)[-1]
        return site_of(inner) if "." in inner else host
    return host


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0 or b.size == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def clean_pages(limit_sites: int | None) -> dict[str, list[tuple[str, str]]]:
    """site -> [(text, learning text)] of its accepted pages."""
    rows = [json.loads(line) for line in (REALPAGES / "index.jsonl").read_text().splitlines() if line.strip()]
    by_site: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_site[site_of(row["url"])].append(row)
    out: dict[str, list[tuple[str, str]]] = {}
    for site, pages in sorted(by_site.items())[:limit_sites]:
        for row in pages:
            html = gzip.decompress((REALPAGES / row["page"]).read_bytes()).decode("utf-8", "replace")
            art, learning = clean_and_learn(RawItem(source=site, url=row["url"], kind="html", body=html))
            if not art.rejected and art.text:
                out.setdefault(site, []).append((art.text, learning))
    return out


def seeds() -> list[tuple[str, str]]:
    """All five seeds: 000-002 one story, 003 and 004 other stories of the same events."""
    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        art, learning = clean_and_learn(
            RawItem(
                source=path.stem, url=f"file://{path}", kind="text", body=path.read_text(encoding="utf-8")
            )
        )
        texts.append((art.text, learning))
    return texts


def pair_scores(texts: list[tuple[str, str]], furniture: frozenset[str]) -> list[tuple[float, float]]:
    """(full-text J, furniture-filtered J) of every pair of `texts`."""
    full = [shingle_hashes(t) for t, _ in texts]
    bare = [shingle_hashes(story_text(t, furniture)) for t, _ in texts]
    return [
        (jaccard(full[i], full[j]), jaccard(bare[i], bare[j]))
        for i, j in itertools.combinations(range(len(texts)), 2)
    ]


def describe(name: str, values: list[float]) -> str:
    if not values:
        return f"  {name:<44} n=0"
    arr = np.sort(np.asarray(values))
    q = np.quantile(arr, [0.5, 0.9, 0.99])
    above = int((arr >= JACCARD_THRESHOLD).sum())
    return (
        f"  {name:<44} n={arr.size:<5} median {q[0]:.3f}  p90 {q[1]:.3f}  p99 {q[2]:.3f}  "
        f"max {arr[-1]:.3f}  min {arr[0]:.3f}  >= {JACCARD_THRESHOLD}: {above}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=3000, help="cross-site unrelated pairs (default 3000)")
    parser.add_argument("--sites", type=int, default=None, help="only the first N sites (a quick look)")
    args = parser.parse_args(argv)
    if not REALPAGES.exists():
        print(f"missing {REALPAGES}", file=sys.stderr)
        return 2
    sites = clean_pages(args.sites)
    same_full, same_bare, worst = [], [], []
    for site, texts in sites.items():
        if len(texts) < 2:
            continue
        furniture = source_furniture(learning for _, learning in texts)
        for full, bare in pair_scores(texts, furniture):
            same_full.append(full)
            same_bare.append(bare)
            worst.append((full, bare, site))
    rng = random.Random(19)
    flat = [(site, text) for site, texts in sites.items() for text, _ in texts]
    cross = []
    while len(cross) < args.sample and len(flat) > 1:
        (sa, ta), (sb, tb) = rng.sample(flat, 2)
        if sa != sb:
            cross.append(jaccard(shingle_hashes(ta), shingle_hashes(tb)))
    identical = [f for f in same_full if f >= IDENTICAL]
    same_full = [f for f in same_full if f < IDENTICAL]
    same_bare = [b for f, b, _ in worst if f < IDENTICAL]
    all_seeds = seeds()
    story = all_seeds[:3]
    across = [full for full, _ in pair_scores(story, frozenset())]
    one_source = [bare for _, bare in pair_scores(story, source_furniture(lr for _, lr in story))]
    same_event = [
        full
        for (i, j), (full, _) in zip(
            itertools.combinations(range(5), 2), pair_scores(all_seeds, frozenset()), strict=True
        )
        if j >= 3
    ]

    print(
        f"real pages: {sum(len(t) for t in sites.values())} accepted pages of {len(sites)} sites; "
        f"{sum(1 for t in sites.values() if len(t) > 1)} sites with 2+ pages"
    )
    print(f"exact Jaccard of word 4-shingle sets (threshold now {JACCARD_THRESHOLD}):")
    print(f"  identical texts under two URLs of one site (the exact-copy level's): {len(identical)}")
    print(describe("same-site unrelated, full text", same_full))
    print(describe("same-site unrelated, furniture left out", same_bare))
    print(describe("cross-site unrelated, full text", cross))
    print(describe("other stories of the same events (seeds 003, 004)", same_event))
    print(describe("same story across outlets (seeds 000-002)", across))
    print(describe("same story, one source, furniture left out", one_source))
    print("same-site pairs with the highest full-text Jaccard (full -> furniture left out):")
    for full, bare, site in sorted((w for w in worst if w[0] < IDENTICAL), reverse=True)[:8]:
        print(f"  {site:<40} {full:.3f} -> {bare:.3f}")
    unrelated = max([*same_bare, *cross, *same_event], default=0.0)
    lowest = min([*across, *one_source], default=1.0)
    middle = math.sqrt(max(unrelated, 1e-6) * lowest)
    print(
        f"highest unrelated (furniture left out) {unrelated:.3f}; lowest same story {lowest:.3f}; "
        f"geometric middle {middle:.3f}"
    )
    for j in (middle, JACCARD_THRESHOLD, lowest):
        print(
            f"  LSH ({BANDS}x{ROWS}) finds a pair of J {j:.3f} as a candidate with probability "
            f"{1 - (1 - j**ROWS) ** BANDS:.2f}"
        )
    print(
        f"threshold {JACCARD_THRESHOLD}: "
        + ("separates them" if unrelated < JACCARD_THRESHOLD <= lowest else "does NOT separate them")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
