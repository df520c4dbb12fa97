"""Small helpers to build fixed worlds for the lost-lead mining tests: accounts,
contacts, deals, meetings, programmes, rows written straight into the tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, insert

from silverplatter.storage.lifecycle_schema import buying_windows, qualifications, stage_transitions
from silverplatter.storage.nurture_schema import enrolments, programmes
from silverplatter.storage.schema import (
    accounts,
    contacts,
    meeting_attendees,
    meetings,
    opportunities,
    supplier_contracts,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WHEN = datetime(2024, 1, 1, tzinfo=UTC)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def account(
    connection: Connection,
    name: str,
    *,
    owner_id: int | None = None,
    industry: str | None = None,
    status: str = "prospect",
) -> int:
    return int(
        connection.execute(
            insert(accounts)
            .values(
                name=name,
                domain=f"{name.lower().replace(' ', '-')}.example",
                industry=industry,
                owner_id=owner_id,
                status=status,
                created_at=WHEN,
                updated_at=WHEN,
            )
            .returning(accounts.c.id)
        ).scalar_one()
    )


def contact(
    connection: Connection,
    first: str,
    last: str,
    *,
    account_id: int | None = None,
    owner_id: int | None = None,
    decision_role: str | None = None,
    stage: str = "lead",
) -> int:
    email = f"{first.lower()}@{last.lower()}.example"
    return int(
        connection.execute(
            insert(contacts)
            .values(
                email=email,
                email_key=email,
                first_name=first,
                last_name=last,
                account_id=account_id,
                owner_id=owner_id,
                decision_role=decision_role,
                lifecycle_stage=stage,
                created_at=WHEN,
                updated_at=WHEN,
            )
            .returning(contacts.c.id)
        ).scalar_one()
    )


def deal(
    connection: Connection,
    account_id: int,
    name: str,
    *,
    status: str,
    created_at: datetime = WHEN,
    closed_at: datetime | None = None,
    module: str | None = None,
    contact_id: int | None = None,
    lost_reason: str | None = None,
    amount: int | None = None,
) -> int:
    return int(
        connection.execute(
            insert(opportunities)
            .values(
                account_id=account_id,
                contact_id=contact_id,
                name=name,
                amount=amount,
                stage="Closed" if status != "open" else "Proposal",
                status=status,
                lost_reason=lost_reason,
                offer_module=module,
                created_at=created_at,
                closed_at=closed_at,
                updated_at=closed_at or created_at,
            )
            .returning(opportunities.c.id)
        ).scalar_one()
    )


def window(connection: Connection, account_id: int, opens_on: date, closes_on: date) -> None:
    connection.execute(
        insert(buying_windows).values(
            account_id=account_id,
            opens_on=opens_on,
            closes_on=closes_on,
            source="manual",
            confidence=1.0,
            basis="set by hand",
            computed_at=WHEN,
        )
    )


def supplier_contract(
    connection: Connection, account_id: int, supplier: str, end_date: date
) -> None:
    connection.execute(
        insert(supplier_contracts).values(
            account_id=account_id,
            category="ERP",
            supplier=supplier,
            end_date=end_date,
            created_at=WHEN,
        )
    )


def meeting(
    connection: Connection,
    account_id: int,
    occurred_at: datetime,
    attendees: list[int],
    *,
    subject: str | None = None,
    bant: dict[str, Any] | None = None,
) -> int:
    meeting_id = int(
        connection.execute(
            insert(meetings)
            .values(
                account_id=account_id,
                occurred_at=occurred_at,
                subject=subject,
                bant=bant or {},
                created_at=occurred_at,
            )
            .returning(meetings.c.id)
        ).scalar_one()
    )
    for contact_id in attendees:
        connection.execute(
            insert(meeting_attendees).values(meeting_id=meeting_id, contact_id=contact_id)
        )
    return meeting_id


def qualification(connection: Connection, contact_id: int, need: str | None) -> None:
    connection.execute(
        insert(qualifications).values(contact_id=contact_id, need=need, recorded_at=WHEN)
    )


def programme(connection: Connection, slug: str, name: str, *, status: str = "active") -> int:
    definition = {
        "entry": {"event": "webinar_attended"},
        "steps": [{"id": "pause", "type": "wait", "days": 30}, {"id": "end", "type": "end"}],
    }
    return int(
        connection.execute(
            insert(programmes)
            .values(
                slug=slug,
                name=name,
                status=status,
                definition=definition,
                version=1,
                created_at=WHEN,
                updated_at=WHEN,
            )
            .returning(programmes.c.id)
        ).scalar_one()
    )


def enrol(connection: Connection, programme_id: int, contact_id: int, entered_at: datetime) -> None:
    connection.execute(
        insert(enrolments).values(
            programme_id=programme_id,
            contact_id=contact_id,
            status="active",
            step="end",
            programme_version=1,
            entered_at=entered_at,
        )
    )


def moved(connection: Connection, contact_id: int, to_stage: str, occurred_at: datetime) -> None:
    connection.execute(
        insert(stage_transitions).values(
            contact_id=contact_id,
            from_stage="lead",
            to_stage=to_stage,
            transition="qualify",
            actor="rule",
            reason="test",
            occurred_at=occurred_at,
        )
    )
