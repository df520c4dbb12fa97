"""Statements behind the funnel and journey analytics: counted in the database.

Every report starts from one *scope*: the contacts created in the period
(``contacts.created_at`` in ``[start, end)``), narrowed to a salesperson's
own records when asked, each tagged with its group key.  The statements then
return one row per group and stage (reach, exits), per group, stage and
whole day (stays), or per distinct path, never one row per contact, so a
million contacts cost one pass over ``stage_transitions`` and no transfer.

Group keys:

* ``cohort``: the month the contact was created, ``YYYY-MM`` in UTC;
* ``source``: ``contacts.source`` as written (``form:<slug>``, ``import:…``, ``api``);
* ``channel``: the **first touch**, the channel of the contact's earliest event
  (by time, then id) that carries a channel; one probe of
  ``ix_events_contact_time`` per contact;
* ``tier`` and ``segment``: the account's ``value_tier`` and ``needs_segment``;
* ``form``: the form the contact came in through (a ``form:<slug>`` source),
  else the form of its first form submission.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    Select,
    Subquery,
    case,
    cast,
    exists,
    func,
    literal,
    select,
)

from silverplatter.domain.funnel import EXITS, FUNNEL, RANK, UNKNOWN_KEYS, GroupTally
from silverplatter.domain.journeys import SEPARATOR
from silverplatter.storage.capture_schema import form_submissions, forms
from silverplatter.storage.dashboard import _bound as bound
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import accounts, contacts
from silverplatter.storage.scoring_sql import epoch_seconds
from silverplatter.storage.visibility import contact_visible_to

Expr = ColumnElement[Any]


@dataclass(frozen=True, slots=True)
class Scope:
    """Which contacts a report covers."""

    start: datetime | None = None
    end: datetime | None = None
    #: A salesperson's id: only their own records (``storage/visibility.py``).
    owner_id: int | None = None


def month_text(column: Expr, dialect: str) -> Expr:
    """A stored UTC time's month as ``YYYY-MM``."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.substr(column, 1, 7)


def stage_rank(column: Expr) -> Expr:
    """A stage's place in the funnel (1 = lead … 6 = customer), 0 outside it."""
    return case(*((column == stage, literal(n)) for stage, n in RANK.items()), else_=literal(0))


def _first_form() -> Expr:
    s = form_submissions.c
    return (
        select(forms.c.slug)
        .select_from(form_submissions.join(forms, forms.c.id == s.form_id))
        .where(s.contact_id == contacts.c.id)
        .order_by(s.submitted_at, s.id)
        .limit(1)
        .scalar_subquery()
    )


def group_key(grouping: str, dialect: str) -> Expr:
    """The SQL of a grouping's key; contacts it knows nothing about get its unknown key."""
    c = contacts.c
    unknown = literal(UNKNOWN_KEYS[grouping])
    known: Expr
    if grouping == "cohort":
        known = month_text(c.created_at, dialect)
    elif grouping == "source":
        known = func.nullif(c.source, "")
    elif grouping == "channel":
        known = c.first_touch_channel
    elif grouping == "tier":
        known = accounts.c.value_tier
    elif grouping == "segment":
        known = accounts.c.needs_segment
    elif grouping == "form":
        known = case(
            (c.source.like("form:_%"), func.substr(c.source, 6)),
            else_=_first_form(),
        )
    else:
        raise ValueError(f"unknown grouping {grouping!r}")
    return func.coalesce(known, unknown)


def scoped(grouping: str | None, scope: Scope, dialect: str) -> Subquery:
    """(id, stage, key) of the contacts in scope."""
    c = contacts.c
    key = group_key(grouping, dialect) if grouping else literal("all")
    query: Select[Any] = select(c.id, c.lifecycle_stage.label("stage"), key.label("key"))
    if grouping in ("tier", "segment"):
        query = query.select_from(contacts.outerjoin(accounts, accounts.c.id == c.account_id))
    conditions: list[Expr] = []
    if scope.start is not None:
        conditions.append(c.created_at >= bound(scope.start))
    if scope.end is not None:
        conditions.append(c.created_at < bound(scope.end))
    if scope.owner_id is not None:
        conditions.append(contact_visible_to(scope.owner_id))
    return query.where(*conditions).subquery("scope")


def _greatest(a: Expr, b: Expr, dialect: str) -> Expr:
    return func.greatest(a, b) if dialect == "postgresql" else func.max(a, b)


def _no_jit(connection: Connection) -> None:
    """PostgreSQL compiles these statements with JIT for seconds longer than they run;
    off for this transaction only."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")


def reach(connection: Connection, grouping: str, scope: Scope) -> dict[str, GroupTally]:
    """Per group: contacts, contacts by furthest funnel stage, and the exits per stage."""
    _no_jit(connection)
    dialect = connection.dialect.name
    t = stage_transitions.c
    moved = (
        select(t.contact_id, func.max(stage_rank(t.to_stage)).label("furthest"))
        .group_by(t.contact_id)
        .subquery("moved")
    )
    scope_rows = scoped(grouping, scope, dialect)
    furthest = _greatest(
        func.coalesce(moved.c.furthest, 0), stage_rank(scope_rows.c.stage), dialect
    ).label("furthest")
    query = (
        select(scope_rows.c.key, furthest, func.count().label("contacts"))
        .select_from(scope_rows.outerjoin(moved, moved.c.contact_id == scope_rows.c.id))
        .group_by(scope_rows.c.key, furthest)
    )
    by_rank = {n: stage for stage, n in RANK.items()}
    tallies: dict[str, GroupTally] = {}
    for key, rank, count in connection.execute(query):
        tally = tallies.setdefault(str(key), GroupTally())
        tally.contacts += int(count)
        stage = by_rank.get(int(rank))
        if stage is not None:
            tally.furthest[stage] += int(count)
    _exits(connection, grouping, scope, tallies)
    return tallies


def _exits(
    connection: Connection, grouping: str, scope: Scope, tallies: Mapping[str, GroupTally]
) -> None:
    """Add the contacts recycled or disqualified from each funnel stage to ``tallies``."""
    t = stage_transitions.c
    scope_rows = scoped(grouping, scope, connection.dialect.name)
    query = (
        select(scope_rows.c.key, t.from_stage, t.to_stage, func.count(func.distinct(t.contact_id)))
        .select_from(stage_transitions.join(scope_rows, scope_rows.c.id == t.contact_id))
        .where(t.to_stage.in_(EXITS), t.from_stage.in_(FUNNEL))
        .group_by(scope_rows.c.key, t.from_stage, t.to_stage)
    )
    for key, origin, exit_, count in connection.execute(query):
        tally = tallies.get(str(key))
        if tally is not None:
            tally.exits[(str(origin), str(exit_))] += int(count)


def _whole_days(later: Expr, earlier: Expr, dialect: str) -> Expr:
    seconds = epoch_seconds(later, dialect) - epoch_seconds(earlier, dialect)
    days = seconds / literal(float(86_400), Float)
    if dialect == "postgresql":
        return cast(func.floor(days), Integer)
    return cast(days, Integer)  # stays are never negative: truncation is the floor


def stays(
    connection: Connection, grouping: str, scope: Scope, tallies: Mapping[str, GroupTally]
) -> None:
    """Add each group's completed stays per funnel stage, in whole days, to ``tallies``."""
    _no_jit(connection)
    dialect = connection.dialect.name
    t = stage_transitions.c
    order = (t.occurred_at, t.id)
    spells = select(
        t.contact_id,
        t.to_stage,
        t.occurred_at,
        func.lead(t.occurred_at).over(partition_by=t.contact_id, order_by=order).label("left_at"),
    ).subquery("spells")
    scope_rows = scoped(grouping, scope, dialect)
    days = _whole_days(spells.c.left_at, spells.c.occurred_at, dialect).label("days")
    query = (
        select(scope_rows.c.key, spells.c.to_stage, days, func.count().label("stays"))
        .select_from(spells.join(scope_rows, scope_rows.c.id == spells.c.contact_id))
        .where(spells.c.left_at.is_not(None), spells.c.to_stage.in_(FUNNEL))
        .group_by(scope_rows.c.key, spells.c.to_stage, days)
    )
    for key, stage, length, count in connection.execute(query):
        tally = tallies.get(str(key))
        if tally is not None:
            tally.stays[str(stage)][int(length)] += int(count)


def paths(connection: Connection, scope: Scope) -> tuple[list[tuple[str, int]], int]:
    """``(path text, contacts)`` per distinct path, and the contacts that never moved.

    A path is the first move's origin then every stage moved into, joined by
    ``>`` in time order (ordered window aggregates, so both backends agree).
    """
    _no_jit(connection)
    dialect = connection.dialect.name
    t = stage_transitions.c
    order = (t.occurred_at, t.id)
    scope_rows = scoped(None, scope, dialect)
    aggregate = func.string_agg if dialect == "postgresql" else func.group_concat

    def whole_history(function: Any) -> Any:
        """Over all the contact's moves in time order; one window, so one sort."""
        return function.over(partition_by=t.contact_id, order_by=order, rows=(None, None))

    path = (
        whole_history(func.first_value(t.from_stage))
        + SEPARATOR
        + whole_history(aggregate(t.to_stage, literal(SEPARATOR)))
    )
    number = func.row_number().over(partition_by=t.contact_id, order_by=order)
    per_move = select(path.label("path"), number.label("n"))
    if scope != Scope():  # everyone: no need to join the contacts
        per_move = per_move.select_from(
            stage_transitions.join(scope_rows, scope_rows.c.id == t.contact_id)
        )
    whole = per_move.subquery("whole")
    query = (
        select(whole.c.path, func.count().label("contacts"))
        .where(whole.c.n == 1)
        .group_by(whole.c.path)
    )
    found = [(str(path), int(count)) for path, count in connection.execute(query)]
    still = select(func.count()).where(
        ~exists().where(stage_transitions.c.contact_id == scope_rows.c.id)
    )
    return found, int(connection.execute(still.select_from(scope_rows)).scalar_one())


def qualified_by_channel_month(
    connection: Connection, scope: Scope
) -> dict[str, Counter[tuple[str, str]]]:
    """Per ``mql``/``sql``: (first-touch channel, month) → contacts that first reached it.

    A contact reaches MQL with its first move into MQL or any later stage (a
    lead handed over straight to SQL counts as an MQL of that month too).
    """
    _no_jit(connection)
    dialect = connection.dialect.name
    t = stage_transitions.c
    rank = stage_rank(t.to_stage)
    firsts = (
        select(
            t.contact_id,
            func.min(case((rank >= RANK["mql"], t.occurred_at))).label("mql_at"),
            func.min(case((rank >= RANK["sql"], t.occurred_at))).label("sql_at"),
        )
        .where(rank >= RANK["mql"])
        .group_by(t.contact_id)
        .subquery("firsts")
    )
    scope_rows = scoped("channel", Scope(owner_id=scope.owner_id), dialect)
    found: dict[str, Counter[tuple[str, str]]] = {"mql": Counter(), "sql": Counter()}
    for stage in found:
        at = firsts.c[f"{stage}_at"]
        conditions: list[Expr] = [at.is_not(None)]
        if scope.start is not None:
            conditions.append(at >= bound(scope.start))
        if scope.end is not None:
            conditions.append(at < bound(scope.end))
        month = month_text(at, dialect).label("month")
        query = (
            select(scope_rows.c.key, month, func.count())
            .select_from(firsts.join(scope_rows, scope_rows.c.id == firsts.c.contact_id))
            .where(*conditions)
            .group_by(scope_rows.c.key, month)
        )
        for channel, when, count in connection.execute(query):
            found[stage][(str(channel), str(when))] += int(count)
    return found


__all__ = [
    "Scope",
    "group_key",
    "month_text",
    "paths",
    "qualified_by_channel_month",
    "reach",
    "scoped",
    "stage_rank",
    "stays",
]
