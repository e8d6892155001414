"""Analyst reviews and full-text search: event_reviews, review_audit, article_search.

``event_reviews`` marks reviewed events (one row per event: accepted / rejected / corrected,
when, by whom, and the reviewed v1 event as JSON so a reprocess can keep it); ``review_audit``
keeps every change (who, when, field, old value, new value; no foreign key, so the trail
outlives the event); ``article_search`` holds each article's text folded with
:func:`rasd.text.normalize.match_key` (diacritics, tatweel, alef/ya/ta-marbuta variants and
leading "ال" removed) for portable ``LIKE`` search on SQLite and PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2025-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("event_seq", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(128), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("event_json", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event_reviews"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_reviews_event_id_events", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_event_reviews_article_id_articles", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_event_reviews_event_id", "event_reviews", ["event_id"], unique=True)
    op.create_index("ix_event_reviews_article_id", "event_reviews", ["article_id"])
    op.create_table(
        "review_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("who", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("field", sa.String(64)),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_review_audit"),
    )
    op.create_index("ix_review_audit_event_id", "review_audit", ["event_id"])
    op.create_table(
        "article_search",
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("text_key", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_article_search"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_search_article_id_articles", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    for table in ("article_search", "review_audit", "event_reviews"):
        op.drop_table(table)
