"""Comparisons of one value, for the segment rule compiler (``storage/segment_sql.py``).

Each returns a two-valued condition: a missing value (NULL, or a JSON key
that is not there or has another type) makes it false.  Values are bound
parameters; LIKE patterns are escaped (``%``, ``_`` and the escape character
match literally).  Free text compares ignoring the case of ASCII letters on
both backends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    type_coerce,
)

from silverplatter.domain.segment_rules import since
from silverplatter.storage.scoring_sql import ascii_lower, json_text

Expr = ColumnElement[Any]
Cond = ColumnElement[bool]
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"


def known(value: Expr, held: Cond) -> Cond:
    """``held``, false (not NULL) where ``value`` is missing."""
    return and_(value.is_not(None), held)


def _lowered(text: str) -> str:
    return text.translate(str.maketrans(_UPPER, _LOWER))


def compare(
    column: Expr, kind: str, op: str, value: Any, dialect: str, now: datetime | None = None
) -> Cond:
    """``column <op> value`` for a text, exact, number or instant column."""
    if op in ("is_empty", "is_not_empty"):
        empty: Cond = column.is_(None)
        if kind == "text":
            empty = or_(empty, type_coerce(column, String) == "")
        return empty if op == "is_empty" else not_(empty)
    if kind == "instant" and now is not None:
        return _instant_compare(column, op, value, now)
    if kind == "text":
        folded = ascii_lower(column, dialect)
        if op == "equals":
            return known(column, folded == _lowered(value))
        if op == "in":
            return known(column, folded.in_([_lowered(item) for item in value]))
        return known(column, _like(folded, op, _lowered(value)))
    comparisons: dict[str, Callable[[], Cond]] = {
        "equals": lambda: column == value,
        "in": lambda: column.in_(list(value)),
        "gt": lambda: column > value,
        "gte": lambda: column >= value,
        "lt": lambda: column < value,
        "lte": lambda: column <= value,
        "between": lambda: column.between(value[0], value[1]),
    }
    return known(column, comparisons[op]())


def _like(column: Expr, op: str, value: str) -> Cond:
    if op == "contains":
        return column.contains(value, autoescape=True)
    if op == "starts_with":
        return column.startswith(value, autoescape=True)
    return column.endswith(value, autoescape=True)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _instant_compare(column: Expr, op: str, value: Any, now: datetime) -> Cond:
    if op == "before":
        return column < _midnight(value)
    if op == "after":
        return column >= _midnight(value + timedelta(days=1))
    if op == "between":
        low, high = value
        return and_(column >= _midnight(low), column < _midnight(high + timedelta(days=1)))
    started = since(now, int(value))
    return column >= started if op == "within_last_days" else column < started


def day_compare(column: Expr, op: str, value: Any, now: datetime) -> Cond:
    """A day kept as ISO text (``YYYY-MM-DD`` sorts as the days do)."""
    today = now.astimezone(UTC).date()
    if op == "before":
        held = column < value.isoformat()
    elif op == "after":
        held = column > value.isoformat()
    elif op == "between":
        held = column.between(value[0].isoformat(), value[1].isoformat())
    elif op == "within_last_days":
        held = column.between((today - timedelta(days=value)).isoformat(), today.isoformat())
    elif op == "more_than_days_ago":
        held = column < (today - timedelta(days=value)).isoformat()
    else:
        held = column.between(today.isoformat(), (today + timedelta(days=value)).isoformat())
    return known(column, held)


def json_boolean(document: Expr, key: str, expected: bool, dialect: str) -> Cond:
    if dialect == "postgresql":
        node = document.op("->")(literal(key, String))
        text_value = type_coerce(document.op("->>")(literal(key, String)), String)
        return and_(func.jsonb_typeof(node) == "boolean", text_value == str(expected).lower())
    return func.coalesce(func.json_type(document, f'$."{key}"'), "") == str(expected).lower()


def has_item(document: Expr, key: str, answer: str, dialect: str) -> Cond:
    """The property is a list holding ``answer``, or is ``answer`` itself."""
    single = func.coalesce(json_text(document, key, dialect), "") == answer
    if dialect == "postgresql":
        node = document.op("->")(literal(key, String))
        listed = and_(
            func.coalesce(func.jsonb_typeof(node), "") == "array",
            node.op("?")(literal(answer, String)),
        )
        return or_(single, listed)
    path = f'$."{key}"'
    items = func.json_each(document, path).table_valued("value", "type")
    inside = exists(
        select(literal(1)).select_from(items).where(items.c.value == answer, items.c.type == "text")
    )
    return or_(single, and_(func.coalesce(func.json_type(document, path), "") == "array", inside))


def has_items(document: Expr, key: str, dialect: str) -> Cond:
    """The property is a non-empty list."""
    if dialect == "postgresql":
        node = document.op("->")(literal(key, String))
        length = case((func.jsonb_typeof(node) == "array", func.jsonb_array_length(node)), else_=0)
        return length > 0
    return func.coalesce(func.json_array_length(document, f'$."{key}"'), 0) > 0


__all__ = ["compare", "day_compare", "has_item", "has_items", "json_boolean", "known"]
