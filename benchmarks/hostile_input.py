"""Hostile input (issue 15): what one bad page costs, before and after, in the same run.

Each case runs in a fresh process against a tree given on the command line (default: this
checkout; `--baseline /path/to/other/checkout` adds a column for another tree, e.g. the
main branch before the fixes), with a wall-clock cap so a case that never ends is reported
as such instead of hanging the benchmark:

- `trickle`: fetch_stage of a feed whose one page trickles its headers one byte every 50 ms
  (NEWSFLOW_PAGE_BUDGET=5 on the new tree);
- `prolog-N`: parse_feed of a feed whose prolog holds N XML comments (the "is this HTML?" check);
- `meta-10000`: item_date of a page whose head has 10,000 unclosed `<meta ` openings;
- `plain-40x4.5MB`: fetch_stage + clean_stage of a files source of 40 plain-text files of
  4.5 MB each; prints the clean stage's peak RSS.

    python benchmarks/hostile_input.py --baseline /work/main
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASE = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
case = sys.argv[1]
out = {}
if case == "trickle":
    sys.path.insert(0, sys.argv[2])
    from reliability.newsroom import Newsroom, send
    from newsflow.config import Settings
    from newsflow.pipeline import fetch_stage
    from newsflow.sources import Source
    def trickle(req, hit):
        data = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"a" * 100000
        try:
            for n in range(len(data)):
                req.wfile.write(data[n:n + 1]); req.wfile.flush(); time.sleep(0.05)
        except OSError:
            pass
    with Newsroom(feeds=1, per_feed=2) as room:
        room.routes["/robots.txt"] = lambda req, hit: send(req, 404, b"", "text/plain")
        room.routes["/slow.html"] = trickle
        feed = ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
                f"<item><title>a</title><link>{room.base_url}/f0/a0.html</link></item>"
                f"<item><title>b</title><link>{room.base_url}/slow.html</link></item></channel></rss>").encode()
        room.routes["/feed.xml"] = lambda req, hit: send(req, 200, feed, "application/rss+xml")
        settings = Settings.from_env(None, home=Path(tempfile.mkdtemp()), allow_private=True, fetch_timeout=2.0)
        started = time.monotonic()
        result = fetch_stage(Source(name="t", type="rss", url=room.base_url + "/feed.xml"), settings, "bench")
        out["seconds"] = round(time.monotonic() - started, 2)
        out["fetched"] = result["fetched"]
elif case.startswith("prolog-"):
    from newsflow.fetch.feeds import parse_feed
    n = int(case.split("-")[1])
    body = ("<?xml version='1.0'?>" + "<!-- a comment -->" * n
            + "<rss version='2.0'><channel><title>T</title></channel></rss>").encode()
    started = time.monotonic()
    parse_feed(body, "https://example.org/feed.xml")
    out["seconds"] = round(time.monotonic() - started, 3)
elif case == "meta-10000":
    from newsflow.fetch import item_date
    from newsflow.models import RawItem
    body = "<html><head>" + "<meta " * 10000 + "</head><body></body></html>"
    started = time.monotonic()
    item_date(RawItem(source="s", url="https://example.org/a", body=body, kind="html"))
    out["seconds"] = round(time.monotonic() - started, 3)
elif case == "plain-40x4.5MB":
    from newsflow.config import Settings
    from newsflow.pipeline import clean_stage, fetch_stage
    from newsflow.sources import Source
    tmp = Path(tempfile.mkdtemp())
    folder = tmp / "in"; folder.mkdir()
    words = " ".join(f"harbour{n % 5000} crane{n % 977} quay." for n in range(180_000))[:4_500_000]
    for n in range(40):
        (folder / f"p{n:02d}.txt").write_text(f"Page {n}. " + words)
    settings = Settings(home=tmp / "home", keywords=False, related_coverage=False)
    fetched = fetch_stage(Source(name="big", type="files", path=folder), settings, "bench")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    cleaned = clean_stage(fetched, settings, "bench")
    out["seconds"] = round(time.monotonic() - started, 1)
    out["clean_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["rss_before_clean_mb"] = round(before / 1024)
    out["rejected"] = cleaned["rejected"]
print("RESULT " + json.dumps(out))
"""

CASES = ["trickle", "prolog-20", "prolog-24", "prolog-1000", "meta-10000", "plain-40x4.5MB"]


def run(tree: Path, case: str, cap: float) -> str:
    env = {**os.environ, "PYTHONPATH": f"{tree / 'include'}", "NEWSFLOW_PAGE_BUDGET": "5"}
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CASE, case, str(ROOT / "tests")],
            capture_output=True,
            text=True,
            env=env,
            timeout=cap,
        )
    except subprocess.TimeoutExpired:
        return f"did not end in {cap:g} s (stopped)"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return f"failed after {time.monotonic() - started:.1f} s: {tail[:120]}"
    return json.dumps(json.loads(lines[-1][7:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to measure in the same run")
    parser.add_argument("--cap", type=float, default=120.0, help="seconds before a case is stopped")
    parser.add_argument("--cases", nargs="*", default=CASES)
    args = parser.parse_args()
    trees = [("this tree", ROOT)] + ([("baseline", args.baseline)] if args.baseline else [])
    for case in args.cases:
        for label, tree in trees:
            print(f"{case:16} {label:10} {run(tree, case, args.cap)}", flush=True)


if __name__ == "__main__":
    main()
