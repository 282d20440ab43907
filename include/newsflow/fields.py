"""Who writes each `Article` field, who reads it, and how the index holds it.

One stage writes each field; the others only read it. When two stages each wrote
`published_at` (clean picked the page's date, the pipeline the feed's, enrich checked
whichever came first), no one could say where a value came from, and a bad page date
hid a good feed date. Now clean *proposes* (`Article.claims`) and enrich decides.

`FIELDS` is the table; `docs/fields.md` is generated from it and from the index template
(`python -m newsflow.fields > docs/fields.md`), and tests hold both to the code: the page
must match, and each stage may change only the fields it owns
(tests/unit/test_field_ownership.py).

`status` and `reason` are the outcome, not data: dedupe and index decide `status`, and any
stage may end an item's way through `Article.reject` (the first reason wins), which is the
only way they write them (`OUTCOME`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from newsflow.models import Article


class Stage(StrEnum):
    """The stages, in the order an item meets them (`newsflow.pipeline`)."""

    CLEAN = "clean"
    DEDUPE = "dedupe"
    ENRICH = "enrich"
    INDEX = "index"
    RELATE = "relate"  # after indexing: cluster repair and related coverage (`pipeline.after_index`)


C, D, E, IX, R = Stage.CLEAN, Stage.DEDUPE, Stage.ENRICH, Stage.INDEX, Stage.RELATE


@dataclass(frozen=True)
class Owner:
    """The one stage that writes a field, the stages that read it, and what it is."""

    writer: Stage
    readers: tuple[Stage, ...]
    about: str


FIELDS: dict[str, Owner] = {
    # identity and lineage
    "id": Owner(D, (IX, R), "document id: hash of the canonical URL (of the text when there is no URL)"),
    "url": Owner(C, (D, E, IX), "the URL the item was fetched from"),
    "canonical_url": Owner(
        D, (E, IX), "the URL the id is made of: the fetched URL, or the page's declared one"
    ),
    "source": Owner(C, (D, E, IX), "the source's name in the sources file"),
    "feed_url": Owner(C, (IX,), "the feed or listing the item came from"),
    "path": Owner(C, (), "the local file the item came from (files sources, CLI)"),
    "line": Owner(C, (), "the line in a .jsonl file"),
    "fetched_at": Owner(C, (IX,), "when the item was fetched"),
    "ingest_run_id": Owner(C, (IX,), "the run that cleaned it"),
    "pipeline_version": Owner(C, (IX,), "the code version that cleaned it"),
    "extractor": Owner(C, (IX,), "the extractor that found the text"),
    # content
    "title": Owner(C, (E, IX), "the headline (the feed's when the page has none)"),
    "text": Owner(C, (D, E, IX), "the main text, furniture removed"),
    "description": Owner(C, (IX,), "the page's description, else the feed's summary"),
    "dateline": Owner(C, (IX,), "the place of the dateline"),
    "authors": Owner(C, (IX,), "bylines (agencies go to `claims`)"),
    # page metadata
    "site_name": Owner(C, (E, IX), "the page's og:site_name"),
    "image": Owner(C, (IX,), "the page's lead image"),
    "page_language": Owner(C, (E,), "the language the page declares (a hint for enrich)"),
    "claims": Owner(
        C, (D, E), "what page, record and feed say: dates, publisher, section, ... (enrich decides)"
    ),
    # enrichment
    "language": Owner(E, (IX, R), "the detected language"),
    "language_confidence": Owner(E, (IX,), "the detector's confidence"),
    "published_at": Owner(E, (IX, R), "the first plausible of clean's dates, else one in the text"),
    "updated_at": Owner(E, (IX,), "the first plausible update date"),
    "date_flags": Owner(E, (IX,), "why a date was not trusted"),
    "publisher": Owner(E, (IX,), "the source's publisher, else a footer's, else the site name"),
    "domain": Owner(E, (IX,), "the registered domain"),
    "country": Owner(E, (IX,), "the outlet's country (ISO 3166-1 alpha-2)"),
    "agency": Owner(E, (IX,), "wire agencies credited"),
    "places": Owner(E, (IX,), "places mentioned"),
    "countries": Owner(E, (IX,), "countries mentioned (ISO alpha-2)"),
    "keywords": Owner(E, (IX,), "key terms"),
    "section": Owner(E, (IX,), "the section, last part of a path (World, Sport)"),
    "word_count": Owner(E, (IX,), "words, by the one counter (`newsflow.wordcount`)"),
    "reading_time_min": Owner(E, (IX,), "minutes to read"),
    "enrich_errors": Owner(E, (IX,), "enrichers that failed on it"),
    # dedupe
    "text_hash": Owner(D, (IX,), "hash of the text's tokens (exact copies)"),
    "minhash": Owner(D, (IX,), "MinHash signature (near copies); beside the batch, not in it"),
    "lsh": Owner(D, (IX, R), "LSH band keys of the signature"),
    "shingle_count": Owner(D, (IX, R), "distinct shingles of the text"),
    "cluster_id": Owner(D, (IX, R), "the copy cluster (repaired in the index after concurrent writes)"),
    "is_canonical": Owner(D, (IX, R), "first of its cluster"),
    "duplicate_of": Owner(D, (IX,), "the original of a duplicate"),
    "similarity": Owner(D, (IX,), "estimated Jaccard similarity to the cluster's article"),
    "also_urls": Owner(
        D, (IX,), "URLs of exact copies not indexed (added in the index for earlier originals)"
    ),
    # outcome
    "status": Owner(D, (E, IX), "new, updated, unchanged, duplicate or rejected (see `OUTCOME`)"),
    "reason": Owner(D, (), "why an item was rejected or is a duplicate (see `OUTCOME`)"),
    # related coverage
    "story_id": Owner(R, (), "the event the article's story belongs to (set in the index)"),
    "related_ids": Owner(R, (), "independently written articles on the event (set in the index)"),
}

OUTCOME = frozenset({"status", "reason"})
"""Fields any stage may write, through `Article.reject` only (see the module docstring)."""


def owned_by(stage: Stage) -> frozenset[str]:
    """The fields `stage` writes."""
    return frozenset(name for name, owner in FIELDS.items() if owner.writer == stage)


def _indexed(mapping: dict[str, Any], name: str) -> str:
    """How the index template maps `name`, in words."""
    from newsflow.index.documents import TEXT_FIELDS, TRANSIENT_FIELDS

    if name in TRANSIENT_FIELDS:
        return "not stored"
    spec = mapping.get(name)
    if spec is None:
        return "not in the mapping"
    kind = spec.get("type", "object")
    if spec.get("enabled") is False:
        return f"`{kind}`, stored, not searchable"
    out = f"`{kind}`" + (f" ({spec['analyzer']})" if "analyzer" in spec else "")
    for sub, subspec in (spec.get("fields") or {}).items():
        out += f", `.{sub}` `{subspec.get('type')}`"
    if name in TEXT_FIELDS:
        out += f"; also `{name}_<language>` (the language's analyzer)"
    return out


def render_markdown() -> str:
    """docs/fields.md."""
    from newsflow.config import Settings
    from newsflow.index.template import render_template

    template = render_template(Settings(), None)
    mapping = template["template"]["mappings"]["properties"]
    rows = [
        f"| `{name}` | {owner.writer} | {', '.join(owner.readers) or '-'} | {_indexed(mapping, name)} | {owner.about} |"
        for name, owner in FIELDS.items()
    ]
    return "\n".join(
        [
            "# Article fields",
            "",
            "<!-- Generated by `python -m newsflow.fields > docs/fields.md` from `newsflow.fields.FIELDS` and",
            "     include/elasticsearch/template.json; tests/unit/test_field_ownership.py fails when it is stale. -->",
            "",
            "Each field of an indexed article is written by one stage; the others read it. Clean proposes",
            "what the page, a JSON record and the feed say (`claims`: dates, publisher, section, agencies,",
            "canonical URL) and the owning stage decides. `status` and `reason` are the outcome: dedupe",
            "and index decide the status, and any stage may reject an item through `Article.reject`.",
            "",
            "| field | written by | read by | indexed as | what |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"Mapping: `dynamic: {json.dumps(template['template']['mappings'].get('dynamic'))}`; "
            "`indexed_at` (a `date`) is set by the index stage on the document, not on the article.",
            "",
        ]
    )


def check_complete() -> list[str]:
    """Fields of `Article` missing from the table, and table rows that are no field."""
    names = [f.name for f in dataclasses.fields(Article)]
    return [f"{n}: no owner" for n in names if n not in FIELDS] + [
        f"{n}: not an Article field" for n in FIELDS if n not in names
    ]


if __name__ == "__main__":
    print(render_markdown(), end="")
