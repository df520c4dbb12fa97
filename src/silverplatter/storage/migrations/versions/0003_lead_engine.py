"""lead engine: scoring models and engagement state

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_DOUBLE = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "scoring_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recomputed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_scoring_models_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_models")),
        sa.UniqueConstraint("version", name=op.f("uq_scoring_models_version")),
    )
    op.create_table(
        "contact_scores",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("grade_level", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=2), nullable=False),
        sa.Column("score", _DOUBLE, nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sums", _JSON, nullable=False),
        sa.Column("flags", _JSON, nullable=False),
        sa.Column("engaged", sa.Boolean(), nullable=False),
        sa.Column("last_engaged_ts", _DOUBLE, nullable=True),
        sa.Column("touches", sa.Integer(), nullable=False),
        sa.Column("recent_touches", _JSON, nullable=False),
        sa.Column("silent", sa.Boolean(), nullable=False),
        sa.Column("qualification", sa.String(length=20), nullable=False),
        sa.Column("needs_qualification", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "qualification IN ('subscriber', 'lead', 'mql', 'sql')",
            name=op.f("ck_contact_scores_qualification"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_scores_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_scores")),
    )
    op.create_index(
        "ix_contact_scores_qualification_score",
        "contact_scores",
        ["qualification", "score"],
        unique=False,
    )
    op.create_table(
        "account_scores",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sums", _JSON, nullable=False),
        sa.Column("flags", _JSON, nullable=False),
        sa.Column("own_score", _DOUBLE, nullable=False),
        sa.Column("contacts_score", _DOUBLE, nullable=False),
        sa.Column("top_contact_score", _DOUBLE, nullable=False),
        sa.Column("engaged_contacts", sa.Integer(), nullable=False),
        sa.Column("roles_covered", _JSON, nullable=False),
        sa.Column("score", _DOUBLE, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_scores_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_scores")),
    )
    op.create_table(
        "score_buckets",
        sa.Column("subject", sa.String(length=1), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Integer(), nullable=False),
        sa.Column("bucket_ts", _DOUBLE, nullable=False),
        sa.Column("points", _DOUBLE, nullable=False),
        sa.CheckConstraint("subject IN ('c', 'a')", name=op.f("ck_score_buckets_subject")),
        sa.PrimaryKeyConstraint(
            "subject", "subject_id", "rule", "bucket_ts", name=op.f("pk_score_buckets")
        ),
    )


def downgrade() -> None:
    op.drop_table("score_buckets")
    op.drop_table("account_scores")
    op.drop_index("ix_contact_scores_qualification_score", table_name="contact_scores")
    op.drop_table("contact_scores")
    op.drop_table("scoring_models")
