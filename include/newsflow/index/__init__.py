"""index stage: the Elasticsearch template, bulk indexing, dedupe's store, search.

See ARCHITECTURE.md. `newsflow.index.embedded.EmbeddedSearch` starts the embedded server
(osmem-server) for the demo, tests and CI.
"""

from newsflow.index.bulk import IndexReport, index_articles, record_links
from newsflow.index.client import make_client, wait_for
from newsflow.index.documents import to_document
from newsflow.index.store import EsCandidateStore
from newsflow.index.telemetry import write_ledger
from newsflow.index.template import ensure_index, render_template

__all__ = [
    "EsCandidateStore",
    "IndexReport",
    "ensure_index",
    "index_articles",
    "make_client",
    "record_links",
    "render_template",
    "to_document",
    "wait_for",
    "write_ledger",
]
