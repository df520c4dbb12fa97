"""Importing people lists — social followers, NPS survey respondents — and keeping them
(domain §11).

:func:`import_people_list` reads a CSV the way the record importer does
(encoding and delimiter sniffed by ``importing/reader.py``), checks every row
first (``domain/people_lists.py``: the accepted headers and what a good row
is) and refuses the whole file at the first bad row, naming the row and
field, so nothing is half-written.  Good files are written in one
transaction: the list, then its entries, each matched at import

* to a contact: by e-mail (the contact's e-mail key), else by LinkedIn URL
  (both normalised the same way);
* to an account: the matched contact's account; else the account whose domain
  is the e-mail's domain; else the one account bearing the company's name
  (case aside; a name two accounts share matches neither).

The lost-lead sections read the lists: ``social_followers`` lists the
followers who are not contacts yet, ``nps`` the matched respondents.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from silverplatter.domain.people_lists import (
    LIST_KINDS,
    PeopleListError,
    Person,
    email_domain_of,
    find_columns,
    read_person,
)
from silverplatter.importing import ImportFileError
from silverplatter.importing.reader import open_table
from silverplatter.services.audit import Actor, record
from silverplatter.storage import people_lists as store

Progress = Callable[[int, int], None]
_UNSAFE = re.compile(r"[^\w.\- ]")


@dataclass(frozen=True, slots=True)
class ImportedList:
    """What an import did."""

    list_id: int
    name: str
    kind: str
    entries: int
    matched_contacts: int
    matched_accounts: int
    #: Headers of the file that are not a field, and were left out.
    ignored_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PeopleList:
    """A list as the page and the API show it."""

    id: int
    name: str
    kind: str
    source: str | None
    imported_at: datetime
    imported_by: str | None
    entries: int
    matched_contacts: int
    matched_accounts: int
    unmatched: int


def read_people(
    path: Path,
    kind: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[Person], tuple[str, ...]]:
    """Every row of the file as a person, and the ignored headers; the first bad row refuses all."""
    try:
        table = open_table(path, encoding=encoding, delimiter=delimiter)
    except ImportFileError as error:
        raise PeopleListError(str(error)) from None
    with table:
        columns = find_columns(table.header, kind)
        people = []
        for line, values in table.records():
            people.append(read_person(values, columns, row=line, kind=kind))
            if progress is not None and len(people) % 1000 == 0:
                progress(table.bytes_read, table.size)
        if progress is not None:
            progress(table.size, table.size)
    if not people:
        raise PeopleListError(f"{path.name} has a header but no rows")
    return people, columns.ignored


def _matched_rows(
    connection: Connection, list_id: int, people: list[Person]
) -> list[dict[str, Any]]:
    by_email = store.contacts_by_email_key(connection, (p.email_key for p in people if p.email_key))
    by_linkedin = store.contacts_by_linkedin(
        connection, (p.linkedin_url for p in people if p.linkedin_url)
    )
    by_domain = store.accounts_by_domain(
        connection, (domain for p in people if (domain := email_domain_of(p)))
    )
    by_name = store.accounts_by_name(connection, (p.company for p in people if p.company))
    rows = []
    for person in people:
        contact = (by_email.get(person.email_key) if person.email_key else None) or (
            by_linkedin.get(person.linkedin_url) if person.linkedin_url else None
        )
        domain = email_domain_of(person)
        account_id = (
            (contact.account_id if contact is not None else None)
            or (by_domain.get(domain) if domain else None)
            or (by_name.get(person.company.lower()) if person.company else None)
        )
        rows.append(
            {
                "list_id": list_id,
                "email": person.email,
                "full_name": person.full_name,
                "company": person.company,
                "linkedin_url": person.linkedin_url,
                "handle": person.handle,
                "score": person.score,
                "comment": person.comment,
                "answered_at": person.answered_at,
                "contact_id": contact.id if contact is not None else None,
                "account_id": account_id,
            }
        )
    return rows


def import_people_list(
    engine: Engine,
    path: Path,
    *,
    kind: str,
    name: str,
    actor: Actor,
    now: datetime,
    source: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: Progress | None = None,
) -> ImportedList:
    """Import ``path`` as a new list of ``kind`` named ``name``, all rows or none."""
    if kind not in LIST_KINDS:
        raise PeopleListError(f"kind: expected one of {', '.join(LIST_KINDS)}, not {kind!r}")
    name = name.strip()
    if not name or len(name) > 200:
        raise PeopleListError("name: expected 1 to 200 characters")
    people, ignored = read_people(
        path, kind, encoding=encoding, delimiter=delimiter, progress=progress
    )
    with engine.begin() as connection:
        list_id = store.insert_list(
            connection,
            name=name,
            kind=kind,
            source=(source or path.name)[:200],
            imported_by=actor.user_id,
            now=now,
        )
        rows = _matched_rows(connection, list_id, people)
        store.insert_entries(connection, rows)
        # The import matched e-mails and profiles; names at an account are matched here.
        by_name = store.tie_entries_to_contacts(connection, list_id)
        imported = ImportedList(
            list_id=list_id,
            name=name,
            kind=kind,
            entries=len(rows),
            matched_contacts=sum(row["contact_id"] is not None for row in rows) + by_name,
            matched_accounts=sum(row["account_id"] is not None for row in rows),
            ignored_columns=ignored,
        )
        record(
            connection,
            "people_list.imported",
            f"people list {list_id}",
            actor=actor,
            now=now,
            details={
                "name": name,
                "kind": kind,
                "entries": imported.entries,
                "matched_contacts": imported.matched_contacts,
                "matched_accounts": imported.matched_accounts,
            },
        )
    return imported


def import_people_list_data(
    engine: Engine,
    data: bytes,
    *,
    filename: str,
    kind: str,
    name: str,
    actor: Actor,
    now: datetime,
    source: str | None = None,
) -> ImportedList:
    """Import an uploaded file's bytes (the page's and the API's upload) as a new list.

    The reader sniffs files on disk, so the bytes go to a private temporary
    folder first, under a tidied version of the uploader's file name so the
    messages name the file they sent.
    """
    tidy = _UNSAFE.sub("_", Path(filename).name)[:100].strip("._ ") or "list.csv"
    with tempfile.TemporaryDirectory(prefix="people-list-") as folder:
        path = Path(folder) / tidy
        path.write_bytes(data)
        return import_people_list(
            engine, path, kind=kind, name=name, actor=actor, now=now, source=source or tidy
        )


def people_lists(connection: Connection) -> list[PeopleList]:
    """Every list, newest first, with its matched and unmatched counts."""
    return [
        PeopleList(
            id=int(row.id),
            name=row.name,
            kind=row.kind,
            source=row.source,
            imported_at=row.imported_at,
            imported_by=row.imported_by,
            entries=int(row.entries),
            matched_contacts=int(row.matched_contacts),
            matched_accounts=int(row.matched_accounts),
            unmatched=int(row.unmatched),
        )
        for row in store.lists(connection)
    ]


def delete_people_list(
    connection: Connection, list_id: int, *, actor: Actor, now: datetime
) -> None:
    """Delete a list and its entries; :class:`PeopleListError` when there is no such list."""
    if not store.delete_list(connection, list_id):
        raise PeopleListError(f"list_id: no people list {list_id}")
    record(connection, "people_list.deleted", f"people list {list_id}", actor=actor, now=now)


__all__ = [
    "ImportedList",
    "PeopleList",
    "PeopleListError",
    "delete_people_list",
    "import_people_list",
    "import_people_list_data",
    "people_lists",
    "read_people",
]
