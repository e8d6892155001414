"""The Rasd event store: SQLite or PostgreSQL via SQLAlchemy, migrated with Alembic.

>>> from rasd.store import Store, ingest           # doctest: +SKIP
>>> store = Store.open("sqlite:///rasd.db")        # creates / upgrades the schema
>>> summary = ingest(["examples"], store, meta="examples/meta.jsonl")
>>> summary.new, summary.skipped, summary.events

Feeds (imported on demand, as they need httpx): ``from rasd.store.feeds import poll_feed``.
"""

from .db import DEFAULT_URL, Store
from .fuse import fuse
from .ingest import IngestSummary, content_hash, extractor_version, ingest, ingest_articles
from .records import EventFilter, load_records
from .reprocess import ReprocessSummary, reprocess

__all__ = [
    "DEFAULT_URL",
    "EventFilter",
    "IngestSummary",
    "ReprocessSummary",
    "Store",
    "content_hash",
    "extractor_version",
    "fuse",
    "ingest",
    "ingest_articles",
    "load_records",
    "reprocess",
]
