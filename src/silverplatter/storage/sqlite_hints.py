"""SQLite's ``INDEXED BY`` and ``NOT INDEXED``: how a statement reads a table.

SQLAlchemy's SQLite compiler drops table hints (``Select.with_hint``), which
the dialects of other databases render.  Importing this module lets it
render them as given, after the table's name — SQLite's own syntax,
``FROM contacts INDEXED BY ix_contacts_email_name``.  Other databases never
see a hint given for ``"sqlite"``.

Used only where SQLite's planner, with the sampled statistics the server
keeps (``storage/engine.py: refresh_statistics``), picks an index that makes
it read every matching row, and another index holds all the statement needs;
or, for a pass over most of a table, where its index leads to the rows in an
order that jumps about the table file, when reading the file in order costs
less.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, Table
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler

Statement = TypeVar("Statement", bound=Select[Any])


def _table_hint(_compiler: SQLiteCompiler, _table: Any, text: str | None) -> str | None:
    return text


setattr(SQLiteCompiler, "get_from_hint_text", _table_hint)  # noqa: B010


def indexed_by(statement: Statement, table: Table, index: str) -> Statement:
    """``statement`` reading ``table`` through ``index`` on SQLite; unchanged elsewhere."""
    hinted: Statement = statement.with_hint(table, f"INDEXED BY {index}", "sqlite")
    return hinted


def not_indexed(statement: Statement, table: Table) -> Statement:
    """``statement`` reading ``table`` from start to end on SQLite; unchanged elsewhere."""
    hinted: Statement = statement.with_hint(table, "NOT INDEXED", "sqlite")
    return hinted


__all__ = ["indexed_by", "not_indexed"]
