"""``generate_demo``: fill an empty workspace with a deterministic demo world."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, Engine, func, select

from silverplatter.services.buying_windows import refresh_buying_windows
from silverplatter.services.demo.pipeline import batches_from_helper, batches_here, use_helper
from silverplatter.services.demo.writer import DemoWriter, read_next_ids
from silverplatter.services.recompute import recompute
from silverplatter.storage import first_touches, lifecycle_schema, planning_schema, schema
from silverplatter.storage.people_lists import tie_entries_to_contacts
from silverplatter.storage.repair import restore_declared_indexes

Progress = Callable[[str, int, int], None]
_COUNTED: Final = (
    "users",
    "accounts",
    "contacts",
    "events",
    "opportunities",
    "meetings",
    "consent_records",
)


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` created, and how long it took."""

    users: int
    accounts: int
    contacts: int
    events: int
    opportunities: int
    meetings: int
    consent_records: int
    seconds: float


def generate_demo(
    engine: Engine,
    *,
    contacts: int,
    seed: int,
    now: datetime,
    progress: Progress | None = None,
) -> DemoSummary:
    """Generate a demo world of ``contacts`` people into an empty workspace.

    The same ``seed`` and ``now`` always give the same database contents.  All
    behaviour lies in the 24 months before ``now`` (a timezone-aware instant; its
    fraction of a second is dropped); customers' purchases from before then are
    in the history as won deals.  ``progress(stage, done, total)`` is called
    after each batch (stage ``"contacts"``) and around the rebuild of the event
    indexes at the end (stage ``"indexes"``, 0 of 1 then 1 of 1).

    Raises ``ValueError`` for a bad argument or a workspace that already holds
    contacts or accounts.  Batches are committed as they are written; a
    generation that was interrupted (its start is marked in the workspace
    row, its completion is not) is cleared and done again by the next call.
    """
    if isinstance(contacts, bool) or not isinstance(contacts, int) or contacts < 1:
        raise ValueError(f"contacts must be a whole number of at least 1, got {contacts!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got the naive datetime {now!r}")
    report = progress or _silent
    started = time.perf_counter()
    with engine.connect() as connection:
        _clear_interrupted(connection)
        world = _world(connection, contacts, seed, math.floor(now.astimezone(UTC).timestamp()))
        _mark_started(connection, now)
        writer = DemoWriter(connection)
        counts = dict.fromkeys(_COUNTED, 0)
        report("contacts", 0, contacts)
        backend = connection.dialect.name
        source = batches_from_helper if use_helper(contacts) else batches_here
        batches = source(world, backend)
        writer.begin_load()
        try:
            for tables in batches:
                writer.write(tables)
                for name, rows in tables:
                    if name in counts:
                        counts[name] += len(rows)
                report("contacts", counts["contacts"], contacts)
            writer.commit()
        finally:
            batches.close()
            report("indexes", 0, 1)
            writer.end_load()
            report("indexes", 1, 1)
        report("scores", 0, 1)
        with connection.begin():
            recompute(connection, now=now)
            # Each contact's first touch, from the events written in bulk above.
            first_touches.refresh(connection)
            # The lists' entries tied to contacts as an import ties them.
            for list_id in connection.execute(select(planning_schema.people_lists.c.id)).scalars():
                tie_entries_to_contacts(connection, list_id)
            # Each account's buying window, from its contracts and installed base (§6).
            refresh_buying_windows(connection, today=now.date(), now=now)
        report("scores", 1, 1)
        with connection.begin():
            connection.execute(
                schema.workspace.update()
                .where(schema.workspace.c.id == 1)
                .values(demo_completed_at=now)
            )
    return DemoSummary(**counts, seconds=round(time.perf_counter() - started, 3))


#: Record tables a demo fills, children first: what an interrupted demo leaves behind.
#: Channel costs stay: a new run leaves the months already recorded alone.
_RECORDS: Final = (
    lifecycle_schema.stage_transitions,
    planning_schema.employment_history,
    planning_schema.people_list_entries,
    planning_schema.people_lists,
    schema.events,
    schema.consent_records,
    schema.meeting_attendees,
    schema.meetings,
    schema.opportunities,
    schema.supplier_contracts,
    schema.installed_solutions,
    schema.contacts,
    schema.accounts,
)


def _clear_interrupted(connection: Connection) -> None:
    """Put back indexes a killed load dropped; clear what an interrupted demo left."""
    workspace = schema.workspace
    with connection.begin():
        restore_declared_indexes(connection)
        marker = connection.execute(
            select(workspace.c.demo_started_at, workspace.c.demo_completed_at).where(
                workspace.c.id == 1
            )
        ).first()
        if marker is not None and marker.demo_started_at and marker.demo_completed_at is None:
            for table in _RECORDS:
                connection.execute(table.delete())


def _mark_started(connection: Connection, now: datetime) -> None:
    workspace = schema.workspace
    with connection.begin():
        marked = connection.execute(
            workspace.update()
            .where(workspace.c.id == 1)
            .values(demo_started_at=now, demo_completed_at=None)
        )
        if marked.rowcount == 0:
            connection.execute(
                workspace.insert().values(
                    id=1, name="Silverplatter demo", created_at=now, demo_started_at=now
                )
            )


def _world(connection: Connection, contacts: int, seed: int, now: int) -> dict[str, Any]:
    """The arguments of the world to generate, after checking the workspace is empty."""
    for table in (schema.contacts, schema.accounts):
        present = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if present:
            raise ValueError(
                f"the workspace already holds {present} {table.name}; the demo world "
                "needs a workspace without contacts or accounts"
            )
    users = schema.users
    properties = schema.property_definitions
    costs = planning_schema.channel_costs
    world = {
        "seed": seed,
        "now": now,
        "contacts": contacts,
        "next_ids": read_next_ids(connection),
        "existing_users": {
            email_key: user_id
            for email_key, user_id in connection.execute(select(users.c.email_key, users.c.id))
        },
        "existing_properties": frozenset(
            (object_type, name)
            for object_type, name in connection.execute(
                select(properties.c.object_type, properties.c.name)
            )
        ),
        "existing_costs": frozenset(
            (channel, month)
            for channel, month in connection.execute(select(costs.c.channel, costs.c.month))
        ),
    }
    connection.rollback()
    return world


def _silent(stage: str, done: int, total: int) -> None:
    del stage, done, total
