"""The tables of a workspace, as SQLAlchemy Core metadata.

One database holds one workspace.  Alembic migrations in
``storage/migrations`` create exactly this schema; ``tests/test_migrations.py``
fails when the two disagree.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from silverplatter.storage.types import JsonDocument, UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

#: 64-bit key that is still SQLite's auto-incrementing rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")

workspace = Table(
    "workspace",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # A demo generation that started but never completed is redone from scratch.
    Column("demo_started_at", UtcDateTime),
    Column("demo_completed_at", UtcDateTime),
    # Key that signs the workspace's public links when SILVERPLATTER_SECRET_KEY
    # is not set (services/signing.py); generated when the workspace is made.
    Column("signing_key", String(100)),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False),
    Column("email_key", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(255)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("deactivated_at", UtcDateTime),
    Column("last_signed_in_at", UtcDateTime),
    CheckConstraint("role IN ('admin', 'marketing', 'sales')", name="role"),
)

property_definitions = Table(
    "property_definitions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("object_type", String(20), nullable=False),
    Column("name", String(100), nullable=False),
    Column("label", String(200), nullable=False),
    Column("type", String(20), nullable=False),
    Column("options", JsonDocument),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("object_type", "name", name="uq_property_definitions_object_name"),
    CheckConstraint("object_type IN ('account', 'contact')", name="object_type"),
    CheckConstraint("type IN ('text', 'number', 'date', 'boolean', 'choice')", name="type"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("external_id", String(100), unique=True),
    Column("name", String(300), nullable=False),
    Column("domain", String(253), unique=True),
    Column("industry", String(100)),
    Column("country", String(2)),
    Column("employees", Integer),
    Column("annual_revenue", BigInteger),
    Column("value_tier", String(20), nullable=False, default="unclassified"),
    Column("needs_segment", String(100)),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True),
    Column("status", String(20), nullable=False, default="prospect"),
    Column("custom", JsonDocument, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "value_tier IN ('gold', 'silver', 'bronze', 'unclassified')", name="value_tier"
    ),
    CheckConstraint(
        "status IN ('prospect', 'customer', 'former_customer', 'partner', 'competitor')",
        name="status",
    ),
)

installed_solutions = Table(
    "installed_solutions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("category", String(100), nullable=False),
    Column("vendor", String(200)),
    Column("product", String(200)),
    Column("go_live_date", Date),
    Column("typical_lifetime_years", Integer),
    Column("created_at", UtcDateTime, nullable=False),
)

supplier_contracts = Table(
    "supplier_contracts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("category", String(100), nullable=False),
    Column("supplier", String(200), nullable=False),
    Column("end_date", Date),
    Column("satisfaction", Integer),
    Column("notes", Text),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("satisfaction BETWEEN 0 AND 10", name="satisfaction"),
)

#: The stages of the sales queue's cards, as the partial index and its readers
#: write them: a partial index serves only statements that name these stages as
#: these literals (storage/sales_queue.py).
QUEUE_STAGES = ("sql", "sal")
QUEUE_STAGES_SQL = "lifecycle_stage IN ({})".format(", ".join(f"'{s}'" for s in QUEUE_STAGES))

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("external_id", String(100), unique=True),
    Column("email", String(320), nullable=False),
    Column("email_key", String(320), nullable=False, unique=True),
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("title", String(200)),
    Column("seniority", String(50)),
    Column("department", String(100)),
    Column("decision_role", String(30)),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL"), index=True),
    Column("phone", String(50)),
    Column("linkedin_url", String(300)),
    Column("country", String(2)),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True),
    Column("custom", JsonDocument, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # Where the contact is in the lifecycle (domain/lifecycle.py); the history
    # of moves is in stage_transitions.  A server default only: bulk loads
    # that name their columns leave it to the database.
    Column("lifecycle_stage", String(20), nullable=False, server_default="subscriber", index=True),
    Column("stage_changed_at", UtcDateTime),
    # How the address was acquired: "form:<slug>", "import:<preset>", "api", ...
    Column("source", String(200)),
    # The channel and time of the contact's earliest event that has a channel,
    # kept as events arrive (storage/first_touches.py): the funnel and the cost
    # per lead group by it without searching the event log per contact.
    Column("first_touch_channel", String(30)),
    Column("first_touch_at", UtcDateTime),
    CheckConstraint(
        "lifecycle_stage IN ('subscriber', 'lead', 'mql', 'sql', 'sal', 'opportunity', "
        "'customer', 'recycled', 'disqualified')",
        name="lifecycle_stage",
    ),
    # The sales queue's contacts with what its ranking reads of them: the few
    # thousand at SQL or SAL are ranked from this index alone instead of from
    # their (wide) rows, and contacts at other stages, nearly all of them,
    # never touch it (storage/sales_queue.py).
    Index(
        "ix_contacts_queue",
        "lifecycle_stage",
        "account_id",
        "owner_id",
        sqlite_where=text(QUEUE_STAGES_SQL),
        postgresql_where=text(QUEUE_STAGES_SQL),
    ),
)

consent_records = Table(
    "consent_records",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL"), index=True),
    Column("channel", String(20), nullable=False),
    Column("action", String(20), nullable=False),
    Column("wording", Text),
    Column("wording_version", String(50)),
    Column("source", String(200), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("ip_address", String(45)),
    # Set, with contact_id cleared, when the person was erased (capture_schema.erasures).
    Column("erasure_id", Integer),
    CheckConstraint("action IN ('granted', 'confirmed', 'withdrawn')", name="action"),
)

events = Table(
    "events",
    metadata,
    Column("id", BigId, primary_key=True),
    # 64-bit digest of the idempotency key: a small integer index keeps appends
    # fast where an index over long random strings would not (docs/benchmarks.md).
    Column("key_hash", BigInteger, nullable=False, unique=True),
    Column("idempotency_key", String(100), nullable=False),
    Column("type", String(60), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL")),
    Column("visitor_id", String(64)),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("channel", String(30)),
    Column("traffic", String(10)),
    Column("properties", JsonDocument, nullable=False, default=dict),
    Column("received_at", UtcDateTime, nullable=False),
    CheckConstraint("traffic IN ('owned', 'bought')", name="traffic"),
    CheckConstraint(
        "contact_id IS NOT NULL OR visitor_id IS NOT NULL OR account_id IS NOT NULL",
        name="subject",
    ),
    # The type rides along (last, so the contact-time order is kept): passes that
    # need only who, when and what read the index, not the table (migration 0026).
    Index(
        "ix_events_contact_time",
        "contact_id",
        "occurred_at",
        "type",
        sqlite_where=text("contact_id IS NOT NULL"),
        postgresql_where=text("contact_id IS NOT NULL"),
    ),
    Index(
        "ix_events_account_time",
        "account_id",
        "occurred_at",
        sqlite_where=text("account_id IS NOT NULL"),
        postgresql_where=text("account_id IS NOT NULL"),
    ),
    # An account's own events (no contact): a small share of the log, read by the
    # recompute's account pass and the predictive "account's own events" feature
    # without looking at every contact's event at the account.
    Index(
        "ix_events_account_own",
        "account_id",
        "occurred_at",
        sqlite_where=text("contact_id IS NULL AND account_id IS NOT NULL"),
        postgresql_where=text("contact_id IS NULL AND account_id IS NOT NULL"),
    ),
    Index(
        "ix_events_visitor",
        "visitor_id",
        sqlite_where=text("visitor_id IS NOT NULL"),
        postgresql_where=text("visitor_id IS NOT NULL"),
    ),
    # Campaign answers are few among the events: the lost-lead report finds the
    # "later" ones here instead of reading the whole log, and appending any
    # other event costs nothing more (storage/mining_later.py).
    # The recent page views at accounts, covered: the lost-lead report counts each
    # account's visit days of the last 30 days from the index alone
    # (storage/mining_attention.py) instead of reading the whole log.
    Index(
        "ix_events_account_page_views",
        "occurred_at",
        "account_id",
        "contact_id",
        sqlite_where=text("type = 'page_view' AND account_id IS NOT NULL"),
        postgresql_where=text("type = 'page_view' AND account_id IS NOT NULL"),
    ),
    # One event type in a window of time is a range here, with its contacts:
    # a whole segment's "clicked an e-mail in the last 30 days" gathers those
    # contacts at once instead of probing each candidate's events
    # (storage/segment_sql.py).  Events arrive roughly in time order, so each
    # type appends at its own end of the index: cheap to keep.
    Index(
        "ix_events_type_time",
        "type",
        "occurred_at",
        "contact_id",
        sqlite_where=text("contact_id IS NOT NULL"),
        postgresql_where=text("contact_id IS NOT NULL"),
    ),
    Index(
        "ix_events_campaign_answers",
        "contact_id",
        "occurred_at",
        sqlite_where=text("type = 'campaign_answer'"),
        postgresql_where=text("type = 'campaign_answer'"),
    ),
)

opportunities = Table(
    "opportunities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("external_id", String(100), unique=True),
    Column(
        "account_id",
        Integer,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # Indexed: "did this contact become an opportunity" is asked per contact
    # (the reality check's similar leads), and erasing a contact clears it here.
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL"), index=True),
    Column("name", String(300), nullable=False),
    Column("amount", Numeric(18, 2)),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("stage", String(100), nullable=False),
    Column("status", String(10), nullable=False, default="open"),
    Column("lost_reason", String(300)),
    # Which module of our offer the deal is for (cross-selling, domain §11).
    Column("offer_module", String(100)),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("status IN ('open', 'won', 'lost')", name="status"),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), index=True),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("subject", String(300)),
    Column("notes", Text),
    Column("bant", JsonDocument, nullable=False, default=dict),
    Column("created_at", UtcDateTime, nullable=False),
)

meeting_attendees = Table(
    "meeting_attendees",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "meeting_id",
        Integer,
        ForeignKey("meetings.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="SET NULL"), index=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("name", String(200)),
)

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("object_type", String(20), nullable=False),
    Column("source_name", String(500), nullable=False),
    Column("preset", String(50)),
    Column("status", String(20), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("created", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("rejects_path", String(1000)),
    CheckConstraint("status IN ('running', 'finished', 'failed')", name="status"),
)
