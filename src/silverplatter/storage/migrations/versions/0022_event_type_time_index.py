"""event type and time index: a segment's event window read as one range

A segment such as "grade B or better, in Finland, clicked an e-mail in the
last 30 days" probed every candidate's events through the (contact, time)
index and read each recent event's row for its type.  An index on (type,
time, contact) holds one event type's window as a range with its contacts,
so the whole segment's set is gathered once.  Events arrive roughly in time
order, so each type appends at its own end of this index.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 20:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_WITH_CONTACT = "contact_id IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_events_type_time",
        "events",
        ["type", "occurred_at", "contact_id"],
        sqlite_where=sa.text(_WITH_CONTACT),
        postgresql_where=sa.text(_WITH_CONTACT),
    )


def downgrade() -> None:
    op.drop_index("ix_events_type_time", table_name="events")
