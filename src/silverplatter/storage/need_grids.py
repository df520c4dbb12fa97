"""Statements of needs and competitor grids: the grid, its needs and competitors, raters and
their points and scores (``understanding_schema.need_grids`` and the ``grid_*`` tables)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from silverplatter.storage.understanding_schema import (
    grid_competitors,
    grid_needs,
    grid_raters,
    grid_scores,
    grid_weights,
    need_grids,
)

g, n, k, r = need_grids.c, grid_needs.c, grid_competitors.c, grid_raters.c


def grid_rows(connection: Connection) -> list[Row[Any]]:
    """Every grid by name, with how many internal and customer raters it has."""
    internal = func.count(r.id).filter(r.source == "internal").label("internal")
    customers = func.count(r.id).filter(r.source == "customer").label("customers")
    statement = (
        select(need_grids, internal, customers)
        .outerjoin(grid_raters, r.grid_id == g.id)
        .group_by(*need_grids.c)
        .order_by(func.lower(g.name), g.id)
    )
    return list(connection.execute(statement))


def grid_by_slug(connection: Connection, slug: str) -> Row[Any] | None:
    return connection.execute(select(need_grids).where(g.slug == slug)).first()


def slug_taken(connection: Connection, slug: str, besides: int | None = None) -> bool:
    statement = select(g.id).where(g.slug == slug)
    if besides is not None:
        statement = statement.where(g.id != besides)
    return connection.execute(statement).first() is not None


def insert_grid(connection: Connection, slug: str, name: str, now: datetime) -> int:
    statement = insert(need_grids).values(slug=slug, name=name, created_at=now, updated_at=now)
    return int(connection.execute(statement.returning(g.id)).scalar_one())


def update_grid(
    connection: Connection, grid_id: int, values: Mapping[str, Any], now: datetime
) -> None:
    connection.execute(update(need_grids).where(g.id == grid_id).values(**values, updated_at=now))


def delete_grid(connection: Connection, grid_id: int) -> None:
    raters = select(r.id).where(r.grid_id == grid_id)
    for table in (grid_scores, grid_weights):
        connection.execute(delete(table).where(table.c.rater_id.in_(raters)))
    for table in (grid_raters, grid_needs, grid_competitors):
        connection.execute(delete(table).where(table.c.grid_id == grid_id))
    connection.execute(delete(need_grids).where(g.id == grid_id))


def needs_of(connection: Connection, grid_id: int) -> list[Row[Any]]:
    statement = select(grid_needs).where(n.grid_id == grid_id).order_by(n.position, n.id)
    return list(connection.execute(statement))


def competitors_of(connection: Connection, grid_id: int) -> list[Row[Any]]:
    statement = select(grid_competitors).where(k.grid_id == grid_id).order_by(k.position, k.id)
    return list(connection.execute(statement))


def set_needs(connection: Connection, grid_id: int, names: Sequence[str]) -> None:
    """The grid's needs become ``names`` in order: kept by name, added, removed."""
    _set_list(connection, grid_needs, grid_id, names, {})


def set_competitors(connection: Connection, grid_id: int, names: Sequence[str], us: str) -> None:
    """The grid's competitors become ``names`` in order, ``us`` marked as us."""
    _set_list(connection, grid_competitors, grid_id, names, {"is_us": us})


def _set_list(
    connection: Connection, table: Any, grid_id: int, names: Sequence[str], flag: dict[str, str]
) -> None:
    current = {
        row.name.casefold(): row
        for row in connection.execute(select(table).where(table.c.grid_id == grid_id))
    }
    wanted = {name.casefold() for name in names}
    gone = [row.id for key, row in current.items() if key not in wanted]
    if gone:
        if table is grid_needs:
            for child in (grid_weights, grid_scores):
                connection.execute(delete(child).where(child.c.need_id.in_(gone)))
        else:
            connection.execute(delete(grid_scores).where(grid_scores.c.competitor_id.in_(gone)))
        connection.execute(delete(table).where(table.c.id.in_(gone)))
    for position, name in enumerate(names):
        values: dict[str, Any] = {"name": name, "position": position}
        if flag:
            values["is_us"] = name == flag["is_us"]
        found = current.get(name.casefold())
        if found is None:
            connection.execute(insert(table).values(grid_id=grid_id, **values))
        else:
            connection.execute(update(table).where(table.c.id == found.id).values(**values))


def rater_rows(connection: Connection, grid_id: int) -> list[Row[Any]]:
    statement = (
        select(grid_raters)
        .where(r.grid_id == grid_id)
        .order_by(r.source.desc(), func.lower(r.name), r.id)
    )
    return list(connection.execute(statement))


def rater_row(connection: Connection, grid_id: int, rater_id: int) -> Row[Any] | None:
    statement = select(grid_raters).where(r.grid_id == grid_id, r.id == rater_id)
    return connection.execute(statement).first()


def weight_rows(connection: Connection, grid_id: int) -> list[Row[Any]]:
    w = grid_weights.c
    statement = (
        select(w.rater_id, w.need_id, w.points)
        .join(grid_raters, r.id == w.rater_id)
        .where(r.grid_id == grid_id)
    )
    return list(connection.execute(statement))


def score_rows(connection: Connection, grid_id: int) -> list[Row[Any]]:
    s = grid_scores.c
    statement = (
        select(s.rater_id, s.need_id, s.competitor_id, s.score)
        .join(grid_raters, r.id == s.rater_id)
        .where(r.grid_id == grid_id)
    )
    return list(connection.execute(statement))


def save_rater(
    connection: Connection,
    grid_id: int,
    *,
    name: str,
    source: str,
    department: str | None,
    weights: Mapping[int, float],
    scores: Mapping[tuple[int, int], float],
    now: datetime,
) -> int:
    """Insert or replace the rater (by grid, source and name) with these points and scores."""
    found = connection.execute(
        select(r.id).where(r.grid_id == grid_id, r.source == source, r.name == name)
    ).scalar()
    if found is None:
        rater_id = int(
            connection.execute(
                insert(grid_raters)
                .values(
                    grid_id=grid_id, name=name, source=source, department=department, created_at=now
                )
                .returning(r.id)
            ).scalar_one()
        )
    else:
        rater_id = int(found)
        connection.execute(
            update(grid_raters).where(r.id == rater_id).values(department=department)
        )
        for table in (grid_weights, grid_scores):
            connection.execute(delete(table).where(table.c.rater_id == rater_id))
    if weights:
        connection.execute(
            insert(grid_weights),
            [
                {"rater_id": rater_id, "need_id": need, "points": points}
                for need, points in weights.items()
            ],
        )
    if scores:
        connection.execute(
            insert(grid_scores),
            [
                {"rater_id": rater_id, "need_id": need, "competitor_id": rival, "score": score}
                for (need, rival), score in scores.items()
            ],
        )
    return rater_id


def delete_rater(connection: Connection, rater_id: int) -> None:
    for table in (grid_weights, grid_scores):
        connection.execute(delete(table).where(table.c.rater_id == rater_id))
    connection.execute(delete(grid_raters).where(r.id == rater_id))


__all__ = [
    "competitors_of",
    "delete_grid",
    "delete_rater",
    "grid_by_slug",
    "grid_rows",
    "insert_grid",
    "needs_of",
    "rater_row",
    "rater_rows",
    "save_rater",
    "score_rows",
    "set_competitors",
    "set_needs",
    "slug_taken",
    "update_grid",
    "weight_rows",
]
