"""Exporting accounts, contacts, events and opportunities as CSV.

The file is Silverplatter's native layout: UTF-8, a header of canonical field
names, ISO 8601 times, custom properties as ``custom.<name>`` columns and
event properties as one JSON column.  It is exactly what the importer reads
without a mapping, so exporting and importing into the same workspace
changes nothing (a cell a spreadsheet would run as a formula is written
with a leading quote, which the importer takes off again:
``domain/spreadsheet_cells.py``).  Rows are read page by page in id order (keyset
pagination), so memory does not grow with the table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Engine, FromClause, Row, Select, func, select
from sqlalchemy.orm import aliased

from silverplatter.domain.spreadsheet_cells import SpreadsheetWriter
from silverplatter.importing.mapping import OBJECT_TYPES
from silverplatter.services.importing import ObjectType
from silverplatter.storage import properties as property_store
from silverplatter.storage.schema import accounts, contacts, events, opportunities, users

PAGE_SIZE = 1000
Progress = Callable[[int, int], None]

_owner = aliased(users)
_account = aliased(accounts)
_contact = aliased(contacts)

#: Column name → SQL expression, per object type, in header order.
_COLUMNS: dict[str, list[tuple[str, ColumnElement[Any]]]] = {
    "accounts": [
        ("external_id", accounts.c.external_id),
        ("name", accounts.c.name),
        ("domain", accounts.c.domain),
        ("industry", accounts.c.industry),
        ("country", accounts.c.country),
        ("employees", accounts.c.employees),
        ("annual_revenue", accounts.c.annual_revenue),
        ("value_tier", accounts.c.value_tier),
        ("needs_segment", accounts.c.needs_segment),
        ("owner_email", _owner.c.email),
        ("status", accounts.c.status),
        ("created_at", accounts.c.created_at),
    ],
    "contacts": [
        ("email", contacts.c.email),
        ("external_id", contacts.c.external_id),
        ("first_name", contacts.c.first_name),
        ("last_name", contacts.c.last_name),
        ("title", contacts.c.title),
        ("seniority", contacts.c.seniority),
        ("department", contacts.c.department),
        ("decision_role", contacts.c.decision_role),
        ("phone", contacts.c.phone),
        ("linkedin_url", contacts.c.linkedin_url),
        ("country", contacts.c.country),
        ("owner_email", _owner.c.email),
        ("account_external_id", _account.c.external_id),
        ("account_domain", _account.c.domain),
        ("account_name", _account.c.name),
        ("created_at", contacts.c.created_at),
    ],
    "events": [
        ("idempotency_key", events.c.idempotency_key),
        ("type", events.c.type),
        ("occurred_at", events.c.occurred_at),
        ("email", _contact.c.email),
        ("visitor_id", events.c.visitor_id),
        ("account_domain", _account.c.domain),
        ("channel", events.c.channel),
        ("traffic", events.c.traffic),
        ("properties", events.c.properties),
    ],
    "opportunities": [
        ("external_id", opportunities.c.external_id),
        ("name", opportunities.c.name),
        ("account_external_id", _account.c.external_id),
        ("account_domain", _account.c.domain),
        ("account_name", _account.c.name),
        ("contact_email", _contact.c.email),
        ("amount", opportunities.c.amount),
        ("currency", opportunities.c.currency),
        ("stage", opportunities.c.stage),
        ("status", opportunities.c.status),
        ("lost_reason", opportunities.c.lost_reason),
        ("owner_email", _owner.c.email),
        ("created_at", opportunities.c.created_at),
        ("closed_at", opportunities.c.closed_at),
    ],
}
_TABLES = {
    "accounts": accounts,
    "contacts": contacts,
    "events": events,
    "opportunities": opportunities,
}
_PROPERTY_OBJECT = {"accounts": "account", "contacts": "contact"}


def _query(object_type: str) -> Select[Any]:
    """All columns of the layout plus the id (first) and the custom document (last)."""
    table = _TABLES[object_type]
    expressions = [expression.label(name) for name, expression in _COLUMNS[object_type]]
    custom = [table.c.custom] if object_type in _PROPERTY_OBJECT else []
    query = select(table.c.id, *expressions, *custom)
    joins: FromClause = table
    if object_type in ("accounts", "contacts", "opportunities"):
        joins = joins.outerjoin(_owner, _owner.c.id == table.c.owner_id)
    if object_type in ("contacts", "events", "opportunities"):
        joins = joins.outerjoin(_account, _account.c.id == table.c.account_id)
    if object_type in ("events", "opportunities"):
        joins = joins.outerjoin(_contact, _contact.c.id == table.c.contact_id)
    return query.select_from(joins).order_by(table.c.id).limit(PAGE_SIZE)


def _cell(value: Any) -> str:
    """A stored value as the importer reads it back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def _pages(engine: Engine, object_type: str) -> Iterator[Sequence[Row[Any]]]:
    """The rows of the table in id order, one page at a time."""
    table = _TABLES[object_type]
    query = _query(object_type)
    last = 0
    while True:
        with engine.connect() as connection:
            page = connection.execute(query.where(table.c.id > last)).all()
        if not page:
            return
        yield page
        last = page[-1].id


def export_csv(
    engine: Engine,
    object_type: ObjectType,
    destination: Path,
    *,
    progress: Progress | None = None,
) -> int:
    """Write every ``object_type`` record to ``destination``; returns the rows written.

    ``progress(rows_done, rows_total)`` is called after every page.  The file
    appears under its name only when complete.
    """
    if object_type not in OBJECT_TYPES:
        raise ValueError(f"cannot export {object_type!r}: choose one of {', '.join(OBJECT_TYPES)}")
    destination = Path(destination)
    table = _TABLES[object_type]
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(table)).scalar_one()
        properties = []
        if object_type in _PROPERTY_OBJECT:
            definitions = property_store.definitions_for(connection, _PROPERTY_OBJECT[object_type])
            properties = sorted(definitions)
    names = [name for name, _expression in _COLUMNS[object_type]]
    partial = destination.with_name(f".{destination.name}.partial")
    destination.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            writer = SpreadsheetWriter(handle)
            writer.writerow([*names, *(f"custom.{name}" for name in properties)])
            for page in _pages(engine, object_type):
                for row in page:
                    cells = [_cell(value) for value in row[1 : 1 + len(names)]]
                    if properties:
                        custom = row.custom or {}
                        cells.extend(_cell(custom.get(name)) for name in properties)
                    writer.writerow(cells)
                written += len(page)
                if progress is not None:
                    progress(written, max(total, written))
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return written


__all__ = ["export_csv"]
