"""Feeds (conditional-request validators), per-article extractor version, event reviews.

Adds the ``feeds`` table (``rasd ingest --feed``), ``articles.extractor_version`` (the extractor
that last processed the article, so ``rasd reprocess`` also revisits articles without events),
an index on ``articles.url`` (feed items already stored are skipped by URL) and the nullable
``events.reviewed_at`` / ``events.review`` columns (reviewed events are kept by ``rasd reprocess``).

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_polled_at", sa.DateTime(timezone=True)),
        sa.Column("last_status", sa.Integer),
        sa.Column("n_items", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("extractor_version", sa.String(64)))
    op.create_index("ix_articles_url", "articles", ["url"], postgresql_using="hash")
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("review", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("review")
        batch.drop_column("reviewed_at")
    op.drop_index("ix_articles_url", "articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("extractor_version")
    op.drop_table("feeds")
