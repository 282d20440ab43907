"""Cleaning and dates on real pages: newsflow against the libraries it wraps, in one run.

The pages are the public dev set in `../shared/datasets/realpages` (1,335 real pages, read
its SOURCE.md): text snippets annotated by the trafilatura project's evaluation and
publication days annotated by the htmldate project's evaluation.

Measures, per system, in the same run on the same decoded pages:

- main text (949 pages): snippet precision, recall and F1, the trafilatura project's metric
  (a `text_with` snippet found in the output is a true positive, missing a false negative; a
  `text_without` snippet found a false positive, absent a true negative; summed over all
  pages). newsflow's rejected pages are counted twice: once scored on the text it kept
  (`F1 kept`), once as empty output (`F1`, the figure that counts: a rejected page is lost);
- rejections: pages whose annotations say they have main text that newsflow rejected;
- publication day, per date set (`eval_default`, `eval_mediacloud_2020`): the extracted
  date's day (as the page states it, in its own offset) equals `published_date`;
- time of day: the share of dated pages given a time, and among the pages that state a
  publication time for the right day in their metadata (JSON-LD `datePublished`, meta
  `article:published_time` and kin, `<time datetime>`; detected here independently of
  newsflow; a midnight stamp counts as a date alone), how many newsflow gives a time;
- per language (from the page's own `<html lang>`), and pages per second.

newsflow is `clean_item` then the `dates` enricher (what the pipeline stores);
trafilatura is `trafilatura.extract` (default, and `favor_precision=True`); htmldate is
`htmldate.find_date(original_date=True)` (the publication date, as its evaluation asks).

    python benchmarks/realpages_bench.py                  # all systems, all pages
    python benchmarks/realpages_bench.py --only newsflow  # newsflow alone (faster)
    python benchmarks/realpages_bench.py --limit 200 --jobs 1
    python benchmarks/realpages_bench.py --dump /tmp/rp.jsonl   # one record per page
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DATASET = REPO_ROOT.parent / "shared" / "datasets" / "realpages"
SYSTEMS = ("newsflow", "trafilatura", "trafilatura-precision", "htmldate")
DATE_SETS = ("eval_default", "eval_mediacloud_2020")
# A fixed "now" for the plausibility checks: the set's pages are from 1997-2021.
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def load_index(dataset: Path = DATASET) -> list[dict[str, Any]]:
    """The annotation rows of the set (fails loudly when the set is missing)."""
    path = dataset / "index.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"the realpages set is missing: {path}")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_page(row: dict[str, Any], dataset: Path = DATASET) -> str:
    """The page decoded as the fetch stage decodes a body."""
    from newsflow.fetch.http import decode_body

    data = gzip.decompress((dataset / row["page"]).read_bytes())
    return decode_body(data)[0]


_LANG = re.compile(rb"<html[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.I)


def page_language(html: str) -> str:
    """The language the page declares in <html lang>, else "?"."""
    m = _LANG.search(html[:20000].encode("utf-8", "ignore"))
    return m.group(1).decode().lower() if m else "?"


_TIME_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "pubdate", "publishdate", "publish-date", "publish_date", "dc.date.issued", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "date", "dc.date", "article.published", "published_time",
)  # fmt: skip
_STAMP = re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d):(\d\d)")


def stated_times(html: str) -> set[str]:
    """Days (YYYY-MM-DD) for which the page's metadata states a publication time of day."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html.encode("utf-8"))
    except Exception:
        return set()
    values: list[str] = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _TIME_KEYS:
            values.append(meta.get("content") or "")
    values += [str(v) for v in tree.xpath("//time[@itemprop='datePublished' or @pubdate]/@datetime")]
    values += [str(v) for v in tree.xpath("//*[@itemprop='datePublished']/@datetime")]
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        values += re.findall(r'"datePublished"\s*:\s*"([^"]+)"', str(script))
    days = set()
    for value in values:
        m = _STAMP.search(value)
        # A midnight stamp ("T00:00:00", with or without an offset) is how CMSs write a date alone.
        if m and not (
            m.group(2) == "00" and m.group(3) == "00" and not re.search(r"T00:00:[0-5][1-9]", value)
        ):
            days.add(m.group(1))
    return days


def _has_time(value: str | None) -> bool:
    return bool(value and re.match(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d", value))


def run_newsflow(html: str, url: str) -> dict[str, Any]:
    """newsflow's text, rejection and stored publication date for one page."""
    from newsflow.clean import clean_item
    from newsflow.enrich import enrich_dates
    from newsflow.models import RawItem

    art = clean_item(RawItem(source="realpages", url=url, kind="html", body=html))
    dates = enrich_dates(art, {}, now=NOW)
    return {
        "text": art.text,
        "reason": art.reason if art.rejected else "",
        "date": dates["published_at"],
        "title": art.title,
        "authors": art.authors,
        "extractor": art.extractor,
    }


def run_system(name: str, html: str, url: str) -> dict[str, Any]:
    if name == "newsflow":
        return run_newsflow(html, url)
    if name == "htmldate":
        import htmldate

        try:
            return {"date": htmldate.find_date(html, url=url, original_date=True)}
        except Exception:  # a crash is a miss, as in htmldate's own evaluation
            return {"date": None}
    import trafilatura

    precision = name == "trafilatura-precision"
    return {"text": trafilatura.extract(html, url=url, favor_precision=precision) or ""}


def evaluate_page(job: tuple[dict[str, Any], tuple[str, ...], str]) -> dict[str, Any]:
    """Run every system on one page; a record with their outputs and timings."""
    row, systems, dataset = job
    html = read_page(row, Path(dataset))
    record: dict[str, Any] = {
        "page": row["page"],
        "url": row["url"],
        "lang": page_language(html),
        "stated_times": sorted(stated_times(html)) if "published_date" in row else [],
    }
    for name in systems:
        if name == "htmldate" and "published_date" not in row:
            continue
        if name.startswith("trafilatura") and "text_with" not in row:
            continue
        start = time.perf_counter()
        out = run_system(name, html, row["url"])
        out["seconds"] = time.perf_counter() - start
        record[name] = out
    return record


def run_pages(
    rows: list[dict[str, Any]], systems: tuple[str, ...], jobs: int, dataset: Path = DATASET
) -> list[dict[str, Any]]:
    """Evaluate every row (in a process pool of `jobs` workers when jobs > 1)."""
    work = [(row, systems, str(dataset)) for row in rows]
    if jobs <= 1:
        return [evaluate_page(job) for job in work]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(evaluate_page, work, chunksize=8))


# --- scoring -----------------------------------------------------------------------------------------


def snippet_counts(text: str | None, row: dict[str, Any]) -> Counter[str]:
    """tp/fn/fp/tn of one page's output, as the trafilatura project's evaluation counts them."""
    counts: Counter[str] = Counter()
    text = text or ""
    for snippet in row.get("text_with", []):
        counts["tp" if snippet in text else "fn"] += 1
    for snippet in row.get("text_without", []):
        counts["fp" if snippet in text else "tn"] += 1
    return counts


def prf(counts: Counter[str]) -> tuple[float, float, float]:
    p = counts["tp"] / (counts["tp"] + counts["fp"]) if counts["tp"] + counts["fp"] else 0.0
    r = counts["tp"] / (counts["tp"] + counts["fn"]) if counts["tp"] + counts["fn"] else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def text_scores(rows: list[dict[str, Any]], records: list[dict[str, Any]], system: str) -> dict[str, Any]:
    """Precision, recall, F1 (rejections as empty), F1 on the kept text, rejections."""
    counts: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    rejected: list[str] = []
    for row, rec in zip(rows, records, strict=True):
        if "text_with" not in row or system not in rec:
            continue
        out = rec[system]
        kept += snippet_counts(out.get("text"), row)
        if out.get("reason"):
            rejected.append(f"{row['page']} {out['reason']}")
            counts += snippet_counts("", row)
        else:
            counts += snippet_counts(out.get("text"), row)
    p, r, f = prf(counts)
    return {"precision": p, "recall": r, "f1": f, "f1_kept": prf(kept)[2], "rejected": rejected}


def date_scores(
    rows: list[dict[str, Any]], records: list[dict[str, Any]], system: str, date_set: str
) -> dict[str, Any]:
    """Day accuracy on one date set; for newsflow also the time-of-day figures."""
    total = right = timed = stated = stated_timed = 0
    for row, rec in zip(rows, records, strict=True):
        if row.get("date_set") != date_set or system not in rec:
            continue
        value = rec[system].get("date") or ""
        total += 1
        right += value[:10] == row["published_date"]
        timed += _has_time(value)
        if row["published_date"] in rec["stated_times"]:
            stated += 1
            stated_timed += _has_time(value)
    return {
        "pages": total,
        "accuracy": right / total if total else 0.0,
        "timed": timed / total if total else 0.0,
        "stated": stated,
        "stated_timed": stated_timed,
    }


def speed(records: list[dict[str, Any]], system: str) -> float:
    seconds = sum(rec[system]["seconds"] for rec in records if system in rec)
    pages = sum(1 for rec in records if system in rec)
    return pages / seconds if seconds else 0.0


# --- report ------------------------------------------------------------------------------------------


def _languages(records: list[dict[str, Any]], top: int) -> list[str]:
    return [lang for lang, _ in Counter(rec["lang"] for rec in records).most_common(top)]


def report(
    rows: list[dict[str, Any]], records: list[dict[str, Any]], systems: Iterable[str], top_langs: int
) -> None:
    systems = tuple(systems)
    texts = [s for s in systems if s != "htmldate"]
    dated = [s for s in systems if s in ("newsflow", "htmldate")]
    annotated = sum(1 for row in rows if "text_with" in row)
    print(f"main text: {annotated} pages, snippet metric (trafilatura's evaluation)")
    print(
        f"{'system':<24}{'precision':>10}{'recall':>8}{'F1':>8}{'F1 kept':>9}{'rejected':>10}{'pages/s':>9}"
    )
    for system in texts:
        s = text_scores(rows, records, system)
        print(
            f"{system:<24}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}{s['f1_kept']:>9.3f}"
            f"{len(s['rejected']):>10}{speed(records, system):>9.1f}"
        )
    print(
        "\npublication day (time: share of dated pages given a time; stated: pages stating a time, given one)"
    )
    print(f"{'system':<24}{'set':<22}{'pages':>6}{'day acc':>9}{'time':>7}{'stated':>13}")
    for system in dated:
        for date_set in DATE_SETS:
            d = date_scores(rows, records, system, date_set)
            stated = f"{d['stated_timed']}/{d['stated']}" if system == "newsflow" else ""
            print(
                f"{system:<24}{date_set:<22}{d['pages']:>6}{d['accuracy']:>9.3f}{d['timed']:>7.2f}{stated:>13}"
            )
    if "htmldate" in systems:
        print(f"{'htmldate':<24}{'pages/s':<22}{speed(records, 'htmldate'):>6.1f}")
    print("\nper language (<html lang>): text F1 (rejections as empty) | day accuracy")
    langs = _languages(records, top_langs)
    print(f"{'lang':<6}{'text pages':>11}" + "".join(f"{s[:14]:>16}" for s in texts)
          + f"{'date pages':>11}" + "".join(f"{s:>12}" for s in dated))  # fmt: skip
    for lang in langs:
        pick = [i for i, rec in enumerate(records) if rec["lang"] == lang]
        sub_rows, sub_recs = [rows[i] for i in pick], [records[i] for i in pick]
        n_text = sum(1 for r in sub_rows if "text_with" in r)
        n_date = sum(1 for r in sub_rows if "published_date" in r)
        cells = "".join(f"{text_scores(sub_rows, sub_recs, s)['f1']:>16.3f}" for s in texts)
        days = ""
        for s in dated:
            hits = sum(
                1 for r, rec in zip(sub_rows, sub_recs, strict=True)
                if "published_date" in r and (rec[s].get("date") or "")[:10] == r["published_date"]
            )  # fmt: skip
            days += f"{hits / n_date if n_date else 0.0:>12.3f}"
        print(f"{lang:<6}{n_text:>11}{cells}{n_date:>11}{days}")


def failures(rows: list[dict[str, Any]], records: list[dict[str, Any]]) -> None:
    """A line per page newsflow gets wrong where a baseline gets it right (for reading, not scoring)."""
    by_page: dict[str, list[str]] = defaultdict(list)
    for row, rec in zip(rows, records, strict=True):
        nf = rec.get("newsflow")
        if not nf:
            continue
        if "text_with" in row:
            mine = snippet_counts("" if nf["reason"] else nf["text"], row)
            theirs = snippet_counts(rec.get("trafilatura", {}).get("text"), row)
            if mine["tp"] - mine["fp"] < theirs["tp"] - theirs["fp"]:
                by_page[row["page"]].append(f"text {dict(mine)} vs trafilatura {dict(theirs)} {nf['reason']}")
        if "published_date" in row and (nf["date"] or "")[:10] != row["published_date"]:
            theirs = (rec.get("htmldate", {}).get("date") or "")[:10]
            by_page[row["page"]].append(f"date {nf['date']} want {row['published_date']} htmldate {theirs}")
    for page, lines in by_page.items():
        print(page, " | ".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--limit", type=int, default=0, help="first N pages only")
    parser.add_argument("--langs", type=int, default=8, help="languages in the per-language table")
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--dump", type=Path, help="write one JSON record per page here")
    parser.add_argument("--failures", action="store_true", help="list pages newsflow gets wrong")
    args = parser.parse_args(argv)
    rows = load_index(args.dataset)
    if args.limit:
        rows = rows[: args.limit]
    start = time.perf_counter()
    records = run_pages(rows, tuple(args.only), args.jobs, args.dataset)
    wall = time.perf_counter() - start
    print(f"{len(rows)} real pages from {args.dataset}, {args.jobs} worker(s), {wall:.0f} s wall\n")
    report(rows, records, args.only, args.langs)
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if args.failures:
        print()
        failures(rows, records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
