"""What a user would write without newsflow, measured on the same corpus in the same run.

Why: a figure alone says little on a shared 2-core box whose load changes by the
minute; a ratio against the obvious code, measured minutes apart on the same
pages, says how much the pipeline costs or saves. Each baseline runs in its own
child process like the stages (see `stages.run_child`) and works on a sample
(`state["samples"]`) when doing all of it would take too long; the sample size is
reported with the figure.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

from newsflow.models import read_articles, read_raw
from stages import State, _client, settings_of


def _raws(state: State, kind: str, limit: int) -> list[Any]:
    items: list[Any] = []
    for path in state["corpus"][kind].values():
        items.extend(read_raw(Path(path)))
    items.sort(key=lambda r: r.url)  # the same sample whatever the file order
    return items[:limit]


def _enriched(state: State, limit: int) -> list[Any]:
    arts = [a for b in state["enrich_results"] for a in read_articles(Path(b["path"])) if not a.rejected]
    arts.sort(key=lambda a: a.url)
    return arts[:limit]


def plain_trafilatura(state: State) -> tuple[int, dict[str, Any]]:
    """`trafilatura.extract(html)` with its defaults: the one-liner everyone starts with."""
    import trafilatura

    raws = _raws(state, "html", state["samples"]["trafilatura"])
    words = 0
    for raw in raws:
        text = trafilatura.extract(raw.body, url=raw.url) or ""
        words += len(text.split())
    return len(raws), {"words": words}


def plain_langdetect(state: State) -> tuple[int, dict[str, Any]]:
    """`langdetect.detect` on the full text, against ours (bounded sample, same texts)."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    from newsflow.enrich.language import detect_language

    DetectorFactory.seed = 0
    arts = _enriched(state, state["samples"]["langdetect"])
    detect("warm up the profiles before the clock starts")
    detect_language("", "warm up the profiles before the clock starts")
    started = time.perf_counter()
    plain = []
    for art in arts:
        try:
            plain.append(detect(f"{art.title}\n{art.text}"))
        except LangDetectException:
            plain.append("und")
    plain_s = time.perf_counter() - started
    started = time.perf_counter()
    ours = [detect_language(art.title, art.text)[0] for art in arts]
    ours_s = time.perf_counter() - started
    agree = sum(1 for a, b in zip(plain, ours, strict=True) if a.split("-")[0] == b)
    return len(arts), {
        "plain_ms": round(1000 * plain_s / max(1, len(arts)), 2),
        "ours_ms": round(1000 * ours_s / max(1, len(arts)), 2),
        "agreement": round(agree / max(1, len(arts)), 4),
        "chars_mean": round(sum(len(a.text) for a in arts) / max(1, len(arts))),
    }


def all_pairs_minhash(state: State) -> tuple[int, dict[str, Any]]:
    """datasketch MinHash per article, then every pair compared: cost grows with the corpus.

    Measured on a sample of m articles (m(m-1)/2 pairs); the cost per article at the
    corpus size n is extrapolated as signature time + (n-1)/2 comparisons.
    """
    from datasketch import MinHash

    from newsflow.dedupe.minhash import tokens

    arts = _enriched(state, state["samples"]["allpairs"])
    started = time.perf_counter()
    sigs = []
    for art in arts:
        toks = tokens(art.text)
        mh = MinHash(num_perm=256, seed=1)
        mh.update_batch([" ".join(toks[i : i + 4]).encode() for i in range(max(1, len(toks) - 3))])
        sigs.append(mh)
    sig_s = time.perf_counter() - started
    started = time.perf_counter()
    pairs = near = 0
    for a, b in itertools.combinations(sigs, 2):
        pairs += 1
        near += a.jaccard(b) >= 0.15
    pair_s = time.perf_counter() - started
    n = state["corpus"]["size"]
    per_pair = pair_s / max(1, pairs)
    per_article_at_n = sig_s / max(1, len(arts)) + per_pair * (n - 1) / 2
    return len(arts), {
        "signature_ms": round(1000 * sig_s / max(1, len(arts)), 3),
        "pairs": pairs,
        "pair_us": round(1e6 * per_pair, 3),
        "near_pairs": near,
        "ms_per_article_at_corpus_size": round(1000 * per_article_at_n, 3),
    }


def one_at_a_time_index(state: State) -> tuple[int, dict[str, Any]]:
    """`client.index()` per document vs `index_articles` (bulk), side by side in this process.

    Both write into an index made from the same template under the alias `bench-single`, half
    of the sample each, so the comparison is not skewed by what else the index stage does
    (related-story linking, cluster merging) or by a change of load between two processes.
    """
    import dataclasses

    from newsflow.index import ensure_index, index_articles
    from newsflow.index.documents import to_document

    settings = dataclasses.replace(settings_of(state), index_alias="bench-single")
    client = _client(state)
    ensure_index(client, settings)
    arts = [
        a for a in _enriched(state, 10 * state["samples"]["single_index"]) if a.status in ("new", "updated")
    ]
    arts = arts[: state["samples"]["single_index"]]
    half = len(arts) // 2
    started = time.perf_counter()
    for art in arts[:half]:
        client.index(index=settings.write_alias, id=art.id, document=to_document(art, "2026-11-22T00:00:00Z"))
    client.indices.refresh(index=settings.index_alias)
    single_s = time.perf_counter() - started
    started = time.perf_counter()
    report = index_articles(client, settings, arts[half:], Path(state["home"]) / "dead_letters")
    bulk_s = time.perf_counter() - started
    return len(arts), {
        "single_docs_per_s": round(half / single_s, 2) if single_s else 0.0,
        "bulk_docs_per_s": round(report.indexed / bulk_s, 2) if bulk_s else 0.0,
        "single_docs": half,
        "bulk_docs": report.indexed,
    }


def profile(state: State) -> tuple[int, dict[str, Any]]:
    """pyinstrument over clean + dedupe + enrich of a sample of HTML pages, in one process."""
    from pyinstrument import Profiler

    from newsflow.pipeline import process_items

    raws = _raws(state, "html", state["samples"]["profile"])
    settings = settings_of(state)
    process_items(raws[:5], settings)  # imports and lazy loads out of the profile
    profiler = Profiler(interval=0.001)
    profiler.start()
    process_items(raws, settings)
    profiler.stop()
    out = Path(state["out"])
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    (out / "profile.txt").write_text(text)
    (out / "profile.html").write_text(profiler.output_html())
    return len(raws), {"text": str(out / "profile.txt"), "html": str(out / "profile.html")}


BASELINES = {
    "plain_trafilatura": plain_trafilatura,
    "plain_langdetect": plain_langdetect,
    "all_pairs_minhash": all_pairs_minhash,
    "one_at_a_time_index": one_at_a_time_index,
    "profile": profile,
}
