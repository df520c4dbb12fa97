"""Tables of the lead engine: scoring model versions and the engagement state.

Engine-internal instants (``*_ts`` columns and the times inside the JSON
documents) are seconds since the Unix epoch in UTC, as floats: the engine
does decay arithmetic on them in SQL and in Python alike.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from silverplatter.storage.schema import BigId, metadata
from silverplatter.storage.types import JsonDocument, UtcDateTime

Double = Float(precision=53)

scoring_models = Table(
    "scoring_models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("source", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("activated_at", UtcDateTime),
    Column("recomputed_at", UtcDateTime),
)

contact_scores = Table(
    "contact_scores",
    metadata,
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("model_version", Integer, nullable=False),
    Column("grade_level", Integer, nullable=False),
    Column("grade", String(2), nullable=False),
    Column("score", Double, nullable=False),
    Column("evaluated_at", UtcDateTime, nullable=False),
    # {"<half-life days>": [value, valid_at_ts]}
    Column("sums", JsonDocument, nullable=False),
    # {"<flag>": raised_at_ts}
    Column("flags", JsonDocument, nullable=False),
    Column("engaged", Boolean, nullable=False),
    Column("last_engaged_ts", Double),
    Column("touches", Integer, nullable=False),
    # touch times inside the silence window, ascending
    Column("recent_touches", JsonDocument, nullable=False),
    Column("silent", Boolean, nullable=False),
    Column("qualification", String(20), nullable=False),
    Column("needs_qualification", Boolean, nullable=False),
    CheckConstraint("qualification IN ('subscriber', 'lead', 'mql', 'sql')", name="qualification"),
    Index("ix_contact_scores_qualification_score", "qualification", "score"),
)

account_scores = Table(
    "account_scores",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("model_version", Integer, nullable=False),
    Column("evaluated_at", UtcDateTime, nullable=False),
    Column("sums", JsonDocument, nullable=False),
    Column("flags", JsonDocument, nullable=False),
    Column("own_score", Double, nullable=False),
    Column("contacts_score", Double, nullable=False),
    Column("top_contact_score", Double, nullable=False),
    Column("engaged_contacts", Integer, nullable=False),
    Column("roles_covered", JsonDocument, nullable=False),
    Column("score", Double, nullable=False),
)

#: Raw points per bucket of capped rules: subject "c" (contact) or "a" (account).
score_buckets = Table(
    "score_buckets",
    metadata,
    Column("subject", String(1), primary_key=True),
    Column("subject_id", Integer, primary_key=True),
    Column("rule", Integer, primary_key=True),
    Column("bucket_ts", Double, primary_key=True),
    Column("points", Double, nullable=False),
    CheckConstraint("subject IN ('c', 'a')", name="subject"),
)

#: Events appended but not yet folded into the scores: the API's ingest writes
#: the event and its backlog row in one transaction, and the scorer folds and
#: deletes backlog rows in one transaction, so no event is scored twice or lost.
scoring_backlog = Table(
    "scoring_backlog",
    metadata,
    Column("event_id", BigId, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("queued_at", UtcDateTime, nullable=False),
)
