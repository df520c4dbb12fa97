"""an index for searching contacts by the start of their first name

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 20:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_contacts_first_name_search",
        "contacts",
        [sa.text("lower(coalesce(first_name, ''))")],
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_first_name_search", table_name="contacts")
