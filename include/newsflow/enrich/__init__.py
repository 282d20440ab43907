"""Enrich stage: language, dates, outlet, wire agency, places, keywords, word count.

`enrich_article(article, source_meta)` runs each enricher of `ENRICHERS` in turn. An
enricher is a small pure function `(article, source_meta) -> {field: value}`; the stage
assigns what it returns. When one raises, its fields are reset to their empty values, its
name is appended to `article.enrich_errors`, and the others still run: an enricher never
drops an article. Every article is enriched, rejected ones too (the ledger and the dead
letters show their language).

`source_meta` is what the pipeline knows about the item's source: `publisher`, `country`,
`language` (a hint; `feed_language` too), `section` (a fallback for the page's). What the page,
the record and the feed said (dates, a publisher, a section, agencies) comes from clean as
`article.claims`; enrich decides the fields from them and writes them, clean does not. Enriching
again gives the same result (enrichers read claims, never their own outputs; errors are
recounted, not accumulated).
"""

from newsflow.enrich.agency import agencies_in
from newsflow.enrich.dates import published_date
from newsflow.enrich.enrichers import (
    ENRICHERS,
    Enricher,
    enrich_article,
    enrich_dates,
    reading_time,
    skipped_enrichers,
    word_count,
)
from newsflow.enrich.keywords import keywords_of
from newsflow.enrich.language import detect_language
from newsflow.enrich.outlet import registered_domain
from newsflow.enrich.places import places_in

__all__ = [
    "ENRICHERS",
    "Enricher",
    "agencies_in",
    "detect_language",
    "enrich_article",
    "enrich_dates",
    "keywords_of",
    "places_in",
    "published_date",
    "reading_time",
    "registered_domain",
    "skipped_enrichers",
    "word_count",
]
