"""Statements behind the dashboard: set-based counts, months as explicit ranges.

Months are ``[start, end)`` ranges computed in Python (``domain/dashboard.py``)
and counted with ``COUNT(CASE WHEN start <= t AND t < end ...)``, one column
per month, so the same statement runs on SQLite and PostgreSQL without their
date functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from silverplatter.domain.dashboard import GRADE_AB_LEVEL, ChannelCount
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import consent_records, contacts, events

#: ``[start, end)`` of one month, UTC.
Range = tuple[datetime, datetime]
#: Latest consent actions under which a contact may be emailed.
CONSENTING = ("granted", "confirmed")


@dataclass(frozen=True, slots=True)
class ContactCounts:
    created_by_month: tuple[int, ...]
    contacts: int
    with_consent: int
    confirmed: int
    with_account: int
    with_role: int
    engaged: int
    graded: int
    graded_ab: int


@dataclass(frozen=True, slots=True)
class TrafficCounts:
    #: (owned, bought) per month
    by_month: tuple[tuple[int, int], ...]
    owned: int
    bought: int
    untagged: int


class _Bound(TypeDecorator[datetime]):
    """A range bound that compares right with every text form SQLite holds times in.

    SQLite keeps a UTC time as text, written either with six fraction digits
    (SQLAlchemy's form, ``12:00:00.000000``) or with none when they are zero
    (the driver's form, used by the event append).  A bound written in the
    driver's form orders both correctly, where SQLAlchemy's form would sort
    ``12:00:00`` before the equal ``12:00:00.000000`` and put an event at
    midnight on the 1st into the month before.  PostgreSQL gets the instant.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        moment = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return moment.replace(tzinfo=None).isoformat(" ")
        return moment


def _bound(moment: datetime) -> ColumnElement[datetime]:
    return literal(moment, _Bound())


def _since(column: ColumnElement[datetime], start: datetime) -> ColumnElement[bool]:
    return column >= _bound(start)


def _within(column: ColumnElement[datetime], start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= _bound(start), column < _bound(end))


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


def contact_counts(
    connection: Connection, *, months: Sequence[Range], engaged_since: datetime
) -> ContactCounts:
    """Contacts created per month, the list's size and its quality, in one statement.

    Consent is the latest ``email`` consent record per contact (by time, then id);
    a role is a non-blank title or seniority; engaged means any event since
    ``engaged_since``; graded A/B means a stored grade of B- or better.
    """
    c, r, s = contacts.c, consent_records.c, contact_scores.c
    ranked = (
        select(
            r.contact_id,
            r.action,
            func.row_number()
            .over(partition_by=r.contact_id, order_by=(r.occurred_at.desc(), r.id.desc()))
            .label("recency"),
        )
        .where(r.channel == "email", r.contact_id.is_not(None))
        .subquery("ranked")
    )
    engaged = exists().where(
        events.c.contact_id == c.id, _since(events.c.occurred_at, engaged_since)
    )
    has_role = or_(func.trim(c.title) != "", func.trim(c.seniority) != "")
    created = (
        _count_if(_within(c.created_at, start, end)).label(f"created_{n}")
        for n, (start, end) in enumerate(months)
    )
    query = select(
        *created,
        func.count().label("contacts"),
        _count_if(ranked.c.action.in_(CONSENTING)).label("with_consent"),
        _count_if(ranked.c.action == "confirmed").label("confirmed"),
        func.count(c.account_id).label("with_account"),
        _count_if(has_role).label("with_role"),
        _count_if(engaged).label("engaged"),
        func.count(s.contact_id).label("graded"),
        _count_if(s.grade_level >= GRADE_AB_LEVEL).label("graded_ab"),
    ).select_from(
        contacts.outerjoin(
            ranked, and_(ranked.c.contact_id == c.id, ranked.c.recency == 1)
        ).outerjoin(contact_scores, s.contact_id == c.id)
    )
    row = connection.execute(query).one()
    return ContactCounts(
        created_by_month=tuple(int(value) for value in row[: len(months)]),
        contacts=int(row.contacts),
        with_consent=int(row.with_consent),
        confirmed=int(row.confirmed),
        with_account=int(row.with_account),
        with_role=int(row.with_role),
        engaged=int(row.engaged),
        graded=int(row.graded),
        graded_ab=int(row.graded_ab),
    )


def stage_entries_by_month(
    connection: Connection, stages: Sequence[str], months: Sequence[Range]
) -> dict[str, tuple[int, ...]]:
    """Per stage, the contacts that moved into it in each month (a contact once per month)."""
    t = stage_transitions.c
    columns = [
        func.count(
            func.distinct(
                case((and_(t.to_stage == stage, _within(t.occurred_at, *month)), t.contact_id))
            )
        ).label(f"{stage}_{n}")
        for stage in stages
        for n, month in enumerate(months)
    ]
    query = select(*columns).where(
        t.to_stage.in_(stages), _within(t.occurred_at, months[0][0], months[-1][1])
    )
    row = connection.execute(query).one()
    width = len(months)
    return {
        stage: tuple(int(value) for value in row[i * width : (i + 1) * width])
        for i, stage in enumerate(stages)
    }


def stage_reach(
    connection: Connection, funnel: Sequence[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """For each funnel stage, the contacts that ever moved into it, and of those the
    contacts that moved into the next stage at or after their first move into it.

    A contact counts once per stage however often it re-entered the stage.
    """
    t = stage_transitions.c
    entries = (
        select(
            t.contact_id,
            t.to_stage,
            func.min(t.occurred_at).label("first_at"),
            func.max(t.occurred_at).label("last_at"),
        )
        .where(t.to_stage.in_(funnel))
        .group_by(t.contact_id, t.to_stage)
        .cte("entries")
    )
    reached, onward = entries.alias("reached"), entries.alias("onward")
    steps = or_(
        *(
            and_(reached.c.to_stage == stage, onward.c.to_stage == following)
            for stage, following in pairwise(funnel)
        )
    )
    query = (
        select(
            reached.c.to_stage,
            func.count().label("reached"),
            func.count(onward.c.contact_id).label("advanced"),
        )
        .select_from(
            reached.outerjoin(
                onward,
                and_(
                    onward.c.contact_id == reached.c.contact_id,
                    steps,
                    onward.c.last_at >= reached.c.first_at,
                ),
            )
        )
        .group_by(reached.c.to_stage)
    )
    rows = connection.execute(query).all()
    return (
        {row.to_stage: int(row.reached) for row in rows},
        {row.to_stage: int(row.advanced) for row in rows},
    )


def traffic_counts(
    connection: Connection, *, months: Sequence[Range], since: datetime
) -> TrafficCounts:
    """Owned and bought events per month, and owned, bought and untagged events since ``since``."""
    e = events.c
    owned, bought = e.traffic == "owned", e.traffic == "bought"
    monthly = [
        _count_if(and_(kind, _within(e.occurred_at, *month))).label(f"{name}_{n}")
        for n, month in enumerate(months)
        for name, kind in (("owned", owned), ("bought", bought))
    ]
    recent = _since(e.occurred_at, since)
    query = select(
        *monthly,
        _count_if(and_(owned, recent)).label("owned"),
        _count_if(and_(bought, recent)).label("bought"),
        _count_if(and_(e.traffic.is_(None), recent)).label("untagged"),
    ).where(_since(e.occurred_at, min(months[0][0], since)))
    row = connection.execute(query).one()
    values = [int(value) for value in row]
    pairs = tuple((values[2 * n], values[2 * n + 1]) for n in range(len(months)))
    return TrafficCounts(pairs, *values[2 * len(months) :])


def top_channels(connection: Connection, *, since: datetime, limit: int) -> list[ChannelCount]:
    """The channels with the most events since ``since``, most first, then by name."""
    e = events.c
    total = func.count()
    query = (
        select(
            e.channel,
            total.label("events"),
            _count_if(e.traffic == "owned").label("owned"),
            _count_if(e.traffic == "bought").label("bought"),
        )
        .where(e.channel.is_not(None), _since(e.occurred_at, since))
        .group_by(e.channel)
        .order_by(total.desc(), e.channel)
        .limit(limit)
    )
    return [
        ChannelCount(row.channel, int(row.events), int(row.owned), int(row.bought))
        for row in connection.execute(query)
    ]


__all__ = [
    "CONSENTING",
    "ContactCounts",
    "Range",
    "TrafficCounts",
    "contact_counts",
    "stage_entries_by_month",
    "stage_reach",
    "top_channels",
    "traffic_counts",
]
