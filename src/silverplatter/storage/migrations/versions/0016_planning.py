"""planning: marketing plans (the service level), channel costs, tasks, imported
lists of people (social followers, NPS respondents), employment history and
champion moves; the offer module of an opportunity

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 14:43:40.809759
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "channel_costs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=60), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_channel_costs_amount")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_costs")),
        sa.UniqueConstraint("channel", "month", name="uq_channel_costs_channel_month"),
    )
    op.create_table(
        "marketing_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("months_count", sa.Integer(), nullable=False),
        sa.Column("revenue_target", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("average_deal_size", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("inputs", _JSON, nullable=False),
        sa.Column("months", _JSON, nullable=False),
        sa.Column("sla_sqls_per_month", sa.Integer(), nullable=False),
        sa.Column("sla_mqls_per_month", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "average_deal_size > 0", name=op.f("ck_marketing_plans_average_deal_size")
        ),
        sa.CheckConstraint(
            "months_count BETWEEN 1 AND 36", name=op.f("ck_marketing_plans_months_count")
        ),
        sa.CheckConstraint("revenue_target > 0", name=op.f("ck_marketing_plans_revenue_target")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_marketing_plans_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_plans")),
    )
    op.create_table(
        "people_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("imported_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "kind IN ('social_followers', 'nps_survey')", name=op.f("ck_people_lists_kind")
        ),
        sa.ForeignKeyConstraint(
            ["imported_by"],
            ["users.id"],
            name=op.f("fk_people_lists_imported_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_lists")),
    )
    op.create_table(
        "champion_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("new_contact_id", sa.Integer(), nullable=True),
        sa.Column("from_account_id", sa.Integer(), nullable=True),
        sa.Column("to_account_id", sa.Integer(), nullable=True),
        sa.Column("matched_by", sa.String(length=20), nullable=False),
        sa.Column("detected_at", _WHEN, nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "matched_by IN ('linkedin', 'name_domain', 'user')",
            name=op.f("ck_champion_moves_matched_by"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_champion_moves_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_account_id"],
            ["accounts.id"],
            name=op.f("fk_champion_moves_from_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["new_contact_id"],
            ["contacts.id"],
            name=op.f("fk_champion_moves_new_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_champion_moves_recorded_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_account_id"],
            ["accounts.id"],
            name=op.f("fk_champion_moves_to_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_champion_moves")),
        sa.UniqueConstraint("contact_id", "to_account_id", name="uq_champion_moves_contact_to"),
    )
    with op.batch_alter_table("champion_moves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_champion_moves_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "employment_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("account_name", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("started_at", _WHEN, nullable=True),
        sa.Column("ended_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_employment_history_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_employment_history_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employment_history")),
    )
    with op.batch_alter_table("employment_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_employment_history_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "people_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("company", sa.String(length=300), nullable=True),
        sa.Column("linkedin_url", sa.String(length=300), nullable=True),
        sa.Column("handle", sa.String(length=200), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", _WHEN, nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("score BETWEEN 0 AND 10", name=op.f("ck_people_list_entries_score")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_people_list_entries_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_people_list_entries_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["people_lists.id"],
            name=op.f("fk_people_list_entries_list_id_people_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_list_entries")),
    )
    with op.batch_alter_table("people_list_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_people_list_entries_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_people_list_entries_list_id"), ["list_id"], unique=False
        )

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("done_at", _WHEN, nullable=True),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f("ck_tasks_status")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_tasks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_tasks_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_tasks_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_tasks_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_account", ["account_id"], unique=False)
        batch_op.create_index("ix_tasks_contact", ["contact_id"], unique=False)
        batch_op.create_index("ix_tasks_owner_status", ["owner_id", "status"], unique=False)

    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_module", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("opportunities", schema=None) as batch_op:
        batch_op.drop_column("offer_module")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_owner_status")
        batch_op.drop_index("ix_tasks_contact")
        batch_op.drop_index("ix_tasks_account")

    op.drop_table("tasks")
    with op.batch_alter_table("people_list_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_list_entries_list_id"))
        batch_op.drop_index(batch_op.f("ix_people_list_entries_contact_id"))

    op.drop_table("people_list_entries")
    with op.batch_alter_table("employment_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employment_history_contact_id"))

    op.drop_table("employment_history")
    with op.batch_alter_table("champion_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_champion_moves_contact_id"))

    op.drop_table("champion_moves")
    op.drop_table("people_lists")
    op.drop_table("marketing_plans")
    op.drop_table("channel_costs")
