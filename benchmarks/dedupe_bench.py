"""Dedupe benchmark: quality of the same-story decision and cost per article as the index grows.

    .venv/bin/python benchmarks/dedupe_bench.py                      # everything (several minutes)
    .venv/bin/python benchmarks/dedupe_bench.py --skip-perf          # labelled pairs only (seconds)
    .venv/bin/python benchmarks/dedupe_bench.py --sizes 1000,10000 --skip-quality
    .venv/bin/python benchmarks/dedupe_bench.py --skip-perf --es-url URL   # a running Elasticsearch

Quality: the labelled pairs in benchmarks/data/dedupe/ (written by us, fictional): `copy`
(syndicated with edits, short rewrites), `related` (same event, independently written) and
`different` (follow-ups on the same story a day or two later, other events on the same
topic the same day, unrelated). Each pair is decided as production decides it: copy =
same text hash or `minhash.is_near_duplicate`; related = the `more_like_this` score of
`newsflow.dedupe.related` (both directions, the higher counts) >= threshold, computed by
the embedded server over an index holding the labelled articles and a background corpus
(for realistic document frequencies). Prints precision/recall/F1 of the copy decision and
of the same-story decision (copy or related) for a sweep of thresholds, and docs/s.

Performance: a generated corpus (words drawn from the labelled texts' word frequencies,
10% near-copies) is indexed in steps (1k, 10k, 100k); after each step 500 fresh articles
(half near-copies of indexed ones) go through `Deduplicator(EsCandidateStore)` and the
time per article is printed; at 10k the same fresh articles are compared with every
stored signature (the naive way), and all pairs of the 10k are timed on a sample of rows.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "dedupe"
SEEDS = ROOT.parent / "shared" / "seeds"
REALPAGES = ROOT.parent / "shared" / "datasets" / "realpages"

from newsflow.config import Settings  # noqa: E402
from newsflow.dedupe import (  # noqa: E402
    Deduplicator,
    fingerprint,
    related,  # noqa: E402
)
from newsflow.dedupe.minhash import estimate_jaccard, is_near_duplicate  # noqa: E402
from newsflow.dedupe.related import mlt_query, scores_from_hits  # noqa: E402
from newsflow.index.bulk import index_articles  # noqa: E402
from newsflow.index.client import make_client, wait_for  # noqa: E402
from newsflow.index.embedded import EmbeddedSearch  # noqa: E402
from newsflow.index.store import EsCandidateStore  # noqa: E402
from newsflow.index.template import ensure_index  # noqa: E402
from newsflow.models import NEW, Article  # noqa: E402


def load(name: str) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()
    ]


# -- generated corpus -----------------------------------------------------------------------


class Corpus:
    """Synthetic articles whose word frequencies follow the labelled texts (deterministic)."""

    def __init__(self, texts: list[str], seed: int = 7) -> None:
        counts = Counter(w for t in texts for w in t.split())
        self.words = list(counts)
        self.weights = np.array([counts[w] for w in self.words], dtype=float)
        self.weights /= self.weights.sum()
        self.rng = np.random.default_rng(seed)

    def text(self, n_words: int = 250) -> str:
        return " ".join(self.rng.choice(self.words, size=n_words, p=self.weights))

    def edit(self, text: str, share: float = 0.08) -> str:
        """A near-copy: about `share` of the words replaced, the tail cut, a trailer added."""
        words = text.split()
        for i in self.rng.choice(len(words), size=int(len(words) * share), replace=False):
            words[i] = str(self.rng.choice(self.words))
        return " ".join(words[: int(len(words) * 0.9)]) + " Reporting by wire staff."

    def articles(
        self,
        start: int,
        count: int,
        day: str = "2025-01-10",
        copy_share: float = 0.1,
        pool: list[Article] | None = None,
    ) -> list[Article]:
        out: list[Article] = []
        for n in range(start, start + count):
            base = pool or out
            if base and self.rng.random() < copy_share:
                text = self.edit(base[int(self.rng.integers(len(base)))].text)
            else:
                text = self.text()
            out.append(
                Article(
                    url=f"https://gen{n % 97}.example/news/{n}",
                    source=f"gen{n % 97}",
                    text=text,
                    title=text[:60],
                    language="en",
                    published_at=f"{day}T00:00:00Z",
                )
            )
        return out


def fingerprinted(arts: list[Article]) -> list[Article]:
    for a in arts:
        fingerprint(a)
        a.status, a.cluster_id, a.is_canonical = NEW, a.id, True
    return arts


# -- quality --------------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def related_score(
    client: Any, alias: str, a: dict[str, Any], b: dict[str, Any], max_doc_freq: int | None
) -> float:
    """The production MLT score of the pair, both directions, the higher."""
    best = 0.0
    for x, y in ((a, b), (b, a)):
        body = mlt_query(alias, {**x, "cluster_id": x["id"]}, days=0, max_doc_freq=max_doc_freq)
        body["query"]["bool"]["filter"].append({"ids": {"values": [x["id"], y["id"]]}})
        hits = client.search(index=alias, **body).body["hits"]["hits"]
        best = max(best, scores_from_hits(x["id"], hits).get(y["id"], 0.0))
    return best


def realpages_background() -> list[str]:
    """The English main texts of ../shared/datasets/realpages (real pages, read, never copied):
    a background with real term statistics, where the generated one shares the labelled words."""
    import gzip

    import py3langid
    import trafilatura

    texts = []
    for line in (REALPAGES / "index.jsonl").read_text().splitlines():
        page = REALPAGES / json.loads(line)["page"]
        text = trafilatura.extract(gzip.decompress(page.read_bytes()).decode("utf-8", "replace")) or ""
        if len(text) >= 500 and py3langid.classify(text)[0] == "en":
            texts.append(text)
    return texts


def background_articles(corpus: Corpus, background: int, kind: str) -> list[Article]:
    if kind == "generated":
        return fingerprinted(corpus.articles(0, background, copy_share=0))
    texts = realpages_background()[:background]
    arts = [
        Article(url=f"https://background.example/{i}", source="bg", text=t, language="en")
        for i, t in enumerate(texts)
    ]
    return fingerprinted(arts)


def quality(client: Any, settings: Settings, background: int, kind: str, shares: list[float | None]) -> None:
    arts = {r["id"]: r for r in load("articles.jsonl")}
    pairs = load("pairs.jsonl")
    corpus = Corpus([r["text"] for r in arts.values()])
    labelled = [
        Article(
            url=f"https://bench.example/{i}",
            source="bench",
            text=r["text"],
            title=r["title"],
            language="en",
            published_at=r["published_at"],
        )
        for i, r in arts.items()
    ]
    fingerprinted(labelled)
    ids = {i: a.id for i, a in zip(arts, labelled, strict=True)}
    extra = background_articles(corpus, background, kind)
    index_articles(client, settings, labelled + extra)
    by_id = {i: a for i, a in zip(arts, labelled, strict=True)}

    t0 = time.perf_counter()
    copy_dec: dict[int, bool] = {}
    for n, p in enumerate(pairs):
        a, b = by_id[p["a"]], by_id[p["b"]]
        jac = estimate_jaccard(np.asarray(a.minhash), np.asarray(b.minhash))
        copy_dec[n] = a.text_hash == b.text_hash or is_near_duplicate(jac, a.shingle_count, b.shingle_count)
    t_copy = time.perf_counter() - t0
    print(
        f"\n== labelled pairs: {len(pairs)} ({Counter(p['label'] for p in pairs)}), "
        f"{len(arts)} articles + {len(extra)} {kind} background articles in the index"
    )
    tp = sum(1 for n, p in enumerate(pairs) if copy_dec[n] and p["label"] == "copy")
    fp = sum(1 for n, p in enumerate(pairs) if copy_dec[n] and p["label"] != "copy")
    fn = sum(1 for n, p in enumerate(pairs) if not copy_dec[n] and p["label"] == "copy")
    print(
        "copy decision (MinHash, J>=0.15 or containment>=0.45): P {:.3f} R {:.3f} F1 {:.3f}".format(
            *prf(tp, fp, fn)
        )
    )
    print(f"  copy decision on signatures: {2 * len(pairs) / t_copy:,.0f} docs/s (signatures given)")
    for share in shares:
        # the production cap (`related.doc_freq_cap`) for a share; None: no cap
        cap = None if share is None else related.doc_freq_cap(client, settings.index_alias, share)
        print(f"\n-- MLT max_doc_freq: {'none' if cap is None else cap} (share {share})")
        t0 = time.perf_counter()
        rel: dict[int, float] = {}
        for n, p in enumerate(pairs):
            ra = {"id": ids[p["a"]], "language": "en", "published_at": None}
            rb = {"id": ids[p["b"]], "language": "en", "published_at": None}
            rel[n] = related_score(client, settings.index_alias, ra, rb, cap)
        t_rel = time.perf_counter() - t0
        print(f"  related score (2 MLT queries a pair): {2 * len(pairs) / t_rel:,.1f} docs/s")
        _story_sweep(pairs, copy_dec, rel)


def _story_sweep(pairs: list[dict[str, Any]], copy_dec: dict[int, bool], rel: dict[int, float]) -> None:
    """Related scores by kind, and the same-story decision for a sweep of thresholds."""
    for kind in sorted({p["kind"] for p in pairs}):
        vals = [rel[n] for n, p in enumerate(pairs) if p["kind"] == kind]
        print(f"  related score {kind:<22} min {min(vals):.3f} mean {np.mean(vals):.3f} max {max(vals):.3f}")
    print("same-story decision (copy or related score >= t):")
    print("     t     P      R      F1    hard negatives passed")
    best = (0.0, 0.0)
    chosen: tuple[float, float, float, float] | None = None
    for t in [round(x, 2) for x in np.arange(0.10, 0.62, 0.02)]:
        dec = {n: copy_dec[n] or rel[n] >= t for n in rel}
        pos = {n for n, p in enumerate(pairs) if p["label"] in ("copy", "related")}
        tp = sum(1 for n in pos if dec[n])
        fp = sum(1 for n in dec if dec[n] and n not in pos)
        fn = len(pos) - tp
        hard = sum(
            1 for n, p in enumerate(pairs) if dec[n] and p["kind"] in ("follow_up", "same_topic_same_day")
        )
        p_, r_, f_ = prf(tp, fp, fn)
        print(f"  {t:.2f}  {p_:.3f}  {r_:.3f}  {f_:.3f}  {hard}")
        if f_ > best[1] + 1e-9:
            best = (t, f_)
        if p_ >= 0.95 and chosen is None:
            chosen = (t, p_, r_, f_)
    print(f"best F1 {best[1]:.3f} at t = {best[0]:.2f} (lowest such t)")
    if chosen:
        print("lowest t with precision >= 0.95: t = {:.2f} (P {:.3f} R {:.3f} F1 {:.3f})".format(*chosen))


def seeds_scores(client: Any, settings: Settings) -> None:
    """MLT scores of the real seed pairs (read from ../shared/seeds, never copied)."""
    if not SEEDS.is_dir():
        print("(../shared/seeds not found: seed scores skipped)")
        return
    from newsflow.fetch import read_paths
    from newsflow.pipeline import process_items

    files = sorted(SEEDS.glob("*.txt"))
    arts = process_items(read_paths([str(p) for p in files]), Settings())
    for a in arts:
        a.status, a.cluster_id, a.is_canonical = NEW, a.id, True
    index_articles(client, settings, arts)
    names = {a.id: Path(a.path).name[:3] for a in arts}
    recs = {names[a.id]: {"id": a.id, "language": a.language, "published_at": None} for a in arts}
    cap = related.doc_freq_cap(client, settings.index_alias)
    print(f"seed pairs, related score (same index as the labelled pairs), no cap / max_doc_freq {cap}:")
    for x, y in (("000", "003"), ("003", "004"), ("000", "004"), ("000", "001"), ("002", "004")):
        before, after = (
            related_score(client, settings.index_alias, recs[x], recs[y], c) for c in (None, cap)
        )
        print(f"  {x}-{y}: {before:.3f} / {after:.3f}")


# -- performance ----------------------------------------------------------------------------


def perf(client: Any, settings: Settings, sizes: list[int], queries: int) -> None:
    texts = [r["text"] for r in load("articles.jsonl")]
    corpus = Corpus(texts, seed=11)
    store = EsCandidateStore(client, settings)
    indexed: list[Article] = []
    print("\n== per-article dedupe time against the index (batches of 50, EsCandidateStore)")
    t_sig_total = n_sig = 0.0
    for size in sizes:
        t0 = time.perf_counter()
        fresh = fingerprinted(corpus.articles(len(indexed), size - len(indexed), pool=indexed or None))
        t_sig_total += time.perf_counter() - t0
        n_sig += len(fresh)
        t0 = time.perf_counter()
        for start in range(0, len(fresh), 5000):
            index_articles(client, settings, fresh[start : start + 5000])
        t_index = time.perf_counter() - t0
        indexed += fresh
        rng = random.Random(size)
        probe = [
            Article(
                url=f"https://probe.example/{size}/{n}",
                source="probe",
                language="en",
                text=(corpus.edit(rng.choice(indexed).text) if n % 2 else corpus.text()),
            )
            for n in range(queries)
        ]
        dd = Deduplicator(store)
        t0 = time.perf_counter()
        dd.process(probe)
        t_dedupe = time.perf_counter() - t0
        joined = sum(1 for a in probe if not a.is_canonical)
        print(
            f"  {size:>7,} indexed: {1000 * t_dedupe / queries:6.2f} ms/article "
            f"({queries / t_dedupe:,.0f} docs/s; {joined}/{queries // 2} near-copies found; "
            f"indexing the step took {t_index:.1f} s)"
        )
        if size == 10_000:
            naive(indexed, probe)
    print(f"  signature + LSH keys alone: {n_sig / t_sig_total:,.0f} docs/s")


def naive(indexed: list[Article], probe: list[Article]) -> None:
    sigs = np.asarray([a.minhash for a in indexed], dtype=np.int32)
    t0 = time.perf_counter()
    found = 0
    for a in probe:
        q = np.asarray(a.minhash, dtype=np.int32)
        jac = (sigs == q).mean(axis=1)
        found += int((jac >= 0.15).any())
    t = time.perf_counter() - t0
    print(
        f"  naive at 10,000 (every stored signature, in memory, numpy): {1000 * t / len(probe):6.2f} ms/article "
        f"({found} matched)"
    )
    rows = 200
    t0 = time.perf_counter()
    for i in range(rows):
        (sigs[i + 1 :] == sigs[i]).mean(axis=1)
    t = time.perf_counter() - t0
    full = t / rows * len(sigs) / 2  # rows shrink from n to 0: the average row is half as long
    print(
        f"  naive all pairs of the 10,000 ({len(sigs) * (len(sigs) - 1) // 2:,} pairs): about {full:.0f} s "
        f"(timed on {rows} rows; LSH needs none of it)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--background", type=int, default=2000)
    ap.add_argument("--skip-perf", action="store_true")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument(
        "--background-kind",
        choices=("generated", "realpages"),
        default="generated",
        help="background of the labelled pairs: generated from their words, or realpages' English texts",
    )
    ap.add_argument(
        "--doc-shares",
        default=f"none,{related.MAX_DOC_SHARE}",
        help="MLT max_doc_freq as shares of the index, to compare ('none': no cap)",
    )
    ap.add_argument("--min-cap", type=int, default=None, help="override the cap's floor (MIN_DOC_FREQ_CAP)")
    ap.add_argument("--es-url", default="", help="a running Elasticsearch instead of the embedded server")
    args = ap.parse_args(argv)
    with contextlib.ExitStack() as stack:
        home = Path("/tmp/newsflow-bench")
        if args.es_url:
            settings = Settings.from_env(es_url=args.es_url, home=home, index_alias=f"benchq-{os.getpid()}")
        else:
            server = stack.enter_context(EmbeddedSearch())
            settings = server.settings(Settings(index_alias="benchq", home=home))
        # bulk chunks into the in-memory server can take minutes on a busy 2-core box
        client = make_client(settings).options(request_timeout=900)
        wait_for(client, timeout=30)
        ensure_index(client, settings)
        if args.es_url:
            stack.callback(lambda: client.indices.delete(index=f"{settings.index_alias}*"))
        if not args.skip_quality:
            if args.min_cap is not None:
                related.MIN_DOC_FREQ_CAP = args.min_cap
            shares = [None if x == "none" else float(x) for x in args.doc_shares.split(",")]
            quality(client, settings, args.background, args.background_kind, shares)
            seeds_scores(client, settings)
        if not args.skip_perf:
            perf_settings = dataclasses.replace(settings, index_alias=f"{settings.index_alias}-perf")
            ensure_index(client, perf_settings)
            perf(client, perf_settings, [int(s) for s in args.sizes.split(",")], args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
