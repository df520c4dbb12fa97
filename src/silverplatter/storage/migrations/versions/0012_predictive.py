"""predictive scoring: model versions and per-contact probabilities

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "predictive_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("cutoff", _WHEN, nullable=False),
        sa.Column("algorithm", sa.String(length=40), nullable=False),
        sa.Column("parameters", _JSON, nullable=False),
        sa.Column("features", _JSON, nullable=False),
        sa.Column("metrics", _JSON, nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("activated_at", _WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_predictive_models_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predictive_models")),
    )
    op.create_table(
        "contact_predictions",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(precision=53), nullable=False),
        sa.Column("contributions", _JSON, nullable=False),
        sa.Column("scored_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_predictions_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["predictive_models.id"],
            name=op.f("fk_contact_predictions_model_id_predictive_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_contact_predictions")),
    )
    op.create_index(
        "ix_contact_predictions_model_probability",
        "contact_predictions",
        ["model_id", "probability"],
    )


def downgrade() -> None:
    op.drop_index("ix_contact_predictions_model_probability", table_name="contact_predictions")
    op.drop_table("contact_predictions")
    op.drop_table("predictive_models")
