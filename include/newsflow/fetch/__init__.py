"""fetch stage: turn a Source into raw items (`newsflow.fetch.source.fetch_source`).

The modules: `source` (one entry point for every source type), `rss`, `sitemap_source`,
`newsapi` and `folder` (one per type), `items` (the RawItem of a fetched page and its date),
`http` (one page over HTTP, safely), `parallel` (pages a few at a time), `feeds`, `sitemap`
and `files` (parsers), `conditional` and `sitemap_cache` (polite polling).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsflow.fetch.feeds import FeedEntry, FeedError, parse_feed
    from newsflow.fetch.files import read_paths
    from newsflow.fetch.http import FetchResult, fetch_url, make_session
    from newsflow.fetch.items import FeedFetchError, FetchError, item_date
    from newsflow.fetch.source import fetch_source

# Each name is imported from its module when first used: `newsflow process` reads local files
# (`newsflow.fetch.files`) and should not pay for the HTTP client, the feed parser and the news
# APIs (about 0.15 CPU s of imports).
_MODULES = {
    "FeedEntry": "feeds",
    "FeedError": "feeds",
    "parse_feed": "feeds",
    "read_paths": "files",
    "FetchResult": "http",
    "fetch_url": "http",
    "make_session": "http",
    "FeedFetchError": "items",
    "FetchError": "items",
    "item_date": "items",
    "fetch_source": "source",
}


def __getattr__(name: str) -> Any:
    """`from newsflow.fetch import X` imports X's module then (PEP 562)."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"newsflow.fetch.{module}"), name)
    globals()[name] = value
    return value


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
