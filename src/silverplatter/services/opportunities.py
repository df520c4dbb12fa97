"""Upserting opportunities (deals) in batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from silverplatter.domain.opportunities import status_for_stage
from silverplatter.domain.records import OpportunityFields
from silverplatter.services.upsert_plan import UpsertPlan, UpsertResult
from silverplatter.storage import users as user_store
from silverplatter.storage.rows import rows_by, rows_keyed_by
from silverplatter.storage.schema import accounts, contacts, opportunities


def _account_ids(
    connection: Connection, items: Sequence[OpportunityFields], result: UpsertResult
) -> list[int | None]:
    by_external = rows_by(
        connection, accounts, accounts.c.external_id, (i.account_external_id for i in items)
    )
    by_domain = rows_by(connection, accounts, accounts.c.domain, (i.account_domain for i in items))
    by_name = rows_by(connection, accounts, accounts.c.name, (i.account_name for i in items))
    found: list[int | None] = []
    for position, item in enumerate(items):
        row = None
        if item.account_external_id:
            row = by_external.get(item.account_external_id)
        if row is None and item.account_domain:
            row = by_domain.get(item.account_domain)
        if row is None and item.account_name:
            row = by_name.get(item.account_name)
        if row is None:
            given = item.account_external_id or item.account_domain or item.account_name
            result.errors.setdefault(
                position, f"account: no account {given!r}; import accounts first"
            )
        found.append(row.id if row is not None else None)
    return found


def upsert_opportunities(
    connection: Connection, items: Sequence[OpportunityFields], *, now: datetime
) -> UpsertResult:
    """Create or update deals keyed by external id, else by account and deal name."""
    result = UpsertResult(ids=[None] * len(items))
    account_ids = _account_ids(connection, items, result)
    owners = user_store.ids_by_email(
        connection, (i.owner_email.lower() for i in items if i.owner_email)
    )
    people = rows_by(
        connection,
        contacts,
        contacts.c.email_key,
        (i.contact_email.lower() for i in items if i.contact_email),
    )
    by_external = rows_by(
        connection, opportunities, opportunities.c.external_id, (i.external_id for i in items)
    )
    pairs = {
        (a, i.name) for a, i in zip(account_ids, items, strict=True) if a and not i.external_id
    }
    by_pair: dict[tuple[int, str], Any] = {}
    for row in rows_keyed_by(
        connection, opportunities, [opportunities.c.account_id, opportunities.c.name], sorted(pairs)
    ):
        by_pair[(row.account_id, row.name)] = row
    seen: dict[object, int] = {}
    plan = UpsertPlan(opportunities, now, result)
    for position, item in enumerate(items):
        account_id = account_ids[position]
        if account_id is None:
            continue
        key: object = item.external_id or (account_id, item.name)
        if key in seen:
            result.errors[position] = f"repeats item {seen[key] + 1} of the same batch"
            continue
        seen[key] = position
        if item.owner_email and item.owner_email.lower() not in owners:
            result.errors[position] = f"owner_email: no user with email {item.owner_email}"
            continue
        contact = people.get(item.contact_email.lower()) if item.contact_email else None
        if item.contact_email and contact is None:
            result.errors[position] = f"contact_email: no contact with email {item.contact_email}"
            continue
        status = item.status or status_for_stage(item.stage)
        wanted: dict[str, Any] = {
            "external_id": item.external_id,
            "account_id": account_id,
            "contact_id": contact.id if contact is not None else None,
            "name": item.name,
            "amount": item.amount,
            "currency": item.currency,
            "stage": item.stage,
            "status": status,
            "lost_reason": item.lost_reason,
            "owner_id": owners.get(item.owner_email.lower()) if item.owner_email else None,
            "created_at": item.created_at,
            "closed_at": item.closed_at,
        }
        found = (
            by_external.get(item.external_id)
            if item.external_id
            else by_pair.get((account_id, item.name))
        )
        if found is None:
            plan.create(position, {**wanted, "created_at": item.created_at or now})
        else:
            plan.update(position, found, wanted)
    return plan.write(connection, key="external_id")


__all__ = ["upsert_opportunities"]
