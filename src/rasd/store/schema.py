"""The store's tables (SQLAlchemy Core), mirrored by the Alembic migrations in ``migrations/``.

One row per article (``articles``; ``content_hash`` = sha256 of the text makes ingest
idempotent), one row per extracted event with every v1 field flattened (``events``), its
evidence spans (``evidence``) and cited sources (``event_sources``), the cross-article clusters
(``fused_events`` + ``fused_event_members``), one row per ingest run (``runs``, with the
extractor version) and one row per polled feed (``feeds``: the HTTP validators of conditional
requests). ``articles.extractor_version`` is the extractor that last processed the article and
``events.reviewed_at`` / ``events.review`` mark an analyst's review: ``rasd reprocess`` keeps
reviewed events. A change here needs a new migration under ``migrations/versions``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("extractor_version", String(64), nullable=False),
    Column("inputs", Text),
    Column("n_read", Integer, nullable=False, default=0),
    Column("n_new", Integer, nullable=False, default=0),
    Column("n_skipped", Integer, nullable=False, default=0),
    Column("n_failed", Integer, nullable=False, default=0),
    Column("n_events", Integer, nullable=False, default=0),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("doc_id", String(512), nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("outlet", String(256)),
    Column("pub_date", Date),
    Column("url", Text),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL")),
    Column("extractor_version", String(64)),  # NULL: ingested before migration 0002
    Index(None, "doc_id"),
    Index(None, "pub_date"),
    Index(None, "url", postgresql_using="hash"),  # hash: no btree size limit on long URLs
)

def _filter_indexes() -> list[Index]:
    """The indexes behind the filters of exports, queries and the API (events and fused events)."""
    return [
        Index(None, "date"),
        Index(None, "country", "admin1"),
        Index(None, "event_type", "sub_event_type"),
        Index(None, "actor1_name"),
        Index(None, "actor2_name"),
    ]


events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),  # position in the article's record (0-based)
    Column("event_type", String(64), nullable=False),
    Column("sub_event_type", String(64), nullable=False),
    Column("date", Date),
    Column("date_precision", String(8)),
    Column("has_location", Boolean, nullable=False, default=False),
    Column("location_text", Text),
    Column("location_name", String(256)),
    Column("country", String(2)),
    Column("admin1", String(256)),
    Column("admin2", String(256)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("geo_precision", Integer),
    Column("place_id", String(128)),
    Column("actor1_text", Text),
    Column("actor1_name", String(256)),
    Column("actor1_inter", Integer),
    Column("actor1_id", String(128)),
    Column("actor2_text", Text),
    Column("actor2_name", String(256)),
    Column("actor2_inter", Integer),
    Column("actor2_id", String(128)),
    Column("fatalities", Integer),
    Column("injuries", Integer),
    Column("certainty", String(16), nullable=False),
    Column("role", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("trigger_start", Integer),
    Column("trigger_end", Integer),
    Column("extractor_version", String(64), nullable=False),
    Column("reviewed_at", DateTime(timezone=True)),  # set by an analyst's review: kept by reprocess
    Column("review", Text),  # accepted | rejected | corrected; NULL = unreviewed
    Index(None, "article_id", "seq", unique=True),
    *_filter_indexes(),
    Index(None, "review"),  # migration 0004: the archive's review filter and sorted pages
    Index(None, "confidence"),
    Index(None, "fatalities"),
    Index(None, "sub_event_type"),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Index(None, "event_id"),
)

event_sources = Table(
    "event_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("name", String(256), nullable=False),
    Index(None, "event_id"),
    Index(None, "name"),
)

fused_events = Table(
    "fused_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(40), nullable=False, unique=True),  # sha1 of the member reports: stable id
    Column("event_type", String(64), nullable=False),
    Column("sub_event_type", String(64), nullable=False),
    Column("date", Date),
    Column("date_precision", String(8)),
    Column("location_name", String(256)),
    Column("country", String(2)),
    Column("admin1", String(256)),
    Column("admin2", String(256)),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("geo_precision", Integer),
    Column("place_id", String(128)),
    Column("actor1_name", String(256)),
    Column("actor1_inter", Integer),
    Column("actor2_name", String(256)),
    Column("actor2_inter", Integer),
    Column("fatalities", Integer),  # the lowest figure reported
    Column("fatalities_max", Integer),  # the highest figure reported
    Column("injuries", Integer),
    Column("certainty", String(16), nullable=False),
    Column("role", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("n_reports", Integer, nullable=False),
    *_filter_indexes(),
)

fused_event_members = Table(
    "fused_event_members",
    metadata,
    Column("fused_event_id", Integer, ForeignKey("fused_events.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "event_id", unique=True),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_polled_at", DateTime(timezone=True)),
    Column("last_status", Integer),
    Column("n_items", Integer, nullable=False, default=0),  # articles stored from this feed so far
)

# --- analyst reviews and full-text search (migration 0003_reviews) ---------------------------

event_reviews = Table(
    "event_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("event_seq", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # accepted | rejected | corrected
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_by", String(128), nullable=False),
    Column("comment", Text),
    Column("event_json", Text, nullable=False),  # the reviewed v1 event (kept across reprocessing)
    Index(None, "event_id", unique=True),
    Index(None, "article_id"),
)

review_audit = Table(
    "review_audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, nullable=False),  # no foreign key: the trail outlives the event
    Column("article_id", Integer, nullable=False),
    Column("who", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(16), nullable=False),  # accept | reject | correct
    Column("field", String(64)),
    Column("old_value", Text),  # JSON
    Column("new_value", Text),  # JSON
    Column("comment", Text),  # migration 0004: the reviewer's comment
    Index(None, "event_id"),
)

# --- named reviewer tokens (migration 0004_analyst_loop) -------------------------------------

reviewer_tokens = Table(
    "reviewer_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("token_sha256", String(64), nullable=False, unique=True),  # the token itself is never stored
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

article_search = Table(
    "article_search",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("text_key", Text, nullable=False),  # match_key(title + text): folded for search
)
