"""Needs grids in the workspace: made, rated in the form's shape, customers' answers imported
from CSV (errors naming row and column), changed, and read back with the figures of
``tests/test_need_grid.py`` (the same ratings)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, select

from silverplatter.domain.understanding_checks import UnderstandingInvalid
from silverplatter.services.audit import Actor
from silverplatter.services.need_grids import (
    change_grid,
    create_grid,
    delete_grid,
    get_grid,
    grid_result,
    import_survey,
    list_grids,
    remove_rater,
    save_rating,
)
from silverplatter.storage.access_schema import audit_log

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTOR = Actor(None)
SURVEY = (
    "respondent;points: brand;Points : Price;points: Service;Us: Brand;Us: Price;Us: Service;"
    "Rival: Brand;Rival: Price;Rival: Service\n"
    "C1;20;30;50;6;6;6;7;6;8\n"
    "C2;10;50;40;5;7;7;8;4;7\n"
)


def _rate(
    connection: Connection,
    rater: str,
    department: str,
    points: tuple[float, float, float],
    us: tuple[float, float, float],
    rival: tuple[float, float, float],
) -> None:
    needs = ("Brand", "Price", "Service")
    save_rating(
        connection,
        "erp-buyers",
        {
            "rater": rater,
            "department": department,
            "weights": dict(zip(needs, points, strict=True)),
            "scores": {
                "Us": dict(zip(needs, us, strict=True)),
                "Rival": dict(zip(needs, rival, strict=True)),
            },
        },
        actor=ACTOR,
        now=NOW,
    )


def _grid(connection: Connection) -> None:
    create_grid(
        connection,
        {
            "name": "ERP buyers",
            "needs": "Brand\nPrice\nService\n",
            "competitors": ["Us", "Rival"],
            "us": "us",
        },
        actor=ACTOR,
        now=NOW,
    )
    _rate(connection, "Maija", "Marketing", (50, 20, 30), (8, 5, 7), (6, 7, 5))
    _rate(connection, "Sami", "Sales", (10, 60, 30), (6, 4, 8), (7, 8, 6))
    _rate(connection, "Kaisa", "Customer service", (20, 20, 60), (7, 5, 9), (6, 7, 4))


def test_internal_ratings_and_imported_answers_give_the_grids_figures(engine: Engine) -> None:
    with engine.begin() as connection:
        _grid(connection)
        assert import_survey(connection, "erp-buyers", SURVEY, actor=ACTOR, now=NOW) == 2
    with engine.connect() as connection:
        grid, result = grid_result(connection, "erp-buyers")
        summary = list_grids(connection)
    assert (grid.needs, grid.competitors, grid.us) == (
        ("Brand", "Price", "Service"),
        ("Us", "Rival"),
        "Us",
    )
    assert [(r.name, r.source, r.department) for r in grid.raters] == [
        ("Kaisa", "internal", "Customer service"),
        ("Maija", "internal", "Marketing"),
        ("Sami", "internal", "Sales"),
        ("C1", "customer", None),
        ("C2", "customer", None),
    ]
    assert [(s.slug, s.internal_raters, s.customer_raters) for s in summary] == [
        ("erp-buyers", 3, 2)
    ]
    assert result.internal.totals["Us"].mean == pytest.approx(20.3 / 3, abs=1e-12)
    assert result.customer.totals["Rival"].mean == pytest.approx(6.4, abs=1e-12)
    top = result.differences[0]
    assert (top.need, top.competitor, round(top.difference, 6)) == ("Brand", None, 11.666667)
    assert [(g.need, g.highest, g.lowest) for g in result.department_gaps[:2]] == [
        ("Brand", "Marketing", "Sales"),
        ("Price", "Sales", "Customer service"),
    ]


def test_a_rater_saved_again_is_replaced_and_bad_points_say_how_far_off(engine: Engine) -> None:
    with engine.begin() as connection:
        _grid(connection)
        _rate(connection, "Sami", "Sales", (40, 30, 30), (6, 4, 8), (7, 8, 6))
        with pytest.raises(UnderstandingInvalid) as bad:
            save_rating(
                connection,
                "erp-buyers",
                {
                    "rater": "",
                    "source": "partner",
                    "weights": {"Brand": 50, "Price": 40},
                    "scores": {"Us": {"Brand": 12}},
                },
                actor=ACTOR,
                now=NOW,
            )
        assert [(e.field, e.message) for e in bad.value.errors] == [
            ("rater", "required"),
            ("source", "expected internal or customer"),
            ("weights", "the points must add up to 100; they add up to 90, 10 short of 100"),
            ("scores.Us.Brand", "expected a number from 0 to 10, got 12"),
        ]
    with engine.connect() as connection:
        grid, result = grid_result(connection, "erp-buyers")
    assert len(grid.raters) == 3
    assert result.internal.weights["Brand"].mean == pytest.approx((50 + 40 + 20) / 3)


def test_survey_errors_name_the_row_and_column_and_nothing_is_imported(engine: Engine) -> None:
    with engine.begin() as connection:
        _grid(connection)
    bad_header = "respondent,points: Colour,Them: Price,Price\nC1,100,5,5\n"
    bad_rows = (
        "respondent,points: Brand,points: Price,Us: Price\n"
        "C1,50,50,11\n"
        ",100,,\n"
        "C3,60,30,x\n"
        "C4,100,0,5\n"
        "c4,100,0,5\n"
    )
    with engine.begin() as connection:
        with pytest.raises(UnderstandingInvalid) as header:
            import_survey(connection, "erp-buyers", bad_header, actor=ACTOR, now=NOW)
        with pytest.raises(UnderstandingInvalid) as rows:
            import_survey(connection, "erp-buyers", bad_rows, actor=ACTOR, now=NOW)
        with pytest.raises(UnderstandingInvalid, match="file: the file is empty"):
            import_survey(connection, "erp-buyers", "", actor=ACTOR, now=NOW)
    assert [(e.field, e.message) for e in header.value.errors] == [
        (
            "row 1, column 2 ('points: Colour')",
            "'Colour' is not a need of this grid (Brand, Price, Service)",
        ),
        (
            "row 1, column 3 ('Them: Price')",
            "'Them' is not a competitor of this grid (Us, Rival) nor 'points'",
        ),
        (
            "row 1, column 4 ('Price')",
            "expected respondent, department, 'points: <need>' or '<competitor>: <need>'",
        ),
    ]
    assert [(e.field, e.message) for e in rows.value.errors] == [
        ("row 2, column 'Us: Price'", "expected a number from 0 to 10, got 11"),
        ("row 3, column 'respondent'", "required"),
        ("row 4, column 'Us: Price'", "expected a number from 0 to 10, got 'x'"),
        ("row 6, column 'respondent'", "'c4' already answered in row 5"),
    ]
    with engine.connect() as connection:
        assert len(get_grid(connection, "erp-buyers").raters) == 3


def test_changing_needs_keeps_the_ratings_of_the_needs_kept(engine: Engine) -> None:
    with engine.begin() as connection:
        _grid(connection)
        changed = change_grid(
            connection,
            "erp-buyers",
            {"name": "ERP buyers 2026", "needs": ["Service", "brand", "Quality"], "us": "Rival"},
            actor=ACTOR,
            now=NOW,
        )
        assert (changed.name, changed.needs, changed.us) == (
            "ERP buyers 2026",
            ("Service", "brand", "Quality"),
            "Rival",
        )
        grid, result = grid_result(connection, "erp-buyers")
        # Price is gone with its points: Maija keeps 30 on service and 50 on brand.
        assert result.internal.weights["Service"].mean == pytest.approx(40)
        assert result.internal.scores[("brand", "Us")].mean == pytest.approx(7)
        remove_rater(connection, "erp-buyers", grid.raters[0].id, actor=ACTOR, now=NOW)
        with pytest.raises(LookupError, match="has no rater 999"):
            remove_rater(connection, "erp-buyers", 999, actor=ACTOR, now=NOW)
        with pytest.raises(UnderstandingInvalid, match="us: expected one of the competitors"):
            change_grid(connection, "erp-buyers", {"us": "Nobody"}, actor=ACTOR, now=NOW)
        with pytest.raises(UnderstandingInvalid, match="slug: another needs grid"):
            create_grid(
                connection,
                {"name": "ERP buyers", "needs": ["A"], "competitors": ["B"]},
                actor=ACTOR,
                now=NOW,
            )
        delete_grid(connection, "erp-buyers", actor=ACTOR, now=NOW)
        assert list_grids(connection) == []
        actions = list(
            connection.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars()
        )
    assert actions == [
        "grid.created",
        "grid.rated",
        "grid.rated",
        "grid.rated",
        "grid.changed",
        "grid.rater_removed",
        "grid.deleted",
    ]
