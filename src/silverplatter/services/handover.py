"""Handing SQLs over to sales with a service level, and surfacing the quasi-leads (domain §5).

* :func:`hand_over_new_sqls` gives every SQL without an open handover an
  owner (the model's ``[handover] assign`` rule) and a due time (the tier's
  ``sla_working_days`` from now).  The lead engine calls it at the end of
  each run, incremental and batch.
* Sales acts with :func:`accept`, :func:`recycle`, :func:`disqualify` or
  :func:`open_opportunity`: the lifecycle move and the closing of the
  handover go together.  A contact that leaves SQL by any other path (its
  engagement faded, it was sent back to marketing) has its handover closed by
  the next :func:`hand_over_new_sqls`, with the outcome its new stage implies.
* An open handover past due is a *quasi-lead* (:func:`quasi_leads`).
  :func:`raise_alerts` alerts each one once.  There is no manager field on
  users yet, so the alert goes to the workspace's active admins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.handover import (
    OUTCOMES,
    add_working_days,
    choose_owner,
    days_overdue,
    sla_working_days,
)
from silverplatter.domain.lifecycle import StageChange
from silverplatter.services.lifecycle import transition
from silverplatter.services.scoring_models import active_model
from silverplatter.storage import handovers as store


@dataclass(frozen=True, slots=True)
class Handover:
    """An SQL handed to sales, who must act by ``due_at``."""

    id: int
    contact_id: int
    account_id: int | None
    owner_id: int | None
    #: How the owner was chosen: account_owner, round_robin or unassigned.
    assignment: str
    tier: str
    handed_over_at: datetime
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Recipient:
    """A user an alert goes to."""

    user_id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class QuasiLead:
    """A handover nobody acted on in time."""

    handover_id: int
    contact_id: int
    contact_name: str
    contact_email: str
    account_id: int | None
    account_name: str | None
    tier: str
    owner_id: int | None
    owner_name: str | None
    owner_email: str | None
    handed_over_at: datetime
    due_at: datetime
    days_overdue: int
    #: Whom to alert: the owner's manager once users have one; the active admins now.
    alert_to: tuple[Recipient, ...]
    alerted_at: datetime | None


def hand_over_new_sqls(connection: Connection, *, now: datetime) -> list[Handover]:
    """Hand every SQL without an open handover to an owner, due in the tier's SLA.

    First closes the open handovers whose contact has left SQL meanwhile.  A
    contact without an owner gets the handover's owner.  Returns the new
    handovers, by contact id.
    """
    store.close_departed(connection, now=now)
    new = store.sqls_without_open_handover(connection)
    if not new:
        return []
    settings = active_model(connection, now=now).model.handover
    candidates = store.active_sales_ids(connection)
    last = store.rotation(connection)
    rotated: dict[str, int] = {}
    planned: list[dict[str, Any]] = []
    for sql in new:
        choice = choose_owner(settings.assign, sql.account_owner, candidates, last.get(sql.tier))
        if choice.assignment == "round_robin" and choice.owner_id is not None:
            last[sql.tier] = rotated[sql.tier] = choice.owner_id
        days = sla_working_days(settings.sla_working_days, sql.tier)
        planned.append(
            {
                "contact_id": sql.contact_id,
                "account_id": sql.account_id,
                "owner_id": choice.owner_id,
                "assignment": choice.assignment,
                "tier": sql.tier,
                "handed_over_at": now,
                "due_at": add_working_days(now, days),
            }
        )
    ids = store.insert_handovers(connection, planned)
    store.give_owners(
        connection,
        {
            sql.contact_id: values["owner_id"]
            for sql, values in zip(new, planned, strict=True)
            if sql.contact_owner_id is None and values["owner_id"] is not None
        },
        now=now,
    )
    store.save_rotation(connection, rotated, now=now)
    return [Handover(id=i, **values) for i, values in zip(ids, planned, strict=True)]


def record_action(
    connection: Connection, contact_id: int, outcome: str, *, user_id: int | None, now: datetime
) -> int | None:
    """Close the contact's open handover with what sales did; its id, ``None`` if none was open."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome: expected one of {', '.join(OUTCOMES)}, not {outcome!r}")
    return store.close_open(connection, contact_id, outcome, user_id=user_id, now=now)


def accept(
    connection: Connection, contact_id: int, *, user_id: int | None, now: datetime, reason: str = ""
) -> StageChange:
    """Sales accepts the SQL and works the contact (SQL → accepted by sales)."""
    change = transition(connection, contact_id, "sal", reason=reason, now=now, user_id=user_id)
    record_action(connection, contact_id, "accepted", user_id=user_id, now=now)
    return change


def recycle(
    connection: Connection, contact_id: int, *, user_id: int | None, now: datetime, reason: str
) -> StageChange:
    """Not now: back to nurture, with a reason."""
    change = transition(connection, contact_id, "recycled", reason=reason, now=now, user_id=user_id)
    record_action(connection, contact_id, "recycled", user_id=user_id, now=now)
    return change


def disqualify(
    connection: Connection, contact_id: int, *, user_id: int | None, now: datetime, reason: str
) -> StageChange:
    """Not a buyer for us: out of sales and nurture, with a reason."""
    change = transition(
        connection, contact_id, "disqualified", reason=reason, now=now, user_id=user_id
    )
    record_action(connection, contact_id, "disqualified", user_id=user_id, now=now)
    return change


def open_opportunity(
    connection: Connection, contact_id: int, *, user_id: int | None, now: datetime, reason: str = ""
) -> StageChange:
    """Sales opened a deal with the contact."""
    change = transition(
        connection, contact_id, "opportunity", reason=reason, now=now, user_id=user_id
    )
    record_action(connection, contact_id, "opportunity", user_id=user_id, now=now)
    return change


def _recipients(connection: Connection) -> tuple[Recipient, ...]:
    return tuple(Recipient(r.id, r.name, r.email) for r in store.active_admins(connection))


def _quasi_lead(row: Row[Any], now: datetime, alert_to: tuple[Recipient, ...]) -> QuasiLead:
    name = " ".join(part for part in (row.first_name, row.last_name) if part) or row.email
    return QuasiLead(
        handover_id=row.id,
        contact_id=row.contact_id,
        contact_name=name,
        contact_email=row.email,
        account_id=row.account_id,
        account_name=row.account_name,
        tier=row.tier,
        owner_id=row.owner_id,
        owner_name=row.owner_name,
        owner_email=row.owner_email,
        handed_over_at=row.handed_over_at,
        due_at=row.due_at,
        days_overdue=days_overdue(row.due_at, now),
        alert_to=alert_to,
        alerted_at=row.alerted_at,
    )


def quasi_leads(connection: Connection, *, now: datetime) -> list[QuasiLead]:
    """Open handovers past due whose contact is still SQL, most overdue first."""
    rows = store.overdue(connection, now=now)
    alert_to = _recipients(connection) if rows else ()
    return [_quasi_lead(row, now, alert_to) for row in rows]


def raise_alerts(connection: Connection, *, now: datetime) -> list[QuasiLead]:
    """Alert each quasi-lead not alerted yet, once; return those alerted now.

    The first active admin is recorded as the handover's ``alert_to``; every
    active admin is listed in the returned alerts.
    """
    rows = store.overdue(connection, now=now, unalerted_only=True)
    if not rows:
        return []
    alert_to = _recipients(connection)
    store.mark_alerted(
        connection,
        [row.id for row in rows],
        alert_to=alert_to[0].user_id if alert_to else None,
        now=now,
    )
    return [replace(_quasi_lead(row, now, alert_to), alerted_at=now) for row in rows]


__all__ = [
    "Handover",
    "QuasiLead",
    "Recipient",
    "accept",
    "disqualify",
    "hand_over_new_sqls",
    "open_opportunity",
    "quasi_leads",
    "raise_alerts",
    "record_action",
    "recycle",
]
