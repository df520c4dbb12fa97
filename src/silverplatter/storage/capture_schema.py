"""Tables of capture: forms and their consent wordings, submissions, lead magnets,
the outbox of mail the product sends, the suppression list, web visitors.

A form's consent wording is never edited in place: each change is a new row of
``consent_wordings`` so that every consent record points at the words the
person actually saw.  The suppression list keeps a SHA-256 digest of each
address; for an erased person only the digest remains.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from silverplatter.storage.schema import BigId, metadata
from silverplatter.storage.types import JsonDocument, UtcDateTime

#: Gated content: a file delivered behind a form through a signed, expiring link.
lead_magnets = Table(
    "lead_magnets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("title", String(300), nullable=False),
    Column("description", Text),
    Column("file_name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    # A download is a soft call to action unless configured otherwise.
    Column("cta_kind", String(10), nullable=False, default="soft"),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("cta_kind IN ('soft', 'hard')", name="cta_kind"),
)

#: A capture form.  ``fields`` and ``questions`` are JSON lists validated by
#: ``domain/forms.py``; the current consent wording is the newest row of
#: ``consent_wordings`` for the form.
forms = Table(
    "forms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("fields", JsonDocument, nullable=False),
    Column("questions", JsonDocument, nullable=False),
    Column("cta_kind", String(10), nullable=False, default="soft"),
    Column("lead_magnet_id", Integer, ForeignKey("lead_magnets.id", ondelete="SET NULL")),
    Column("double_opt_in", Boolean, nullable=False, default=True),
    Column("success_message", Text),
    # Origins (scheme://host[:port]) allowed to embed and post the form.
    Column("allowed_origins", JsonDocument, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("cta_kind IN ('soft', 'hard')", name="cta_kind"),
)

#: Every consent wording a form has shown, immutable once written.
consent_wordings = Table(
    "consent_wordings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("form_id", Integer, ForeignKey("forms.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("wording", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("form_id", "version", name="uq_consent_wordings_form_version"),
)

#: One row per accepted submission; the answers are also on the form_submit event.
form_submissions = Table(
    "form_submissions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("form_id", Integer, ForeignKey("forms.id", ondelete="CASCADE"), nullable=False),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL")),
    Column("consent_wording_id", Integer, ForeignKey("consent_wordings.id")),
    Column("visitor_id", String(64)),
    Column("answers", JsonDocument, nullable=False),
    # unconfirmed → confirmed through the opt-in link; not_required when the
    # form asks no double opt-in or the address was already confirmed.
    Column("opt_in", String(20), nullable=False),
    Column("confirmed_at", UtcDateTime),
    Column("ip_address", String(45)),
    Column("submitted_at", UtcDateTime, nullable=False),
    CheckConstraint("opt_in IN ('unconfirmed', 'confirmed', 'not_required')", name="opt_in"),
    Index("ix_form_submissions_contact", "contact_id"),
    Index("ix_form_submissions_form_time", "form_id", "submitted_at"),
)

#: Mail the product sends (opt-in confirmations, lead-magnet links, and later
#: programmes).  Written in the same transaction as what caused it, delivered
#: by ``services/outbox.deliver_pending``; ``dedupe_key`` makes queueing
#: idempotent, and a row is marked sent only after the SMTP server accepted it.
outbound_mail = Table(
    "outbound_mail",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL")),
    Column("to_address", String(320)),
    Column("subject", String(300), nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("not_before", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    CheckConstraint(
        "status IN ('queued', 'sending', 'sent', 'suppressed', 'failed')", name="status"
    ),
    Index(
        "ix_outbound_mail_pending",
        "not_before",
        sqlite_where=text("status = 'queued'"),
        postgresql_where=text("status = 'queued'"),
    ),
)

#: Addresses no send path may mail (``services/suppression.py``).
suppressions = Table(
    "suppressions",
    metadata,
    Column("id", Integer, primary_key=True),
    # SHA-256 of the normalised address (domain/identity.normalise_email).
    Column("address_hash", String(64), nullable=False, unique=True),
    # The normalised address itself; NULL once the person is erased.
    Column("email_key", String(320)),
    Column("reason", String(20), nullable=False),
    Column("source", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "reason IN ('unsubscribed', 'hard_bounce', 'complaint', 'erased', 'manual')",
        name="reason",
    ),
)

#: Anonymous browsers seen by the tracking snippet, and whom they turned out to be.
visitors = Table(
    "visitors",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL")),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("identified_at", UtcDateTime),
    Index(
        "ix_visitors_contact",
        "contact_id",
        sqlite_where=text("contact_id IS NOT NULL"),
        postgresql_where=text("contact_id IS NOT NULL"),
    ),
)

#: That a person was erased, without saying who (GDPR Art. 17 accountability).
erasures = Table(
    "erasures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("contact_id", Integer),
    Column("erased_at", UtcDateTime, nullable=False),
    Column("erased_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    # Counts of what was scrubbed or removed, per table.
    Column("summary", JsonDocument, nullable=False),
)
