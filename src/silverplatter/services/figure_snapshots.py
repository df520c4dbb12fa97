"""Figures that read the whole list, served from a snapshot on a big workspace.

The dashboard's figures and the list KPIs count every contact, consent
record and page view of a year: well under a second at 10,000 contacts, tens
of seconds at a million (docs/benchmarks.md, "List KPIs").  Up to
``LIVE_UP_TO`` contacts they are counted live on every request; above it a
page shows the latest **snapshot** with the moment it describes, and when
that is older than ``MAX_AGE`` the page asks for a fresh one, counted in the
background (``web/figure_refresh.py``) or by ``silverplatter figures
refresh``.  Until a workspace's first snapshot is counted the page says so.

Snapshots are stored as JSON (``figure_snapshots``) and read back into the
same figures the live count gives, so pages and the API render either alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Generic, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from silverplatter.domain.dashboard import DashboardFigures
from silverplatter.domain.list_kpis import ListKpis, ListSummary
from silverplatter.services.dashboard import dashboard_figures
from silverplatter.services.list_kpis import MAX_MONTHS, list_kpis, list_summary
from silverplatter.storage import figure_snapshots as store

#: Up to this many contacts (by the highest contact id) figures are counted live.
LIVE_UP_TO: Final = 100_000
#: A snapshot older than this is shown, and a fresh one is asked for.
MAX_AGE: Final = timedelta(minutes=10)
#: The dashboard's series cover this many months.
DASHBOARD_MONTHS: Final = 12

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Kind(Generic[T]):
    """A kind of figures: its snapshot's name, its shape and how to count it."""

    name: str
    shape: type[T]
    count: Callable[[Connection, datetime], T]


@dataclass(frozen=True, slots=True)
class Served(Generic[T]):
    """Figures as a page shows them.

    ``figures`` is None while a big workspace's first snapshot is being counted;
    ``live`` says they were counted for this request; ``stale`` that a fresh
    snapshot is due (the page asks for one).
    """

    figures: T | None
    as_of: datetime | None
    live: bool
    stale: bool
    seconds: float | None = None


DASHBOARD: Final = Kind(
    "dashboard",
    DashboardFigures,
    lambda connection, now: dashboard_figures(connection, now=now, months=DASHBOARD_MONTHS),
)
LIST_SUMMARY: Final = Kind(
    "list_summary", ListSummary, lambda connection, now: list_summary(connection, now=now)
)


def list_kpis_kind(months: int) -> Kind[ListKpis]:
    """The ``/lists`` page's figures over ``months`` months."""
    if isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months: expected 1 to {MAX_MONTHS}, got {months}")
    return Kind(
        f"list_kpis:{months}",
        ListKpis,
        lambda connection, now: list_kpis(connection, now=now, months=months),
    )


def kind_named(name: str) -> Kind[Any]:
    """The kind whose snapshot is called ``name``; :class:`LookupError` when none."""
    if name == DASHBOARD.name:
        return DASHBOARD
    if name == LIST_SUMMARY.name:
        return LIST_SUMMARY
    prefix, _, months = name.partition(":")
    if prefix == "list_kpis" and months.isdigit():
        try:
            return list_kpis_kind(int(months))
        except ValueError:
            pass
    raise LookupError(f"no figures called {name!r}")


#: What ``silverplatter figures refresh`` and the web app count by default.
DEFAULT_KINDS: Final[tuple[Kind[Any], ...]] = (DASHBOARD, LIST_SUMMARY, list_kpis_kind(12))


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(shape: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(shape)
    if adapter is None:
        adapter = _ADAPTERS[shape] = TypeAdapter(shape)
    return adapter


def counted_live(connection: Connection, *, live_up_to: int = LIVE_UP_TO) -> bool:
    """Whether this workspace is small enough to count its figures on every request."""
    return store.contacts_high_water(connection) <= live_up_to


def serve(
    connection: Connection,
    kind: Kind[T],
    *,
    now: datetime,
    live_up_to: int = LIVE_UP_TO,
    max_age: timedelta = MAX_AGE,
) -> Served[T]:
    """``kind``'s figures as of ``now`` on a small workspace, else its latest snapshot."""
    if counted_live(connection, live_up_to=live_up_to):
        return Served(kind.count(connection, now), now, live=True, stale=False)
    row = store.snapshot(connection, kind.name)
    if row is None:
        return Served(None, None, live=False, stale=True)
    figures: T = _adapter(kind.shape).validate_python(row.figures)
    return Served(
        figures, row.as_of, live=False, stale=now - row.as_of > max_age, seconds=row.seconds
    )


def refresh(engine: Engine, kind: Kind[Any], *, now: datetime) -> float:
    """Count ``kind``'s figures as of ``now`` and store them; the seconds counting took.

    Counting reads in one connection and the snapshot is written in a short
    transaction of its own, so a long count holds no write lock.
    """
    started = time.perf_counter()
    with engine.connect() as connection:
        figures = kind.count(connection, now)
    seconds = time.perf_counter() - started
    document = _adapter(kind.shape).dump_python(figures, mode="json")
    try:
        with engine.begin() as connection:
            store.save_snapshot(connection, kind.name, as_of=now, seconds=seconds, figures=document)
    except IntegrityError:
        # Another process stored this kind's first snapshot meanwhile: theirs stands.
        pass
    return seconds


__all__ = [
    "DASHBOARD",
    "DEFAULT_KINDS",
    "LIST_SUMMARY",
    "LIVE_UP_TO",
    "MAX_AGE",
    "Kind",
    "Served",
    "counted_live",
    "kind_named",
    "list_kpis_kind",
    "refresh",
    "serve",
]
