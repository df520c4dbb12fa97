"""first touch: each contact's earliest channel is kept on the contact

The funnel and the cost per lead group contacts by the channel of their
earliest event that has one.  Searching the event log per contact took 6-7 s
at a million contacts; the stored pair is kept as events arrive
(storage/first_touches.py) and filled here for the contacts already there.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 17:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# The earliest event with a channel, per contact (ties: the one stored first).
_BACKFILL = """
UPDATE contacts SET
    first_touch_channel = (SELECT channel FROM events WHERE events.id = f.event_id),
    first_touch_at = (SELECT occurred_at FROM events WHERE events.id = f.event_id)
FROM (
    SELECT contacts.id AS contact_id, (
        SELECT candidate.id FROM events AS candidate
        WHERE candidate.contact_id = contacts.id AND candidate.channel IS NOT NULL
        ORDER BY candidate.occurred_at, candidate.id LIMIT 1
    ) AS event_id
    FROM contacts
) AS f
WHERE f.contact_id = contacts.id AND f.event_id IS NOT NULL
"""


def upgrade() -> None:
    # Plain ADD/DROP COLUMN: SQLite has both, and a batch copy of the table
    # would lose its expression indexes.
    op.add_column("contacts", sa.Column("first_touch_channel", sa.String(length=30)))
    op.add_column("contacts", sa.Column("first_touch_at", sa.DateTime(timezone=True)))
    op.execute(sa.text(_BACKFILL))


def downgrade() -> None:
    op.execute("ALTER TABLE contacts DROP COLUMN first_touch_at")
    op.execute("ALTER TABLE contacts DROP COLUMN first_touch_channel")
