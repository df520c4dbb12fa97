"""Finding rows of one import file that describe a record an earlier row already did.

The keys of accepted rows go into a scratch table on the import's own
connection (``TEMPORARY``, so it vanishes with the connection and never
shows in the workspace schema), looked up once per batch.  Memory therefore
stays flat however many rows the file has, and each batch costs one select
and one insert more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text

from silverplatter.domain.records import AccountFields, ContactFields, OpportunityFields
from silverplatter.storage.rows import IN_CHUNK


class RecordKey(NamedTuple):
    """One identifying value of a record: what it is, the lookup key, and as written."""

    what: str
    key: str
    written: str


def record_keys(item: Any) -> list[RecordKey]:
    """The values that identify ``item``: two rows sharing one describe the same record."""
    if isinstance(item, ContactFields):
        keys = [RecordKey("email", f"e:{item.email_key}", item.email)]
        if item.external_id:
            keys.append(RecordKey("external id", f"x:{item.external_id}", item.external_id))
        return keys
    if isinstance(item, AccountFields):
        keys = []
        if item.external_id:
            keys.append(RecordKey("external id", f"x:{item.external_id}", item.external_id))
        if item.domain:
            keys.append(RecordKey("domain", f"d:{item.domain}", item.domain))
        if not keys and item.name:
            keys.append(RecordKey("name", f"n:{item.name}", item.name))
        return keys
    if isinstance(item, OpportunityFields):
        if item.external_id:
            return [RecordKey("external id", f"x:{item.external_id}", item.external_id)]
        account = item.account_external_id or item.account_domain or item.account_name
        return [RecordKey("account and deal name", f"p:{account}\x1f{item.name}", item.name)]
    return []


def duplicate_reason(key: RecordKey, first_row: int, first_written: str) -> str:
    if key.what == "email" and first_written != key.written:
        return f"duplicate of row {first_row} (same email, different case)"
    return f"duplicate of row {first_row} (same {key.what})"


class SeenKeys:
    """The keys of rows accepted so far in one import run."""

    def __init__(self, connection: Connection, run_id: int) -> None:
        self._connection = connection
        self.table = Table(
            f"import_seen_{run_id}",
            MetaData(),
            Column("key", Text, primary_key=True),
            Column("row_number", Integer, nullable=False),
            Column("written", Text, nullable=False),
            prefixes=["TEMPORARY"],
        )
        with connection.begin():
            self.table.create(connection)
        # Statements on this table go straight to the driver: they run for every
        # row of the file and need no type processing.  PostgreSQL gets whole
        # arrays in one parameter; SQLite, in-process, takes plain executemany.
        # The table name is built from the integer run id; values are bound.
        self._postgres = connection.dialect.name == "postgresql"
        name = self.table.name
        if self._postgres:
            self._select = f"SELECT key, row_number, written FROM {name} WHERE key = ANY(%s)"  # noqa: S608
            self._insert = (
                f"INSERT INTO {name} (key, row_number, written) "  # noqa: S608
                "SELECT * FROM unnest(%s::text[], %s::int[], %s::text[])"
            )
        else:
            self._select = f"SELECT key, row_number, written FROM {name} WHERE key IN "  # noqa: S608
            self._insert = f"INSERT INTO {name} (key, row_number, written) VALUES (?, ?, ?)"  # noqa: S608

    def lookup(self, keys: Sequence[str]) -> dict[str, tuple[int, str]]:
        """``key → (row_number, written)`` for the keys seen in earlier batches."""
        wanted = list(set(keys))
        if not wanted:
            return {}
        execute = self._connection.exec_driver_sql
        if self._postgres:
            found_rows = list(execute(self._select, (wanted,)))
        else:
            found_rows = []
            for start in range(0, len(wanted), IN_CHUNK):
                chunk = tuple(wanted[start : start + IN_CHUNK])
                markers = ", ".join("?" * len(chunk))
                found_rows.extend(execute(f"{self._select}({markers})", chunk))
        return {key: (row_number, written) for key, row_number, written in found_rows}

    def remember(self, rows: Sequence[tuple[str, int, str]]) -> None:
        """Add ``(key, row_number, written)`` rows, inside the batch's transaction."""
        if not rows:
            return
        if self._postgres:
            keys, numbers, written = (list(column) for column in zip(*rows, strict=True))
            self._connection.exec_driver_sql(self._insert, (keys, numbers, written))
        else:
            self._connection.exec_driver_sql(self._insert, list(rows))

    def drop(self) -> None:
        with self._connection.begin():
            self.table.drop(self._connection)
