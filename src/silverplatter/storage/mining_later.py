"""Statements of the lost-lead section of campaign "not now, later" answers (domain §11).

A ``campaign_answer`` event carries ``answer`` (yes, no, later) and, for
later, ``later_on`` (an ISO date) when the person said when.  The answer a
contact gave last is the one that counts: a newer answer of any kind replaces
it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, String, and_, exists, func, literal_column, or_, select

from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import accounts, contacts, events, opportunities, users
from silverplatter.storage.visibility import contact_visible_to

#: The answers' event type as written in ``ix_events_campaign_answers``'s condition.
ANSWER = literal_column("'campaign_answer'", String)


def due_later_answers(
    connection: Connection,
    *,
    today: date,
    undated_before: datetime,
    now: datetime,
    reengaged_stages: tuple[str, ...],
    limit: int,
    owner_id: int | None = None,
) -> list[Row[Any]]:
    """Contacts whose last campaign answer was "later" and whose later has come, oldest first.

    Later has come when ``later_on`` is on or before ``today``, or, without a
    date, when the answer was given before ``undated_before``.  A contact that
    since the answer reached one of ``reengaged_stages`` or got an
    opportunity is not listed.  Each row carries the answer (``answered_at``,
    ``campaign``, ``later_on``), the contact, its account, the owner shown
    (the contact's, else the account's) and ``total``.
    """
    raw = events.alias("raw")
    raw_later_on = raw.c.properties["later_on"].as_string()
    dated = func.coalesce(raw_later_on, "") != ""
    # The due "later" answers first, from the partial index that holds only
    # campaign answers (its condition is written out, not bound, so SQLite's
    # planner can see the query matches it), materialised so the planner
    # keeps it apart.
    e = (
        select(
            raw.c.id,
            raw.c.contact_id,
            raw.c.occurred_at,
            raw.c.properties["campaign"].as_string().label("campaign"),
            raw_later_on.label("later_on"),
        )
        .where(
            # No "contact_id IS NOT NULL" here: it would steer SQLite to the partial
            # index by contact (the join to contacts drops account-only answers).
            raw.c.type == ANSWER,
            raw.c.occurred_at <= now,
            raw.c.properties["answer"].as_string() == "later",
            or_(
                and_(dated, raw_later_on <= today.isoformat()),
                and_(~dated, raw.c.occurred_at <= undated_before),
            ),
        )
        .cte("due_later")
        .prefix_with("MATERIALIZED")
    )
    newer = events.alias("newer")
    # Opportunities are not indexed by contact: each contact's newest deal, once.
    last_deal = (
        select(
            opportunities.c.contact_id,
            func.max(opportunities.c.created_at).label("created_at"),
        )
        .where(opportunities.c.contact_id.is_not(None))
        .group_by(opportunities.c.contact_id)
        .subquery("last_deal")
    )
    owner = users.alias("owner")
    account_owner = users.alias("account_owner")
    query = (
        select(
            e.c.id.label("event_id"),
            e.c.occurred_at.label("answered_at"),
            e.c.campaign,
            e.c.later_on,
            contacts.c.id.label("contact_id"),
            contacts.c.email,
            contacts.c.first_name,
            contacts.c.last_name,
            accounts.c.id.label("account_id"),
            accounts.c.name.label("account_name"),
            func.coalesce(owner.c.id, account_owner.c.id).label("owner_id"),
            func.coalesce(owner.c.name, account_owner.c.name).label("owner_name"),
            func.count().over().label("total"),
        )
        .select_from(
            e.join(contacts, contacts.c.id == e.c.contact_id)
            .outerjoin(last_deal, last_deal.c.contact_id == e.c.contact_id)
            .outerjoin(accounts, accounts.c.id == contacts.c.account_id)
            .outerjoin(owner, owner.c.id == contacts.c.owner_id)
            .outerjoin(account_owner, account_owner.c.id == accounts.c.owner_id)
        )
        .where(
            ~exists().where(
                newer.c.contact_id == e.c.contact_id,
                newer.c.type == ANSWER,
                newer.c.occurred_at <= now,
                or_(
                    newer.c.occurred_at > e.c.occurred_at,
                    and_(newer.c.occurred_at == e.c.occurred_at, newer.c.id > e.c.id),
                ),
            ),
            or_(last_deal.c.created_at.is_(None), last_deal.c.created_at <= e.c.occurred_at),
            ~exists().where(
                stage_transitions.c.contact_id == e.c.contact_id,
                stage_transitions.c.to_stage.in_(reengaged_stages),
                stage_transitions.c.occurred_at > e.c.occurred_at,
            ),
        )
        .order_by(e.c.occurred_at, e.c.id)
        .limit(limit)
    )
    if owner_id is not None:
        query = query.where(contact_visible_to(owner_id))
    return list(connection.execute(query))


__all__ = ["due_later_answers"]
