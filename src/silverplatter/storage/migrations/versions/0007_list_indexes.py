"""indexes for the contact and account lists' sorts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 20:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_contacts_name_sort",
        "contacts",
        [
            sa.text("lower(coalesce(last_name, ''))"),
            sa.text("lower(coalesce(first_name, ''))"),
            "id",
        ],
    )
    op.create_index("ix_contacts_created_sort", "contacts", ["created_at", "id"])
    op.create_index("ix_contacts_updated_sort", "contacts", ["updated_at", "id"])
    op.create_index("ix_contact_scores_score_sort", "contact_scores", ["score", "contact_id"])
    op.create_index("ix_accounts_name_sort", "accounts", [sa.text("lower(name)"), "id"])
    op.create_index("ix_accounts_created_sort", "accounts", ["created_at", "id"])
    op.create_index("ix_accounts_updated_sort", "accounts", ["updated_at", "id"])
    op.create_index("ix_account_scores_score_sort", "account_scores", ["score", "account_id"])


def downgrade() -> None:
    for name, table in (
        ("ix_account_scores_score_sort", "account_scores"),
        ("ix_accounts_updated_sort", "accounts"),
        ("ix_accounts_created_sort", "accounts"),
        ("ix_accounts_name_sort", "accounts"),
        ("ix_contact_scores_score_sort", "contact_scores"),
        ("ix_contacts_updated_sort", "contacts"),
        ("ix_contacts_created_sort", "contacts"),
        ("ix_contacts_name_sort", "contacts"),
    ):
        op.drop_index(name, table_name=table)
