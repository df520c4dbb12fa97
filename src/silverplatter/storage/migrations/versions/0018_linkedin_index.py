"""linkedin index: champion-move detection finds a person's earlier records by profile

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 15:53:29.512530
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_linkedin_url",
            ["linkedin_url"],
            unique=False,
            sqlite_where=sa.text("linkedin_url IS NOT NULL"),
            postgresql_where=sa.text("linkedin_url IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_contacts_linkedin_url",
            sqlite_where=sa.text("linkedin_url IS NOT NULL"),
            postgresql_where=sa.text("linkedin_url IS NOT NULL"),
        )
