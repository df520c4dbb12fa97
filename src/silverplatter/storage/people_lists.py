"""Statements of imported people lists: social followers and NPS survey respondents
(``planning_schema.people_lists`` / ``people_list_entries``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, case, delete, exists, func, insert, select, update

from silverplatter.storage.planning_schema import people_list_entries, people_lists
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import accounts, contacts, users

#: Entries written per statement.
BATCH = 1000


def insert_list(
    connection: Connection,
    *,
    name: str,
    kind: str,
    source: str | None,
    imported_by: int | None,
    now: datetime,
) -> int:
    """A new, empty list; its id."""
    return int(
        connection.execute(
            insert(people_lists).returning(people_lists.c.id),
            {
                "name": name,
                "kind": kind,
                "source": source,
                "imported_by": imported_by,
                "imported_at": now,
            },
        ).scalar_one()
    )


def insert_entries(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the list's entries (columns of ``people_list_entries``) in batches."""
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(people_list_entries), list(rows[start : start + BATCH]))


def contact_full_name(table: Any) -> Any:
    """A contact's "first last", trimmed and lower-cased, as a list's names are compared."""
    first = func.coalesce(table.c.first_name, "")
    last = func.coalesce(table.c.last_name, "")
    return func.lower(func.trim(first + " " + last))


def tie_entries_to_contacts(connection: Connection, list_id: int) -> int:
    """Tie the list's untied entries to the contact with the same e-mail (case aside), the
    same LinkedIn URL, or the same full name at the entry's account — the lowest id on a
    tie; how many were tied.

    Set-based, for lists written in bulk (the demo) and, after the import's own
    matching by e-mail and profile, for the names.
    """
    entry = people_list_entries.c
    known = contacts.alias("known")
    ways = (
        and_(entry.email.is_not(None), known.c.email_key == func.lower(entry.email)),
        and_(entry.linkedin_url.is_not(None), known.c.linkedin_url == entry.linkedin_url),
        and_(
            entry.full_name.is_not(None),
            entry.account_id.is_not(None),
            known.c.account_id == entry.account_id,
            contact_full_name(known) == func.lower(func.trim(entry.full_name)),
        ),
    )
    tied = 0
    for same_person in ways:
        statement = (
            update(people_list_entries)
            .where(
                entry.list_id == list_id, entry.contact_id.is_(None), exists().where(same_person)
            )
            .values(contact_id=select(func.min(known.c.id)).where(same_person).scalar_subquery())
        )
        tied += int(connection.execute(statement).rowcount)
    return tied


def contacts_by_email_key(connection: Connection, keys: Iterable[str]) -> dict[str, Row[Any]]:
    """Contacts by e-mail key: ``id``, ``account_id``."""
    wanted = sorted(set(keys))
    found: dict[str, Row[Any]] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        rows = connection.execute(
            select(contacts.c.email_key, contacts.c.id, contacts.c.account_id).where(
                contacts.c.email_key.in_(wanted[start : start + IN_CHUNK])
            )
        )
        found.update({row.email_key: row for row in rows})
    return found


def contacts_by_linkedin(connection: Connection, urls: Iterable[str]) -> dict[str, Row[Any]]:
    """Contacts by their (normalised) LinkedIn URL, the lowest id on a tie."""
    wanted = sorted(set(urls))
    found: dict[str, Row[Any]] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        rows = connection.execute(
            select(contacts.c.linkedin_url, contacts.c.id, contacts.c.account_id)
            .where(contacts.c.linkedin_url.in_(wanted[start : start + IN_CHUNK]))
            .order_by(contacts.c.id.desc())
        )
        found.update({row.linkedin_url: row for row in rows})
    return found


def accounts_by_domain(connection: Connection, domains: Iterable[str]) -> dict[str, int]:
    """Account ids by their domain."""
    wanted = sorted(set(domains))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        rows = connection.execute(
            select(accounts.c.domain, accounts.c.id).where(
                accounts.c.domain.in_(wanted[start : start + IN_CHUNK])
            )
        )
        found.update({row.domain: int(row.id) for row in rows})
    return found


def accounts_by_name(connection: Connection, names: Iterable[str]) -> dict[str, int]:
    """Account ids by lower-cased name, for the names only one account bears."""
    wanted = sorted({name.lower() for name in names})
    lowered = func.lower(accounts.c.name)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        rows = connection.execute(
            select(lowered.label("name"), func.min(accounts.c.id).label("id"))
            .where(lowered.in_(wanted[start : start + IN_CHUNK]))
            .group_by(lowered)
            .having(func.count() == 1)
        )
        found.update({row.name: int(row.id) for row in rows})
    return found


def lists(connection: Connection) -> list[Row[Any]]:
    """Every list, newest first, with ``entries``, ``matched_contacts``,
    ``matched_accounts`` and ``unmatched`` (neither), and who imported it."""
    e = people_list_entries.c
    counts = (
        select(
            e.list_id,
            func.count().label("entries"),
            func.count(e.contact_id).label("matched_contacts"),
            func.count(e.account_id).label("matched_accounts"),
            func.sum(case((e.contact_id.is_(None) & e.account_id.is_(None), 1), else_=0)).label(
                "unmatched"
            ),
        )
        .group_by(e.list_id)
        .subquery("counts")
    )
    query = (
        select(
            people_lists.c.id,
            people_lists.c.name,
            people_lists.c.kind,
            people_lists.c.source,
            people_lists.c.imported_at,
            users.c.name.label("imported_by"),
            func.coalesce(counts.c.entries, 0).label("entries"),
            func.coalesce(counts.c.matched_contacts, 0).label("matched_contacts"),
            func.coalesce(counts.c.matched_accounts, 0).label("matched_accounts"),
            func.coalesce(counts.c.unmatched, 0).label("unmatched"),
        )
        .select_from(
            people_lists.outerjoin(counts, counts.c.list_id == people_lists.c.id).outerjoin(
                users, users.c.id == people_lists.c.imported_by
            )
        )
        .order_by(people_lists.c.imported_at.desc(), people_lists.c.id.desc())
    )
    return list(connection.execute(query))


def delete_list(connection: Connection, list_id: int) -> bool:
    """Delete a list and its entries; whether it existed."""
    connection.execute(delete(people_list_entries).where(people_list_entries.c.list_id == list_id))
    gone = connection.execute(delete(people_lists).where(people_lists.c.id == list_id))
    return gone.rowcount > 0


__all__ = [
    "accounts_by_domain",
    "accounts_by_name",
    "contacts_by_email_key",
    "contacts_by_linkedin",
    "delete_list",
    "insert_entries",
    "insert_list",
    "lists",
]
