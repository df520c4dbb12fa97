"""Tables of segmentation: segments (rules or snapshots), value-tier policies,
needs segments, the offer matrix and the care model per tier (domain §8).

A segment's rule is a JSON document (``domain/segment_rules.py``) compiled to
parameterised SQL; a dynamic segment is evaluated live, a static one keeps
its members in ``segment_members`` (also where programmes add and remove
contacts by hand).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from silverplatter.storage.schema import metadata
from silverplatter.storage.types import JsonDocument, UtcDateTime

segments = Table(
    "segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("kind", String(10), nullable=False),
    Column("rule", JsonDocument, nullable=False),
    # Members counted at the last evaluation or snapshot, and when.
    Column("member_count", Integer),
    Column("counted_at", UtcDateTime),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("kind IN ('dynamic', 'static')", name="kind"),
)

segment_members = Table(
    "segment_members",
    metadata,
    Column("segment_id", Integer, ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("segment_id", "contact_id", name="pk_segment_members"),
    Index("ix_segment_members_contact", "contact_id"),
)

#: How accounts are placed in value tiers; the newest row is in force, older
#: rows are its history.  ``metric``: revenue_with_us | annual_revenue |
#: custom:<account property>; ``method``: thresholds | percentiles;
#: ``bounds``: {"gold": x, "silver": y, "bronze": z} (values or percentiles).
value_tier_policies = Table(
    "value_tier_policies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("metric", String(120), nullable=False),
    Column("method", String(20), nullable=False),
    Column("bounds", JsonDocument, nullable=False),
    Column("applied_at", UtcDateTime),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("method IN ('thresholds', 'percentiles')", name="method"),
)

#: Needs segments (the horizontal axis of the pyramid), each defined by a segment rule.
needs_segments = Table(
    "needs_segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("segment_id", Integer, ForeignKey("segments.id", ondelete="SET NULL")),
    Column("position", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: The offer modules for one cell of the tier × needs matrix.
offer_cells = Table(
    "offer_cells",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("value_tier", String(20), nullable=False),
    Column(
        "needs_segment_id",
        Integer,
        ForeignKey("needs_segments.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("modules", JsonDocument, nullable=False),
    Column("notes", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("value_tier", "needs_segment_id", name="uq_offer_cells_tier_needs"),
    CheckConstraint("value_tier IN ('gold', 'silver', 'bronze', 'unclassified')", name="tier"),
)

#: How each value tier is cared for: touches a year, channels, who owns the relationship.
care_models = Table(
    "care_models",
    metadata,
    Column("value_tier", String(20), primary_key=True),
    Column("description", Text),
    Column("touches_per_year", Integer),
    Column("channels", JsonDocument, nullable=False),
    Column("owner_role", String(20)),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("value_tier IN ('gold', 'silver', 'bronze', 'unclassified')", name="tier"),
)
