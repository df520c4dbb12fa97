"""capture: forms, consent wordings, submissions, lead magnets, outbox, suppression,
visitors, erasures; contacts.source, consent_records.erasure_id, workspace.signing_key

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:30:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_WHEN = sa.DateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _key(table: str, column: str, target: str, ondelete: str | None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): cheap on a million contacts.
    op.add_column("workspace", sa.Column("signing_key", sa.String(length=100), nullable=True))
    op.add_column("contacts", sa.Column("source", sa.String(length=200), nullable=True))
    op.add_column("consent_records", sa.Column("erasure_id", sa.Integer(), nullable=True))
    op.execute(
        sa.text("UPDATE workspace SET signing_key = :key WHERE signing_key IS NULL").bindparams(
            key=secrets.token_urlsafe(48)
        )
    )
    op.create_table(
        "lead_magnets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("cta_kind", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint("cta_kind IN ('soft', 'hard')", name=op.f("ck_lead_magnets_cta_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_magnets")),
        sa.UniqueConstraint("slug", name=op.f("uq_lead_magnets_slug")),
    )
    op.create_table(
        "forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fields", _JSON, nullable=False),
        sa.Column("questions", _JSON, nullable=False),
        sa.Column("cta_kind", sa.String(length=10), nullable=False),
        sa.Column("lead_magnet_id", sa.Integer(), nullable=True),
        sa.Column("double_opt_in", sa.Boolean(), nullable=False),
        sa.Column("success_message", sa.Text(), nullable=True),
        sa.Column("allowed_origins", _JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.CheckConstraint("cta_kind IN ('soft', 'hard')", name=op.f("ck_forms_cta_kind")),
        _key("forms", "lead_magnet_id", "lead_magnets", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forms")),
        sa.UniqueConstraint("slug", name=op.f("uq_forms_slug")),
    )
    op.create_table(
        "consent_wordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        _key("consent_wordings", "form_id", "forms", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_wordings")),
        sa.UniqueConstraint("form_id", "version", name="uq_consent_wordings_form_version"),
    )
    op.create_table(
        "form_submissions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("consent_wording_id", sa.Integer(), nullable=True),
        sa.Column("visitor_id", sa.String(length=64), nullable=True),
        sa.Column("answers", _JSON, nullable=False),
        sa.Column("opt_in", sa.String(length=20), nullable=False),
        sa.Column("confirmed_at", _WHEN, nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("submitted_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "opt_in IN ('unconfirmed', 'confirmed', 'not_required')",
            name=op.f("ck_form_submissions_opt_in"),
        ),
        _key("form_submissions", "form_id", "forms", "CASCADE"),
        _key("form_submissions", "contact_id", "contacts", "SET NULL"),
        _key("form_submissions", "consent_wording_id", "consent_wordings", None),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
    )
    op.create_index("ix_form_submissions_contact", "form_submissions", ["contact_id"])
    op.create_index(
        "ix_form_submissions_form_time", "form_submissions", ["form_id", "submitted_at"]
    )
    op.create_table(
        "outbound_mail",
        sa.Column("id", _ID, nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("not_before", _WHEN, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("sent_at", _WHEN, nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'suppressed', 'failed')",
            name=op.f("ck_outbound_mail_status"),
        ),
        _key("outbound_mail", "contact_id", "contacts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_mail")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbound_mail_dedupe_key")),
    )
    op.create_index(
        "ix_outbound_mail_pending",
        "outbound_mail",
        ["not_before"],
        sqlite_where=sa.text("status = 'queued'"),
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.CheckConstraint(
            "reason IN ('unsubscribed', 'hard_bounce', 'complaint', 'erased', 'manual')",
            name=op.f("ck_suppressions_reason"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppressions")),
        sa.UniqueConstraint("address_hash", name=op.f("uq_suppressions_address_hash")),
    )
    op.create_table(
        "visitors",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", _WHEN, nullable=False),
        sa.Column("last_seen_at", _WHEN, nullable=False),
        sa.Column("identified_at", _WHEN, nullable=True),
        _key("visitors", "contact_id", "contacts", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitors")),
    )
    op.create_index(
        "ix_visitors_contact",
        "visitors",
        ["contact_id"],
        sqlite_where=sa.text("contact_id IS NOT NULL"),
        postgresql_where=sa.text("contact_id IS NOT NULL"),
    )
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("erased_at", _WHEN, nullable=False),
        sa.Column("erased_by", sa.Integer(), nullable=True),
        sa.Column("summary", _JSON, nullable=False),
        _key("erasures", "erased_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasures")),
    )


def downgrade() -> None:
    for table in (
        "erasures",
        "visitors",
        "suppressions",
        "outbound_mail",
        "form_submissions",
        "consent_wordings",
        "forms",
        "lead_magnets",
    ):
        op.drop_table(table)
    with op.batch_alter_table("consent_records") as batch_op:
        batch_op.drop_column("erasure_id")
    with op.batch_alter_table("contacts") as batch_op:
        batch_op.drop_column("source")
    with op.batch_alter_table("workspace") as batch_op:
        batch_op.drop_column("signing_key")
