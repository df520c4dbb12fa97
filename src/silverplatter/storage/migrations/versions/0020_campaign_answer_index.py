"""campaign answer index: the lost-lead report's "later" answers without reading the log

The "not now, later" section read every event to find the campaign answers
(1.5-2.9 s at a million contacts).  A partial index holds only the answers,
so it costs an append of any other event nothing.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 18:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_events_campaign_answers",
        "events",
        ["contact_id", "occurred_at"],
        sqlite_where=sa.text("type = 'campaign_answer'"),
        postgresql_where=sa.text("type = 'campaign_answer'"),
    )


def downgrade() -> None:
    op.drop_index("ix_events_campaign_answers", table_name="events")
