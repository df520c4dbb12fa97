"""an index for a common e-mail search in the name order

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_contacts_email_name",
        "contacts",
        [
            sa.text("email_key"),
            sa.text("lower(coalesce(last_name, ''))"),
            sa.text("lower(coalesce(first_name, ''))"),
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_email_name", table_name="contacts")
