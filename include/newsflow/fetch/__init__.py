"""fetch stage: turn a Source into raw items (`newsflow.fetch.source.fetch_source`).

The modules: `source` (one entry point for every source type), `rss`, `sitemap_source`,
`newsapi` and `folder` (one per type), `items` (the RawItem of a fetched page and its date),
`http` (one page over HTTP, safely), `parallel` (pages a few at a time), `feeds`, `sitemap`
and `files` (parsers), `conditional` and `sitemap_cache` (polite polling).
"""

from newsflow.fetch.feeds import FeedEntry, FeedError, parse_feed
from newsflow.fetch.files import read_paths
from newsflow.fetch.http import FetchResult, fetch_url, make_session
from newsflow.fetch.items import FeedFetchError, FetchError, item_date
from newsflow.fetch.source import fetch_source

__all__ = [
    "FeedEntry",
    "FeedError",
    "FeedFetchError",
    "FetchError",
    "FetchResult",
    "fetch_source",
    "fetch_url",
    "item_date",
    "make_session",
    "parse_feed",
    "read_paths",
]
