"""What each stage receives and returns: the typed contracts of `newsflow.pipeline`.

The DAG passes these small dicts through XCom (paths and counts, never article bodies), so
they are `TypedDict`s: JSON as Airflow stores it, and a type a reader and mypy can follow.
Each stage reads the batch file a previous stage named and writes its own; what the records
in those files carry, field by field, is in `newsflow.fields` (docs/fields.md).

    fetch_stage(Source)              -> FetchResult   (raw archive file of RawItem)
    clean_stage(FetchResult)         -> CleanResult   (batch of Article: text, page metadata, claims)
    dedupe_stage([CleanResult])      -> [DedupeResult] (batch + signature side file)
    enrich_stage(DedupeResult)       -> EnrichResult  (batch; signatures passed on by name)
    index_stage([EnrichResult])      -> IndexResult   (final batches, then `after_index`)
    ledger_stage([FetchResult], [FinalBatch]) -> Ledger

In memory (reindex, `newsflow process`), `pipeline.run_sequence` runs the same steps on
`SourceRun`s and returns `Decided`.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class FetchResult(TypedDict):
    """One source's fetch: its raw archive file (`raw`), or the error that stopped it."""

    source: str
    raw: str
    fetched: int
    error: str
    status: NotRequired[str]  # ok | not_modified | ... (see newsflow.fetch)
    notes: NotRequired[list[str]]


class CleanResult(TypedDict):
    """One source's clean batch, and its furniture for dedupe's signatures."""

    source: str
    path: str
    count: int
    rejected: int
    furniture: NotRequired[str]  # JSON list of line keys (newsflow.dedupe.furniture)


class DedupeResult(TypedDict):
    """One source's decided batch, and the side file of its signatures (newsflow.dedupe.signatures)."""

    source: str
    path: str
    count: int
    counts: dict[str, int]  # articles by status
    signatures: NotRequired[str]


class EnrichResult(TypedDict):
    """One source's enriched batch; `signatures` is dedupe's side file, passed on for the index."""

    source: str
    path: str
    count: int
    enrich_failures: int
    unchanged: int
    signatures: NotRequired[str]


class FinalBatch(TypedDict):
    """One source's articles as the run left them (the ledger reads these)."""

    source: str
    path: str
    count: int


class IndexResult(TypedDict):
    """The run's index task: final batches, documents written and failed, and the steps after."""

    batches: list[FinalBatch]
    indexed: int
    failed: int
    merged: int  # documents re-pointed by the cluster repair
    related: int  # documents whose story_id / related_ids changed
