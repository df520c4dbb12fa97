"""Needs and competitor grids: make them, rate them, import survey answers, read the results.

A grid names its needs and its competitors (one of them is us).  Internal
raters enter their 100 points and 0–10 scores in a table form (or the API);
customers' survey answers come in as a CSV file (``domain/grid_survey.py``).
The figures — weighted totals, spread, departments, internal against
customers — are ``domain/need_grid.py``'s.  Every change is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from silverplatter.domain import understanding_checks as checks
from silverplatter.domain.grid_survey import parse_survey
from silverplatter.domain.need_grid import (
    MAX_COMPETITORS,
    MAX_NEEDS,
    SOURCES,
    Cell,
    GridResult,
    Rating,
    check_names,
    check_scores,
    check_weights,
    evaluate,
)
from silverplatter.domain.understanding_checks import (
    FieldError,
    UnderstandingInvalid,
    collect,
    invalid,
)
from silverplatter.services.audit import Actor, record
from silverplatter.storage import need_grids as store


@dataclass(frozen=True, slots=True)
class Rater:
    id: int
    name: str
    department: str | None
    source: str
    created_at: datetime


@dataclass(frozen=True)
class Grid:
    id: int
    slug: str
    name: str
    needs: tuple[str, ...]
    competitors: tuple[str, ...]
    us: str | None
    raters: tuple[Rater, ...]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class GridSummary:
    slug: str
    name: str
    internal_raters: int
    customer_raters: int
    updated_at: datetime


def list_grids(connection: Connection) -> list[GridSummary]:
    return [
        GridSummary(row.slug, row.name, int(row.internal), int(row.customers), row.updated_at)
        for row in store.grid_rows(connection)
    ]


def get_grid(connection: Connection, slug: str) -> Grid:
    """The grid with that slug; ``LookupError`` when there is none."""
    row = store.grid_by_slug(connection, slug)
    if row is None:
        raise LookupError(f"there is no needs grid {slug!r}")
    rivals = store.competitors_of(connection, row.id)
    return Grid(
        id=row.id,
        slug=row.slug,
        name=row.name,
        needs=tuple(need.name for need in store.needs_of(connection, row.id)),
        competitors=tuple(rival.name for rival in rivals),
        us=next((rival.name for rival in rivals if rival.is_us), None),
        raters=tuple(
            Rater(rater.id, rater.name, rater.department, rater.source, rater.created_at)
            for rater in store.rater_rows(connection, row.id)
        ),
        updated_at=row.updated_at,
    )


def _lists(
    document: Mapping[str, Any], current: Grid | None
) -> tuple[list[str] | None, list[str] | None, str | None]:
    errors: list[FieldError] = []
    needs = competitors = None
    if "needs" in document or current is None:
        needs = collect(errors, check_names, _listed(document.get("needs")), "needs", MAX_NEEDS)
    if "competitors" in document or current is None:
        competitors = collect(
            errors,
            check_names,
            _listed(document.get("competitors")),
            "competitors",
            MAX_COMPETITORS,
        )
    names = competitors if competitors is not None else (current.competitors if current else [])
    raw_us = document.get("us", current.us if current else None)
    us: str | None = None
    if names:
        if raw_us is None or (isinstance(raw_us, str) and not raw_us.strip()):
            us = names[0]
        else:
            us = next((n for n in names if n.casefold() == str(raw_us).strip().casefold()), None)
            if us is None:
                errors.append(FieldError("us", "expected one of the competitors (who is us?)"))
    if errors:
        raise UnderstandingInvalid(errors)
    return needs, competitors, us


def _listed(raw: Any) -> list[Any]:
    """A list, or lines of text (one name a line, as a form's text area sends them)."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [line for line in raw.splitlines() if line.strip()]
    if isinstance(raw, list | tuple):
        return list(raw)
    raise invalid("needs", "expected a list of names")


def create_grid(
    connection: Connection, document: Mapping[str, Any], *, actor: Actor, now: datetime
) -> Grid:
    """A new grid: name, slug (made from the name when absent), needs, competitors, us."""
    errors: list[FieldError] = []
    name = collect(errors, checks.name, document.get("name"))
    slug = collect(errors, checks.slug, document.get("slug"), name)
    lists = collect(errors, _lists, document, None)
    if errors:
        raise UnderstandingInvalid(errors)
    if store.slug_taken(connection, slug):
        raise invalid("slug", f"another needs grid already has the slug {slug!r}")
    needs, competitors, us = lists
    grid_id = store.insert_grid(connection, slug, name, now)
    store.set_needs(connection, grid_id, needs)
    store.set_competitors(connection, grid_id, competitors, us)
    record(connection, "grid.created", f"grid {slug}", actor=actor, now=now)
    return get_grid(connection, slug)


def change_grid(
    connection: Connection,
    slug: str,
    document: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> Grid:
    """Rename the grid or change its needs, competitors or who is us.

    A need or competitor left out is removed with every point and score given
    to it; one kept (by name, case ignored) keeps them.
    """
    current = get_grid(connection, slug)
    errors: list[FieldError] = []
    name = collect(errors, checks.name, document.get("name", current.name))
    lists = collect(errors, _lists, document, current)
    if errors:
        raise UnderstandingInvalid(errors)
    needs, competitors, us = lists
    store.update_grid(connection, current.id, {"name": name}, now)
    if needs is not None:
        store.set_needs(connection, current.id, needs)
    store.set_competitors(connection, current.id, competitors or list(current.competitors), us)
    record(connection, "grid.changed", f"grid {slug}", actor=actor, now=now)
    return get_grid(connection, slug)


def delete_grid(connection: Connection, slug: str, *, actor: Actor, now: datetime) -> None:
    current = get_grid(connection, slug)
    store.delete_grid(connection, current.id)
    record(connection, "grid.deleted", f"grid {slug}", actor=actor, now=now)


def _ids(connection: Connection, grid_id: int) -> tuple[dict[str, int], dict[str, int]]:
    needs = {row.name: row.id for row in store.needs_of(connection, grid_id)}
    rivals = {row.name: row.id for row in store.competitors_of(connection, grid_id)}
    return needs, rivals


def save_rating(
    connection: Connection,
    slug: str,
    document: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> Rater:
    """A rater's points and scores, replacing what the same rater (by name) gave before.

    ``document``: ``rater``, ``department``, ``source`` (internal by default),
    ``weights`` {need: points}, ``scores`` {competitor: {need: score}}.
    """
    grid = get_grid(connection, slug)
    errors: list[FieldError] = []
    rater = collect(errors, checks.name, document.get("rater"), "rater")
    department = collect(
        errors, checks.text, document.get("department"), "department", most=100, required=False
    )
    source = document.get("source") or "internal"
    if source not in SOURCES:
        errors.append(FieldError("source", "expected internal or customer"))
    raw_weights = document.get("weights") or {}
    raw_scores = document.get("scores") or {}
    if not isinstance(raw_weights, Mapping):
        errors.append(FieldError("weights", "expected points per need"))
        raw_weights = {}
    cells: dict[Cell, object] = {}
    if not isinstance(raw_scores, Mapping):
        errors.append(FieldError("scores", "expected scores per competitor and need"))
    else:
        for rival, row in raw_scores.items():
            if not isinstance(row, Mapping):
                errors.append(FieldError(f"scores.{rival}", "expected scores per need"))
                continue
            cells.update(((need, str(rival)), value) for need, value in row.items())
    weights = collect(errors, check_weights, raw_weights, grid.needs)
    scores = collect(errors, check_scores, cells, grid.needs, grid.competitors)
    if errors:
        raise UnderstandingInvalid(errors)
    need_ids, rival_ids = _ids(connection, grid.id)
    rater_id = store.save_rater(
        connection,
        grid.id,
        name=rater,
        source=source,
        department=department,
        weights={need_ids[need]: points for need, points in weights.items()},
        scores={(need_ids[n], rival_ids[c]): score for (n, c), score in scores.items()},
        now=now,
    )
    record(
        connection,
        "grid.rated",
        f"grid {slug}",
        actor=actor,
        now=now,
        details={"rater": rater, "source": source},
    )
    return next(found for found in get_grid(connection, slug).raters if found.id == rater_id)


def remove_rater(
    connection: Connection, slug: str, rater_id: int, *, actor: Actor, now: datetime
) -> None:
    grid = get_grid(connection, slug)
    row = store.rater_row(connection, grid.id, rater_id)
    if row is None:
        raise LookupError(f"needs grid {slug!r} has no rater {rater_id}")
    store.delete_rater(connection, rater_id)
    record(
        connection,
        "grid.rater_removed",
        f"grid {slug}",
        actor=actor,
        now=now,
        details={"rater": row.name, "source": row.source},
    )


def import_survey(
    connection: Connection,
    slug: str,
    content: str,
    *,
    source: str = "customer",
    actor: Actor,
    now: datetime,
) -> int:
    """Import one CSV of answers (``domain/grid_survey.py``); how many respondents.

    All or nothing: a file with a bad row imports nothing and every error
    names its row and column.  A respondent already in the grid (same name
    and source) is replaced.
    """
    if source not in SOURCES:
        raise invalid("source", "expected internal or customer")
    grid = get_grid(connection, slug)
    answers = parse_survey(content, grid.needs, grid.competitors)
    need_ids, rival_ids = _ids(connection, grid.id)
    for found in answers:
        store.save_rater(
            connection,
            grid.id,
            name=found.respondent,
            source=source,
            department=found.department,
            weights={need_ids[need]: points for need, points in found.weights.items()},
            scores={(need_ids[n], rival_ids[c]): s for (n, c), s in found.scores.items()},
            now=now,
        )
    record(
        connection,
        "grid.imported",
        f"grid {slug}",
        actor=actor,
        now=now,
        details={"respondents": len(answers), "source": source},
    )
    return len(answers)


def ratings_of(connection: Connection, grid: Grid) -> dict[int, Rating]:
    """Every rater's rating by rater id, with names of needs and competitors."""
    needs = {row.id: row.name for row in store.needs_of(connection, grid.id)}
    rivals = {row.id: row.name for row in store.competitors_of(connection, grid.id)}
    weights: dict[int, dict[str, float]] = {rater.id: {} for rater in grid.raters}
    scores: dict[int, dict[Cell, float]] = {rater.id: {} for rater in grid.raters}
    for row in store.weight_rows(connection, grid.id):
        weights[row.rater_id][needs[row.need_id]] = float(row.points)
    for row in store.score_rows(connection, grid.id):
        scores[row.rater_id][(needs[row.need_id], rivals[row.competitor_id])] = float(row.score)
    return {
        rater.id: Rating(
            rater.name, rater.source, rater.department, weights[rater.id], scores[rater.id]
        )
        for rater in grid.raters
    }


def grid_result(connection: Connection, slug: str) -> tuple[Grid, GridResult]:
    """The grid and every figure of it."""
    grid = get_grid(connection, slug)
    ratings = list(ratings_of(connection, grid).values())
    return grid, evaluate(ratings, grid.needs, grid.competitors)


__all__ = [
    "Grid",
    "GridSummary",
    "Rater",
    "change_grid",
    "create_grid",
    "delete_grid",
    "get_grid",
    "grid_result",
    "import_survey",
    "list_grids",
    "ratings_of",
    "remove_rater",
    "save_rating",
]
