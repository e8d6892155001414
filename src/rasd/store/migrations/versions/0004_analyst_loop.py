"""The analyst's loop: named reviewer tokens, review comments in the audit trail, archive indexes.

Adds ``reviewer_tokens`` (one row per named reviewer token: the sha256 of the token, never the
token itself; ``revoked_at`` set by ``rasd token revoke``), ``review_audit.comment`` (the
reviewer's comment, shown in the event's history) and indexes behind the dashboard's sorted,
filtered pages over large archives (``events.review``, ``events.confidence``,
``events.fatalities``, ``events.sub_event_type``).

Revision ID: 0004
Revises: 0003
Create Date: 2025-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviewer_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_reviewer_tokens"),
        sa.UniqueConstraint("name", name="uq_reviewer_tokens_name"),
        sa.UniqueConstraint("token_sha256", name="uq_reviewer_tokens_token_sha256"),
    )
    with op.batch_alter_table("review_audit") as batch:
        batch.add_column(sa.Column("comment", sa.Text))
    op.create_index("ix_events_review", "events", ["review"])
    op.create_index("ix_events_confidence", "events", ["confidence"])
    op.create_index("ix_events_fatalities", "events", ["fatalities"])
    op.create_index("ix_events_sub_event_type", "events", ["sub_event_type"])


def downgrade() -> None:
    for name in ("ix_events_sub_event_type", "ix_events_fatalities", "ix_events_confidence", "ix_events_review"):
        op.drop_index(name, "events")
    with op.batch_alter_table("review_audit") as batch:
        batch.drop_column("comment")
    op.drop_table("reviewer_tokens")
