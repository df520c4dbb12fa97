"""Statements for the sales queue: the ranked cards and their recent events, set-based."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    Connection,
    Integer,
    Row,
    Select,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)

from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.lifecycle import bant_complete_subquery
from silverplatter.storage.lifecycle_schema import buying_windows, qualifications
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import QUEUE_STAGES, accounts, contacts, events, users

TIER_ORDER = ("gold", "silver", "bronze", "unclassified")


def _ranked(*, with_owner: bool) -> CTE:
    """The queue's best ``limit`` contacts with their ranking keys, nothing else.

    The queued contacts, their accounts and owners are read from the partial
    index ``ix_contacts_queue`` alone (migration 0024), not from their rows.

    Tier and score are looked up per queued contact by primary key, once each
    (the ordering names the result's columns): joined, PostgreSQL hashed every
    account and every contact's score (a sequential scan of a million rows)
    for the few thousand contacts in the queue.
    """
    c = contacts.c
    opened = handovers.alias("opened")
    past = handovers.alias("past")
    tier = func.coalesce(
        select(accounts.c.value_tier).where(accounts.c.id == c.account_id).scalar_subquery(),
        "unclassified",
    )
    owner_of = func.coalesce(opened.c.owner_id, c.owner_id)
    now = bindparam("now", type_=opened.c.due_at.type)
    late = case((opened.c.due_at < now, 0), else_=1).label("late_rank")
    tier_rank = case({name: rank for rank, name in enumerate(TIER_ORDER)}, value=tier, else_=9)
    score = (
        select(contact_scores.c.score)
        .where(contact_scores.c.contact_id == c.id)
        .scalar_subquery()
        .label("score")
    )
    due_at = opened.c.due_at.label("due_at")
    query = (
        select(
            c.id,
            late,
            tier_rank.label("tier_rank"),
            score,
            owner_of.label("owner_id"),
            opened.c.id.label("handover_id"),
            due_at,
        )
        .select_from(
            contacts.outerjoin(opened, (opened.c.contact_id == c.id) & opened.c.acted_at.is_(None))
        )
        .where(
            # as literals: a partial index serves only a statement naming its stages
            c.lifecycle_stage.in_(
                bindparam("queue_stages", QUEUE_STAGES, expanding=True, literal_execute=True)
            ),
            or_(opened.c.id.is_not(None), ~exists().where(past.c.contact_id == c.id)),
        )
        .order_by(late, "tier_rank", score.desc().nulls_last(), due_at.nulls_last(), c.id)
        .limit(bindparam("card_limit", type_=Integer))
    )
    if with_owner:
        query = query.where(owner_of == bindparam("owner_id", type_=Integer))
    return query.cte("ranked")  # read twice (the cards, their BANT): computed once


def queue_rows(
    connection: Connection, *, now: datetime, owner_id: int | None, limit: int
) -> list[Row[Any]]:
    """The contacts in the queue with everything a card shows, best first.

    Overdue handovers first, then by account tier (gold first), then by score.
    The ranking reads only what it ranks by; the cards' other facts are joined
    to its ``limit`` contacts alone, in the same statement.
    """
    parameters: dict[str, Any] = {"now": now, "card_limit": limit}
    if owner_id is not None:
        parameters["owner_id"] = owner_id
    return list(connection.execute(_queue_statement(with_owner=owner_id is not None), parameters))


@cache
def _queue_statement(*, with_owner: bool) -> Select[Any]:
    """The queue's statement, built once: its time, owner and size are parameters.

    Building and keying a statement of this size cost about 7 ms of CPU per
    call, more than the database's answer (4 ms at a million contacts).
    """
    c, s, w = contacts.c, contact_scores.c, buying_windows.c
    ranked = _ranked(with_owner=with_owner)
    owner = users.alias("owner")
    chosen = select(ranked.c.id).scalar_subquery()
    bant = bant_complete_subquery(qualifications.c.contact_id.in_(chosen))
    return (
        select(
            c.id,
            c.first_name,
            c.last_name,
            c.title,
            c.email,
            c.lifecycle_stage,
            c.account_id,
            accounts.c.name.label("account_name"),
            func.coalesce(accounts.c.value_tier, "unclassified").label("tier"),
            s.grade,
            ranked.c.score,
            s.flags,
            (bant.c.contact_id.is_not(None)).label("bant_complete"),
            ranked.c.owner_id,
            owner.c.name.label("owner_name"),
            ranked.c.handover_id,
            ranked.c.due_at,
            w.opens_on,
            w.closes_on,
            w.source.label("window_source"),
            w.confidence.label("window_confidence"),
            w.basis.label("window_basis"),
        )
        .select_from(
            ranked.join(contacts, c.id == ranked.c.id)
            .outerjoin(accounts, accounts.c.id == c.account_id)
            .outerjoin(contact_scores, s.contact_id == c.id)
            .outerjoin(owner, owner.c.id == ranked.c.owner_id)
            .outerjoin(buying_windows, w.account_id == c.account_id)
            .outerjoin(bant, bant.c.contact_id == c.id)
        )
        .order_by(
            ranked.c.late_rank,
            ranked.c.tier_rank,
            ranked.c.score.desc().nulls_last(),
            ranked.c.due_at.nulls_last(),
            ranked.c.id,
        )
    )


def recent_events(
    connection: Connection, contact_ids: Sequence[int], *, since: datetime, until: datetime
) -> list[Row[Any]]:
    """The contacts' events in ``(since, until]``, newest first (one query per 900 contacts)."""
    e = events.c
    found: list[Row[Any]] = []
    for start in range(0, len(contact_ids), IN_CHUNK):
        chunk = list(contact_ids[start : start + IN_CHUNK])
        found.extend(
            connection.execute(
                select(e.contact_id, e.type, e.occurred_at, e.channel, e.properties)
                .where(e.contact_id.in_(chunk), e.occurred_at > since, e.occurred_at <= until)
                .order_by(e.occurred_at.desc(), e.id.desc())
            )
        )
    return found


__all__ = ["QUEUE_STAGES", "TIER_ORDER", "queue_rows", "recent_events"]
