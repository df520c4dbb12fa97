"""Tables of nurture (domain §6, §7): e-mail templates and their variants,
broadcasts, the send ledger, bounce reports, programmes with their versions,
enrolments and what happened to each.

The send ledger (``mail_sends``) has one row per message that is to go to
one contact — a broadcast's recipient or a programme's step — and no body:
the message is rendered from the template when it is sent.  ``dedupe_key``
makes every send idempotent; the row's status records how far the message
got (``services/sending.py`` explains the exactly-once hand-over).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from silverplatter.storage.schema import BigId, metadata
from silverplatter.storage.types import JsonDocument, UtcDateTime

email_templates = Table(
    "email_templates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("html_body", Text, nullable=False),
    Column("text_body", Text, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: A variant of a template for a buyer persona (decision role) and/or buying stage (domain §7).
email_template_variants = Table(
    "email_template_variants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "template_id",
        Integer,
        ForeignKey("email_templates.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("decision_role", String(30)),
    Column("buying_stage", String(30)),
    Column("subject", String(300), nullable=False),
    Column("html_body", Text, nullable=False),
    Column("text_body", Text, nullable=False),
    UniqueConstraint(
        "template_id", "decision_role", "buying_stage", name="uq_email_template_variants_target"
    ),
)

broadcasts = Table(
    "broadcasts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("template_id", Integer, ForeignKey("email_templates.id"), nullable=False),
    Column("segment_id", Integer, ForeignKey("segments.id", ondelete="SET NULL")),
    Column("status", String(20), nullable=False),
    Column("scheduled_at", UtcDateTime),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("recipients", Integer),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')", name="status"
    ),
)

programmes = Table(
    "programmes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("status", String(20), nullable=False),
    # Built-in template it was made from: buying_window_clock, lead_refinery,
    # re_permission, welcome — or NULL for one made from scratch.
    Column("template", String(40)),
    # The steps, entry and exit rules (domain/programmes.py).
    Column("definition", JsonDocument, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("status IN ('draft', 'active', 'paused', 'archived')", name="status"),
)

programme_versions = Table(
    "programme_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "programme_id", Integer, ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False
    ),
    Column("version", Integer, nullable=False),
    Column("definition", JsonDocument, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("programme_id", "version", name="uq_programme_versions_version"),
)

#: One contact in one programme: where they are and when their next step is due.
enrolments = Table(
    "enrolments",
    metadata,
    Column("id", BigId, primary_key=True),
    Column(
        "programme_id", Integer, ForeignKey("programmes.id", ondelete="CASCADE"), nullable=False
    ),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("step", String(60)),
    Column("due_at", UtcDateTime),
    Column("programme_version", Integer, nullable=False),
    Column("entered_at", UtcDateTime, nullable=False),
    Column("left_at", UtcDateTime),
    Column("exit_reason", String(100)),
    UniqueConstraint("programme_id", "contact_id", name="uq_enrolments_programme_contact"),
    CheckConstraint("status IN ('active', 'paused', 'completed', 'exited')", name="status"),
    Index(
        "ix_enrolments_due",
        "due_at",
        sqlite_where=text("status = 'active'"),
        postgresql_where=text("status = 'active'"),
    ),
    Index("ix_enrolments_contact", "contact_id"),
)

#: What happened at each step of an enrolment (the per-contact history shown in the UI).
enrolment_steps = Table(
    "enrolment_steps",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("enrolment_id", BigId, ForeignKey("enrolments.id", ondelete="CASCADE"), nullable=False),
    Column("step", String(60), nullable=False),
    Column("action", String(30), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("detail", JsonDocument, nullable=False),
    Index("ix_enrolment_steps_enrolment", "enrolment_id"),
)

#: The send ledger: one row per message to one contact, rendered when sent.
mail_sends = Table(
    "mail_sends",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("template_id", Integer, ForeignKey("email_templates.id"), nullable=False),
    Column("broadcast_id", Integer, ForeignKey("broadcasts.id", ondelete="SET NULL")),
    Column("enrolment_id", BigId, ForeignKey("enrolments.id", ondelete="SET NULL")),
    Column("step", String(60)),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL")),
    Column("to_domain", String(253)),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UtcDateTime, nullable=False),
    Column("claimed_at", UtcDateTime),
    Column("sent_at", UtcDateTime),
    Column("message_id", String(200)),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "status IN ('queued', 'sending', 'sent', 'suppressed', 'failed', 'bounced')",
        name="status",
    ),
    Index(
        "ix_mail_sends_due",
        "not_before",
        sqlite_where=text("status = 'queued'"),
        postgresql_where=text("status = 'queued'"),
    ),
    Index("ix_mail_sends_broadcast", "broadcast_id", "status"),
    Index("ix_mail_sends_contact", "contact_id"),
)

#: Delivery status notifications and provider webhooks, classified.
bounce_reports = Table(
    "bounce_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("send_id", BigId, ForeignKey("mail_sends.id", ondelete="SET NULL")),
    Column("email_key", String(320)),
    Column("kind", String(10), nullable=False),
    Column("status_code", String(20)),
    Column("diagnostic", Text),
    Column("source", String(20), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('soft', 'hard', 'complaint')", name="kind"),
)
