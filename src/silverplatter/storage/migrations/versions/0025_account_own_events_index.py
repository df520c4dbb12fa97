"""account's own events index: the events at an account without a contact

Account-level events (trigger events from a data provider, a project
announcement) are a small share of the log: 26,777 of 18.6 million events in
the million-contact demo world.  The recompute's account pass and the
predictive features' "account's own events, last 90 days" found them through
``ix_events_account_time``, which holds every event at an account, contacts'
included, and read each row to see whether it had a contact: 3.3 s at a
million contacts on SQLite for 2,965 accounts' counts, 5 ms from this index.
A contact's event, nearly every insert, does not touch it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 01:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_ACCOUNT_OWN = "contact_id IS NULL AND account_id IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_events_account_own",
        "events",
        ["account_id", "occurred_at"],
        sqlite_where=sa.text(_ACCOUNT_OWN),
        postgresql_where=sa.text(_ACCOUNT_OWN),
    )


def downgrade() -> None:
    op.drop_index("ix_events_account_own", table_name="events")
