"""The Rasd event store: SQLite or PostgreSQL via SQLAlchemy, migrated with Alembic.

>>> from rasd.store import Store, ingest           # doctest: +SKIP
>>> store = Store.open("sqlite:///rasd.db")        # creates / upgrades the schema
>>> summary = ingest(["examples"], store, meta="examples/meta.jsonl")
>>> summary.new, summary.skipped, summary.events
"""

from .db import DEFAULT_URL, Store
from .fuse import fuse
from .ingest import IngestSummary, content_hash, extractor_version, ingest
from .records import EventFilter, load_records

__all__ = [
    "DEFAULT_URL",
    "EventFilter",
    "IngestSummary",
    "Store",
    "content_hash",
    "extractor_version",
    "fuse",
    "ingest",
    "load_records",
]
