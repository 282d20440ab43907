"""The enrichers and the stage function that runs them (`enrich_article`).

Why a registry (`ENRICHERS`): each enricher is a small pure function, so one can be skipped by a
setting, fail alone, or be timed in a benchmark, without the stage knowing which it is.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsflow.enrich.agency import agencies_in, merge_agencies
from newsflow.enrich.dates import published_date, updated_date
from newsflow.enrich.keywords import keywords_of
from newsflow.enrich.language import UNDETERMINED, detect_language
from newsflow.enrich.outlet import outlet, section_of, tld_country
from newsflow.enrich.places import places_in
from newsflow.models import REJECTED, Article
from newsflow.wordcount import count_words

log = logging.getLogger("newsflow.enrich")

WORDS_PER_MINUTE = 230


word_count = count_words
"""Words of a text: the one counter every stage uses (`newsflow.wordcount`)."""


def reading_time(words: int, wpm: int = WORDS_PER_MINUTE) -> float:
    """Minutes to read `words` words, to one decimal."""
    return round(words / wpm, 1) if words > 0 else 0.0


Meta = dict[str, Any]


def enrich_language(article: Article, meta: Meta) -> dict[str, Any]:
    """The detected language, the declared one as its prior (`newsflow.enrich.language`).

    The declaration, most deliberate first: the source's `language:` (the operator's), the page's
    own (`<html lang>`, `og:locale`, `Content-Language`; a news API's language when the page is
    silent, see clean), then the feed's `<language>` (`feed_language`, when fetch records it).
    A rejected article's short text (a title, an interstitial's few words) is answered by
    py3langid and fastText alone (`blend=False`): lingua's high-accuracy models cost 0.2-0.5 CPU s to load
    per language, more than the rest of its enrichment.
    """
    hint = str(meta.get("language") or article.page_language or meta.get("feed_language") or "")
    # A rejected article (shown in the ledger, never indexed) is not worth loading the short-text models.
    blend = article.status != REJECTED
    lang, confidence = detect_language(article.title, article.text, hint=hint, blend=blend)
    return {"language": lang, "language_confidence": confidence}


def enrich_dates(article: Article, meta: Meta, now: datetime | None = None) -> dict[str, Any]:
    """The dates clean proposed (`claims`: page, byline/footer, record, feed), the first
    plausible one each, else one written in the text (`newsflow.enrich.dates`)."""
    claims = article.claims
    published, flags = published_date(claims.get("published") or [], article.title, article.text, now=now)
    updated, updated_flags = updated_date(claims.get("updated") or [], published, article.text, now=now)
    return {"published_at": published, "updated_at": updated, "date_flags": flags + updated_flags}


def enrich_outlet(article: Article, meta: Meta) -> dict[str, Any]:
    claims = article.claims
    publisher, domain, country = outlet(
        article.canonical_url or article.url, article.site_name, claims.get("publisher") or "", meta
    )
    return {
        "publisher": publisher,
        "domain": domain,
        "country": country or claims.get("country") or tld_country(domain),
        "section": section_of(claims.get("section") or str(meta.get("section") or "")),
    }


def enrich_agency(article: Article, meta: Meta) -> dict[str, Any]:
    return {
        "agency": merge_agencies(article.claims.get("agency") or [], agencies_in(article.text, article.title))
    }


def enrich_places(article: Article, meta: Meta) -> dict[str, Any]:
    places, countries = places_in(article.text, article.title)
    return {"places": places, "countries": countries}


def enrich_keywords(article: Article, meta: Meta) -> dict[str, Any]:
    """Key phrases of the title and lede (`newsflow.enrich.keywords`); none for a rejected
    article, which is never indexed (YAKE is the costliest enricher)."""
    if article.status == REJECTED:
        return {"keywords": []}
    return {"keywords": keywords_of(article.title, article.text, article.language)}


def enrich_counts(article: Article, meta: Meta) -> dict[str, Any]:
    words = word_count(article.text)
    return {"word_count": words, "reading_time_min": reading_time(words)}


@dataclass(frozen=True)
class Enricher:
    name: str
    func: Callable[[Article, Meta], dict[str, Any]]
    fields: tuple[str, ...]


ENRICHERS: list[Enricher] = [
    Enricher("language", enrich_language, ("language", "language_confidence")),
    Enricher("dates", enrich_dates, ("published_at", "updated_at", "date_flags")),
    Enricher("outlet", enrich_outlet, ("publisher", "domain", "country", "section")),
    Enricher("agency", enrich_agency, ("agency",)),
    Enricher("places", enrich_places, ("places", "countries")),
    Enricher("keywords", enrich_keywords, ("keywords",)),  # after language: it uses its stopwords
    Enricher("counts", enrich_counts, ("word_count", "reading_time_min")),
]

# The empty value of each field an enricher may fill (language's empty value is "und").
_EMPTY: dict[str, Any] = {
    f.name: (f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
    for f in dataclasses.fields(Article)
}
_EMPTY["language"] = UNDETERMINED


def skipped_enrichers(settings: Any) -> frozenset[str]:
    """The enrichers `settings` turns off."""
    return frozenset() if getattr(settings, "keywords", True) else frozenset({"keywords"})


def enrich_article(
    article: Article, source_meta: dict[str, Any] | None = None, *, skip: frozenset[str] = frozenset()
) -> Article:
    """Fill the enrichment fields of `article` in place and return it (see the module docstring).

    Enrichers named in `skip` do not run and leave their fields empty (`NEWSFLOW_KEYWORDS=false`
    skips `keywords`, the costliest).
    """
    meta = dict(source_meta or {})
    article.enrich_errors = []
    for enricher in ENRICHERS:
        if enricher.name in skip:
            for name in enricher.fields:
                value = _EMPTY[name]
                setattr(article, name, list(value) if isinstance(value, list) else value)
            continue
        try:
            values = enricher.func(article, meta)
            unknown = set(values) - set(enricher.fields)
            if unknown:
                raise KeyError(f"enricher {enricher.name} returned undeclared fields {sorted(unknown)}")
        except Exception as exc:  # an enricher must never drop the article
            log.warning("enricher %s failed on %s: %s", enricher.name, article.url or article.id, exc)
            for name in enricher.fields:
                value = _EMPTY[name]
                setattr(article, name, list(value) if isinstance(value, list) else value)
            article.enrich_errors.append(enricher.name)
            continue
        for name, value in values.items():
            setattr(article, name, value)
    return article
