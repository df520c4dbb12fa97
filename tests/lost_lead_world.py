"""Small fixed worlds for the lost-lead sections 5–10: rows written straight into the tables.

Each helper inserts one row with only what a test cares about and returns
its id, so a golden test reads as the story it checks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from sqlalchemy import Connection, insert

from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.planning_schema import people_list_entries, people_lists, tasks
from silverplatter.storage.schema import (
    accounts,
    contacts,
    events,
    meetings,
    opportunities,
    users,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_keys = count(1)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _insert(connection: Connection, table: Any, **values: Any) -> int:
    return int(connection.execute(insert(table).returning(table.c.id), values).scalar_one())


def user(
    connection: Connection,
    name: str,
    *,
    role: str = "sales",
    active: bool = True,
    deactivated_at: datetime | None = None,
) -> int:
    email = f"{name.split()[0].lower()}@us.example"
    return _insert(
        connection,
        users,
        email=email,
        email_key=email,
        name=name,
        role=role,
        active=active,
        created_at=at(2024, 1, 1),
        deactivated_at=deactivated_at,
    )


def account(
    connection: Connection,
    name: str,
    *,
    owner: int | None = None,
    domain: str | None = None,
    status: str = "prospect",
    created_at: datetime | None = None,
) -> int:
    return _insert(
        connection,
        accounts,
        name=name,
        domain=domain,
        owner_id=owner,
        status=status,
        value_tier="unclassified",
        custom={},
        created_at=created_at or at(2024, 1, 1),
        updated_at=created_at or at(2024, 1, 1),
    )


def contact(
    connection: Connection,
    email: str,
    *,
    account_id: int | None = None,
    first: str | None = None,
    last: str | None = None,
    owner: int | None = None,
    stage: str = "lead",
    linkedin_url: str | None = None,
    updated_at: datetime | None = None,
) -> int:
    return _insert(
        connection,
        contacts,
        email=email,
        email_key=email.lower(),
        first_name=first,
        last_name=last,
        account_id=account_id,
        owner_id=owner,
        lifecycle_stage=stage,
        linkedin_url=linkedin_url,
        custom={},
        created_at=at(2024, 1, 1),
        updated_at=updated_at or at(2024, 1, 1),
    )


def event(
    connection: Connection,
    type_: str,
    occurred_at: datetime,
    *,
    contact_id: int | None = None,
    account_id: int | None = None,
    visitor_id: str | None = None,
    properties: dict[str, Any] | None = None,
) -> int:
    key = next(_keys)
    return _insert(
        connection,
        events,
        key_hash=key,
        idempotency_key=f"k{key}",
        type=type_,
        occurred_at=occurred_at,
        contact_id=contact_id,
        account_id=account_id,
        visitor_id=visitor_id,
        properties=properties or {},
        received_at=occurred_at,
    )


def meeting(connection: Connection, account_id: int, owner: int | None, when: datetime) -> int:
    return _insert(
        connection,
        meetings,
        account_id=account_id,
        owner_id=owner,
        occurred_at=when,
        bant={},
        created_at=when,
    )


def opportunity(
    connection: Connection,
    account_id: int,
    owner: int | None,
    created: datetime,
    updated: datetime | None = None,
    *,
    contact_id: int | None = None,
    status: str = "open",
) -> int:
    return _insert(
        connection,
        opportunities,
        account_id=account_id,
        contact_id=contact_id,
        owner_id=owner,
        name="Deal",
        stage="proposal",
        status=status,
        currency="EUR",
        created_at=created,
        updated_at=updated or created,
    )


def stage_move(
    connection: Connection,
    contact_id: int,
    when: datetime,
    *,
    user_id: int | None,
    to_stage: str = "mql",
    from_stage: str = "lead",
) -> int:
    return _insert(
        connection,
        stage_transitions,
        contact_id=contact_id,
        from_stage=from_stage,
        to_stage=to_stage,
        transition="qualify",
        actor="user" if user_id is not None else "rule",
        user_id=user_id,
        reason="test",
        occurred_at=when,
    )


def handover(
    connection: Connection,
    contact_id: int,
    *,
    account_id: int | None,
    owner: int | None,
    handed_over_at: datetime,
    due_at: datetime,
    acted_at: datetime | None = None,
    acted_by: int | None = None,
    outcome: str | None = None,
    tier: str = "unclassified",
    alerted_at: datetime | None = None,
) -> int:
    return _insert(
        connection,
        handovers,
        alerted_at=alerted_at,
        contact_id=contact_id,
        account_id=account_id,
        owner_id=owner,
        assignment="account_owner" if owner is not None else "unassigned",
        tier=tier,
        handed_over_at=handed_over_at,
        due_at=due_at,
        acted_at=acted_at,
        acted_by=acted_by,
        outcome=outcome,
    )


def task(
    connection: Connection,
    *,
    owner: int,
    created: datetime,
    done_at: datetime | None = None,
    account_id: int | None = None,
    contact_id: int | None = None,
) -> int:
    return _insert(
        connection,
        tasks,
        title="Follow up",
        owner_id=owner,
        account_id=account_id,
        contact_id=contact_id,
        status="done" if done_at is not None else "open",
        source="user",
        created_at=created,
        done_at=done_at,
    )


def people_list(connection: Connection, name: str, kind: str, imported_at: datetime) -> int:
    return _insert(connection, people_lists, name=name, kind=kind, imported_at=imported_at)


def entry(connection: Connection, list_id: int, **values: Any) -> int:
    return _insert(connection, people_list_entries, list_id=list_id, **values)
