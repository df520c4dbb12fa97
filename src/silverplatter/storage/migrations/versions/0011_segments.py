"""segments, segment members, value-tier policies, needs segments, offer matrix, care models

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_WHEN = sa.DateTime(timezone=True)
_TIERS = "value_tier IN ('gold', 'silver', 'bronze', 'unclassified')"


def _key(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("rule", _JSON, nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=True),
        sa.Column("counted_at", _WHEN, nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint("kind IN ('dynamic', 'static')", name=op.f("ck_segments_kind")),
        _key("segments", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("slug", name=op.f("uq_segments_slug")),
    )
    op.create_table(
        "segment_members",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("added_at", _WHEN, nullable=False),
        _key("segment_members", "segment_id", "segments", "CASCADE"),
        _key("segment_members", "contact_id", "contacts", "CASCADE"),
        sa.PrimaryKeyConstraint("segment_id", "contact_id", name="pk_segment_members"),
    )
    op.create_index("ix_segment_members_contact", "segment_members", ["contact_id"])
    op.create_table(
        "value_tier_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=120), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("bounds", _JSON, nullable=False),
        sa.Column("applied_at", _WHEN, nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "method IN ('thresholds', 'percentiles')", name=op.f("ck_value_tier_policies_method")
        ),
        _key("value_tier_policies", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_tier_policies")),
    )
    op.create_table(
        "needs_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        _key("needs_segments", "segment_id", "segments", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs_segments")),
        sa.UniqueConstraint("slug", name=op.f("uq_needs_segments_slug")),
    )
    op.create_table(
        "offer_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value_tier", sa.String(length=20), nullable=False),
        sa.Column("needs_segment_id", sa.Integer(), nullable=False),
        sa.Column("modules", _JSON, nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint(_TIERS, name=op.f("ck_offer_cells_tier")),
        _key("offer_cells", "needs_segment_id", "needs_segments", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_cells")),
        sa.UniqueConstraint("value_tier", "needs_segment_id", name="uq_offer_cells_tier_needs"),
    )
    op.create_table(
        "care_models",
        sa.Column("value_tier", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("touches_per_year", sa.Integer(), nullable=True),
        sa.Column("channels", _JSON, nullable=False),
        sa.Column("owner_role", sa.String(length=20), nullable=True),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint(_TIERS, name=op.f("ck_care_models_tier")),
        sa.PrimaryKeyConstraint("value_tier", name=op.f("pk_care_models")),
    )


def downgrade() -> None:
    for table in (
        "care_models",
        "offer_cells",
        "needs_segments",
        "value_tier_policies",
        "segment_members",
        "segments",
    ):
        op.drop_table(table)
