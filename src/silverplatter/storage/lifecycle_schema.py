"""Tables of the lifecycle aggregate, registered on the workspace metadata.

The contact's current stage lives on ``contacts.lifecycle_stage``; these
tables hold the history of moves, the BANT qualifications and each account's
buying window.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)

from silverplatter.storage.schema import BigId, metadata
from silverplatter.storage.types import UtcDateTime

WINDOW_SOURCES = ("qualification", "contract_end", "installed_base", "manual")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


#: Every move of a contact between stages, with who, why and when.
stage_transitions = Table(
    "stage_transitions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("from_stage", String(20), nullable=False),
    Column("to_stage", String(20), nullable=False),
    Column("transition", String(40), nullable=False),
    Column("actor", String(10), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("reason", Text, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    CheckConstraint("actor IN ('rule', 'user')", name="actor"),
    Index("ix_stage_transitions_contact_time", "contact_id", "occurred_at"),
)

#: BANT records, append-only: the latest (highest id) per contact counts.
qualifications = Table(
    "qualifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "contact_id",
        Integer,
        ForeignKey("contacts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("opportunity_id", Integer, ForeignKey("opportunities.id", ondelete="SET NULL")),
    Column("budget", Text),
    Column("budget_amount", Numeric(18, 2)),
    Column("authority", Text),
    Column("need", Text),
    Column("timeline", Date),
    Column("current_supplier", String(200)),
    Column("contract_end", Date),
    Column("satisfaction", Integer),
    Column("recorded_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("recorded_at", UtcDateTime, nullable=False),
    CheckConstraint("satisfaction BETWEEN 0 AND 10", name="satisfaction"),
)

#: The best known buying window of each account (domain §6).
buying_windows = Table(
    "buying_windows",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("opens_on", Date, nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("source", String(30), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("basis", Text, nullable=False),
    Column("computed_at", UtcDateTime, nullable=False),
    CheckConstraint(_one_of("source", WINDOW_SOURCES), name="source"),
    CheckConstraint("confidence BETWEEN 0 AND 1", name="confidence"),
)

__all__ = ["WINDOW_SOURCES", "buying_windows", "metadata", "qualifications", "stage_transitions"]
