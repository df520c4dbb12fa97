"""Tables of the handover aggregate: SQLs handed to sales, with a due time (domain §5).

A handover is *open* until sales acts on it (``acted_at``).  At most one
handover per contact is open at a time (a unique partial index), and open
handovers past ``due_at`` are the quasi-leads that raise an alert once
(``alerted_at``).  ``handover_rotation`` remembers, per tier, whom the
round-robin gave the last lead to.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, Table, text

from silverplatter.domain.handover import ASSIGNMENTS, OUTCOMES
from silverplatter.domain.vocabulary import VALUE_TIERS
from silverplatter.storage.schema import metadata
from silverplatter.storage.types import UtcDateTime


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


OPEN = text("acted_at IS NULL")

handovers = Table(
    "handovers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    Column("owner_id", Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True),
    Column("assignment", String(20), nullable=False),
    Column("tier", String(20), nullable=False),
    Column("handed_over_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("acted_at", UtcDateTime),
    Column("acted_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("outcome", String(20)),
    Column("alerted_at", UtcDateTime),
    # No manager field yet: the first active admin, to whom the alert went.
    Column("alert_to", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    CheckConstraint(_one_of("assignment", ASSIGNMENTS), name="assignment"),
    CheckConstraint(_one_of("tier", VALUE_TIERS), name="tier"),
    CheckConstraint(_one_of("outcome", OUTCOMES), name="outcome"),
    CheckConstraint(
        "(acted_at IS NULL AND outcome IS NULL) OR (acted_at IS NOT NULL AND outcome IS NOT NULL)",
        name="acted",
    ),
    # One open handover per contact; also finds a contact's open handover.
    Index(
        "ix_handovers_open_contact",
        "contact_id",
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    ),
    Index("ix_handovers_open_due", "due_at", sqlite_where=OPEN, postgresql_where=OPEN),
    Index("ix_handovers_contact_id", "contact_id"),
)

#: Per tier, the user the round-robin assigned last (no foreign key: a deleted
#: user's id still marks the place in the rotation).
handover_rotation = Table(
    "handover_rotation",
    metadata,
    Column("tier", String(20), primary_key=True),
    Column("last_user_id", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(_one_of("tier", VALUE_TIERS), name="tier"),
)

__all__ = ["handover_rotation", "handovers"]
