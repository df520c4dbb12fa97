"""Statements of the planning aggregate: marketing plans, and the history they are
measured from (``stage_transitions``, ``opportunities``, ``contacts.created_at``).

Stages are read as a ladder, MQL < SQL < accepted < opportunity < customer: a
contact *reaches* a stage with its first move into that stage or any stage above
it (a lead handed over straight as an SQL has passed the MQL line at the same
moment).  Month figures tag rows with their month number over explicit
``[start, end)`` ranges (``storage/list_kpis.month_number``), so the same SQL
runs on SQLite and PostgreSQL without their date functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from silverplatter.storage.dashboard import Range
from silverplatter.storage.dashboard import _bound as bound
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.list_kpis import month_number
from silverplatter.storage.planning_schema import marketing_plans
from silverplatter.storage.schema import contacts, opportunities
from silverplatter.storage.scoring_sql import epoch_seconds

#: The stages at or above each line of the funnel.
MQL_OR_ABOVE: Final = ("mql", "sql", "sal", "opportunity", "customer")
SQL_OR_ABOVE: Final = ("sql", "sal", "opportunity", "customer")
OPPORTUNITY_OR_ABOVE: Final = ("opportunity", "customer")


# --- plans ------------------------------------------------------------------------


def insert_plan(connection: Connection, values: dict[str, Any]) -> int:
    result = connection.execute(insert(marketing_plans).returning(marketing_plans.c.id), values)
    return int(result.scalar_one())


def update_plan(connection: Connection, plan_id: int, values: dict[str, Any]) -> bool:
    result = connection.execute(
        update(marketing_plans).where(marketing_plans.c.id == plan_id).values(**values)
    )
    return result.rowcount == 1


def delete_plan(connection: Connection, plan_id: int) -> bool:
    result = connection.execute(delete(marketing_plans).where(marketing_plans.c.id == plan_id))
    return result.rowcount == 1


def plan(connection: Connection, plan_id: int) -> Row[Any] | None:
    return connection.execute(
        select(marketing_plans).where(marketing_plans.c.id == plan_id)
    ).first()


def plans(connection: Connection) -> list[Row[Any]]:
    """Every plan, the active one first, then newest first."""
    return list(
        connection.execute(
            select(marketing_plans).order_by(
                marketing_plans.c.active.desc(), marketing_plans.c.id.desc()
            )
        )
    )


def active_plan(connection: Connection) -> Row[Any] | None:
    return connection.execute(
        select(marketing_plans)
        .where(marketing_plans.c.active.is_(True))
        .order_by(marketing_plans.c.id.desc())
        .limit(1)
    ).first()


def activate(connection: Connection, plan_id: int, now: datetime) -> None:
    """Make ``plan_id`` the one active plan (the others stop being the service level)."""
    connection.execute(
        update(marketing_plans)
        .where(marketing_plans.c.active.is_(True), marketing_plans.c.id != plan_id)
        .values(active=False, updated_at=now)
    )
    connection.execute(
        update(marketing_plans)
        .where(marketing_plans.c.id == plan_id)
        .values(active=True, updated_at=now)
    )


# --- history ----------------------------------------------------------------------


def _first_into(stages: Sequence[str]) -> ColumnElement[Any]:
    t = stage_transitions.c
    return func.min(case((t.to_stage.in_(stages), t.occurred_at)))


def stage_reaches(connection: Connection, since: datetime, until: datetime) -> list[Row[Any]]:
    """Per contact that reached MQL or above, for the contacts whose creation or whose
    first MQL or SQL reach falls in ``[since, until)``: whether each of those falls in
    the window (``new``, ``mql``, ``sql``: 1 or 0), and as seconds since the epoch when
    it was created and first reached MQL, SQL and opportunity (NULL: not reached).

    Moves after ``until`` are not counted: the measurement sees what was known then.
    Times come back as numbers, not datetimes: a year's MQLs are many rows, and
    parsing four datetimes a row cost more than the query.
    """
    t = stage_transitions.c
    reaches = (
        select(
            t.contact_id.label("contact_id"),
            _first_into(MQL_OR_ABOVE).label("mql_at"),
            _first_into(SQL_OR_ABOVE).label("sql_at"),
            _first_into(OPPORTUNITY_OR_ABOVE).label("opportunity_at"),
        )
        .where(t.to_stage.in_(MQL_OR_ABOVE), t.occurred_at < bound(until))
        .group_by(t.contact_id)
        .subquery("reaches")
    )
    r = reaches.c
    dialect = connection.dialect.name

    def within(column: ColumnElement[Any]) -> ColumnElement[bool]:
        return and_(column >= bound(since), column < bound(until))

    def flag(column: ColumnElement[Any]) -> ColumnElement[int]:
        return case((within(column), literal(1)), else_=literal(0))

    statement = (
        select(
            flag(contacts.c.created_at).label("new"),
            flag(r.mql_at).label("mql"),
            flag(r.sql_at).label("sql"),
            epoch_seconds(contacts.c.created_at, dialect).label("created_s"),
            epoch_seconds(r.mql_at, dialect).label("mql_s"),
            epoch_seconds(r.sql_at, dialect).label("sql_s"),
            epoch_seconds(r.opportunity_at, dialect).label("opportunity_s"),
        )
        .select_from(reaches.join(contacts, contacts.c.id == r.contact_id))
        .where(or_(within(contacts.c.created_at), within(r.mql_at), within(r.sql_at)))
    )
    return list(connection.execute(statement))


def contacts_created(connection: Connection, since: datetime, until: datetime) -> int:
    """New addresses: contacts created in ``[since, until)``."""
    c = contacts.c
    statement = select(func.count()).where(
        c.created_at >= bound(since), c.created_at < bound(until)
    )
    return int(connection.execute(statement).scalar_one())


def closed_opportunities(
    connection: Connection, since: datetime, until: datetime
) -> list[Row[Any]]:
    """Opportunities won or lost in ``[since, until)``: status, amount, created and closed."""
    o = opportunities.c
    statement = select(o.status, o.amount, o.created_at, o.closed_at).where(
        o.status.in_(("won", "lost")),
        o.closed_at >= bound(since),
        o.closed_at < bound(until),
    )
    return list(connection.execute(statement))


def arrivals_by_month(
    connection: Connection, months: Sequence[Range]
) -> dict[int, tuple[int, int]]:
    """Per month number: (MQLs, SQLs) that arrived — contacts that *first* reached MQL
    (SQL) or a later stage in that month, as the analytics count them: a contact sent
    back and handed over again is not a second SQL."""
    t = stage_transitions.c
    reaches = (
        select(
            _first_into(MQL_OR_ABOVE).label("mql_at"),
            _first_into(SQL_OR_ABOVE).label("sql_at"),
        )
        .where(t.to_stage.in_(MQL_OR_ABOVE), t.occurred_at < bound(months[-1][1]))
        .group_by(t.contact_id)
        .subquery("reaches")
    )
    r = reaches.c
    mql_month = month_number(r.mql_at, months).label("mql_month")
    sql_month = month_number(r.sql_at, months).label("sql_month")
    start = bound(months[0][0])
    statement = (
        select(mql_month, sql_month, func.count())
        .where(or_(r.mql_at >= start, r.sql_at >= start))
        .group_by(mql_month, sql_month)
    )
    found: dict[int, list[int]] = {}
    for mql, sql, count in connection.execute(statement):
        if mql is not None:
            found.setdefault(int(mql), [0, 0])[0] += int(count)
        if sql is not None:
            found.setdefault(int(sql), [0, 0])[1] += int(count)
    return {month: (mqls, sqls) for month, (mqls, sqls) in found.items()}
