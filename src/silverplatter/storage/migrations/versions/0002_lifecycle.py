"""lifecycle stages, qualification (BANT) and buying windows

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:20:00

On SQLite the contacts table is altered in place (ADD/DROP COLUMN), never
recreated: with foreign keys on, dropping the old table during a batch
recreate would fire ON DELETE SET NULL on every event and consent record of
every contact.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STAGES_CHECK = (
    "lifecycle_stage IN ('subscriber', 'lead', 'mql', 'sql', 'sal', 'opportunity', "
    "'customer', 'recycled', 'disqualified')"
)


def _add_stage_columns() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE contacts ADD COLUMN lifecycle_stage VARCHAR(20) DEFAULT 'subscriber' "
            f"NOT NULL CONSTRAINT ck_contacts_lifecycle_stage CHECK ({STAGES_CHECK})"
        )
    else:
        op.add_column(
            "contacts",
            sa.Column(
                "lifecycle_stage",
                sa.String(length=20),
                server_default="subscriber",
                nullable=False,
            ),
        )
        op.create_check_constraint(op.f("ck_contacts_lifecycle_stage"), "contacts", STAGES_CHECK)
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_contacts_lifecycle_stage"), ["lifecycle_stage"], unique=False
        )


def upgrade() -> None:
    _add_stage_columns()
    op.create_table(
        "stage_transitions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=False),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("transition", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("actor IN ('rule', 'user')", name=op.f("ck_stage_transitions_actor")),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_stage_transitions_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_stage_transitions_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_transitions")),
    )
    with op.batch_alter_table("stage_transitions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_transitions_contact_time", ["contact_id", "occurred_at"], unique=False
        )

    op.create_table(
        "qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=True),
        sa.Column("budget", sa.Text(), nullable=True),
        sa.Column("budget_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("authority", sa.Text(), nullable=True),
        sa.Column("need", sa.Text(), nullable=True),
        sa.Column("timeline", sa.Date(), nullable=True),
        sa.Column("current_supplier", sa.String(length=200), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "satisfaction BETWEEN 0 AND 10", name=op.f("ck_qualifications_satisfaction")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_qualifications_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_qualifications_opportunity_id_opportunities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_qualifications_recorded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
    )
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qualifications_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "buying_windows",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('qualification', 'contract_end', 'installed_base', 'manual')",
            name=op.f("ck_buying_windows_source"),
        ),
        sa.CheckConstraint("confidence BETWEEN 0 AND 1", name=op.f("ck_buying_windows_confidence")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_buying_windows_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_buying_windows")),
    )


def downgrade() -> None:
    op.drop_table("buying_windows")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qualifications_contact_id"))
    op.drop_table("qualifications")
    with op.batch_alter_table("stage_transitions", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_transitions_contact_time")
    op.drop_table("stage_transitions")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_lifecycle_stage"))
    # In place on both backends (SQLite ≥ 3.35); the column's CHECK goes with it.
    op.execute("ALTER TABLE contacts DROP COLUMN stage_changed_at")
    op.execute("ALTER TABLE contacts DROP COLUMN lifecycle_stage")
