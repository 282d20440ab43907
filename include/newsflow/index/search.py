"""Search the news: full text in each article's language, one hit per story, facets.

- The query goes to every per-language field (`title_*^2`, `text_*`) with
  `simple_query_string` (AND by default; `"phrases"`, `-exclusions`, `a | b`, `prefix*`),
  which never fails on user input the way `query_string` does on a stray quote.
- `collapse` on `cluster_id` gives one hit per story; its `inner_hits` list the other
  articles of the story ("also carried by").
- Facets count articles and stories: collapse does not change aggregation counts, so each
  bucket carries a `cardinality` of `cluster_id` (stories), which stays right when a
  story's canonical article does not match the query (an `is_canonical` filter would not).
- Paging: `SearchResult.next_search_after` is an opaque cursor to pass back as
  `search_after`. Elasticsearch refuses `search_after` with `collapse` unless sorting on the
  collapse field alone, so for relevance-ranked, collapsed results the cursor carries the
  offset of the next page (`[offset]`).
- `prefer_lang` ranks articles in that language (the language of the query) above the
  others: a constant-score clause whose boost outweighs any text score, so within each
  group the text relevance still orders the hits.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from newsflow.config import Settings
from newsflow.index.documents import language_fields

FACETS = ("publisher", "language", "country", "agency", "keywords")
PREFERRED_BOOST = 1000.0
"""Boost of `prefer_lang`: larger than any BM25 score of a news article."""
FACET_SIZE = 10
OUTLETS_SIZE = 20
HIT_FIELDS = [
    "id",
    "title",
    "url",
    "publisher",
    "source",
    "domain",
    "language",
    "country",
    "agency",
    "published_at",
    "cluster_id",
    "is_canonical",
    "description",
    "also_urls",
]
OUTLET_FIELDS = ["id", "title", "url", "publisher", "source", "published_at", "language", "also_urls"]
DAYS_SHOWN = 14
"""The day facet prints at most this many days (newest first), one a line, then a sum of the rest."""


@dataclass
class Outlet:
    """Another article of the same story."""

    id: str
    publisher: str
    url: str
    title: str = ""
    published_at: str | None = None


@dataclass
class SearchHit:
    id: str
    score: float | None
    title: str
    url: str
    publisher: str
    source: str
    language: str
    country: str
    published_at: str | None
    cluster_id: str
    snippets: list[str] = field(default_factory=list)
    also: list[Outlet] = field(default_factory=list)
    """Other articles of the story ("also carried by"), earliest first."""
    story_size: int = 1
    """Articles of the story that match the query and filters (this one included)."""
    copies: list[str] = field(default_factory=list)
    """URLs of exact copies (republished elsewhere, counted as duplicates, not indexed)."""


@dataclass
class FacetBucket:
    key: str
    articles: int
    stories: int


@dataclass
class SearchResult:
    query: str
    total: int
    """Matching articles."""
    stories: int
    """Matching stories (distinct cluster ids)."""
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, list[FacetBucket]] = field(default_factory=dict)
    """publisher, language, country, agency, keywords and `published_day` (by day)."""
    facet_other: dict[str, int] = field(default_factory=dict)
    """Per facet: matching articles whose value is not among the buckets shown (top FACET_SIZE)."""
    facet_values: dict[str, int] = field(default_factory=dict)
    """Per facet: how many distinct values the matching articles have (approximate beyond 3,000)."""
    next_search_after: list[Any] | None = None
    took_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (for `newsflow search --json`)."""
        return asdict(self)


def search_fields() -> list[str]:
    return [f"{f}^2" for f in language_fields("title")] + language_fields("text")


def _terms_filter(name: str, value: str | list[str] | None) -> dict[str, Any] | None:
    if value is None or value == "" or value == []:
        return None
    values = [value] if isinstance(value, str) else list(value)
    return {"terms": {name: values}}


def build_query(
    query: str,
    *,
    lang: str | list[str] | None = None,
    source: str | list[str] | None = None,
    country: str | list[str] | None = None,
    agency: str | list[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    prefer_lang: str | None = None,
) -> dict[str, Any]:
    """The bool query: full text in every language field, keyword and date filters."""
    must: list[dict[str, Any]] = []
    text = (query or "").strip()
    if text and text != "*":
        must.append(
            {
                "simple_query_string": {
                    "query": text,
                    "fields": search_fields(),
                    "default_operator": "and",
                }
            }
        )
    filters = [
        f
        for f in (
            _terms_filter("language", lang),
            _terms_filter("source", source),
            _terms_filter("country", country),
            _terms_filter("agency", agency),
        )
        if f
    ]
    if date_from or date_to:
        rng: dict[str, str] = {}
        if date_from:
            rng["gte"] = date_from
        if date_to:
            rng["lte"] = date_to
        filters.append({"range": {"published_at": rng}})
    query_body: dict[str, Any] = {"bool": {"must": must or [{"match_all": {}}], "filter": filters}}
    if prefer_lang:
        query_body["bool"]["should"] = [
            {"constant_score": {"filter": {"term": {"language": prefer_lang}}, "boost": PREFERRED_BOOST}}
        ]
    return query_body


def _aggs() -> dict[str, Any]:
    stories = {"stories": {"cardinality": {"field": "cluster_id"}}}
    aggs: dict[str, Any] = {
        name: {"terms": {"field": name, "size": FACET_SIZE}, "aggs": stories} for name in FACETS
    }
    aggs.update({f"{name}_values": {"cardinality": {"field": name}} for name in FACETS})
    aggs["published_day"] = {
        "date_histogram": {"field": "published_at", "calendar_interval": "day", "min_doc_count": 1},
        "aggs": stories,
    }
    aggs["total_stories"] = {"cardinality": {"field": "cluster_id"}}
    return aggs


def _facets(aggs: dict[str, Any]) -> dict[str, list[FacetBucket]]:
    out: dict[str, list[FacetBucket]] = {}
    for name in (*FACETS, "published_day"):
        buckets = aggs.get(name, {}).get("buckets", [])
        out[name] = [
            FacetBucket(
                key=str(b.get("key_as_string", b["key"]))[:10] if name == "published_day" else str(b["key"]),
                articles=b["doc_count"],
                stories=b.get("stories", {}).get("value", b["doc_count"]),
            )
            for b in buckets
        ]
    return out


def _outlet(hit: dict[str, Any]) -> Outlet:
    src = hit.get("_source") or {}
    return Outlet(
        id=hit["_id"],
        publisher=src.get("publisher") or src.get("source", ""),
        url=src.get("url", ""),
        title=src.get("title", ""),
        published_at=src.get("published_at"),
    )


def _snippets(highlight: dict[str, list[str]]) -> list[str]:
    """At most two fragments: from the text, or from the title when only the title matched."""
    text = [frag for k in sorted(highlight) if k.startswith("text") for frag in highlight[k]]
    title = [frag for k in sorted(highlight) if k.startswith("title") for frag in highlight[k]]
    return (text or title)[:2]


def search(
    client: Elasticsearch,
    settings: Settings,
    query: str,
    *,
    lang: str | list[str] | None = None,
    source: str | list[str] | None = None,
    country: str | list[str] | None = None,
    agency: str | list[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    size: int = 10,
    search_after: list[Any] | None = None,
    prefer_lang: str | None = None,
) -> SearchResult:
    """One page of stories matching `query` and the filters, with facets over all matches."""
    offset = int(search_after[0]) if search_after else 0
    has_text = bool((query or "").strip()) and query.strip() != "*"
    sort: list[Any] = [{"published_at": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    if has_text or prefer_lang:
        sort.insert(0, "_score")
    body: dict[str, Any] = {
        "query": build_query(
            query,
            lang=lang,
            source=source,
            country=country,
            agency=agency,
            date_from=date_from,
            date_to=date_to,
            prefer_lang=prefer_lang,
        ),
        "collapse": {
            "field": "cluster_id",
            "inner_hits": {
                "name": "outlets",
                "size": OUTLETS_SIZE,
                "_source": OUTLET_FIELDS,
                "sort": [{"published_at": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
            },
        },
        "sort": sort,
        "aggs": _aggs(),
        "track_total_hits": True,
        "_source": HIT_FIELDS,
        "from_": offset,
        "size": size,
    }
    if has_text:
        body["highlight"] = {
            "fields": {f.split("^")[0]: {} for f in search_fields()},
            "fragment_size": 160,
            "number_of_fragments": 2,
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
        }
    try:
        resp = client.search(index=settings.index_alias, ignore_unavailable=True, **body).body
    except NotFoundError:
        return SearchResult(query=query, total=0, stories=0)
    hits: list[SearchHit] = []
    for h in resp["hits"]["hits"]:
        src = h.get("_source") or {}
        inner = h.get("inner_hits", {}).get("outlets", {}).get("hits", {})
        also = [_outlet(o) for o in inner.get("hits", []) if o["_id"] != h["_id"]]
        copies = [
            u for o in [h, *inner.get("hits", [])] for u in (o.get("_source") or {}).get("also_urls") or []
        ]
        story_size = inner.get("total", {}).get("value", len(also) + 1)
        hits.append(
            SearchHit(
                id=h["_id"],
                score=h.get("_score"),
                title=src.get("title", ""),
                url=src.get("url", ""),
                publisher=src.get("publisher") or src.get("source", ""),
                source=src.get("source", ""),
                language=src.get("language", ""),
                country=src.get("country", ""),
                published_at=src.get("published_at"),
                cluster_id=src.get("cluster_id", ""),
                snippets=_snippets(h.get("highlight", {})),
                also=also,
                story_size=story_size,
                copies=list(dict.fromkeys(copies)),
            )
        )
    aggs = resp.get("aggregations", {})
    stories = int(aggs.get("total_stories", {}).get("value", 0))
    next_cursor = [offset + size] if offset + size < stories and len(hits) == size else None
    return SearchResult(
        query=query,
        total=resp["hits"]["total"]["value"],
        stories=stories,
        hits=hits,
        facets=_facets(aggs),
        facet_other={n: int(aggs.get(n, {}).get("sum_other_doc_count", 0) or 0) for n in FACETS},
        facet_values={n: int(aggs.get(f"{n}_values", {}).get("value", 0) or 0) for n in FACETS},
        next_search_after=next_cursor,
        took_ms=int(resp.get("took", 0)),
    )


def _plain_snippet(fragment: str) -> str:
    return " ".join(fragment.replace("<em>", "*").replace("</em>", "*").split())


def format_result(result: SearchResult) -> str:
    """The result as text for the command line."""
    lines = [
        f'{result.total} article(s) in {result.stories} story(ies) for "{result.query}" ({result.took_ms} ms)'
    ]
    for n, hit in enumerate(result.hits, 1):
        lines += _hit_lines(n, hit)
    if result.next_search_after:
        cursor = json.dumps(result.next_search_after, separators=(",", ":"))
        lines.append(f"     more: next page with --after '{cursor}'")
    for name, buckets in result.facets.items():
        if buckets:
            lines += _day_lines(buckets) if name == "published_day" else [_facet_line(result, name, buckets)]
    return "\n".join(lines)


def _hit_lines(n: int, hit: SearchHit) -> list[str]:
    meta = ", ".join(x for x in (hit.language, hit.country, (hit.published_at or "")[:10]) if x)
    lines = [f"{n:>3}. {hit.title or '(no title)'} - {hit.publisher or '?'}" + (f" ({meta})" if meta else "")]
    lines.append(f"     {hit.url}")
    lines += [f"     ... {_plain_snippet(frag)} ..." for frag in hit.snippets]
    names = list(dict.fromkeys(o.publisher or o.url for o in hit.also))
    # Exact copies are not indexed (one document per text): the outlet is known by its URL.
    names += list(dict.fromkeys(f"{_site(url)} (exact copy)" for url in hit.copies))
    if names:
        more = hit.story_size - 1 - len(hit.also)
        lines.append("     also carried by: " + ", ".join(names) + (f" (+{more} more)" if more > 0 else ""))
    return lines


def _site(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or url).removeprefix("www.")


def _bucket(b: FacetBucket) -> str:
    return f"{b.key} {b.articles}" + (f" ({b.stories} stories)" if b.stories != b.articles else "")


def _facet_line(result: SearchResult, name: str, buckets: list[FacetBucket]) -> str:
    """`language: en 12, fr 3, ..., other 7 (22 values)`: what is beyond the top buckets is counted."""
    other = result.facet_other.get(name, 0)
    values = result.facet_values.get(name, 0)
    tail = f", other {other}" if other else ""
    count = f" ({values} values, top {len(buckets)} shown)" if values > len(buckets) else ""
    return f"{name}: " + ", ".join(_bucket(b) for b in buckets) + tail + count


def _day_lines(buckets: list[FacetBucket]) -> list[str]:
    """Days newest first, one a line, at most DAYS_SHOWN; the earlier ones summed on one line."""
    days = sorted(buckets, key=lambda b: b.key, reverse=True)
    lines = [f"day: {len(days)} day(s) from {days[-1].key} to {days[0].key}"]
    lines += [f"  {_bucket(b)}" for b in days[:DAYS_SHOWN]]
    rest = days[DAYS_SHOWN:]
    if rest:
        lines.append(f"  {len(rest)} earlier day(s): {sum(b.articles for b in rest)} articles")
    return lines


def top_story(client: Elasticsearch, settings: Settings) -> str | None:
    """The story carried by the most articles, as text with every outlet; None if no story has two."""
    try:
        resp = client.search(
            index=settings.index_alias,
            ignore_unavailable=True,
            size=0,
            aggs={"stories": {"terms": {"field": "cluster_id", "size": 1, "order": {"_count": "desc"}}}},
        ).body
    except NotFoundError:
        return None
    buckets = resp.get("aggregations", {}).get("stories", {}).get("buckets", [])
    if not buckets or buckets[0]["doc_count"] < 2:
        return None
    cluster_id = buckets[0]["key"]
    hits = client.search(
        index=settings.index_alias,
        query={"term": {"cluster_id": cluster_id}},
        sort=[
            {"is_canonical": "desc"},
            {"published_at": {"order": "asc", "missing": "_last"}},
            {"id": "asc"},
        ],
        size=OUTLETS_SIZE,
        source_includes=[*OUTLET_FIELDS, "similarity"],
    ).body["hits"]["hits"]
    first = hits[0]["_source"]
    lines = [
        f"{first.get('title') or '(no title)'}  [story {cluster_id}, {buckets[0]['doc_count']} articles]"
    ]
    for h in hits:
        src = h["_source"]
        sim = src.get("similarity")
        extra = f", similarity {sim:.2f}" if isinstance(sim, int | float) else ""
        lines.append(
            f"  - {src.get('publisher') or src.get('source', '?')} "
            f"({(src.get('published_at') or '')[:10] or 'undated'}{extra}): {src.get('url', '')}"
        )
    return "\n".join(lines)


def parse_cursor(value: str | None) -> list[Any] | None:
    """A `--after` value as printed by `format_result` (`[10]`), or a bare offset (`10`)."""
    if not value:
        return None
    try:
        cursor = json.loads(value)
    except ValueError as exc:
        raise ValueError(f"not a search cursor: {value!r} (pass what the last page printed)") from exc
    cursor = cursor if isinstance(cursor, list) else [cursor]
    if not cursor or not isinstance(cursor[0], int) or cursor[0] < 0:
        raise ValueError(f"not a search cursor: {value!r} (pass what the last page printed)")
    return cursor
