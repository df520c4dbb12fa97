"""Behaviour before the cut-off: event counts per type and window, first and last event.

One grouped statement per (contact, event type) — four counts, the first and
the last time — read on its own (``read_behaviour``, which a full gather runs
beside its other statements) and a pivot in numpy into one column per type
and window (``behaviour_columns``).
Grouping by type first keeps the per-event work to four comparisons; a
column per type and window in SQL (conditional aggregation grouped by
contact alone) evaluates a hundred per event: measured on the 100k demo
world's SQLite, 3.3 s of CPU against 1.8 s.  The event type comes back as
its position in a list of types, so the rows are all numbers and become one
numpy array (``storage/bulk_columns.py``: on PostgreSQL one array per column
read in the binary format, without a Python object per value).  When
training chooses the types, the list is every type contacts' events have,
walked from the type index.

Also the engagement score: *now* from the engine's stored state, for scoring;
as of the cut-off from the events, for training (``read_engagement``, the
same rule matching, caps and half-lives as ``services/recompute.py``, read
on its own like the grouped events).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Connection,
    Float,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
)

from silverplatter.domain.engagement import DAY
from silverplatter.domain.predictive_features import WINDOWS, Matrix
from silverplatter.services.scoring_models import ModelVersion
from silverplatter.storage.bulk_columns import Rows, number_matrix
from silverplatter.storage.engagement import half_life_key
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.recompute_sql import hits_select
from silverplatter.storage.schema import events
from silverplatter.storage.scoring_sql import Expr, clamp, epoch_seconds, power2


@contextmanager
def without_jit(connection: Connection) -> Iterator[None]:
    """No JIT compilation on PostgreSQL while gathering; the setting is restored after.

    The training statement (a hundred CASE expressions, the rule matching) is
    costed high enough to be JIT-compiled with inlining and optimisation:
    5.3 s of its 9.4 s at 100,000 contacts went to compiling.  Restored rather
    than left off for the transaction: rescoring runs inside the scoring
    backlog's transaction.  (After a failure the transaction or savepoint
    is rolled back, and the setting with it.)
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    before = connection.exec_driver_sql("SELECT current_setting('jit')").scalar_one()
    connection.exec_driver_sql("SET LOCAL jit = off")
    yield
    connection.execute(select(func.set_config("jit", before, True)))


@dataclass
class Behaviour:
    """The behaviour columns, their labels, and the event types that have columns."""

    columns: dict[str, Matrix]
    labels: dict[str, str]
    event_types: tuple[str, ...]


def contact_event_types(connection: Connection) -> list[str]:
    """The distinct types of contacts' events, in order, walked through the type index.

    One ``min(type) … WHERE type > previous`` per type: a few index probes
    instead of reading the log (``ix_events_type_time`` covers contacts' events).
    """
    found: list[str] = []
    while True:
        condition: Any = events.c.contact_id.is_not(None)
        if found:
            condition = and_(condition, events.c.type > found[-1])
        following = connection.execute(select(func.min(events.c.type)).where(condition)).scalar()
        if following is None:
            return found
        found.append(str(following))


def most_frequent(
    names: tuple[str, ...], codes: npt.NDArray[np.int64], events_of: Matrix, limit: int
) -> tuple[tuple[str, ...], npt.NDArray[np.int64]]:
    """The ``limit`` types with the most events (ties by name) and each row's new code.

    ``codes`` are positions in ``names`` per grouped row, ``events_of`` each
    row's events; a type without events is never chosen, and a type left out
    codes as -1.
    """
    known = codes >= 0
    totals = np.bincount(codes[known], weights=events_of[known], minlength=len(names))
    present = [k for k in range(len(names)) if totals[k] > 0]
    ranked = sorted(present, key=lambda k: (-totals[k], names[k]))[:limit]
    recode = np.full(len(names) + 1, -1, dtype=np.int64)  # the last slot: -1 stays -1
    recode[ranked] = np.arange(len(ranked))
    return tuple(names[k] for k in ranked), recode[codes]


@dataclass
class BehaviourRows:
    """The grouped rows as read: one per (contact, event type), all numbers."""

    #: id, a count per window, every event, first and last time (epoch seconds)
    found: Matrix
    #: each row's type as its position in ``event_types`` (-1: a type without columns)
    codes: npt.NDArray[np.int64]
    event_types: tuple[str, ...]


def read_behaviour(
    connection: Connection,
    *,
    cutoff: Any,
    event_types: tuple[str, ...],
    scope: Any,
    most_frequent_types: int = 0,
) -> BehaviourRows:
    """One grouped pass over the events before the cut-off (of ``scope``'s contacts).

    With ``most_frequent_types`` the types are not given but chosen from the
    same rows: the most frequent contact event types before the cut-off,
    counted over the events this pass reads (in training every contact's: one pass
    over the log instead of two; every type is coded, the chosen kept).
    """
    chosen_from: tuple[str, ...] = ()
    if most_frequent_types:
        chosen_from = tuple(contact_event_types(connection))
    coded = chosen_from if most_frequent_types else event_types
    statement = grouped_statement(connection.dialect.name, cutoff=cutoff, coded=coded, scope=scope)
    width = 4 + len(WINDOWS)  # id, the windows, every event, first, last
    with without_jit(connection):
        whole = number_matrix(connection, statement, width + 1)
    found, codes = whole[:, :width], whole[:, width].astype(np.int64)
    if most_frequent_types:
        event_types, codes = most_frequent(
            chosen_from, codes, found[:, 1 + len(WINDOWS)], most_frequent_types
        )
    return BehaviourRows(found, codes, tuple(event_types))


def grouped_statement(dialect: str, *, cutoff: Any, coded: tuple[str, ...], scope: Any) -> Rows:
    """Per (contact, event type) before the cut-off: the window counts, every event,
    the first and last time, and the type's position in ``coded`` (-1 if absent).

    It reads only the contact, time and type of each event, which
    ``ix_events_contact_time`` holds: the index alone serves it.
    """
    counts = [
        func.count(case((events.c.occurred_at >= cutoff - timedelta(days=days), 1)))
        for days in WINDOWS
    ]
    # The type as its position in ``coded`` (-1: a type without columns, whose events
    # still count for recency), so that every column is a number.
    code: Any = (
        case({name: number for number, name in enumerate(coded)}, value=events.c.type, else_=-1)
        if coded
        else literal(-1)
    )
    within = events.c.contact_id.is_not(None) if scope is None else events.c.contact_id.in_(scope)
    return (
        select(
            events.c.contact_id,
            *counts,
            func.count(),
            epoch_seconds(func.min(events.c.occurred_at), dialect),
            epoch_seconds(func.max(events.c.occurred_at), dialect),
            code,
        )
        .where(within, events.c.occurred_at < cutoff)
        .group_by(events.c.contact_id, events.c.type)
    )


def positions_of(
    contact_ids: npt.NDArray[np.int64], ids: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Each id's position in ``contact_ids`` (ascending, distinct); -1 where it is not there.

    Ids are looked up in a table indexed by id when the ids are dense (a
    workspace's contacts: a million ids, an 8 MB table), which costs one
    gather; a binary search per row over a million ids cost 4.4 s for 3.15M
    rows out of order.  Sparse ids (a few contacts with large ids) are
    searched.
    """
    if contact_ids.size == 0 or ids.size == 0:
        return np.full(ids.size, -1, dtype=np.int64)
    low, high = int(contact_ids[0]), int(contact_ids[-1])
    if low >= 0 and high < 4 * (contact_ids.size + ids.size):
        table = np.full(high + 1, -1, dtype=np.int64)
        table[contact_ids] = np.arange(contact_ids.size)
        inside = (ids >= 0) & (ids <= high)
        position = np.full(ids.size, -1, dtype=np.int64)
        position[inside] = table[ids[inside]]
        return position
    position = np.searchsorted(contact_ids, ids)
    known = position < contact_ids.size
    known[known] = contact_ids[position[known]] == ids[known]
    return np.where(known, position, -1).astype(np.int64)


def behaviour_columns(
    rows: BehaviourRows, *, cutoff: Any, contact_ids: npt.NDArray[np.int64]
) -> Behaviour:
    """Columns aligned with ``contact_ids`` (ascending), their labels and event types."""
    width = 4 + len(WINDOWS)
    found, codes, event_types = rows.found, rows.codes, rows.event_types
    size = contact_ids.size
    ids = found[:, 0].astype(np.int64)
    position = positions_of(contact_ids, ids)
    known = position >= 0
    found, position, codes = found[known], position[known], codes[known]
    typed = codes >= 0
    # per type: one count column per window, then every earlier event ("all"); each
    # column lies contiguous in the block, so the columns are views of it
    block = np.zeros((len(event_types), len(WINDOWS) + 1, size), dtype=np.float64)
    block[codes[typed], :, position[typed]] = found[typed, 1 : 2 + len(WINDOWS)]
    columns: dict[str, Matrix] = {}
    labels: dict[str, str] = {}
    for number, event_type in enumerate(event_types):
        for slot, days in enumerate(WINDOWS):
            columns[f"events.{event_type}.{days}d"] = block[number, slot]
            labels[f"events.{event_type}.{days}d"] = f"{event_type} events, last {days} days"
        columns[f"events.{event_type}.all"] = block[number, len(WINDOWS)]
        labels[f"events.{event_type}.all"] = f"{event_type} events, ever"
    at = cutoff.timestamp()
    latest = np.full(size, -math.inf)
    np.maximum.at(latest, position, found[:, width - 1])
    earliest = np.full(size, math.inf)
    np.minimum.at(earliest, position, found[:, width - 2])
    since_last = (at - latest) / DAY
    since_first = (at - earliest) / DAY
    since_last[np.isinf(since_last)] = math.nan
    since_first[np.isinf(since_first)] = math.nan
    columns["events.days_since_last"] = since_last
    labels["events.days_since_last"] = "days since the last event"
    columns["events.days_since_first"] = since_first
    labels["events.days_since_first"] = "days since the first event"
    ninety = 1 + WINDOWS.index(90)
    columns["events.all.90d"] = np.bincount(
        position, weights=found[:, ninety], minlength=size
    ).astype(np.float64)
    labels["events.all.90d"] = "events, last 90 days"
    return Behaviour(columns, labels, tuple(event_types))


def _sum_part(key: str, index: int, dialect: str) -> Expr:
    """Element ``index`` of the ``[value, valid_at_micros]`` pair under ``key`` in ``sums``."""
    if dialect == "postgresql":
        node = contact_scores.c.sums.op("->")(literal(key, String))
        text = type_coerce(node.op("->>")(literal(index)), String)
        return cast(text, Float(precision=53))
    return cast(func.json_extract(contact_scores.c.sums, f'$."{key}"[{index}]'), Float)


def engagement_now(model: ModelVersion, at: float, dialect: str) -> Expr:
    """The engine's stored decayed score, brought forward to ``at`` (as ``score_at`` does)."""
    total: Expr = literal(0.0, Float)
    for half_life in model.book.half_lives:
        key = half_life_key(half_life)
        value = _sum_part(key, 0, dialect)
        valid_at = _sum_part(key, 1, dialect) / 1_000_000.0
        faded = value * power2((valid_at - at) / (half_life * DAY))
        total = total + func.coalesce(faded, 0.0)
    return total


def engagement_at(model: ModelVersion, cutoff: datetime, dialect: str, scope: Any) -> Any:
    """Per contact: the model's decayed engagement score as of the cut-off."""
    at = cutoff.timestamp()
    hits = hits_select(
        model.book,
        "contact",
        dialect,
        now=at,
        recent_from=at,
        before=cutoff,
        subjects=None if scope is None else events.c.contact_id.in_(scope),
        pseudo_rules=False,
    ).subquery("hits")
    cases = []
    rule_ids = []
    for compiled in model.book.rules:
        if compiled.rule.scope != "contact":
            continue
        rule_ids.append(compiled.index)
        cap = compiled.rule.cap
        if cap is not None:
            counted = clamp(hits.c.raw, -cap[1], cap[1], dialect)
            decay = power2((hits.c.bucket - at) / (compiled.half_life_days * DAY))
            cases.append((hits.c.idx == compiled.index, counted * decay))
    contribution = case(*cases, else_=hits.c.dec) if cases else hits.c.dec
    return (
        select(hits.c.sid.label("sid"), func.sum(contribution).label("score"))
        .where(hits.c.idx.in_(rule_ids or [-1]))
        .group_by(hits.c.sid)
        .subquery("sc")
    )


def read_engagement(
    connection: Connection, model: ModelVersion, cutoff: datetime, scope: Any
) -> Any:
    """(contact id, decayed score as of the cut-off) for every contact with scored events."""
    scores = engagement_at(model, cutoff, connection.dialect.name, scope)
    with without_jit(connection):
        return number_matrix(connection, select(scores.c.sid, scores.c.score), 2)


def aligned(contact_ids: Any, rows: Any) -> Any:
    """The second column of ``rows`` (id, value) placed by id on ``contact_ids`` (ascending);
    0.0 for a contact without a row, as for a missing or empty value."""
    column = np.zeros(contact_ids.size, dtype=np.float64)
    if contact_ids.size and len(rows):
        position = positions_of(contact_ids, rows[:, 0].astype(np.int64))
        known = position >= 0
        column[position[known]] = np.nan_to_num(rows[known, 1], nan=0.0)
    return column
