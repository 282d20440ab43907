"""The dedupe run store's look-up cost as a run grows: 10k, 50k, 100k articles of one run.

    .venv/bin/python benchmarks/runstore_scale.py [--sizes 10k,50k,100k] [--corpus burst|stream] [--probes 500]

Why its own script: the dedupe task holds every article of its run in a `RunStore`
(`newsflow.dedupe.runstore`) and asks it for each new article's MinHash band keys. Its cost
depends on how many of the run's articles share a band key with the article, which is small
for varied news and large for templated text: `burst` is the generated newsroom of the
reliability tests (`tests/reliability/newsroom.py`, 160 words from shared phrases, the corpus
of the 100k end-to-end run), `stream` the benchmark corpus (`benchmarks/corpus.py`). The store
is filled with the first N articles' fingerprints (`newsflow.dedupe.fingerprint`), then the
next `--probes` articles are looked up (`by_lsh`, limit 50, as the deduplicator asks). Prints
the look-up's ms per article, the keys' hits per look-up and the fill time. To compare two
trees, run it with `PYTHONPATH=<tree>/include` for each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from corpus import SIZES, article  # noqa: E402
from newsflow.dedupe import fingerprint  # noqa: E402
from newsflow.dedupe.runstore import RunStore  # noqa: E402
from newsflow.models import Article  # noqa: E402
from reliability.newsroom import article_text  # noqa: E402


def record(kind: str, i: int) -> dict[str, object]:
    """The run-store record of article `i`, as the deduplicator stores it."""
    if kind == "burst":
        title, paragraphs = article_text(i % 50, i // 50)
        art = Article(
            url=f"http://newsroom.test/{i}", source="newsroom", title=title, text="\n\n".join(paragraphs)
        )
    else:
        gen = article(i)
        art = Article(url=gen.url, source=gen.outlet.host, title=gen.title, text=gen.text)
    fingerprint(art)
    return {
        "id": f"a{i:07d}",
        "cluster_id": f"a{i:07d}",
        "text_hash": art.text_hash,
        "minhash": art.minhash,
        "shingle_count": art.shingle_count,
        "lsh": art.lsh,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10k,50k,100k")
    ap.add_argument("--corpus", choices=("burst", "stream"), default="burst")
    ap.add_argument("--probes", type=int, default=500)
    args = ap.parse_args(argv)
    sizes = sorted(
        SIZES.get(s.strip().lower()) or int(s.strip().lower().replace("k", "000"))
        for s in args.sizes.split(",")
    )
    store = RunStore()
    filled, spent = 0, 0.0
    print(f"run store: corpus {args.corpus}, sizes {sizes}, {args.probes} probes each")
    for size in sizes:
        started = time.perf_counter()
        for start in range(filled, size, 1000):
            store.add([record(args.corpus, i) for i in range(start, min(size, start + 1000))])
        spent += time.perf_counter() - started
        filled = size
        probes = [record(args.corpus, 10_000_000 + i)["lsh"] for i in range(args.probes)]
        found = 0
        started = time.process_time()
        for keys in probes:
            found += len(store.by_lsh(keys, limit=50))  # type: ignore[arg-type]
        cpu = time.process_time() - started
        print(
            f"  {size:>7} in the run: look-up {1000 * cpu / args.probes:6.2f} CPU ms/article, "
            f"{found / args.probes:.1f} candidates returned, filled in {spent:.0f} s (fingerprints included)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
