"""handover to sales with a service level; the round-robin rotation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TIERS = "tier IN ('gold', 'silver', 'bronze', 'unclassified')"
_OPEN = "acted_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("assignment", sa.String(length=20), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("handed_over_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acted_by", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alert_to", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "assignment IN ('account_owner', 'round_robin', 'unassigned')",
            name=op.f("ck_handovers_assignment"),
        ),
        sa.CheckConstraint(_TIERS, name=op.f("ck_handovers_tier")),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'recycled', 'disqualified', 'opportunity', 'withdrawn')",
            name=op.f("ck_handovers_outcome"),
        ),
        sa.CheckConstraint(
            "(acted_at IS NULL AND outcome IS NULL) "
            "OR (acted_at IS NOT NULL AND outcome IS NOT NULL)",
            name=op.f("ck_handovers_acted"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_handovers_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_handovers_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_handovers_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["acted_by"],
            ["users.id"],
            name=op.f("fk_handovers_acted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["alert_to"],
            ["users.id"],
            name=op.f("fk_handovers_alert_to_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
    )
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.create_index("ix_handovers_contact_id", ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_handovers_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            "ix_handovers_open_contact",
            ["contact_id"],
            unique=True,
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )
        batch_op.create_index(
            "ix_handovers_open_due",
            ["due_at"],
            unique=False,
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )

    op.create_table(
        "handover_rotation",
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("last_user_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_TIERS, name=op.f("ck_handover_rotation_tier")),
        sa.PrimaryKeyConstraint("tier", name=op.f("pk_handover_rotation")),
    )


def downgrade() -> None:
    op.drop_table("handover_rotation")
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_handovers_open_due",
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )
        batch_op.drop_index(
            "ix_handovers_open_contact",
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )
        batch_op.drop_index(batch_op.f("ix_handovers_owner_id"))
        batch_op.drop_index("ix_handovers_contact_id")
    op.drop_table("handovers")
