"""Statements behind the list KPIs: set-based counts per month, months as explicit ranges.

Each statement tags its rows with the number of the month they fall in (a
``CASE`` over the ``[start, end)`` ranges, bounds as ``storage/dashboard.py``
writes them, so SQLite's text times compare right) and groups by it, so the
same SQL runs on SQLite and PostgreSQL without their date functions.  Rows
outside the months are left out by a range condition each table's time index
can serve (``contacts.created_at``; the events' per-contact and per-visitor
indexes for first touches).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    union,
    union_all,
)

from silverplatter.domain.list_kpis import ENGAGING_EVENTS, UNKNOWN_SOURCE
from silverplatter.storage.capture_schema import (
    erasures,
    form_submissions,
    forms,
    lead_magnets,
    suppressions,
    visitors,
)
from silverplatter.storage.dashboard import CONSENTING, Range
from silverplatter.storage.dashboard import _bound as bound
from silverplatter.storage.engagement_schema import contact_scores, scoring_models
from silverplatter.storage.schema import consent_records, contacts, events

#: Counts per month number, then per key.
ByMonth = dict[int, dict[str, int]]


def _within(column: ColumnElement[datetime], months: Sequence[Range]) -> ColumnElement[bool]:
    return and_(column >= bound(months[0][0]), column < bound(months[-1][1]))


def month_number(column: ColumnElement[datetime], months: Sequence[Range]) -> ColumnElement[int]:
    """Which of ``months`` (0 = oldest) ``column`` falls in; NULL outside them."""
    return case(
        *(
            (and_(column >= bound(start), column < bound(end)), literal(number))
            for number, (start, end) in enumerate(months)
        )
    )


def _by_month(rows: Any) -> ByMonth:
    found: ByMonth = defaultdict(dict)
    for month, key, count in rows:
        if month is not None:
            found[int(month)][str(key)] = int(count)
    return dict(found)


def new_by_source(connection: Connection, months: Sequence[Range]) -> ByMonth:
    """Contacts created per month, by how their address was acquired."""
    c = contacts.c
    tagged = (
        select(
            month_number(c.created_at, months).label("month"),
            func.coalesce(c.source, UNKNOWN_SOURCE).label("source"),
        )
        .where(_within(c.created_at, months))
        .subquery("tagged")
    )
    query = select(tagged.c.month, tagged.c.source, func.count()).group_by(
        tagged.c.month, tagged.c.source
    )
    return _by_month(connection.execute(query))


def first_submissions(connection: Connection, months: Sequence[Range]) -> tuple[ByMonth, ByMonth]:
    """Each person's first form submission per month: by form slug, and by lead magnet slug."""
    s = form_submissions.c
    ranked = (
        select(
            s.contact_id,
            s.form_id,
            s.submitted_at,
            func.row_number()
            .over(partition_by=s.contact_id, order_by=(s.submitted_at, s.id))
            .label("rank"),
        )
        .where(s.contact_id.is_not(None))
        .subquery("ranked")
    )
    tagged = (
        select(
            month_number(ranked.c.submitted_at, months).label("month"),
            forms.c.slug.label("form"),
            lead_magnets.c.slug.label("magnet"),
        )
        .select_from(
            ranked.join(forms, forms.c.id == ranked.c.form_id).outerjoin(
                lead_magnets, lead_magnets.c.id == forms.c.lead_magnet_id
            )
        )
        .where(ranked.c.rank == 1, _within(ranked.c.submitted_at, months))
        .subquery("tagged")
    )
    rows = connection.execute(
        select(tagged.c.month, tagged.c.form, tagged.c.magnet, func.count()).group_by(
            tagged.c.month, tagged.c.form, tagged.c.magnet
        )
    ).all()
    by_form: ByMonth = defaultdict(dict)
    by_magnet: ByMonth = defaultdict(dict)
    for month, form, magnet, count in rows:
        if month is None:
            continue
        month_forms = by_form[int(month)]
        month_forms[form] = month_forms.get(form, 0) + int(count)
        if magnet is not None:
            month_magnets = by_magnet[int(month)]
            month_magnets[magnet] = month_magnets.get(magnet, 0) + int(count)
    return dict(by_form), dict(by_magnet)


def leavers(connection: Connection, months: Sequence[Range]) -> ByMonth:
    """People who left the list per month, by reason.

    Suppressions count by their reason, erasures in the month of the erasure
    (an erased address is on the list as ``erased`` from its first listing),
    and e-mail consent withdrawn by a contact whose address is not on the
    suppression list counts as ``unsubscribed`` (once per contact and month).
    """
    s, r, c = suppressions.c, consent_records.c, contacts.c
    listed = (
        select(month_number(s.created_at, months).label("month"), s.reason)
        .where(s.reason != "erased", _within(s.created_at, months))
        .subquery("listed")
    )
    erased = (
        select(month_number(erasures.c.erased_at, months).label("month"))
        .where(_within(erasures.c.erased_at, months))
        .subquery("erased")
    )
    withdrawn = (
        select(month_number(r.occurred_at, months).label("month"), r.contact_id)
        .select_from(
            consent_records.join(contacts, c.id == r.contact_id).outerjoin(
                suppressions, s.email_key == c.email_key
            )
        )
        .where(
            r.channel == "email",
            r.action == "withdrawn",
            s.id.is_(None),
            _within(r.occurred_at, months),
        )
        .subquery("withdrawn")
    )
    statements = union_all(
        select(listed.c.month, listed.c.reason, func.count()).group_by(
            listed.c.month, listed.c.reason
        ),
        select(erased.c.month, literal("erased"), func.count()).group_by(erased.c.month),
        select(
            withdrawn.c.month,
            literal("unsubscribed"),
            func.count(func.distinct(withdrawn.c.contact_id)),
        ).group_by(withdrawn.c.month),
    )
    found: ByMonth = defaultdict(dict)
    for month, reason, count in connection.execute(statements):
        if month is None:
            continue
        month_reasons = found[int(month)]
        month_reasons[reason] = month_reasons.get(reason, 0) + int(count)
    return dict(found)


def scoring_model_active(connection: Connection) -> bool:
    """Whether the workspace has an active scoring model (the lead engine has run)."""
    found = connection.execute(
        select(scoring_models.c.id).where(scoring_models.c.active.is_(True)).limit(1)
    ).first()
    return found is not None


def list_state(
    connection: Connection, *, engaged_since: datetime, reactions_scored: bool
) -> tuple[int, int, int]:
    """``(contacts, list size, engaged on the list)``.

    On the list: the latest e-mail consent record is granted or confirmed and
    the address is not suppressed.  Engaged: reacted since ``engaged_since``.
    With ``reactions_scored`` that is the lead engine's record of each
    contact's last reaction (``contact_scores.last_engaged_ts``, one row per
    contact); without, an engaging event in the log (one index probe per
    contact on the list, several times slower on a large workspace).
    """
    c, r, e = contacts.c, consent_records.c, events.c
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
    on_list = and_(ranked.c.action.in_(CONSENTING), suppressions.c.id.is_(None))
    joined = contacts.outerjoin(
        ranked, and_(ranked.c.contact_id == c.id, ranked.c.recency == 1)
    ).outerjoin(suppressions, suppressions.c.email_key == c.email_key)
    engaged: ColumnElement[bool]
    if reactions_scored:
        joined = joined.outerjoin(contact_scores, contact_scores.c.contact_id == c.id)
        engaged = contact_scores.c.last_engaged_ts >= engaged_since.timestamp()
    else:
        engaged = exists().where(
            e.contact_id == c.id,
            e.occurred_at >= bound(engaged_since),
            e.type.in_(ENGAGING_EVENTS),
        )
    query = select(
        func.count(),
        func.count(case((on_list, 1))),
        func.count(case((on_list, case((engaged, 1))))),
    ).select_from(joined)
    everyone, size, active = connection.execute(query).one()
    return int(everyone), int(size), int(active)


def traffic(
    connection: Connection, months: Sequence[Range]
) -> dict[int, dict[str, tuple[int, int]]]:
    """Per month and kind of traffic (owned, bought): page views and distinct visitors."""
    e = events.c
    tagged = (
        select(month_number(e.occurred_at, months).label("month"), e.traffic, e.visitor_id)
        .where(e.type == "page_view", e.traffic.is_not(None), _within(e.occurred_at, months))
        .subquery("tagged")
    )
    query = select(
        tagged.c.month,
        tagged.c.traffic,
        func.count(),
        func.count(func.distinct(tagged.c.visitor_id)),
    ).group_by(tagged.c.month, tagged.c.traffic)
    found: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for month, kind, views, people in connection.execute(query):
        if month is not None:
            found[int(month)][kind] = (int(views), int(people))
    return dict(found)


def first_touches(connection: Connection, months: Sequence[Range]) -> ByMonth:
    """New addresses per month by the traffic of their first owned or bought page view
    before the address was given (``owned``, ``bought``, or ``none``).

    The person's own page views count first (known when they happened, or
    stitched to them when they identified); without any, the anonymous views
    of a browser they gave their address from: a visitor id on one of their
    events up to that moment (the form submission), or identified as them.
    Each is one index look-up per new address (``ix_events_contact_time``,
    ``ix_events_visitor``), so the cost follows the month's new addresses,
    not the event log.
    """
    c, e = contacts.c, events.c
    fresh = select(c.id, c.created_at).where(_within(c.created_at, months)).subquery("fresh")
    own = (
        select(e.traffic)
        .where(
            e.contact_id == fresh.c.id,
            e.occurred_at <= fresh.c.created_at,
            e.type == "page_view",
            e.traffic.is_not(None),
        )
        .order_by(e.occurred_at, e.id)
        .limit(1)
        .scalar_subquery()
    )
    seen = events.alias("seen")
    browsers = union(
        select(seen.c.visitor_id)
        .where(
            seen.c.contact_id == fresh.c.id,
            seen.c.visitor_id.is_not(None),
            seen.c.occurred_at <= fresh.c.created_at,
        )
        .correlate(fresh),
        select(visitors.c.id).where(visitors.c.contact_id == fresh.c.id).correlate(fresh),
    )
    anonymous = events.alias("anonymous")
    before = (
        select(anonymous.c.traffic)
        .where(
            anonymous.c.visitor_id.in_(browsers),
            anonymous.c.contact_id.is_(None),
            anonymous.c.occurred_at <= fresh.c.created_at,
            anonymous.c.type == "page_view",
            anonymous.c.traffic.is_not(None),
        )
        .order_by(anonymous.c.occurred_at, anonymous.c.id)
        .limit(1)
        .scalar_subquery()
    )
    # Materialised, so that each look-up runs once per new address (SQLite would
    # otherwise repeat them for the grouping).
    tagged = (
        select(
            month_number(fresh.c.created_at, months).label("month"),
            func.coalesce(own, before, "none").label("touch"),
        )
        .cte("tagged")
        .prefix_with("MATERIALIZED")
    )
    query = select(tagged.c.month, tagged.c.touch, func.count()).group_by(
        tagged.c.month, tagged.c.touch
    )
    return _by_month(connection.execute(query))


__all__ = [
    "ByMonth",
    "first_submissions",
    "first_touches",
    "leavers",
    "list_state",
    "month_number",
    "new_by_source",
    "scoring_model_active",
    "traffic",
]
