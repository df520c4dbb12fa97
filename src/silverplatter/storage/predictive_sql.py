"""Features as of a cut-off, gathered set-based: one statement, one row per contact.

Behaviour counts only events that occurred strictly before the cut-off; the
engagement score is the active scoring model's decayed score recomputed as
of the cut-off (the same rule matching, caps and half-lives as
``services/recompute.py``); the stage at the cut-off comes from the stage
history.  The outcome is read from the stage history (and won deals) in
the horizon after the cut-off.  The column names are those of
``domain/predictive_features.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import (
    Connection,
    Float,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)

from silverplatter.domain.engagement import DAY
from silverplatter.domain.grades import level_of
from silverplatter.domain.predictive_features import (
    PROFILE,
    FeatureTable,
    Kind,
    Outcome,
    numbers,
    property_kind,
)
from silverplatter.domain.predictive_texts import TextColumn
from silverplatter.services.scoring_models import ModelVersion
from silverplatter.storage.bulk_columns import ascending_by_first, read_columns
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.predictive_behaviour import (
    aligned,
    behaviour_columns,
    engagement_now,
    read_behaviour,
    read_engagement,
    without_jit,
)
from silverplatter.storage.predictive_rollups import add_rollups, read_rollups
from silverplatter.storage.schema import accounts, contacts, events, opportunities
from silverplatter.storage.scoring_sql import (
    Expr,
    criterion_thirds,
    epoch_seconds,
    json_number,
    json_text,
)
from silverplatter.storage.side_reads import Start, side_reads


@dataclass(frozen=True)
class FeatureQuery:
    """What to gather: the cut-off, the columns, and (for training) the outcome."""

    cutoff: datetime
    event_types: tuple[str, ...]
    #: Custom properties by name and type ("number", "text", "boolean", "date", "choice").
    contact_properties: dict[str, str] = field(default_factory=dict)
    account_properties: dict[str, str] = field(default_factory=dict)
    #: The scoring model whose grade components and decayed score are features.
    model: ModelVersion | None = None
    #: Training: only contacts created before the cut-off that had not reached it.
    outcome: Outcome | None = None
    horizon_days: int = 90
    #: Scoring a few contacts only (``None``: every contact).
    contact_ids: Sequence[int] | None = None
    #: The cut-off is now: the stage is the current one, no history needed.
    current: bool = False
    #: Training: instead of ``event_types``, this many of the most frequent contact
    #: event types before the cut-off (ties by name), chosen in the behaviour pass.
    most_frequent_types: int = 0


def json_flag(document: Expr, key: str, dialect: str) -> Expr:
    """1.0 for a JSON true, 0.0 for false, NULL otherwise."""
    if dialect == "postgresql":
        node = document.op("->")(literal(key))
        kind = func.jsonb_typeof(node)
        as_text = document.op("->>")(literal(key))
        return case((kind == "boolean", case((as_text == "true", 1.0), else_=0.0)))
    path = f'$."{key}"'
    kind = func.json_type(document, path)
    return case((kind == "true", 1.0), (kind == "false", 0.0))


def _property(document: Expr, name: str, property_type: str, dialect: str) -> Expr:
    if property_type == "boolean":
        return json_flag(document, name, dialect)
    if property_type == "number":
        return json_number(document, name, dialect)
    return json_text(document, name, dialect)


def _wanted(query: FeatureQuery) -> Any:
    """The asked-for contacts alone."""
    return select(contacts.c.id).where(contacts.c.id.in_(list(query.contact_ids or ())))


def _scope(query: FeatureQuery) -> Any:
    """The asked-for contacts and everyone at their accounts (the account rollups need them)."""
    if query.contact_ids is None:
        return None
    wanted = list(query.contact_ids)
    their_accounts = select(contacts.c.account_id).where(
        contacts.c.id.in_(wanted), contacts.c.account_id.is_not(None)
    )
    return select(contacts.c.id).where(
        or_(contacts.c.id.in_(wanted), contacts.c.account_id.in_(their_accounts))
    )


def account_own_events(query: FeatureQuery, scope: Any) -> Any:
    """Per account: its own events (no contact) in the 90 days before the cut-off.

    Read from ``ix_events_account_own``, which holds only those events.
    """
    since = query.cutoff - timedelta(days=90)
    within = (
        events.c.account_id.is_not(None)
        if scope is None
        else events.c.account_id.in_(select(contacts.c.account_id).where(contacts.c.id.in_(scope)))
    )
    return (
        select(events.c.account_id.label("aid"), func.count().label("n"))
        .where(
            events.c.contact_id.is_(None),
            within,
            events.c.occurred_at >= since,
            events.c.occurred_at < query.cutoff,
        )
        .group_by(events.c.account_id)
        .subquery("ae")
    )


def _stage_at(cutoff: datetime, scope: Any, dialect: str) -> tuple[Expr, list[Any]]:
    """The contact's stage at the cut-off, and the sub-selects it needs joined on contact id.

    The stage its last move up to the cut-off led to; failing that, the stage
    its first later move left; failing that, its stage now.  SQLite looks both
    moves up per contact through the (contact, time) index (0.2 s at 100,000
    contacts, against 0.6 s for ranked passes); PostgreSQL ranks the history in
    one pass each and joins them (at a million contacts the look-ups cost 13 s
    of the 42 s training's statement took, the ranked passes about 1 s).
    """
    moves = stage_transitions.c
    ways = (
        ("stage_before", moves.to_stage, (moves.occurred_at.desc(), moves.id.desc()), True),
        ("stage_after", moves.from_stage, (moves.occurred_at, moves.id), False),
    )
    found: list[Any] = []
    joined: list[Any] = []
    for name, kept, order, up_to in ways:
        in_time = moves.occurred_at <= cutoff if up_to else moves.occurred_at > cutoff
        if dialect != "postgresql":
            found.append(
                select(kept)
                .where(moves.contact_id == contacts.c.id, in_time)
                .order_by(*order)
                .limit(1)
                .scalar_subquery()
            )
            continue
        ranked = select(
            moves.contact_id.label("contact_id"),
            kept.label("stage"),
            func.row_number().over(partition_by=moves.contact_id, order_by=order).label("rank"),
        ).where(in_time, literal(True) if scope is None else moves.contact_id.in_(scope))
        inner = ranked.subquery(f"{name}_ranked")
        first = select(inner.c.contact_id, inner.c.stage).where(inner.c.rank == 1).subquery(name)
        joined.append(first)
        found.append(first.c.stage)
    return func.coalesce(*found, contacts.c.lifecycle_stage), joined


def _reached(outcome: Outcome, start: datetime | None, end: datetime) -> Expr:
    """The contact reached the outcome in (start, end]."""
    moved = [
        stage_transitions.c.contact_id == contacts.c.id,
        stage_transitions.c.to_stage.in_(outcome.stages),
        stage_transitions.c.occurred_at <= end,
    ]
    if start is not None:
        moved.append(stage_transitions.c.occurred_at > start)
    condition: Expr = exists(select(literal(1)).select_from(stage_transitions).where(*moved))
    if outcome.won_deals:
        won = [
            opportunities.c.contact_id == contacts.c.id,
            opportunities.c.status == "won",
            opportunities.c.closed_at <= end,
        ]
        if start is not None:
            won.append(opportunities.c.closed_at > start)
        condition = or_(
            condition, exists(select(literal(1)).select_from(opportunities).where(*won))
        )
    return condition


def _grading_columns() -> dict[str, Any]:
    return {
        "account.industry": accounts.c.industry,
        "account.country": accounts.c.country,
        "account.employees": accounts.c.employees,
        "account.annual_revenue": accounts.c.annual_revenue,
        "account.value_tier": accounts.c.value_tier,
        "account.needs_segment": accounts.c.needs_segment,
        "account.status": accounts.c.status,
        "account.custom": accounts.c.custom,
        "contact.seniority": contacts.c.seniority,
        "contact.department": contacts.c.department,
        "contact.decision_role": contacts.c.decision_role,
        "contact.country": contacts.c.country,
        "contact.title": contacts.c.title,
        "contact.custom": contacts.c.custom,
    }


_PROFILE_COLUMNS = {
    "contact.seniority": contacts.c.seniority,
    "contact.department": contacts.c.department,
    "contact.decision_role": contacts.c.decision_role,
    "contact.country": contacts.c.country,
    "contact.source": contacts.c.source,
    "account.industry": accounts.c.industry,
    "account.country": accounts.c.country,
    "account.employees": accounts.c.employees,
    "account.annual_revenue": accounts.c.annual_revenue,
    "account.value_tier": accounts.c.value_tier,
    "account.needs_segment": accounts.c.needs_segment,
}


def gather(connection: Connection, query: FeatureQuery) -> FeatureTable:
    """The feature columns of the contacts ``query`` asks for, in contact id order.

    Every contact's (no ``contact_ids``): in training the engagement as of
    the cut-off and, on PostgreSQL, the events grouped by type are read
    beside the profile statement, each on a connection of its own
    (``storage/side_reads.py``; on SQLite the grouped events, a row per
    contact and type, are read on the caller's connection).  They read only
    the event log, which the caller's transaction does not write.
    """
    with without_jit(connection), side_reads(connection, apart=query.contact_ids is None) as start:
        return _gather(connection, query, start)


def _gather(connection: Connection, query: FeatureQuery, start: Start) -> FeatureTable:
    dialect = connection.dialect.name
    cutoff = query.cutoff
    at = cutoff.timestamp()
    mates = _scope(query)
    # A few contacts now: their own rows, and their accounts' rollups from a narrow
    # statement over everyone at those accounts (``storage/predictive_rollups.py``).
    rolled_apart = query.contact_ids is not None and query.current
    scope = _wanted(query) if rolled_apart else mates
    behaviour_rows = start(
        lambda reader: read_behaviour(
            reader,
            cutoff=cutoff,
            event_types=query.event_types,
            scope=scope,
            most_frequent_types=query.most_frequent_types,
        ),
        many_rows=True,
    )
    model = query.model
    engagement_rows = (
        start(lambda reader: read_engagement(reader, model, cutoff, scope))
        if model is not None and not query.current
        else None
    )
    account_events = account_own_events(query, scope)
    selected: list[Any] = [
        contacts.c.id.label("contact_id"),
        func.coalesce(contacts.c.account_id, 0).label("account_id"),
        epoch_seconds(contacts.c.created_at, dialect).label("created_ts"),
    ]
    names: list[tuple[str, str, Kind, str]] = []  # (label in SQL, feature, kind, label)

    def add(expression: Any, feature: str, kind: Kind, label: str | None = None) -> None:
        sql_name = f"f{len(names)}"
        selected.append(expression.label(sql_name))
        names.append((sql_name, feature, kind, label or feature))

    for feature, kind in PROFILE:
        column = _PROFILE_COLUMNS[feature]
        add(column if kind == "category" else column.cast(Float), feature, kind)
    for owner, document, properties in (
        ("contact", contacts.c.custom, query.contact_properties),
        ("account", accounts.c.custom, query.account_properties),
    ):
        for name, property_type in sorted(properties.items()):
            feeds = property_kind(property_type)
            expression = _property(document, name, property_type, dialect)
            add(
                expression,
                f"{owner}.custom.{name}",
                "category" if feeds == "category" else "number",
                name.replace("_", " ")
                if owner == "contact"
                else f"account's {name}".replace("_", " "),
            )
    if query.model is not None:
        grading = query.model.model.grading
        grade_columns = _grading_columns()
        # the grade level is summed from these columns afterwards (_add_grade_level)
        for number, criterion in enumerate(grading.criteria):
            add(
                criterion_thirds(criterion, grade_columns, dialect),
                f"grade.{number}",
                "number",
                f"grade: {criterion.label or criterion.field}",
            )
    stage, history = (
        (contacts.c.lifecycle_stage, []) if query.current else _stage_at(cutoff, scope, dialect)
    )
    add(stage, "stage_at_cutoff", "category", "stage at the cut-off")
    add(
        (literal(at, Float) - epoch_seconds(contacts.c.created_at, dialect)) / DAY,
        "contact.age_days",
        "number",
        "days since the contact was created",
    )
    add(
        func.coalesce(account_events.c.n, 0),
        "account.events.90d",
        "number",
        "account's own events, last 90 days",
    )
    source = contacts.outerjoin(accounts, accounts.c.id == contacts.c.account_id)
    source = source.outerjoin(account_events, account_events.c.aid == contacts.c.account_id)
    for moved in history:
        source = source.outerjoin(moved, moved.c.contact_id == contacts.c.id)
    if query.model is not None and query.current:
        source = source.outerjoin(contact_scores, contact_scores.c.contact_id == contacts.c.id)
        add(
            engagement_now(query.model, at, dialect),
            "score.engagement",
            "number",
            "engagement score at the cut-off",
        )
    conditions: list[Any] = []
    outcome = query.outcome
    if outcome is not None:
        end = cutoff + timedelta(days=query.horizon_days)
        selected.append(case((_reached(outcome, cutoff, end), 1), else_=0).label("outcome"))
        conditions += [
            contacts.c.created_at < cutoff,
            not_(stage.in_(outcome.stages)),
            not_(_reached(outcome, None, cutoff)),
        ]
    if scope is not None:
        conditions.append(contacts.c.id.in_(scope))
    statement = (
        select(*selected)
        .select_from(source)
        .where(and_(literal(True), *conditions))
        .order_by(contacts.c.id)
    )
    dates = _date_features(query)
    numeric = [True, True, True]
    numeric += [kind == "number" and feature not in dates for _sql, feature, kind, _ in names]
    numeric += [True] if outcome is not None else []
    columns = ascending_by_first(read_columns(connection, statement, numeric), numeric)
    table = _table(columns, names, query, outcome is not None, dates)
    grouped = behaviour_rows()  # (on SQLite read here, while the engagement is read beside)
    if engagement_rows is not None:  # in the place the statement's column had
        table.columns["score.engagement"] = aligned(table.contact_ids, engagement_rows())
        table.kinds["score.engagement"] = "number"
        table.labels["score.engagement"] = "engagement score at the cut-off"
    if query.model is not None:
        _add_grade_level(table, query.model)
    behaviour = behaviour_columns(grouped, cutoff=cutoff, contact_ids=table.contact_ids)
    for name, values in behaviour.columns.items():
        table.columns[name] = values
        table.kinds[name] = "number"
        table.labels[name] = behaviour.labels[name]
    table.event_types = behaviour.event_types
    if rolled_apart:
        rolled = read_rollups(
            connection, cutoff=cutoff, model=query.model, mates=mates, contact_ids=table.contact_ids
        )
        add_rollups(table, rolled)
    else:
        add_rollups(table)
    if query.contact_ids is None:
        return table
    return table.take(np.isin(table.contact_ids, np.asarray(list(query.contact_ids))))


def _date_features(query: FeatureQuery) -> set[str]:
    return {
        f"{owner}.custom.{name}"
        for owner, properties in (
            ("contact", query.contact_properties),
            ("account", query.account_properties),
        )
        for name, kind in properties.items()
        if kind == "date"
    }


def _table(
    transposed: list[Any],
    names: list[tuple[str, str, Kind, str]],
    query: FeatureQuery,
    labelled: bool,
    dates: set[str],
) -> FeatureTable:
    contact_ids = np.asarray(transposed[0], dtype=np.int64)
    account_ids = np.asarray(transposed[1], dtype=np.int64)
    created = numbers(transposed[2])
    columns: dict[str, list[Any] | Any] = {}
    kinds: dict[str, Kind] = {}
    labels: dict[str, str] = {}
    for offset, (_sql, feature, kind, label) in enumerate(names, start=3):
        values = transposed[offset]
        if feature in dates:
            columns[feature] = _days_before(values, query.cutoff.date())
        elif kind == "number":
            columns[feature] = numbers(values)
        else:
            columns[feature] = TextColumn.of(values)
        kinds[feature] = kind
        labels[feature] = label
    outcome = np.asarray(transposed[-1], dtype=np.int8) if labelled else None
    return FeatureTable(contact_ids, created, account_ids, columns, kinds, labels, outcome)


def _add_grade_level(table: FeatureTable, model: ModelVersion) -> None:
    """The grade level (0–12 thirds) from the criteria's columns, placed before them.

    The same sum as ``grade_level`` in SQL, without evaluating every criterion a
    second time per contact: on PostgreSQL the case-folding comparisons made the
    level alone 6.2 of the 17 s the profile columns took at a million contacts.
    """
    grading = model.model.grading
    level = np.full(len(table), float(level_of(grading.start)))
    for number in range(len(grading.criteria)):
        level += table.columns[f"grade.{number}"]
    entry = {"grade.level": np.clip(level, 0.0, 12.0)}
    columns: dict[str, Any] = {}
    kinds: dict[str, Kind] = {}
    labels: dict[str, str] = {}
    for name, values in table.columns.items():
        if name == "grade.0" or (name == "stage_at_cutoff" and "grade.level" not in columns):
            columns.update(entry)
            kinds["grade.level"] = "number"
            labels["grade.level"] = "grade level"
        columns[name] = values
        kinds[name] = table.kinds[name]
        labels[name] = table.labels[name]
    table.columns, table.kinds, table.labels = columns, kinds, labels


def _days_before(values: Sequence[Any], cutoff: date) -> Any:
    out = np.full(len(values), math.nan, dtype=np.float64)
    for index, value in enumerate(values):
        if value:
            try:
                out[index] = (cutoff - date.fromisoformat(str(value))).days
            except ValueError:
                continue
    return out


__all__ = ["FeatureQuery", "gather", "json_flag"]
