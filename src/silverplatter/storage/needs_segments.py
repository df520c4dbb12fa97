"""Statements of needs segments: the rows, their order, and placing accounts in them.

Assigning is set-based: the accounts of each needs segment's members are
ranked by the needs segment's place in the order, the lowest rank per
account wins (one grouped query over a UNION ALL), the accounts whose
``needs_segment`` changes go into a temporary table, and each needs segment
is then one ``UPDATE accounts`` (plus one for the accounts that match none).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Integer,
    Row,
    String,
    case,
    cast,
    column,
    delete,
    func,
    insert,
    literal,
    null,
    select,
    table,
    union_all,
    update,
)

from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.recompute_sql import create_temp_as
from silverplatter.storage.schema import accounts
from silverplatter.storage.segment_schema import needs_segments, segments

MOVES_TABLE: Final = "sp_needs_moves"
_moves = table(MOVES_TABLE, column("account_id"), column("before"), column("after"))


def needs_rows(connection: Connection) -> list[Row[Any]]:
    """Every needs segment in order, with the slug, name and kind of its segment."""
    n = needs_segments
    statement = (
        select(
            n,
            segments.c.slug.label("segment_slug"),
            segments.c.name.label("segment_name"),
            segments.c.kind.label("segment_kind"),
        )
        .select_from(n.outerjoin(segments, segments.c.id == n.c.segment_id))
        .order_by(n.c.position, n.c.id)
    )
    return list(connection.execute(statement))


def segment_id_of(connection: Connection, slug: str) -> int | None:
    found = connection.execute(select(segments.c.id).where(segments.c.slug == slug)).scalar()
    return None if found is None else int(found)


def insert_needs(connection: Connection, values: dict[str, Any]) -> int:
    result = connection.execute(
        insert(needs_segments).values(**values).returning(needs_segments.c.id)
    )
    return int(result.scalar_one())


def update_needs(connection: Connection, needs_id: int, values: dict[str, Any]) -> None:
    connection.execute(
        update(needs_segments).where(needs_segments.c.id == needs_id).values(**values)
    )


def delete_needs(connection: Connection, needs_id: int) -> None:
    connection.execute(delete(needs_segments).where(needs_segments.c.id == needs_id))


def set_positions(connection: Connection, ordered_ids: Sequence[int], *, now: datetime) -> None:
    for position, needs_id in enumerate(ordered_ids, start=1):
        connection.execute(
            update(needs_segments)
            .where(needs_segments.c.id == needs_id, needs_segments.c.position != position)
            .values(position=position, updated_at=now)
        )


def rename_on_accounts(connection: Connection, old: str, new: str | None, *, now: datetime) -> int:
    """Accounts in the needs segment named ``old`` now carry ``new`` (None: no needs segment)."""
    result = connection.execute(
        update(accounts)
        .where(accounts.c.needs_segment == old)
        .values(needs_segment=new, updated_at=now)
    )
    return int(result.rowcount or 0)


def assigned_before(connection: Connection) -> bool:
    """Whether the accounts were ever assigned to needs segments (the audit log says so)."""
    found = connection.execute(
        select(audit_log.c.id).where(audit_log.c.action == "needs_segments.assigned").limit(1)
    ).first()
    return found is not None


def assign_accounts(
    connection: Connection, ranked: Sequence[tuple[str, Any]], *, now: datetime
) -> dict[int, tuple[str | None, str | None]]:
    """Give every account the name of the first needs segment whose members include
    one of its contacts; the others none.

    ``ranked`` is ``(name, select of one column, account_id, of the members'
    accounts)`` in priority order.
    Returns the accounts that changed: id → (before, after).
    """
    after: Any = cast(null(), String)
    source: Any = accounts
    if ranked:
        parts = [
            members.add_columns(literal(rank, Integer).label("rank"))
            for rank, (_name, members) in enumerate(ranked, start=1)
        ]
        union = union_all(*parts).subquery("matched")
        first = (
            select(union.c.account_id, func.min(union.c.rank).label("rank"))
            .where(union.c.account_id.is_not(None))
            .group_by(union.c.account_id)
            .subquery("first_match")
        )
        after = case(
            *(
                (first.c.rank == rank, literal(name, String))
                for rank, (name, _m) in enumerate(ranked, start=1)
            ),
            else_=cast(null(), String),
        )
        source = accounts.outerjoin(first, first.c.account_id == accounts.c.id)
    changing = (
        select(
            accounts.c.id.label("account_id"),
            accounts.c.needs_segment.label("before"),
            after.label("after"),
        )
        .select_from(source)
        .where(accounts.c.needs_segment.is_distinct_from(after))
    )
    create_temp_as(connection, MOVES_TABLE, changing)
    try:
        moved = {
            int(row.account_id): (row.before, row.after)
            for row in connection.execute(
                select(_moves.c.account_id, _moves.c.before, _moves.c.after)
            )
        }
        targets = {target for _before, target in moved.values()}
        for target in sorted(targets, key=lambda name: (name is None, name or "")):
            chosen = _moves.c.after.is_(None) if target is None else _moves.c.after == target
            connection.execute(
                update(accounts)
                .where(accounts.c.id.in_(select(_moves.c.account_id).where(chosen)))
                .values(needs_segment=target, updated_at=now)
            )
    finally:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {MOVES_TABLE}")
    return moved


__all__ = [
    "assign_accounts",
    "assigned_before",
    "delete_needs",
    "insert_needs",
    "needs_rows",
    "rename_on_accounts",
    "segment_id_of",
    "set_positions",
    "update_needs",
]
