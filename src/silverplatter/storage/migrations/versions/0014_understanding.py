"""customer understanding: zipper boards and versions, worries, worry tags and profiles,
strategy documents with history, needs and competitor grids, Kano studies

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "kano_studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kano_studies")),
        sa.UniqueConstraint("slug", name=op.f("uq_kano_studies_slug")),
    )
    op.create_table(
        "need_grids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_grids")),
        sa.UniqueConstraint("slug", name=op.f("uq_need_grids_slug")),
    )
    op.create_table(
        "strategy_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", _JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "kind IN ('core_questions', 'swot', 'pest', 'target_customer')",
            name=op.f("ck_strategy_documents_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_documents")),
        sa.UniqueConstraint("slug", name=op.f("uq_strategy_documents_slug")),
    )
    op.create_table(
        "worries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("talking_point", sa.Text(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worries")),
        sa.UniqueConstraint("slug", name=op.f("uq_worries_slug")),
    )
    op.create_table(
        "grid_competitors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_us", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["need_grids.id"],
            name=op.f("fk_grid_competitors_grid_id_need_grids"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_competitors")),
        sa.UniqueConstraint("grid_id", "name", name="uq_grid_competitors_name"),
    )
    op.create_table(
        "grid_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["need_grids.id"],
            name=op.f("fk_grid_needs_grid_id_need_grids"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_needs")),
        sa.UniqueConstraint("grid_id", "name", name="uq_grid_needs_name"),
    )
    op.create_table(
        "grid_raters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "source IN ('internal', 'customer')", name=op.f("ck_grid_raters_source")
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["need_grids.id"],
            name=op.f("fk_grid_raters_grid_id_need_grids"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_raters")),
        sa.UniqueConstraint("grid_id", "source", "name", name="uq_grid_raters_name"),
    )
    op.create_table(
        "kano_features",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["kano_studies.id"],
            name=op.f("fk_kano_features_study_id_kano_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kano_features")),
        sa.UniqueConstraint("study_id", "name", name="uq_kano_features_name"),
    )
    op.create_table(
        "strategy_document_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", _JSON, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_strategy_document_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["strategy_documents.id"],
            name=op.f("fk_strategy_document_versions_document_id_strategy_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_document_versions")),
        sa.UniqueConstraint("document_id", "version", name="uq_strategy_document_versions_version"),
    )
    op.create_table(
        "worry_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worry_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "target_kind IN ('url_pattern', 'lead_magnet', 'form', 'email', 'content')",
            name=op.f("ck_worry_tags_target_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["worry_id"],
            ["worries.id"],
            name=op.f("fk_worry_tags_worry_id_worries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worry_tags")),
        sa.UniqueConstraint("worry_id", "target_kind", "target", name="uq_worry_tags_target"),
    )
    op.create_table(
        "account_worries",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("worry_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("valid_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_worries_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["worry_id"],
            ["worries.id"],
            name=op.f("fk_account_worries_worry_id_worries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "worry_id", name="pk_account_worries"),
    )
    op.create_index("ix_account_worries_worry", "account_worries", ["worry_id"], unique=False)
    op.create_table(
        "grid_scores",
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("competitor_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 10", name=op.f("ck_grid_scores_score")),
        sa.ForeignKeyConstraint(
            ["competitor_id"],
            ["grid_competitors.id"],
            name=op.f("fk_grid_scores_competitor_id_grid_competitors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["grid_needs.id"],
            name=op.f("fk_grid_scores_need_id_grid_needs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["grid_raters.id"],
            name=op.f("fk_grid_scores_rater_id_grid_raters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rater_id", "need_id", "competitor_id", name="pk_grid_scores"),
    )
    op.create_table(
        "grid_weights",
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.CheckConstraint("points >= 0 AND points <= 100", name=op.f("ck_grid_weights_points")),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["grid_needs.id"],
            name=op.f("fk_grid_weights_need_id_grid_needs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["grid_raters.id"],
            name=op.f("fk_grid_weights_rater_id_grid_raters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rater_id", "need_id", name="pk_grid_weights"),
    )
    op.create_table(
        "kano_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=200), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=True),
        sa.Column("functional", sa.Integer(), nullable=False),
        sa.Column("dysfunctional", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "dysfunctional BETWEEN 1 AND 5", name=op.f("ck_kano_answers_dysfunctional")
        ),
        sa.CheckConstraint("functional BETWEEN 1 AND 5", name=op.f("ck_kano_answers_functional")),
        sa.ForeignKeyConstraint(
            ["feature_id"],
            ["kano_features.id"],
            name=op.f("fk_kano_answers_feature_id_kano_features"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["kano_studies.id"],
            name=op.f("fk_kano_answers_study_id_kano_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kano_answers")),
        sa.UniqueConstraint("feature_id", "respondent", name="uq_kano_answers_respondent"),
    )
    op.create_table(
        "contact_worries",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("worry_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("valid_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_worries_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["worry_id"],
            ["worries.id"],
            name=op.f("fk_contact_worries_worry_id_worries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", "worry_id", name="pk_contact_worries"),
    )
    op.create_index("ix_contact_worries_worry", "contact_worries", ["worry_id"], unique=False)
    op.create_table(
        "zipper_boards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("needs_segment_id", sa.Integer(), nullable=True),
        sa.Column("document", _JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["needs_segment_id"],
            ["needs_segments.id"],
            name=op.f("fk_zipper_boards_needs_segment_id_needs_segments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zipper_boards")),
        sa.UniqueConstraint("slug", name=op.f("uq_zipper_boards_slug")),
    )
    op.create_table(
        "zipper_board_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", _JSON, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["zipper_boards.id"],
            name=op.f("fk_zipper_board_versions_board_id_zipper_boards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_zipper_board_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zipper_board_versions")),
        sa.UniqueConstraint("board_id", "version", name="uq_zipper_board_versions_board_version"),
    )


def downgrade() -> None:
    for table in (
        "zipper_board_versions",
        "zipper_boards",
        "contact_worries",
        "kano_answers",
        "grid_weights",
        "grid_scores",
        "account_worries",
        "worry_tags",
        "strategy_document_versions",
        "kano_features",
        "grid_raters",
        "grid_needs",
        "grid_competitors",
        "worries",
        "strategy_documents",
        "need_grids",
        "kano_studies",
    ):
        op.drop_table(table)
