"""Statements of value tiers: the metric per account, the moves a policy makes, the update.

Set-based throughout: the metric of every account is written once into a
temporary table (``sp_tier_metric``: account id, value — accounts without a
value are left out), percentile cut-offs are read from it with one ordered
``LIMIT 1 OFFSET k`` each, the before → after counts are one grouped query,
and applying is one ``UPDATE accounts`` per tier over a temporary table of the
accounts that move.  Policies (with their history) are rows of
``value_tier_policies``; the newest is in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Connection,
    Float,
    Numeric,
    Row,
    String,
    bindparam,
    case,
    column,
    func,
    insert,
    literal,
    select,
    table,
    update,
)

from silverplatter.domain.value_tiers import (
    ALL_TIERS,
    ANNUAL_REVENUE,
    RANKED_TIERS,
    REVENUE_WITH_US,
    UNCLASSIFIED,
    Number,
    TierPolicy,
)
from silverplatter.storage.recompute_sql import create_temp_as
from silverplatter.storage.schema import accounts, opportunities, users
from silverplatter.storage.scoring_sql import json_number
from silverplatter.storage.segment_schema import value_tier_policies
from silverplatter.storage.types import UtcDateTime

METRIC_TABLE: Final = "sp_tier_metric"
MOVES_TABLE: Final = "sp_tier_moves"
_metric = table(METRIC_TABLE, column("account_id"), column("value"))
_moves = table(MOVES_TABLE, column("account_id"), column("before"), column("after"))


# --- policies ------------------------------------------------------------------------


def insert_policy(
    connection: Connection, policy: TierPolicy, *, user_id: int | None, now: datetime
) -> int:
    result = connection.execute(
        insert(value_tier_policies)
        .values(
            metric=policy.metric,
            method=policy.method,
            bounds=policy.document(),
            created_by=user_id,
            created_at=now,
        )
        .returning(value_tier_policies.c.id)
    )
    return int(result.scalar_one())


def policy_rows(connection: Connection, *, limit: int) -> list[Row[Any]]:
    """The newest policies first, with the name of who saved each."""
    p = value_tier_policies
    statement = (
        select(p, users.c.name.label("created_by_name"))
        .select_from(p.outerjoin(users, users.c.id == p.c.created_by))
        .order_by(p.c.id.desc())
        .limit(limit)
    )
    return list(connection.execute(statement))


def mark_applied(connection: Connection, policy_id: int, *, now: datetime) -> None:
    connection.execute(
        update(value_tier_policies)
        .where(value_tier_policies.c.id == policy_id)
        .values(applied_at=now)
    )


# --- the metric ----------------------------------------------------------------------


def metric_select(policy: TierPolicy, *, since: datetime, now: datetime, dialect: str) -> Any:
    """``(account_id, value)`` of every account that has a value under the policy's metric."""
    if policy.metric == REVENUE_WITH_US:
        o = opportunities
        closed = func.coalesce(o.c.closed_at, o.c.updated_at)
        total = func.sum(o.c.amount)
        return (
            select(o.c.account_id.label("account_id"), total.label("value"))
            .where(
                o.c.status == "won",
                closed >= literal(since, UtcDateTime),
                closed <= literal(now, UtcDateTime),
            )
            .group_by(o.c.account_id)
            .having(total.is_not(None))
        )
    if policy.metric == ANNUAL_REVENUE:
        value: Any = accounts.c.annual_revenue
    else:
        name = policy.custom_property
        assert name is not None, "a validated metric is revenue, annual revenue or custom"
        value = json_number(accounts.c.custom, name, dialect)
    return select(accounts.c.id.label("account_id"), value.label("value")).where(value.is_not(None))


def stage_metric(
    connection: Connection, policy: TierPolicy, *, since: datetime, now: datetime
) -> int:
    """Write the metric into :data:`METRIC_TABLE`; the number of accounts with a value."""
    statement = metric_select(policy, since=since, now=now, dialect=connection.dialect.name)
    create_temp_as(connection, METRIC_TABLE, statement)
    return int(connection.execute(select(func.count()).select_from(_metric)).scalar_one())


def value_at(connection: Connection, place: int) -> Number:
    """The value at a 1-based place of the staged values sorted from high to low."""
    found = connection.execute(
        select(_metric.c.value).order_by(_metric.c.value.desc()).limit(1).offset(place - 1)
    ).scalar_one()
    if isinstance(found, Decimal | int | float):
        return found
    return Decimal(str(found))


def drop_staged(connection: Connection) -> None:
    for name in (METRIC_TABLE, MOVES_TABLE):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def _bound(cut: Number, dialect: str) -> Any:
    """A cut-off as a bound parameter: exact NUMERIC on PostgreSQL, a number on SQLite."""
    if dialect == "postgresql":
        return bindparam(None, Decimal(str(cut)), type_=Numeric())
    if isinstance(cut, int) or (isinstance(cut, Decimal) and cut == cut.to_integral_value()):
        return bindparam(None, int(cut), type_=BigInteger())
    return bindparam(None, float(cut), type_=Float())


def _tier(cuts: Mapping[str, Number], dialect: str) -> Any:
    whens = [
        (_metric.c.value >= _bound(cuts[tier], dialect), literal(tier, String))
        for tier in RANKED_TIERS
        if tier in cuts
    ]
    if not whens:
        return literal(UNCLASSIFIED, String)
    return case(*whens, else_=literal(UNCLASSIFIED, String))


def _targets(cuts: Mapping[str, Number], dialect: str) -> Any:
    """Every account with its tier now (``before``) and under the cut-offs (``after``)."""
    return select(
        accounts.c.id.label("account_id"),
        accounts.c.value_tier.label("before"),
        _tier(cuts, dialect).label("after"),
    ).select_from(accounts.outerjoin(_metric, _metric.c.account_id == accounts.c.id))


def count_moves(connection: Connection, cuts: Mapping[str, Number]) -> list[tuple[str, str, int]]:
    """``(before, after, accounts)`` for every pair that occurs, staying put included."""
    targets = _targets(cuts, connection.dialect.name).subquery("targets")
    statement = select(targets.c.before, targets.c.after, func.count()).group_by(
        targets.c.before, targets.c.after
    )
    return [(row[0], row[1], int(row[2])) for row in connection.execute(statement)]


def move_accounts(
    connection: Connection, cuts: Mapping[str, Number], *, now: datetime
) -> dict[int, tuple[str, str]]:
    """Put every account in its tier under the cut-offs: one UPDATE per tier.

    Returns the accounts that moved: id → (before, after).
    """
    targets = _targets(cuts, connection.dialect.name).subquery("targets")
    moving = select(targets.c.account_id, targets.c.before, targets.c.after).where(
        targets.c.before != targets.c.after
    )
    create_temp_as(connection, MOVES_TABLE, moving)
    moved = {
        int(row.account_id): (row.before, row.after)
        for row in connection.execute(select(_moves.c.account_id, _moves.c.before, _moves.c.after))
    }
    for tier in ALL_TIERS:
        if any(after == tier for _before, after in moved.values()):
            connection.execute(
                update(accounts)
                .where(accounts.c.id.in_(select(_moves.c.account_id).where(_moves.c.after == tier)))
                .values(value_tier=tier, updated_at=now)
            )
    return moved


def tier_counts(connection: Connection) -> dict[str, int]:
    rows = connection.execute(
        select(accounts.c.value_tier, func.count()).group_by(accounts.c.value_tier)
    )
    found = dict.fromkeys(ALL_TIERS, 0)
    found.update({row[0]: int(row[1]) for row in rows})
    return found


__all__ = [
    "count_moves",
    "drop_staged",
    "insert_policy",
    "mark_applied",
    "metric_select",
    "move_accounts",
    "policy_rows",
    "stage_metric",
    "tier_counts",
    "value_at",
]
