"""page view index: each account's recent visit days read from an index alone

The lost-lead report's repeat-visitor section counted the last 30 days' page
views per account by reading the whole event log on PostgreSQL (3.6 s at a
million contacts).  A partial index over the page views at accounts, holding
the columns the count needs, answers it without touching the table.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_PAGE_VIEWS_AT_ACCOUNTS = "type = 'page_view' AND account_id IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_events_account_page_views",
        "events",
        ["occurred_at", "account_id", "contact_id"],
        sqlite_where=sa.text(_PAGE_VIEWS_AT_ACCOUNTS),
        postgresql_where=sa.text(_PAGE_VIEWS_AT_ACCOUNTS),
    )


def downgrade() -> None:
    op.drop_index("ix_events_account_page_views", table_name="events")
