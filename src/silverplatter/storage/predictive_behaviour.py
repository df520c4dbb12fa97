"""Behaviour before the cut-off: event counts per type and window, first and last event.

One grouped statement per (contact, event type) — four counts, the first and
the last time — and a pivot in numpy into one column per type and window.
Grouping by type first keeps the per-event work to four comparisons; a
column per type and window in SQL would evaluate a hundred per event.

Also the engagement score *now* from the engine's stored state, for scoring
(training recomputes it as of the cut-off from the events instead).
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Float, String, case, cast, func, literal, select, type_coerce

from silverplatter.domain.engagement import DAY
from silverplatter.domain.predictive_features import WINDOWS, Matrix, numbers
from silverplatter.services.scoring_models import ModelVersion
from silverplatter.storage.engagement import half_life_key
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import events
from silverplatter.storage.scoring_sql import Expr, epoch_seconds, power2


def behaviour_columns(
    connection: Connection,
    *,
    cutoff: Any,
    event_types: tuple[str, ...],
    scope: Any,
    contact_ids: npt.NDArray[np.int64],
) -> tuple[dict[str, Matrix], dict[str, str]]:
    """Columns aligned with ``contact_ids`` (ascending) and their labels."""
    dialect = connection.dialect.name
    counts = [
        func.count(case((events.c.occurred_at >= cutoff - timedelta(days=days), 1)))
        for days in WINDOWS
    ]
    within = events.c.contact_id.is_not(None) if scope is None else events.c.contact_id.in_(scope)
    statement = (
        select(
            events.c.contact_id,
            events.c.type,
            *counts,
            func.count(),
            epoch_seconds(func.min(events.c.occurred_at), dialect),
            epoch_seconds(func.max(events.c.occurred_at), dialect),
        )
        .where(within, events.c.occurred_at < cutoff)
        .group_by(events.c.contact_id, events.c.type)
    )
    rows = connection.execute(statement).fetchall()
    size = contact_ids.size
    columns: dict[str, Matrix] = {}
    labels: dict[str, str] = {}
    parts = list(zip(*rows, strict=True)) if rows else [()] * (5 + len(WINDOWS))
    ids = np.asarray(parts[0], dtype=np.int64)
    types = np.asarray(parts[1], dtype=object)
    windows = [numbers(parts[2 + k]) for k in range(len(WINDOWS))]
    ever = numbers(parts[2 + len(WINDOWS)])
    first = numbers(parts[3 + len(WINDOWS)])
    last = numbers(parts[4 + len(WINDOWS)])
    position = np.searchsorted(contact_ids, ids) if size else np.zeros(ids.size, dtype=np.int64)
    known = position < size
    known[known] = contact_ids[position[known]] == ids[known]
    position, types = position[known], types[known]
    windows = [values[known] for values in windows]
    ever, first, last = ever[known], first[known], last[known]
    for event_type in event_types:
        of_type = types == event_type
        where = position[of_type]
        for days, values in zip(WINDOWS, windows, strict=True):
            column = np.zeros(size, dtype=np.float64)
            column[where] = values[of_type]
            columns[f"events.{event_type}.{days}d"] = column
            labels[f"events.{event_type}.{days}d"] = f"{event_type} events, last {days} days"
        column = np.zeros(size, dtype=np.float64)
        column[where] = ever[of_type]
        columns[f"events.{event_type}.all"] = column
        labels[f"events.{event_type}.all"] = f"{event_type} events, ever"
    at = cutoff.timestamp()
    latest = np.full(size, -math.inf)
    np.maximum.at(latest, position, last)
    earliest = np.full(size, math.inf)
    np.minimum.at(earliest, position, first)
    since_last = (at - latest) / DAY
    since_first = (at - earliest) / DAY
    since_last[np.isinf(since_last)] = math.nan
    since_first[np.isinf(since_first)] = math.nan
    columns["events.days_since_last"] = since_last
    labels["events.days_since_last"] = "days since the last event"
    columns["events.days_since_first"] = since_first
    labels["events.days_since_first"] = "days since the first event"
    ninety = WINDOWS.index(90)
    columns["events.all.90d"] = np.bincount(
        position, weights=windows[ninety], minlength=size
    ).astype(np.float64)
    labels["events.all.90d"] = "events, last 90 days"
    return columns, labels


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
