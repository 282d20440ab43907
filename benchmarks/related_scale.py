"""Related coverage's cost per article as the index grows, with and without the common-word cap.

    .venv/bin/python benchmarks/related_scale.py --es-url URL [--sizes 10k,100k] [--corpus burst|stream]
        [--shares none,0.2] [--rounds 2] [--articles 300]

Why its own script: related coverage (`newsflow.dedupe.related`) costs one `more_like_this`
query per new story, and in the 10k end-to-end run it was most of the index task. Its cost
depends on how many indexed articles share the query's words inside the date window, so two
corpora are measured:
- `burst`: the generated newsroom of the reliability tests (`tests/reliability/newsroom.py`),
  every article published at the same time, as in a backfill of one busy day: the window
  holds the whole index;
- `stream`: the benchmark corpus (`benchmarks/corpus.py`), one article every 7 minutes, six
  languages: the ±3-day window holds about 1,200 articles whatever the index size.

One index per size is filled (bulk, text and the fields related coverage reads); then the last
`--articles` of each index are scored as `link_related` scores a run's cluster starters
(`_score_starters`, one msearch per 50), once per share in `--shares` ("none": no cap; a number:
`doc_freq_cap` with that share), `--rounds` times in turn. Prints ms per article (the fastest
round) and, per share, how many pairs score >= the default threshold and how many of those
the uncapped query also found.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from corpus import SIZES, article  # noqa: E402
from newsflow.config import Settings  # noqa: E402
from newsflow.dedupe import related  # noqa: E402
from newsflow.dedupe.urls import doc_id  # noqa: E402
from newsflow.index import ensure_index, index_articles, make_client  # noqa: E402
from newsflow.models import NEW, Article  # noqa: E402
from reliability.newsroom import article_text  # noqa: E402

BURST_TIME = "2026-01-15T12:00:00+00:00"


def corpus_articles(kind: str, start: int, stop: int) -> list[Article]:
    """Articles `start`..`stop` of a corpus, as the index stage writes cluster starters."""
    out = []
    for i in range(start, stop):
        if kind == "burst":
            title, paragraphs = article_text(i % 50, i // 50)
            art = Article(url=f"http://newsroom.test/{i}", source="newsroom", title=title)
            art.text, art.language, art.published_at = "\n\n".join(paragraphs), "en", BURST_TIME
        else:
            gen = article(i)
            art = Article(url=gen.url, source=gen.outlet.host, title=gen.title, text=gen.text)
            art.language, art.published_at = gen.outlet.lang, gen.published.isoformat()
        art.id = doc_id(art.url)
        art.status, art.cluster_id, art.is_canonical = NEW, art.id, True
        out.append(art)
    return out


def fill(client, settings: Settings, kind: str, size: int) -> None:
    ensure_index(client, settings)
    for start in range(0, size, 2000):
        index_articles(client, settings, corpus_articles(kind, start, min(size, start + 2000)))
    client.indices.refresh(index=settings.index_alias)


def score(client, alias: str, records: dict, share: float | None) -> tuple[float, dict]:
    """(seconds, pair scores) of scoring `records` as link_related does."""
    cap = None if share is None else related.doc_freq_cap(client, alias, share)
    started = time.perf_counter()
    scores, _ = related._score_starters(client, alias, records, related.WINDOW_DAYS, related.CANDIDATES, cap)
    return time.perf_counter() - started, scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--es-url", required=True)
    ap.add_argument("--sizes", default="10k,100k")
    ap.add_argument("--corpus", choices=("burst", "stream"), default="burst")
    ap.add_argument("--shares", default=f"none,{related.MAX_DOC_SHARE}")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--articles", type=int, default=300)
    args = ap.parse_args(argv)
    sizes = [SIZES.get(s.strip().lower()) or int(s) for s in args.sizes.split(",")]
    shares = [None if s == "none" else float(s) for s in args.shares.split(",")]
    base = Settings.from_env(es_url=args.es_url, home=Path(f"/tmp/newsflow-related-scale-{os.getpid()}"))
    client = make_client(base).options(request_timeout=600)
    print(
        f"related scale: corpus {args.corpus}, sizes {sizes}, shares {args.shares}, {args.articles} articles"
    )
    for size in sizes:
        settings = dataclasses.replace(base, index_alias=f"related-scale-{os.getpid()}-{size}")
        try:
            fill(client, settings, args.corpus, size)
            ids = [a.id for a in corpus_articles(args.corpus, size - args.articles, size)]
            records = related._get_records(client, settings.index_alias, ids)
            best: dict[float | None, float] = {}
            pairs: dict[float | None, set] = {}
            for _ in range(args.rounds):
                for share in shares:
                    spent, scores = score(client, settings.index_alias, records, share)
                    best[share] = min(best.get(share, spent), spent)
                    pairs[share] = {k for k, v in scores.items() if v >= related.RELATED_THRESHOLD}
            for share in shares:
                found = pairs[share]
                also = len(found & pairs[None]) if None in pairs else len(found)
                print(
                    f"  {size:>7} indexed, share {share!s:>4}: {1000 * best[share] / len(records):7.2f} ms/article, "
                    f"{len(found)} pairs >= {related.RELATED_THRESHOLD} ({also} also found uncapped)"
                )
        finally:
            client.indices.delete(index=f"{settings.index_alias}-v*", ignore_unavailable=True)
            client.options(ignore_status=404).indices.delete_index_template(
                name=f"{settings.index_alias}-template"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
