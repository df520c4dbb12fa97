"""Read statements for the account page: header, people, installed base, contracts, deals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Result, Row, func, select

from silverplatter.storage.engagement_schema import account_scores, contact_scores
from silverplatter.storage.schema import (
    accounts,
    contacts,
    installed_solutions,
    opportunities,
    supplier_contracts,
    users,
)


def account_header(connection: Connection, account_id: int) -> Row[Any] | None:
    """The account, its owner's name and when its roll-up was last stored."""
    a = accounts.c
    query = (
        select(
            a.id,
            a.name,
            a.domain,
            a.industry,
            a.country,
            a.employees,
            a.annual_revenue,
            a.value_tier,
            a.needs_segment,
            a.status,
            a.owner_id,
            users.c.name.label("owner_name"),
            account_scores.c.evaluated_at.label("scored_at"),
        )
        .select_from(
            accounts.outerjoin(users, users.c.id == a.owner_id).outerjoin(
                account_scores, account_scores.c.account_id == a.id
            )
        )
        .where(a.id == account_id)
    )
    found: Result[Any] = connection.execute(query)
    return found.first()


def people(connection: Connection, account_id: int, *, limit: int) -> list[Row[Any]]:
    """The account's contacts, highest stored score first, with their grade."""
    c, s = contacts.c, contact_scores.c
    query = (
        select(
            c.id,
            c.email,
            c.first_name,
            c.last_name,
            c.title,
            c.seniority,
            c.decision_role,
            c.lifecycle_stage,
            s.grade,
        )
        .select_from(contacts.outerjoin(contact_scores, s.contact_id == c.id))
        .where(c.account_id == account_id)
        .order_by(func.coalesce(s.score, 0.0).desc(), c.id)
        .limit(limit)
    )
    return list(connection.execute(query))


def people_count(connection: Connection, account_id: int) -> int:
    query = select(func.count()).select_from(contacts).where(contacts.c.account_id == account_id)
    return int(connection.execute(query).scalar_one())


def installed(connection: Connection, account_id: int) -> list[Row[Any]]:
    i = installed_solutions.c
    query = (
        select(i.category, i.vendor, i.product, i.go_live_date, i.typical_lifetime_years)
        .where(i.account_id == account_id)
        .order_by(i.category, i.id)
    )
    return list(connection.execute(query))


def contracts(connection: Connection, account_id: int) -> list[Row[Any]]:
    s = supplier_contracts.c
    query = (
        select(s.category, s.supplier, s.end_date, s.satisfaction, s.notes)
        .where(s.account_id == account_id)
        .order_by(s.end_date.is_(None), s.end_date, s.id)
    )
    return list(connection.execute(query))


def deals(connection: Connection, account_id: int) -> list[Row[Any]]:
    """The account's opportunities: open ones first, then the newest."""
    o = opportunities.c
    query = (
        select(
            o.name,
            o.amount,
            o.currency,
            o.stage,
            o.status,
            o.lost_reason,
            o.created_at,
            o.closed_at,
            users.c.name.label("owner_name"),
        )
        .select_from(opportunities.outerjoin(users, users.c.id == o.owner_id))
        .where(o.account_id == account_id)
        .order_by((o.status != "open"), o.created_at.desc(), o.id.desc())
    )
    return list(connection.execute(query))


__all__ = ["account_header", "contracts", "deals", "installed", "people", "people_count"]
