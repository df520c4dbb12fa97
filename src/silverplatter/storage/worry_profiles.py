"""Statements of worry profiles: kept values, the account roll-up and the full recompute.

The full recompute is set-based, in three statements over the event log:

1. ``sp_worry_reads``: every reading event of a contact once per (kind, key)
   it offers (``domain/worry_profile.READS``): one scan of the events joined
   to a small table of (event type, kind, property);
2. the distinct (kind, key) pairs are matched against the tags *in Python*
   by the same rules the incremental path uses (``TagBook``) — there are
   few of them (pages, magnets, forms, campaigns) however many events there
   are — and written to ``sp_worry_keys`` (kind, key, worry, weight);
3. one ``INSERT … SELECT`` joins the two, keeps the largest weight per event
   and worry, and sums ``weight · 2^((t − last) / h)`` per contact and worry,
   ``last`` being the contact's latest such event (a window), which is also
   the moment the value is valid at.

Accounts are rolled up from their contacts' values with one statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    Row,
    String,
    and_,
    case,
    column,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    select,
    table,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.domain.engagement import DAY
from silverplatter.domain.worry_profile import READS
from silverplatter.storage.recompute_sql import create_temp_as
from silverplatter.storage.schema import contacts, events
from silverplatter.storage.scoring_sql import epoch_seconds, power2
from silverplatter.storage.understanding_schema import account_worries, contact_worries, worries

cw, aw = contact_worries.c, account_worries.c
READS_TABLE = "sp_worry_reads"
KEYS_TABLE = "sp_worry_keys"


# ---------------------------------------------------------------- kept values


def contact_rows(connection: Connection, contact_ids: Iterable[int]) -> list[Row[Any]]:
    """(contact_id, worry_id, value, at) of these contacts; ``at`` is epoch seconds."""
    wanted = sorted(set(contact_ids))
    if not wanted:
        return []
    at = epoch_seconds(cw.valid_at, connection.dialect.name).label("at")
    statement = select(cw.contact_id, cw.worry_id, cw.value, at).where(cw.contact_id.in_(wanted))
    return list(connection.execute(statement))


def save_contact_values(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert or replace (contact_id, worry_id, value, valid_at) rows."""
    if not rows:
        return
    dialect = connection.dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = make(contact_worries)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["contact_id", "worry_id"],
            set_={"value": statement.excluded.value, "valid_at": statement.excluded.valid_at},
        ),
        list(rows),
    )


def account_of(connection: Connection, contact_ids: Iterable[int]) -> dict[int, int]:
    """contact id → its account's id, for those with an account."""
    wanted = sorted(set(contact_ids))
    if not wanted:
        return {}
    statement = select(contacts.c.id, contacts.c.account_id).where(
        contacts.c.id.in_(wanted), contacts.c.account_id.is_not(None)
    )
    return {int(cid): int(aid) for cid, aid in connection.execute(statement)}


def account_rows(
    connection: Connection, account_ids: Iterable[int], worry_ids: Iterable[int]
) -> list[Row[Any]]:
    """(account_id, worry_id, value, at) of these accounts and worries; ``at`` in epoch seconds."""
    wanted = sorted(set(account_ids))
    if not wanted:
        return []
    at = epoch_seconds(aw.valid_at, connection.dialect.name).label("at")
    statement = select(aw.account_id, aw.worry_id, aw.value, at).where(
        aw.account_id.in_(wanted), aw.worry_id.in_(sorted(set(worry_ids)))
    )
    return list(connection.execute(statement))


def save_account_values(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert or replace (account_id, worry_id, value, valid_at) rows."""
    if not rows:
        return
    make = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = make(account_worries)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["account_id", "worry_id"],
            set_={"value": statement.excluded.value, "valid_at": statement.excluded.valid_at},
        ),
        list(rows),
    )


def accounts_of(connection: Connection, contact_ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(contact_ids))
    if not wanted:
        return set()
    statement = select(contacts.c.account_id).where(
        contacts.c.id.in_(wanted), contacts.c.account_id.is_not(None)
    )
    return {int(found) for found in connection.execute(statement).scalars()}


def roll_up_accounts(
    connection: Connection,
    half_life_seconds: float,
    *,
    account_ids: Iterable[int] | None = None,
    worry_ids: Iterable[int] | None = None,
) -> None:
    """Rebuild the account values (of some accounts, or some worries, or all) from contacts'."""
    dialect = connection.dialect.name
    c = contacts.c
    wanted_accounts = None if account_ids is None else sorted(set(account_ids))
    wanted_worries = None if worry_ids is None else sorted(set(worry_ids))
    if wanted_accounts == [] or wanted_worries == []:
        return
    cleared = delete(account_worries)
    if wanted_accounts is not None:
        cleared = cleared.where(aw.account_id.in_(wanted_accounts))
    if wanted_worries is not None:
        cleared = cleared.where(aw.worry_id.in_(wanted_worries))
    connection.execute(cleared)
    t = epoch_seconds(cw.valid_at, dialect)
    inner = (
        select(
            c.account_id.label("aid"),
            cw.worry_id.label("wid"),
            cw.value.label("value"),
            t.label("t"),
            cw.valid_at.label("read_at"),
            func.max(t).over(partition_by=(c.account_id, cw.worry_id)).label("last"),
        )
        .join(contacts, c.id == cw.contact_id)
        .where(c.account_id.is_not(None))
    )
    if wanted_accounts is not None:
        inner = inner.where(c.account_id.in_(wanted_accounts))
    if wanted_worries is not None:
        inner = inner.where(cw.worry_id.in_(wanted_worries))
    held = inner.subquery("held")
    faded = held.c.value * power2((held.c.t - held.c.last) / literal(half_life_seconds, Float))
    summed = select(held.c.aid, held.c.wid, func.sum(faded), func.max(held.c.read_at)).group_by(
        held.c.aid, held.c.wid
    )
    connection.execute(
        insert(account_worries).from_select(["account_id", "worry_id", "value", "valid_at"], summed)
    )


# ---------------------------------------------------------------- reading


def profile_rows(
    connection: Connection, *, contact_ids: Iterable[int] = (), account_id: int | None = None
) -> list[Row[Any]]:
    """Kept values with their worry (slug, name, talking point) for contacts or one account."""
    if account_id is not None:
        statement = select(
            aw.account_id.label("subject_id"), aw.worry_id, aw.value, aw.valid_at
        ).where(aw.account_id == account_id)
    else:
        wanted = sorted(set(contact_ids))
        if not wanted:
            return []
        statement = select(
            cw.contact_id.label("subject_id"), cw.worry_id, cw.value, cw.valid_at
        ).where(cw.contact_id.in_(wanted))
    kept = statement.subquery("kept")
    w = worries.c
    joined = select(
        kept.c.subject_id,
        kept.c.worry_id,
        kept.c.value,
        kept.c.valid_at,
        w.slug,
        w.name,
        w.talking_point,
    ).join(worries, w.id == kept.c.worry_id)
    return list(connection.execute(joined))


def worry_figures(connection: Connection) -> dict[int, tuple[int, int]]:
    """worry id → (contacts, accounts) holding a value of it (any size)."""
    people = {
        int(wid): int(n)
        for wid, n in connection.execute(select(cw.worry_id, func.count()).group_by(cw.worry_id))
    }
    firms = {
        int(wid): int(n)
        for wid, n in connection.execute(select(aw.worry_id, func.count()).group_by(aw.worry_id))
    }
    return {
        int(wid): (int(people.get(wid, 0)), int(firms.get(wid, 0)))
        for wid in set(people) | set(firms)
    }


# ---------------------------------------------------------------- segment rules


def worry_condition(
    owner: str,
    slug: str,
    op: str,
    value: Any,
    dialect: str,
    now: datetime,
    half_life_days: float,
) -> ColumnElement[bool]:
    """``contact.worry.<slug>`` (or ``account.``) compared with a number, on ``contacts``.

    The kept value is faded to ``now``; a subject without a value of the worry
    counts as 0, so "at most" and "less than" take it and "at least 0" takes everyone.
    """
    if op == "between":
        low, high = value
        return and_(
            worry_condition(owner, slug, "gte", low, dialect, now, half_life_days),
            worry_condition(owner, slug, "lte", high, dialect, now, half_life_days),
        )
    if op in ("lte", "lt"):
        flipped = "gt" if op == "lte" else "gte"
        return not_(worry_condition(owner, slug, flipped, value, dialect, now, half_life_days))
    threshold = float(value)
    if (op == "gte" and threshold <= 0) or (op == "gt" and threshold < 0):
        return true()
    kept = contact_worries if owner == "contact" else account_worries
    subject = (
        kept.c.contact_id == contacts.c.id
        if owner == "contact"
        else (kept.c.account_id == contacts.c.account_id)
    )
    worry_id = select(worries.c.id).where(worries.c.slug == slug).scalar_subquery()
    age = literal(now.timestamp(), Float) - epoch_seconds(kept.c.valid_at, dialect)
    faded = kept.c.value * power2(-age / literal(half_life_days * DAY, Float))
    held = faded >= threshold if op == "gte" else faded > threshold
    return exists().where(subject, kept.c.worry_id == worry_id, held)


# ---------------------------------------------------------------- the full recompute


def read_columns(kinds: Iterable[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, property, event types) for each key column the reads table holds."""
    wanted = set(kinds)
    return [
        (kind, name, types)
        for kind, (types, names) in READS.items()
        if kind in wanted
        for name in names
    ]


def _json_text(document: Any, key: str, dialect: str) -> Any:
    """The JSON string at ``key``, else NULL (as ``scoring_sql.json_text``)."""
    if dialect == "postgresql":
        node = document.op("->")(literal(key, String))
        text_value = type_coerce(document.op("->>")(literal(key, String)), String)
        return case((func.jsonb_typeof(node) == "string", text_value))
    path = f'$."{key}"'
    text_value = type_coerce(func.json_extract(document, path), String)
    return case((func.json_type(document, path) == "text", text_value))


def build_reads(
    connection: Connection, columns: Sequence[tuple[str, str, tuple[str, ...]]]
) -> None:
    """``sp_worry_reads``: each reading event of a contact once, with one key per column.

    A key column is the event's text property for the types that kind looks
    at, NULL for other types: one scan of the events, each property read
    only from the events that can carry it.
    """
    dialect = connection.dialect.name
    e = events.c
    types = sorted({event_type for _kind, _name, kinds in columns for event_type in kinds})
    keys = [
        case(
            (e.type.in_(list(kinds)), _json_text(e.properties, name, dialect)),
        ).label(f"k{index}")
        for index, (_kind, name, kinds) in enumerate(columns)
    ]
    statement = select(
        e.id.label("eid"), e.contact_id.label("cid"), e.occurred_at.label("read_at"), *keys
    ).where(e.contact_id.is_not(None), e.type.in_(types))
    create_temp_as(connection, READS_TABLE, statement)


def _reads(count: int) -> Any:
    return table(
        READS_TABLE,
        column("eid", Integer),
        column("cid", Integer),
        column("read_at", String),
        *(column(f"k{index}", String) for index in range(count)),
    )


def distinct_keys(
    connection: Connection, columns: Sequence[tuple[str, str, tuple[str, ...]]]
) -> list[tuple[str, str]]:
    """Every (kind, key) the reads offer, once."""
    reads = _reads(len(columns))
    found: set[tuple[str, str]] = set()
    for index, (kind, _name, _types) in enumerate(columns):
        key = reads.c[f"k{index}"]
        statement = select(key).where(key.is_not(None), key != "").distinct()
        found.update((kind, str(value)) for value in connection.execute(statement).scalars())
    return sorted(found)


def _keys() -> Any:
    return table(
        KEYS_TABLE,
        column("kind", String),
        column("read_key", String),
        column("worry_id", Integer),
        column("weight", Float),
    )


def write_keys(connection: Connection, matched: Sequence[tuple[str, str, int, float]]) -> None:
    """``sp_worry_keys``: which worry, with what weight, each matched (kind, key) answers."""
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {KEYS_TABLE}")
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {KEYS_TABLE} (kind TEXT NOT NULL, read_key TEXT NOT NULL,"
        " worry_id INTEGER NOT NULL, weight DOUBLE PRECISION NOT NULL)"
    )
    connection.exec_driver_sql(f"CREATE INDEX ix_{KEYS_TABLE} ON {KEYS_TABLE} (kind, read_key)")
    if matched:
        connection.execute(
            insert(_keys()),
            [
                {"kind": kind, "read_key": key, "worry_id": wid, "weight": weight}
                for kind, key, wid, weight in matched
            ],
        )
    # Statistics tell the planner the table is small, so each read looks its key up
    # here rather than every key scanning the reads (SQLite picks that without them).
    where = "temp." if connection.dialect.name == "sqlite" else ""
    connection.exec_driver_sql(f"ANALYZE {where}{KEYS_TABLE}")


def write_contact_values(
    connection: Connection,
    columns: Sequence[tuple[str, str, tuple[str, ...]]],
    half_life_seconds: float,
) -> None:
    """Insert every contact's values from the two temporary tables."""
    dialect = connection.dialect.name
    reads, keys = _reads(len(columns)), _keys()
    matched = union_all(
        *(
            select(
                reads.c.eid,
                reads.c.cid,
                reads.c.read_at,
                keys.c.worry_id.label("wid"),
                keys.c.weight.label("w"),
            ).join(
                keys,
                and_(keys.c.kind == kind, keys.c.read_key == reads.c[f"k{index}"]),
            )
            for index, (kind, _name, _types) in enumerate(columns)
        )
    ).subquery("matched")
    hits = (
        select(
            matched.c.cid,
            matched.c.wid,
            func.max(matched.c.w).label("w"),
            matched.c.read_at,
        ).group_by(matched.c.eid, matched.c.cid, matched.c.wid, matched.c.read_at)
    ).subquery("hits")
    t = epoch_seconds(type_coerce(hits.c.read_at, events.c.occurred_at.type), dialect)
    timed = select(hits.c.cid, hits.c.wid, hits.c.w, hits.c.read_at, t.label("t")).subquery("timed")
    latest = select(
        timed.c.cid,
        timed.c.wid,
        timed.c.w,
        timed.c.t,
        timed.c.read_at,
        func.max(timed.c.t).over(partition_by=(timed.c.cid, timed.c.wid)).label("last"),
    ).subquery("latest")
    faded = latest.c.w * power2((latest.c.t - latest.c.last) / literal(half_life_seconds, Float))
    summed = select(
        latest.c.cid, latest.c.wid, func.sum(faded), func.max(latest.c.read_at)
    ).group_by(latest.c.cid, latest.c.wid)
    connection.execute(
        insert(contact_worries).from_select(["contact_id", "worry_id", "value", "valid_at"], summed)
    )


def count_contact_values(connection: Connection, worry_ids: Iterable[int] | None) -> int:
    statement = select(func.count()).select_from(contact_worries)
    if worry_ids is not None:
        statement = statement.where(cw.worry_id.in_(sorted(set(worry_ids))))
    return int(connection.execute(statement).scalar_one())


def clear_contact_values(connection: Connection, worry_ids: Iterable[int] | None) -> None:
    statement = delete(contact_worries)
    if worry_ids is not None:
        statement = statement.where(cw.worry_id.in_(sorted(set(worry_ids))))
    connection.execute(statement)


def drop_temporary(connection: Connection) -> None:
    for name in (READS_TABLE, KEYS_TABLE):
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


__all__ = [
    "account_of",
    "account_rows",
    "accounts_of",
    "build_reads",
    "clear_contact_values",
    "contact_rows",
    "count_contact_values",
    "distinct_keys",
    "drop_temporary",
    "profile_rows",
    "read_columns",
    "roll_up_accounts",
    "save_account_values",
    "save_contact_values",
    "worry_condition",
    "worry_figures",
    "write_contact_values",
    "write_keys",
]
