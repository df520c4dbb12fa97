"""figure snapshots: the latest counted dashboard and list figures of a big workspace

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 14:58:38.171119
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "figure_snapshots",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("as_of", _WHEN, nullable=False),
        sa.Column("seconds", sa.Float(precision=53), nullable=False),
        sa.Column("figures", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_figure_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("figure_snapshots")
