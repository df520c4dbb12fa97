"""Statements of the lost-lead sections about owners' attention: repeat web visitors at
accounts nobody is looking after, and ghost accounts (domain §11).

Both join every account against its owner's last activity
(``storage/owner_activity.py``) in one statement, and count the matches with a
window function in the same pass, so the limit costs nothing extra.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    String,
    and_,
    false,
    func,
    literal_column,
    or_,
    select,
)

from silverplatter.storage.owner_activity import last_owner_activity
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import accounts, contacts, events, users

#: The page views' type as written in ``ix_events_account_page_views``'s condition
#: (not bound, so SQLite's planner sees that the query matches the index).
PAGE_VIEW = literal_column("'page_view'", String)

#: Competitors read our site and keep their own counsel: never lost leads.
NOT_PROSPECTS = ("competitor",)


def utc_day(connection: Connection, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a ``UtcDateTime`` column (SQLite stores UTC wall time as text)."""
    if connection.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.substr(column, 1, 10)


def repeat_visits(
    connection: Connection,
    *,
    since: datetime,
    now: datetime,
    min_days: int,
    limit: int,
    owner_id: int | None = None,
) -> list[Row[Any]]:
    """Accounts with page views on at least ``min_days`` UTC days in ``(since, now]`` and no
    owner activity in that time (or no owner), most visit days first.

    Each row: the account, its owner, ``visit_days``, ``page_views``, ``people``
    (distinct known contacts), ``last_visit``, ``last_activity_at`` and ``total``.
    """
    e = events.c
    day = utc_day(connection, e.occurred_at)
    visits = (
        select(
            e.account_id,
            func.count(func.distinct(day)).label("visit_days"),
            func.count().label("page_views"),
            func.count(func.distinct(e.contact_id)).label("people"),
            func.max(e.occurred_at).label("last_visit"),
        )
        .where(
            e.type == PAGE_VIEW,
            e.account_id.is_not(None),
            e.occurred_at > since,
            e.occurred_at <= now,
        )
        .group_by(e.account_id)
        .having(func.count(func.distinct(day)) >= min_days)
        .subquery("visits")
    )
    activity = last_owner_activity(now=now, owner_id=owner_id)
    owner = users.alias("owner")
    query = (
        select(
            accounts.c.id.label("account_id"),
            accounts.c.name.label("account_name"),
            accounts.c.owner_id,
            owner.c.name.label("owner_name"),
            visits.c.visit_days,
            visits.c.page_views,
            visits.c.people,
            visits.c.last_visit,
            activity.c.last_activity_at,
            func.count().over().label("total"),
        )
        .select_from(
            visits.join(accounts, accounts.c.id == visits.c.account_id)
            .outerjoin(activity, activity.c.account_id == accounts.c.id)
            .outerjoin(owner, owner.c.id == accounts.c.owner_id)
        )
        .where(
            accounts.c.status.not_in(NOT_PROSPECTS),
            or_(activity.c.last_activity_at.is_(None), activity.c.last_activity_at <= since),
        )
        .order_by(
            visits.c.visit_days.desc(),
            visits.c.page_views.desc(),
            accounts.c.id,
        )
        .limit(limit)
    )
    if owner_id is not None:
        query = query.where(accounts.c.owner_id == owner_id)
    return list(connection.execute(query))


def ghost_accounts(
    connection: Connection,
    *,
    quiet_since: datetime,
    now: datetime,
    limit: int,
    owner_id: int | None = None,
) -> list[Row[Any]]:
    """Owned accounts whose owner is deactivated, or who has done nothing about the account
    since ``quiet_since`` (counting from the account's creation when never).

    Deactivated owners first, then the longest quiet; each row carries the
    owner, ``owner_active``, ``deactivated_at``, ``last_activity_at``,
    ``quiet_from`` (the last deed, else the account's creation) and ``total``.
    """
    activity = last_owner_activity(now=now, owner_id=owner_id)
    owner = users.alias("owner")
    quiet_from = func.coalesce(activity.c.last_activity_at, accounts.c.created_at)
    query = (
        select(
            accounts.c.id.label("account_id"),
            accounts.c.name.label("account_name"),
            accounts.c.owner_id,
            owner.c.name.label("owner_name"),
            owner.c.active.label("owner_active"),
            owner.c.deactivated_at,
            activity.c.last_activity_at,
            accounts.c.created_at,
            func.count().over().label("total"),
        )
        .select_from(
            accounts.join(owner, owner.c.id == accounts.c.owner_id).outerjoin(
                activity, activity.c.account_id == accounts.c.id
            )
        )
        .where(
            accounts.c.status.not_in(NOT_PROSPECTS),
            or_(owner.c.active == false(), and_(owner.c.active, quiet_from < quiet_since)),
        )
        .order_by(owner.c.active, quiet_from, accounts.c.id)
        .limit(limit)
    )
    if owner_id is not None:
        query = query.where(accounts.c.owner_id == owner_id)
    return list(connection.execute(query))


def busiest_visitors(
    connection: Connection, account_ids: list[int], *, since: datetime, now: datetime
) -> dict[int, Row[Any]]:
    """Per account, the known contact with the most page views in ``(since, now]``
    (the lower id on a tie): ``contact_id``, ``email``, ``first_name``, ``last_name``, ``views``.
    """
    e = events.c
    found: dict[int, Row[Any]] = {}
    for start in range(0, len(account_ids), IN_CHUNK):
        chunk = account_ids[start : start + IN_CHUNK]
        views = (
            select(e.account_id, e.contact_id, func.count().label("views"))
            .where(
                e.type == "page_view",
                e.account_id.in_(chunk),
                e.contact_id.is_not(None),
                e.occurred_at > since,
                e.occurred_at <= now,
            )
            .group_by(e.account_id, e.contact_id)
            .subquery("views")
        )
        rows: Any = connection.execute(
            select(
                views.c.account_id,
                views.c.contact_id,
                views.c.views,
                contacts.c.email,
                contacts.c.first_name,
                contacts.c.last_name,
            )
            .join_from(views, contacts, contacts.c.id == views.c.contact_id)
            .order_by(views.c.account_id, views.c.views.desc(), views.c.contact_id)
        )
        for row in rows:
            found.setdefault(row.account_id, row)
    return found


__all__ = ["NOT_PROSPECTS", "busiest_visitors", "ghost_accounts", "repeat_visits", "utc_day"]
