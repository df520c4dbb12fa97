"""sales queue index: the queue ranked from an index of its own contacts

The sales queue ranks every contact at SQL or SAL (about 4,000 of a million)
by overdue handover, tier and score.  It found them through the stage index
and then read each one's row for its account and owner: more than half of
the ranking's 12.6 ms at a million contacts.  A partial index of those
stages holding (stage, account, owner) serves the ranking alone, and a
contact at any other stage, nearly every insert and update, does not touch
it.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 23:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_QUEUE_STAGES = "lifecycle_stage IN ('sql', 'sal')"


def upgrade() -> None:
    op.create_index(
        "ix_contacts_queue",
        "contacts",
        ["lifecycle_stage", "account_id", "owner_id"],
        sqlite_where=sa.text(_QUEUE_STAGES),
        postgresql_where=sa.text(_QUEUE_STAGES),
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_queue", table_name="contacts")
