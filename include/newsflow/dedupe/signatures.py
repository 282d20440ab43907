"""Dedupe's signatures (`minhash`, `lsh`) kept beside the batch, not inside it.

A MinHash signature (128 integers) and its LSH band keys were about 60% of every batch
record, carried through enrich, which never reads them. Dedupe writes them to a side
file next to its batch (`<source>.signatures.jsonl`, one `{"id", "minhash", "lsh"}` a
line, for the articles the index will write) and blanks them in the batch; the index
stage, which stores them for the next runs' dedupe (`index.documents.to_document`),
attaches them again (`attach`) when it reads the batch enrich wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypedDict

from newsflow.models import NEW, UPDATED, Article, read_jsonl, write_jsonl

SIDE_SUFFIX = ".signatures.jsonl"
KEPT_STATUSES = (NEW, UPDATED)
"""The articles whose signature is kept: those the index writes."""


class Signature(TypedDict):
    """One line of the side file."""

    id: str
    minhash: list[int]
    lsh: list[str]


def side_path(batch: Path) -> Path:
    """The signature file of a dedupe batch file."""
    return batch.with_name(batch.name.removesuffix(".jsonl") + SIDE_SUFFIX)


def split_off(articles: Iterable[Article], path: Path) -> int:
    """Write the signatures of the articles the index will write to `path`, and blank
    `minhash` and `lsh` on every article (in place). Returns the signatures written."""
    articles = list(articles)
    kept: list[Signature] = [
        {"id": art.id, "minhash": art.minhash, "lsh": art.lsh}
        for art in articles
        if art.status in KEPT_STATUSES and art.id and art.minhash
    ]
    drop(articles)
    return write_jsonl(path, (dict(s) for s in kept))


def drop(articles: Iterable[Article]) -> None:
    """Blank `minhash` and `lsh` (in place): for batch files of stages that do not read them."""
    for art in articles:
        art.minhash, art.lsh = [], []


def read(path: Path | str | None) -> dict[str, Signature]:
    """The signatures of a side file by article id (none when there is no file)."""
    if not path or not Path(path).is_file():
        return {}
    return {
        rec["id"]: Signature(id=rec["id"], minhash=rec["minhash"], lsh=rec["lsh"])
        for rec in read_jsonl(Path(path))
    }


def attach(articles: Iterable[Article], signatures: dict[str, Signature]) -> None:
    """Put the signatures back on the articles about to be indexed (in place)."""
    for art in articles:
        sig = signatures.get(art.id)
        if sig is not None and not art.minhash:
            art.minhash, art.lsh = list(sig["minhash"]), list(sig["lsh"])
