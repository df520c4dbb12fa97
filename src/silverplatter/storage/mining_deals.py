"""Statements of lost-lead mining over deals and meetings (cross-selling, closed-lost
deals, decision makers met without a deal) and the programmes that produce nothing.

Each statement returns the rows a section ranks; ``owner_id`` narrows them
to the accounts or contacts one user owns (sales sees only its own).
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
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from silverplatter.storage.lifecycle import latest_qualifications
from silverplatter.storage.lifecycle_schema import buying_windows, stage_transitions
from silverplatter.storage.nurture_schema import enrolments, programmes
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import (
    accounts,
    contacts,
    meeting_attendees,
    meetings,
    opportunities,
    supplier_contracts,
    users,
)

#: Decision roles that can say yes to a deal.
DECIDING_ROLES: Final = ("decision_maker", "economic_buyer")
#: Stages at or beyond marketing-qualified: a contact who reached one was produced.
MQL_OR_LATER: Final = ("mql", "sql", "sal", "opportunity", "customer")
#: What a meeting's BANT note says when no need was heard.
NO_NEED: Final = ("", "unknown", "none", "no need", "n/a", "-")

_account_owner = aliased(users)
_contact_owner = aliased(users)


def _visible(owner_id: int | None) -> ColumnElement[bool]:
    if owner_id is None:
        return literal(True)
    return or_(contacts.c.owner_id == owner_id, accounts.c.owner_id == owner_id)


def _people_columns() -> list[Any]:
    return [
        accounts.c.name.label("account_name"),
        accounts.c.owner_id.label("account_owner_id"),
        _account_owner.c.name.label("account_owner_name"),
        contacts.c.first_name,
        contacts.c.last_name,
        contacts.c.email.label("contact_email"),
        contacts.c.owner_id.label("contact_owner_id"),
        _contact_owner.c.name.label("contact_owner_name"),
    ]


def module_deals(connection: Connection, owner_id: int | None = None) -> list[Row[Any]]:
    """Won and open deals that name an offer module, with their account and contact.

    ``owner_id`` does not narrow these rows: what goes with what is learnt
    from every customer; the section narrows the candidates.
    """
    o = opportunities.c
    query = (
        select(
            o.id,
            o.account_id,
            func.trim(o.offer_module).label("module"),
            o.status,
            o.contact_id,
            accounts.c.industry,
            *_people_columns(),
        )
        .select_from(opportunities)
        .join(accounts, accounts.c.id == o.account_id)
        .outerjoin(contacts, contacts.c.id == o.contact_id)
        .outerjoin(_account_owner, _account_owner.c.id == accounts.c.owner_id)
        .outerjoin(_contact_owner, _contact_owner.c.id == contacts.c.owner_id)
        .where(o.status.in_(("won", "open")), func.coalesce(func.trim(o.offer_module), "") != "")
        .order_by(o.account_id, o.closed_at, o.id)
    )
    return list(connection.execute(query))


def recent_losses(
    connection: Connection, *, since: datetime, now: datetime, owner_id: int | None = None
) -> list[Row[Any]]:
    """Deals lost in ``[since, now]`` whose account has had no deal since the loss."""
    o = opportunities.c
    later = aliased(opportunities)
    query = (
        select(
            o.id,
            o.name,
            o.amount,
            o.currency,
            o.lost_reason,
            o.closed_at,
            o.account_id,
            o.contact_id,
            buying_windows.c.opens_on.label("window_opens_on"),
            *_people_columns(),
        )
        .select_from(opportunities)
        .join(accounts, accounts.c.id == o.account_id)
        .outerjoin(contacts, contacts.c.id == o.contact_id)
        .outerjoin(_account_owner, _account_owner.c.id == accounts.c.owner_id)
        .outerjoin(_contact_owner, _contact_owner.c.id == contacts.c.owner_id)
        .outerjoin(buying_windows, buying_windows.c.account_id == o.account_id)
        .where(
            o.status == "lost",
            o.closed_at >= since,
            o.closed_at <= now,
            _visible(owner_id),
            ~exists().where(
                later.c.account_id == o.account_id,
                later.c.id != o.id,
                later.c.created_at > o.closed_at,
            ),
        )
        .order_by(o.closed_at.desc(), o.id)
    )
    return list(connection.execute(query))


def contract_ends(connection: Connection, account_ids: Sequence[int]) -> list[Row[Any]]:
    """The supplier contracts with an end date of ``account_ids``."""
    s = supplier_contracts.c
    wanted = sorted(set(account_ids))
    rows: list[Row[Any]] = []
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        rows.extend(
            connection.execute(
                select(s.account_id, s.supplier, s.end_date)
                .where(s.account_id.in_(chunk), s.end_date.is_not(None))
                .order_by(s.account_id, s.end_date, s.id)
            )
        )
    return rows


def decision_makers_met(
    connection: Connection, *, since: datetime, now: datetime, owner_id: int | None = None
) -> list[Row[Any]]:
    """Decision makers met in ``[since, now]`` with a need heard, at accounts with no
    deal alive at or after the meeting; newest meeting first.

    The need is the meeting's BANT note's, else the contact's latest
    qualification's.
    """
    m = meetings.c
    said = func.trim(m.bant["need"].as_string())
    latest = latest_qualifications()
    qualified = func.trim(latest.c.need)
    heard = case(
        (func.lower(func.coalesce(said, "")).not_in(NO_NEED), said),
        (func.lower(func.coalesce(qualified, "")).not_in(NO_NEED), qualified),
        else_=None,
    )
    query = (
        select(
            m.id.label("meeting_id"),
            m.occurred_at,
            m.subject,
            m.account_id,
            contacts.c.id.label("contact_id"),
            contacts.c.decision_role,
            contacts.c.title,
            heard.label("need"),
            case(
                (func.lower(func.coalesce(said, "")).not_in(NO_NEED), "meeting"),
                else_="qualification",
            ).label("need_from"),
            *_people_columns(),
        )
        .select_from(meetings)
        .join(meeting_attendees, meeting_attendees.c.meeting_id == m.id)
        .join(contacts, contacts.c.id == meeting_attendees.c.contact_id)
        .join(accounts, accounts.c.id == m.account_id)
        .outerjoin(latest, latest.c.contact_id == contacts.c.id)
        .outerjoin(_account_owner, _account_owner.c.id == accounts.c.owner_id)
        .outerjoin(_contact_owner, _contact_owner.c.id == contacts.c.owner_id)
        .where(
            m.occurred_at >= since,
            m.occurred_at <= now,
            contacts.c.decision_role.in_(DECIDING_ROLES),
            heard.is_not(None),
            _visible(owner_id),
            ~exists().where(
                opportunities.c.account_id == m.account_id,
                or_(
                    opportunities.c.closed_at.is_(None),
                    opportunities.c.closed_at >= m.occurred_at,
                ),
            ),
        )
        .order_by(m.occurred_at.desc(), m.id.desc(), contacts.c.id)
    )
    return list(connection.execute(query))


def programme_yields(connection: Connection, *, entered_before: datetime) -> list[Row[Any]]:
    """Per active or paused programme: contacts enrolled before ``entered_before`` and how
    many of them reached MQL or a later stage after entering."""
    t = stage_transitions.c
    reached = (
        select(t.contact_id, func.max(t.occurred_at).label("last_reached"))
        .where(t.to_stage.in_(MQL_OR_LATER))
        .group_by(t.contact_id)
        .subquery("reached")
    )
    e = enrolments.c
    produced = case(
        (and_(reached.c.last_reached.is_not(None), reached.c.last_reached >= e.entered_at), 1),
        else_=0,
    )
    query = (
        select(
            programmes.c.id,
            programmes.c.name,
            programmes.c.slug,
            programmes.c.status,
            func.count(e.id).label("enrolled"),
            func.coalesce(func.sum(produced), 0).label("produced"),
            func.min(e.entered_at).label("first_entered"),
        )
        .select_from(programmes)
        .join(enrolments, e.programme_id == programmes.c.id)
        .outerjoin(reached, reached.c.contact_id == e.contact_id)
        .where(programmes.c.status.in_(("active", "paused")), e.entered_at <= entered_before)
        .group_by(programmes.c.id, programmes.c.name, programmes.c.slug, programmes.c.status)
        .order_by(programmes.c.id)
    )
    return list(connection.execute(query))
