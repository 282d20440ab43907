"""The benchmark's printed report: the per-stage table, the ratios against the baselines, the profile.

Ratios come first in spirit (they survive a busy machine better than absolute
figures); both the wall-clock rate and the CPU rate are shown, because the box the
figures are taken on is shared and wall time moves with the load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STAGES = ("fetch", "clean", "dedupe", "enrich", "index")
TEXT = ("clean_text", "dedupe_text", "enrich_text")
PROFILE_LINES = 45


def _rate(items: float, seconds: float) -> float:
    return items / seconds if seconds > 0 else 0.0


def _row(name: str, res: dict[str, Any], total_wall: float | None = None) -> str:
    items, wall, cpu = res["items"], res["wall_s"], res["cpu_s"]
    share = f"{100 * wall / total_wall:5.1f}%" if total_wall else "      "
    return (
        f"{name:<20} {items:>7} {wall:>9.2f} {_rate(items, wall):>9.1f} {_rate(items, cpu):>10.1f} "
        f"{1000 * cpu / max(1, items):>10.2f} {res['peak_rss_mb']:>9.1f}  {share}"
    )


HEADER = (
    f"{'stage':<20} {'items':>7} {'wall s':>9} {'art/s':>9} {'art/cpu-s':>10} "
    f"{'cpu ms/art':>10} {'peak MB':>9}  share"
)


def _sum(results: dict[str, dict[str, Any]], names: tuple[str, ...], items: int) -> dict[str, Any]:
    got = [results[n] for n in names if n in results]
    return {
        "items": items,
        "wall_s": sum(r["wall_s"] for r in got),
        "cpu_s": sum(r["cpu_s"] for r in got),
        "peak_rss_mb": max((r["peak_rss_mb"] for r in got), default=0.0),
    }


def _verdict(ok: bool) -> str:
    return "OK  " if ok else "MISS"


def render(meta: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    n = meta["size"]
    lines = [
        "",
        f"== newsflow benchmark: {n} articles ({meta['copies']} syndicated/exact copies), "
        f"{meta['cpus']} CPUs, load average during the run {min(meta['load_avg']):.2f}..{max(meta['load_avg']):.2f}",
        "",
        "pipeline, one process per stage (as Airflow tasks):",
        HEADER,
        *_pipeline_rows(results, n),
        *_stage_notes(results),
    ]
    cde = _sum(results, ("clean", "dedupe", "enrich"), n)
    lines += ["", "clean + dedupe + enrich:", HEADER, _row("HTML pages", cde)]
    text = _sum(results, TEXT, n) if all(t in results for t in TEXT) else None
    if text:
        for name in TEXT:
            lines.append(_row(name, results[name]))
        lines.append(_row("text inputs", text))

    headline, checks = _headline(results, n, cde, text)
    lines += ["", "headline (ours vs the code a user would otherwise write):", *headline]
    peak = max(
        (r["peak_rss_mb"] for k, r in results.items() if k in (*STAGES, *TEXT, "dedupe_warm")), default=0.0
    )
    checks.append(f"{_verdict(peak < 1024)} peak memory of any stage < 1 GiB: {peak:.0f} MB")
    lines += ["", "targets:", *[f"  {c}" for c in checks]]
    lines += _profile_lines(results.get("profile"))
    return "\n".join(lines) + "\n"


def _pipeline_rows(results: dict[str, dict[str, Any]], n: int) -> list[str]:
    """One row per stage that ran, then their sum; each row shows its share of the end-to-end
    wall time, so the stage to work on stands out."""
    present = [s for s in STAGES if s in results]
    e2e = _sum(results, tuple(present), n)
    rows = [_row(name, results[name], e2e["wall_s"]) for name in present]
    rows.append(_row("end to end", e2e, e2e["wall_s"]))
    return rows


def _stage_notes(results: dict[str, dict[str, Any]]) -> list[str]:
    """What the table cannot show: connection reuse and the servers' own CPU (spent outside
    the stage's process), index failures, dedupe decisions. Only for the stages that ran."""
    notes: list[str] = []
    fetch = results.get("fetch")
    if fetch:
        ex = fetch["extra"]
        per_conn = ex["requests"] / max(1, ex["connections"])
        notes.append(
            f"  fetch: {ex['requests']} requests over {ex['connections']} connections "
            f"({per_conn:.1f} a connection); loopback server CPU {ex['server_cpu_s']:.1f} s"
        )
    if "index" in results:
        ex = results["index"]["extra"]
        notes.append(
            f"  index: {ex['indexed']} documents written, {ex['failed']} failed; "
            f"search server CPU {ex['server_cpu_s']:.1f} s"
        )
    if "dedupe" in results:
        notes.append(f"  dedupe decisions: {results['dedupe']['extra']['counts']}")
    return notes


def _headline(
    results: dict[str, dict[str, Any]], n: int, cde: dict[str, Any], text: dict[str, Any] | None
) -> tuple[list[str], list[str]]:
    """(headline lines, target checks) for the baselines that ran: each of our figures next to
    the code a user would otherwise write, measured in the same run on the same machine."""
    lines: list[str] = []
    checks: list[str] = []
    trafi = results.get("plain_trafilatura")
    if trafi:
        ours_w, base_w = _rate(n, cde["wall_s"]), _rate(trafi["items"], trafi["wall_s"])
        ours_c, base_c = _rate(n, cde["cpu_s"]), _rate(trafi["items"], trafi["cpu_s"])
        ratio = ours_c / base_c if base_c else 0.0
        lines.append(
            f"  clean+dedupe+enrich on HTML vs plain trafilatura.extract: {ours_w:.1f} vs {base_w:.1f} art/s "
            f"(wall, x{ours_w / base_w if base_w else 0:.2f}); {ours_c:.1f} vs {base_c:.1f} art/cpu-s "
            f"(x{ratio:.2f}; baseline on {trafi['items']} pages)"
        )
        checks.append(
            f"{_verdict(ratio >= 1.0)} HTML clean+dedupe+enrich >= 1.0x plain trafilatura (CPU): x{ratio:.2f}"
        )
    if text:
        rate_w, rate_c = _rate(n, text["wall_s"]), _rate(n, text["cpu_s"])
        lines.append(f"  clean+dedupe+enrich on text inputs: {rate_w:.1f} art/s wall, {rate_c:.1f} art/cpu-s")
        checks.append(f"{_verdict(rate_w >= 300)} text inputs >= 300 art/s (wall): {rate_w:.1f}")
    lines += _language_line(results.get("plain_langdetect"))
    lines += _dedupe_lines(results, n)
    lines += _index_line(results.get("one_at_a_time_index"))
    return lines, checks


def _language_line(lang: dict[str, Any] | None) -> list[str]:
    """Our language detection against langdetect on the full text: speed and agreement, since a
    faster detector that answers differently would not be a win."""
    if not lang:
        return []
    ex = lang["extra"]
    return [
        f"  language: ours {ex['ours_ms']:.2f} ms/article vs langdetect on full text {ex['plain_ms']:.2f} ms "
        f"(x{ex['plain_ms'] / max(ex['ours_ms'], 1e-9):.2f} faster; same answer on {100 * ex['agreement']:.1f}% "
        f"of {lang['items']}, mean text {ex['chars_mean']} chars)"
    ]


def _dedupe_lines(results: dict[str, dict[str, Any]], n: int) -> list[str]:
    """Dedupe against all-pairs MinHash at this corpus size, and the warm dedupe against a full
    index (the figure that must stay flat as the index grows, compared across --size runs)."""
    lines: list[str] = []
    pairs = results.get("all_pairs_minhash")
    if pairs and "dedupe" in results:
        ex = pairs["extra"]
        ours = 1000 * results["dedupe"]["wall_s"] / max(1, n)
        lines.append(
            f"  dedupe: ours {ours:.2f} ms/article (stage, against the index) vs all-pairs MinHash "
            f"{ex['ms_per_article_at_corpus_size']:.2f} ms/article at {n} (x{ex['ms_per_article_at_corpus_size'] / max(ours, 1e-9):.1f}; "
            f"measured on {pairs['items']}: {ex['signature_ms']:.2f} ms a signature, {ex['pair_us']:.1f} us a pair)"
        )
    warm = results.get("dedupe_warm")
    if warm:
        ex = warm["extra"]
        lines.append(
            f"  dedupe of {warm['items']} new articles against an index of {ex['index_docs']}: "
            f"{ex['ms_per_article']:.2f} ms/article ({ex['counts']})  <- compare across --size runs (flat within 1.5x)"
        )
    return lines


def _index_line(single: dict[str, Any] | None) -> list[str]:
    """Bulk indexing against one document a request, both measured side by side."""
    if not single:
        return []
    ex = single["extra"]
    base, ours = ex["single_docs_per_s"], ex["bulk_docs_per_s"]
    return [
        f"  index: bulk {ours:.1f} docs/s vs one document a request {base:.1f} docs/s "
        f"(x{ours / base if base else 0:.1f}; {ex['bulk_docs']} + {ex['single_docs']} docs side by side)"
    ]


def _profile_lines(prof: dict[str, Any] | None) -> list[str]:
    """The top of the hot-path profile (the full one stays in its file, named here)."""
    if not prof:
        return []
    path = Path(prof["extra"]["text"])
    top = path.read_text().splitlines()[:PROFILE_LINES] if path.exists() else []
    return ["", f"profile of clean+dedupe+enrich on {prof['items']} HTML pages (top; full: {path}):", *top]
