"""opportunity contact index: "did this contact become an opportunity" by index

The reality check of a sales-ready lead counts how many similar leads became
opportunities, asking per contact whether an opportunity names it.  With no
index on ``opportunities.contact_id`` each question read every opportunity:
at a million contacts and 55,000 opportunities an SQL contact's page did not
answer within minutes.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 22:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_opportunities_contact_id", "opportunities", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_opportunities_contact_id", table_name="opportunities")
