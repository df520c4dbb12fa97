"""Upserting accounts and contacts in batches: the path every import, form and
API call takes to create or change a company or a person.

Each function runs inside the caller's transaction, looks up all keys of the
batch with one statement per key kind, inserts the new rows with one
executemany and updates only rows whose values really changed.  Unset
(``None``) fields never overwrite stored values, so re-sending the same data
changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.identity import InvalidValue
from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.custom_values import CustomValueChecker
from silverplatter.services.upsert_plan import UpsertPlan, UpsertResult
from silverplatter.storage import users as user_store
from silverplatter.storage.rows import rows_by
from silverplatter.storage.schema import accounts, contacts


def _owner_ids(
    connection: Connection, owner_emails: Sequence[str | None], result: UpsertResult
) -> list[int | None]:
    known = user_store.ids_by_email(connection, (e.lower() for e in owner_emails if e))
    owners: list[int | None] = []
    for position, email in enumerate(owner_emails):
        if email is None:
            owners.append(None)
        elif email.lower() in known:
            owners.append(known[email.lower()])
        else:
            result.errors[position] = f"owner_email: no user with email {email}"
            owners.append(None)
    return owners


def _check_custom(
    checker: CustomValueChecker, items: Sequence[Any], result: UpsertResult
) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for position, item in enumerate(items):
        try:
            documents.append(checker.check(item.custom))
        except InvalidValue as error:
            result.errors.setdefault(position, str(error))
            documents.append({})
    return documents


def _mark_repeats(keys: Sequence[str | None], what: str, result: UpsertResult) -> None:
    """Reject every later item of the batch that repeats an earlier one's key."""
    first: dict[str, int] = {}
    for position, key in enumerate(keys):
        if key is None:
            continue
        if key in first:
            result.errors.setdefault(
                position, f"{what}: {key} repeats item {first[key] + 1} of the same batch"
            )
        else:
            first[key] = position


def _account_values(
    item: AccountFields, owner_id: int | None, custom: dict[str, Any]
) -> dict[str, Any]:
    return {
        "external_id": item.external_id,
        "name": item.name,
        "domain": item.domain,
        "industry": item.industry,
        "country": item.country,
        "employees": item.employees,
        "annual_revenue": item.annual_revenue,
        "value_tier": item.value_tier,
        "needs_segment": item.needs_segment,
        "owner_id": owner_id,
        "status": item.status,
        "created_at": item.created_at,
        "custom": custom,
    }


def _match_account(
    item: AccountFields,
    by_external: dict[Any, Row[Any]],
    by_domain: dict[Any, Row[Any]],
    by_name: dict[Any, Row[Any]],
) -> Row[Any] | None:
    """The stored account this item describes: by external id, then domain, then name."""
    if item.external_id and item.external_id in by_external:
        found = by_external[item.external_id]
        if item.domain and item.domain in by_domain and by_domain[item.domain].id != found.id:
            raise InvalidValue(
                f"domain: {item.domain} belongs to another account "
                f"({by_domain[item.domain].name}) than external_id {item.external_id}"
            )
        return found
    if item.domain and item.domain in by_domain:
        found = by_domain[item.domain]
        if item.external_id and found.external_id not in (None, item.external_id):
            raise InvalidValue(
                f"external_id: account {item.domain} already has external id {found.external_id}"
            )
        return found
    if item.name and not item.domain and item.name in by_name:
        return by_name[item.name]
    if item.name and item.domain and item.name in by_name and by_name[item.name].domain is None:
        return by_name[item.name]
    return None


def upsert_accounts(
    connection: Connection,
    items: Sequence[AccountFields],
    *,
    now: datetime,
    create_properties: bool = False,
) -> UpsertResult:
    """Create or update accounts keyed by external id, else domain, else exact name."""
    result = UpsertResult(ids=[None] * len(items))
    _mark_repeats([i.external_id for i in items], "external_id", result)
    _mark_repeats([i.domain for i in items], "domain", result)
    owners = _owner_ids(connection, [i.owner_email for i in items], result)
    checker = CustomValueChecker(connection, "account", create=create_properties, now=now)
    documents = _check_custom(checker, items, result)
    by_external = rows_by(
        connection, accounts, accounts.c.external_id, (i.external_id for i in items)
    )
    by_domain = rows_by(connection, accounts, accounts.c.domain, (i.domain for i in items))
    by_name = rows_by(connection, accounts, accounts.c.name, (i.name for i in items if i.name))
    plan = UpsertPlan(accounts, now, result)
    for position, item in enumerate(items):
        if position in result.errors:
            continue
        try:
            found = _match_account(item, by_external, by_domain, by_name)
        except InvalidValue as error:
            result.errors[position] = str(error)
            continue
        wanted = _account_values(item, owners[position], documents[position])
        if found is None:
            plan.create(
                position,
                {
                    **wanted,
                    "name": item.name or item.domain or item.external_id,
                    "value_tier": item.value_tier or "unclassified",
                    "status": item.status or "prospect",
                    "created_at": item.created_at or now,
                },
            )
        else:
            plan.update(position, found, wanted)
    return plan.write(connection, key="domain")


def _resolve_contact_accounts(
    connection: Connection, items: Sequence[ContactFields], result: UpsertResult, now: datetime
) -> list[int | None]:
    """The account of each contact: found by external id, domain or name, else created.

    A contact's company name never renames an existing account; it only names
    an account created here.
    """
    unique: list[AccountFields] = []
    by_external: dict[str, int] = {}
    by_domain: dict[str, int] = {}
    by_name: dict[str, int] = {}
    refs: list[int | None] = []
    for item in items:
        external_id, domain, name = item.account_external_id, item.account_domain, item.account_name
        if not (external_id or domain or name):
            refs.append(None)
            continue
        index = None
        if external_id:
            index = by_external.get(external_id)
        if index is None and domain:
            index = by_domain.get(domain)
        if index is None and name and not (external_id or domain):
            index = by_name.get(name)
        if index is None:
            unique.append(AccountFields(external_id=external_id, domain=domain, name=name))
            index = len(unique) - 1
            if external_id:
                by_external[external_id] = index
            if domain:
                by_domain.setdefault(domain, index)
            if name and not (external_id or domain):
                by_name[name] = index
        refs.append(index)
    if not unique:
        return refs
    stored_external = rows_by(connection, accounts, accounts.c.external_id, by_external)
    stored_domain = rows_by(connection, accounts, accounts.c.domain, (a.domain for a in unique))
    stored_name = rows_by(connection, accounts, accounts.c.name, by_name)
    found: list[int | str | None] = []
    for account in unique:
        row = None
        if account.external_id:
            row = stored_external.get(account.external_id)
        elif account.domain:
            row = stored_domain.get(account.domain)
        elif account.name:
            row = stored_name.get(account.name)
        found.append(row.id if row is not None else None)
    missing = [i for i, account_id in enumerate(found) if account_id is None]
    created = upsert_accounts(connection, [unique[i] for i in missing], now=now)
    for offset, index in enumerate(missing):
        new_id = created.ids[offset]
        found[index] = new_id if new_id is not None else created.errors.get(offset, "not created")
    account_ids: list[int | None] = []
    for position, index in enumerate(refs):
        target = None if index is None else found[index]
        if isinstance(target, str):
            result.errors.setdefault(position, f"account: {target}")
            target = None
        account_ids.append(target)
    return account_ids


def _contact_values(
    item: ContactFields, account_id: int | None, owner_id: int | None, custom: dict[str, Any]
) -> dict[str, Any]:
    return {
        "email": item.email,
        "external_id": item.external_id,
        "first_name": item.first_name,
        "last_name": item.last_name,
        "title": item.title,
        "seniority": item.seniority,
        "department": item.department,
        "decision_role": item.decision_role,
        "account_id": account_id,
        "phone": item.phone,
        "linkedin_url": item.linkedin_url,
        "country": item.country,
        "owner_id": owner_id,
        "created_at": item.created_at,
        "custom": custom,
    }


def upsert_contacts(
    connection: Connection,
    items: Sequence[ContactFields],
    *,
    now: datetime,
    create_properties: bool = False,
    source: str | None = None,
) -> UpsertResult:
    """Create or update contacts keyed by email address, case-insensitively.

    ``source`` records how a new contact's address was acquired ("api",
    "import:<preset or file>" …); an existing contact keeps its own.
    """
    result = UpsertResult(ids=[None] * len(items))
    _mark_repeats([i.email_key for i in items], "email", result)
    _mark_repeats([i.external_id for i in items], "external_id", result)
    owners = _owner_ids(connection, [i.owner_email for i in items], result)
    checker = CustomValueChecker(connection, "contact", create=create_properties, now=now)
    documents = _check_custom(checker, items, result)
    account_ids = _resolve_contact_accounts(connection, items, result, now)
    by_email = rows_by(connection, contacts, contacts.c.email_key, (i.email_key for i in items))
    by_external = rows_by(
        connection, contacts, contacts.c.external_id, (i.external_id for i in items)
    )
    plan = UpsertPlan(contacts, now, result)
    for position, item in enumerate(items):
        if position in result.errors:
            continue
        found = by_email.get(item.email_key)
        holder = by_external.get(item.external_id) if item.external_id else None
        if holder is not None and holder.email_key != item.email_key:
            result.errors[position] = (
                f"external_id: {item.external_id} already belongs to contact {holder.email}"
            )
            continue
        wanted = _contact_values(item, account_ids[position], owners[position], documents[position])
        if found is None:
            plan.create(
                position,
                {
                    **wanted,
                    "email_key": item.email_key,
                    "created_at": item.created_at or now,
                    "source": source[:200] if source else None,
                },
            )
        else:
            wanted.pop("email")  # same address (keys are equal); keep the spelling first stored
            plan.update(position, found, wanted)
    return plan.write(connection, key="email_key")


__all__ = ["UpsertResult", "upsert_accounts", "upsert_contacts"]
