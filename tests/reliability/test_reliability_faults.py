"""Faults of Elasticsearch, the archive folder and the worker; after each, nothing is lost.

Elasticsearch faults come from a real proxy in front of the embedded server (faultproxy.py).
Each test ends the same way: the fault clears, a retry (same run id) or a re-run (new run id,
replayed from the raw archive) completes, the ledger adds up, and the index holds every
archived article exactly once (`archive_vs_index`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsflow.index import make_client
from newsflow.pipeline import NOT_PROCESSED, ArchiveError, SearchUnavailable, fetch_stage
from newsflow.sources import Source

from .newsroom import Newsroom
from .runner import archive_vs_index, assert_balanced, count_index, run_stages

pytestmark = pytest.mark.integration

FEEDS, PER_FEED = 2, 8
TOTAL = FEEDS * PER_FEED


@pytest.fixture(scope="module")
def site():
    with Newsroom(feeds=FEEDS, per_feed=PER_FEED) as room:
        yield room


def _sources(site: Newsroom) -> list[Source]:
    return [Source(name=f"feed{n}", type="rss", url=site.feed_url(n)) for n in range(FEEDS)]


def _not_processed(ledger) -> int:
    return ledger.rejected_by_reason.get(NOT_PROCESSED, 0)


def test_elasticsearch_down_at_the_start(site, rsettings, proxy):
    proxy.stop()
    run = run_stages(rsettings, _sources(site), "run-1")
    assert isinstance(run.error, SearchUnavailable)
    message = str(run.error)
    assert message.startswith(f"dedupe: Elasticsearch at {proxy.url} is unreachable")
    assert "Nothing is lost" in message and "Airflow retries it" in message
    assert_balanced(run.ledger)
    assert run.ledger.fetched == TOTAL and _not_processed(run.ledger) == TOTAL, "all archived, none decided"

    proxy.start()  # the fault clears; Airflow's retry runs the same run id from the archive
    retry = run_stages(rsettings, _sources(site), "run-1", fetched=run.fetch)
    assert retry.error is None
    assert_balanced(retry.ledger)
    assert retry.ledger.new == TOTAL
    expected, docs = archive_vs_index(rsettings, make_client(rsettings))
    assert len(expected) == len(docs) == TOTAL


def test_elasticsearch_goes_down_mid_bulk(site, rsettings, proxy):
    proxy.die_after_docs = 6  # bulk requests carry ~5 documents (bulk_chunk_bytes=20000)
    run = run_stages(rsettings, _sources(site), "run-1")
    assert isinstance(run.error, SearchUnavailable), run.error
    assert str(run.error).startswith(f"index: Elasticsearch at {proxy.url} is unreachable")
    assert not proxy.up and proxy.docs_forwarded == 6
    assert_balanced(run.ledger)
    assert _not_processed(run.ledger) == TOTAL

    proxy.die_after_docs = None
    proxy.start()
    assert 0 < count_index(make_client(rsettings), rsettings) < TOTAL, "part of the run was written"
    retry = run_stages(rsettings, _sources(site), "run-1", fetched=run.fetch)
    assert retry.error is None
    assert_balanced(retry.ledger)
    expected, docs = archive_vs_index(rsettings, make_client(rsettings))
    assert len(expected) == len(docs) == TOTAL

    # A fresh run over the same feeds adds nothing: every article is there exactly once already.
    again = run_stages(rsettings, _sources(site), "run-2")
    assert again.error is None and again.ledger.new == 0 and again.ledger.unchanged == TOTAL
    assert_balanced(again.ledger)
    assert count_index(make_client(rsettings), rsettings) == TOTAL


def test_elasticsearch_answers_429(site, rsettings, proxy):
    client = make_client(rsettings)
    proxy.bulk_429 = 2  # two whole bulk requests refused with 429: the client backs off and retries
    run = run_stages(rsettings, _sources(site), "run-1")
    assert run.error is None, run.error
    assert proxy.bulk_429 == 0, "the 429s were answered and retried"
    assert_balanced(run.ledger)
    assert run.ledger.new == TOTAL and run.ledger.rejected == 0
    expected, docs = archive_vs_index(rsettings, client)
    assert len(expected) == len(docs) == TOTAL


def test_elasticsearch_429_on_single_documents(site, rsettings, proxy):
    client = make_client(rsettings)
    proxy.item_429_once = set(_ids(site)[:4])  # four documents refused once with 429 inside a 200 answer
    run = run_stages(rsettings, _sources(site), "run-1")
    assert run.error is None
    assert not proxy.item_429_once, "each was refused once, then retried by streaming_bulk"
    assert run.ledger.new == TOTAL and run.ledger.rejected == 0
    assert_balanced(run.ledger)
    archive_vs_index(rsettings, client)


def test_elasticsearch_rejects_single_documents(site, rsettings, proxy):
    ids = _ids(site)
    client = make_client(rsettings)
    proxy.reject_ids = set(ids[:3])
    run = run_stages(rsettings, _sources(site), "run-1")
    assert run.error is None, "single rejections never fail the task"
    assert_balanced(run.ledger)
    assert run.ledger.new == TOTAL - 3
    assert run.ledger.rejected_by_reason == {"index_error": 3}
    letters = [
        json.loads(line) for f in (rsettings.home / "dead_letters").glob("*.jsonl") for line in f.open()
    ]
    assert {r["id"] for r in letters} == set(ids[:3])
    assert all("fault proxy: document rejected" in r["error"] and r["document"]["text"] for r in letters)

    proxy.reject_ids = set()  # the mapping is fixed; re-run the interval from the archive
    rerun = run_stages(rsettings, _sources(site), "run-2", fetched=run.fetch)
    assert rerun.error is None
    assert_balanced(rerun.ledger)
    assert rerun.ledger.new == 3 and rerun.ledger.unchanged == TOTAL - 3
    expected, docs = archive_vs_index(rsettings, client)
    assert len(docs) == TOTAL


def _ids(site: Newsroom) -> list[str]:
    """The document ids the site's articles get (hash of the canonical URL)."""
    from newsflow.dedupe.urls import canonicalize_url, doc_id

    return sorted(
        doc_id(canonicalize_url(f"{site.base_url}/f{n}/a{m}.html"))
        for n in range(FEEDS)
        for m in range(PER_FEED)
    )


# ------------------------------------------------------------------ the archive folder
_CHILD = """
import json, os, resource, signal, sys
from newsflow.config import Settings
from newsflow.pipeline import fetch_stage
from newsflow.sources import Source
mode, home, url = sys.argv[1:4]
if mode == "full":
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing past the limit raises EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
settings = Settings(home=__import__("pathlib").Path(home), allow_private=True)
if mode == "readonly" and os.geteuid() == 0:
    # Root writes anywhere: become nobody so the mode bits count (after one fetch elsewhere, so
    # every module is imported while the interpreter's own files are still readable).
    import dataclasses, tempfile
    fetch_stage(Source(name="feed0", type="rss", url=url),
                dataclasses.replace(settings, home=__import__("pathlib").Path(tempfile.mkdtemp())), "warm")
    os.setgid(65534); os.setuid(65534)
try:
    print(json.dumps(fetch_stage(Source(name="feed0", type="rss", url=url), settings, "run-1")))
except Exception as exc:
    print(json.dumps({"raised": type(exc).__name__, "message": str(exc)}))
"""


def _fetch_in_child(mode: str, home: Path, url: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(home), url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("mode, cause", [("full", "File too large"), ("readonly", "Permission denied")])
def test_archive_full_or_read_only(site, mode, cause, rsettings):
    import shutil
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="newsflow-archive-fault-"))  # outside pytest's 0700 folders
    home = top / "home"
    archive = home / "archive" / "source=feed0"
    archive.mkdir(parents=True)
    for folder in (top, home, home / "archive"):
        folder.chmod(0o755)
    try:
        _archive_fault(site, mode, cause, rsettings, home, archive)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _archive_fault(site, mode, cause, rsettings, home, archive):
    if mode == "readonly":
        archive.chmod(0o555)
    got = _fetch_in_child(mode, home, site.feed_url(0))
    assert got["raised"] == "ArchiveError", got
    assert got["message"].startswith("source 'feed0': cannot write the raw archive under")
    assert cause in got["message"] and "the retry fetches it again" in got["message"]
    assert not [p for p in archive.rglob("*") if p.is_file()], "no half-written batch is left behind"

    archive.chmod(0o755)  # the fault clears: the retry archives everything
    from dataclasses import replace

    settings = replace(rsettings, home=home)
    result = fetch_stage(Source(name="feed0", type="rss", url=site.feed_url(0)), settings, "run-1")
    assert result["fetched"] == PER_FEED and Path(result["raw"]).exists()


def test_archive_error_is_an_archive_error_in_process(site, rsettings):
    """The same clear error without a child: the archive root is a file, not a folder."""
    from dataclasses import replace

    blocker = rsettings.home / "not-a-folder"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("x")
    settings = replace(rsettings, archive_dir=blocker)
    with pytest.raises(ArchiveError, match="cannot write the raw archive"):
        fetch_stage(Source(name="feed0", type="rss", url=site.feed_url(0)), settings, "run-1")


# ------------------------------------------------------------------ a worker killed mid-task
_WORKER = """
import json, sys
from pathlib import Path
from newsflow.config import Settings
from newsflow.index import make_client
from newsflow.pipeline import index_stage
settings = Settings(**{k: (Path(v) if k == "home" else v) for k, v in json.loads(sys.argv[1]).items()})
index_stage(json.loads(sys.argv[2]), settings, "run-1", make_client(settings))
"""


def test_worker_killed_mid_index(site, rsettings, proxy):
    from newsflow.index import EsCandidateStore
    from newsflow.pipeline import clean_stage, dedupe_stage, enrich_stage

    client = make_client(rsettings)
    fetched = [fetch_stage(s, rsettings, "run-1") for s in _sources(site)]
    cleaned = [clean_stage(r, rsettings, "run-1") for r in fetched]
    deduped = dedupe_stage(cleaned, rsettings, "run-1", EsCandidateStore(client, rsettings))
    enriched = [enrich_stage(b, rsettings, "run-1", None) for b in deduped]

    proxy.delay = 0.4  # a slow cluster, so the kill lands mid-bulk
    conf = {
        "home": str(rsettings.home),
        "es_url": rsettings.es_url,
        "es_embedded": True,
        "index_alias": rsettings.index_alias,
        "bulk_chunk_bytes": rsettings.bulk_chunk_bytes,
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", _WORKER, json.dumps(conf), json.dumps(enriched)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while proxy.docs_forwarded < 4 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)  # the worker dies: no cleanup, no except, no finally
    worker.wait(timeout=10)
    proxy.delay = 0.0
    assert 0 < count_index(client, rsettings) < TOTAL, "killed part-way through"

    # Airflow marks the task failed (a zombie) and retries it: same run id, same batch files.
    run = run_stages(rsettings, _sources(site), "run-1", fetched=fetched)
    assert run.error is None
    assert_balanced(run.ledger)
    expected, docs = archive_vs_index(rsettings, client)
    assert len(docs) == TOTAL


def test_worker_killed_mid_fetch_leaves_no_partial_batch(tmp_path, rsettings):
    with Newsroom(feeds=1, per_feed=20, page_delay=0.1) as slow:
        home = rsettings.home
        worker = subprocess.Popen(
            [sys.executable, "-c", _CHILD, "normal", str(home), slow.feed_url(0)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while sum(v for k, v in slow.hits.items() if "/a" in k) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        batches = list(Path(rsettings.archive).rglob("*.jsonl"))
        assert batches == [], "a killed fetch leaves at most a .tmp file, never a half batch"
        result = fetch_stage(Source(name="feed0", type="rss", url=slow.feed_url(0)), rsettings, "run-1")
        assert result["fetched"] == 20
        assert not list(Path(rsettings.archive).rglob("*.tmp")), "the retry replaced the leftover"
