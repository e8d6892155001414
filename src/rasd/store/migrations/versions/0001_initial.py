"""Initial store schema: runs, articles, events, evidence, event sources, fused events.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _date_place_actor_indexes(table: str) -> None:
    op.create_index(f"ix_{table}_date", table, ["date"])
    op.create_index(f"ix_{table}_country_admin1", table, ["country", "admin1"])
    op.create_index(f"ix_{table}_event_type_sub_event_type", table, ["event_type", "sub_event_type"])
    op.create_index(f"ix_{table}_actor1_name", table, ["actor1_name"])
    op.create_index(f"ix_{table}_actor2_name", table, ["actor2_name"])


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("extractor_version", sa.String(64), nullable=False),
        sa.Column("inputs", sa.Text),
        sa.Column("n_read", sa.Integer, nullable=False),
        sa.Column("n_new", sa.Integer, nullable=False),
        sa.Column("n_skipped", sa.Integer, nullable=False),
        sa.Column("n_failed", sa.Integer, nullable=False),
        sa.Column("n_events", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("doc_id", sa.String(512), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("outlet", sa.String(256)),
        sa.Column("pub_date", sa.Date),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_articles"),
        sa.UniqueConstraint("content_hash", name="uq_articles_content_hash"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_articles_run_id_runs", ondelete="SET NULL"),
    )
    op.create_index("ix_articles_doc_id", "articles", ["doc_id"])
    op.create_index("ix_articles_pub_date", "articles", ["pub_date"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("sub_event_type", sa.String(64), nullable=False),
        sa.Column("date", sa.Date),
        sa.Column("date_precision", sa.String(8)),
        sa.Column("has_location", sa.Boolean, nullable=False),
        sa.Column("location_text", sa.Text),
        sa.Column("location_name", sa.String(256)),
        sa.Column("country", sa.String(2)),
        sa.Column("admin1", sa.String(256)),
        sa.Column("admin2", sa.String(256)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("geo_precision", sa.Integer),
        sa.Column("place_id", sa.String(128)),
        sa.Column("actor1_text", sa.Text),
        sa.Column("actor1_name", sa.String(256)),
        sa.Column("actor1_inter", sa.Integer),
        sa.Column("actor1_id", sa.String(128)),
        sa.Column("actor2_text", sa.Text),
        sa.Column("actor2_name", sa.String(256)),
        sa.Column("actor2_inter", sa.Integer),
        sa.Column("actor2_id", sa.String(128)),
        sa.Column("fatalities", sa.Integer),
        sa.Column("injuries", sa.Integer),
        sa.Column("certainty", sa.String(16), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("trigger_start", sa.Integer),
        sa.Column("trigger_end", sa.Integer),
        sa.Column("extractor_version", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_events_article_id_articles", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_events_article_id_seq", "events", ["article_id", "seq"], unique=True)
    _date_place_actor_indexes("events")
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name="fk_evidence_event_id_events", ondelete="CASCADE"),
    )
    op.create_index("ix_evidence_event_id", "evidence", ["event_id"])
    op.create_table(
        "event_sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event_sources"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_sources_event_id_events", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_event_sources_event_id", "event_sources", ["event_id"])
    op.create_index("ix_event_sources_name", "event_sources", ["name"])
    op.create_table(
        "fused_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("sub_event_type", sa.String(64), nullable=False),
        sa.Column("date", sa.Date),
        sa.Column("date_precision", sa.String(8)),
        sa.Column("location_name", sa.String(256)),
        sa.Column("country", sa.String(2)),
        sa.Column("admin1", sa.String(256)),
        sa.Column("admin2", sa.String(256)),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("geo_precision", sa.Integer),
        sa.Column("place_id", sa.String(128)),
        sa.Column("actor1_name", sa.String(256)),
        sa.Column("actor1_inter", sa.Integer),
        sa.Column("actor2_name", sa.String(256)),
        sa.Column("actor2_inter", sa.Integer),
        sa.Column("fatalities", sa.Integer),
        sa.Column("fatalities_max", sa.Integer),
        sa.Column("injuries", sa.Integer),
        sa.Column("certainty", sa.String(16), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("n_reports", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fused_events"),
        sa.UniqueConstraint("key", name="uq_fused_events_key"),
    )
    _date_place_actor_indexes("fused_events")
    op.create_table(
        "fused_event_members",
        sa.Column("fused_event_id", sa.Integer, nullable=False),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("fused_event_id", "event_id", name="pk_fused_event_members"),
        sa.ForeignKeyConstraint(
            ["fused_event_id"],
            ["fused_events.id"],
            name="fk_fused_event_members_fused_event_id_fused_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_fused_event_members_event_id_events", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_fused_event_members_event_id", "fused_event_members", ["event_id"], unique=True)


def downgrade() -> None:
    for table in ("fused_event_members", "fused_events", "event_sources", "evidence", "events", "articles", "runs"):
        op.drop_table(table)
