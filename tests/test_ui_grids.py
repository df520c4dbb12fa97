"""The needs grid pages: make a grid, rate it in the table form (the total's error says how far
off it is), upload customers' answers, and read totals, gaps, differences and heatmaps."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

HTML = {"Accept": "text/html"}
SURVEY = (
    "respondent;points: Brand;points: Price;Us: Brand;Us: Price;Rival: Brand;Rival: Price\n"
    "C1;30;70;6;8;7;5\n"
)


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    return web_app(engine, database_url, Clock(NOW))


def _text(page: str) -> str:
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _post(client: SignedIn, path: str, data: dict[str, str], **kwargs: Any) -> Any:
    return client.post(
        path,
        data={**data, "csrf_token": client.csrf},
        headers=HTML,
        follow_redirects=False,
        **kwargs,
    )


def _rate(
    client: SignedIn,
    rater: str,
    department: str,
    points: tuple[str, str],
    us: tuple[str, str],
    rival: tuple[str, str],
) -> Any:
    data = {"rater": rater, "department": department, "source": "internal"}
    data.update({f"points.{n}": value for n, value in enumerate(points)})
    data.update({f"score.{n}.0": value for n, value in enumerate(us)})
    data.update({f"score.{n}.1": value for n, value in enumerate(rival)})
    return _post(client, "/grids/buyers/rate", data)


def test_a_grid_is_made_rated_surveyed_and_drawn(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    made = _post(
        client,
        "/grids",
        {"name": "Buyers", "needs": "Brand\nPrice\n", "competitors": "Us\nRival\n", "us": ""},
    )
    assert made.headers["location"] == "/grids/buyers?done=created"
    form = client.get("/grids/buyers/rate", headers=HTML).text
    assert 'name="points.1"' in form and 'name="score.1.1"' in form
    short = _rate(client, "Maija", "Marketing", ("60", "30"), ("8", "5"), ("6", "7"))
    assert short.status_code == 422
    assert "weights: the points must add up to 100; they add up to 90, 10 short of 100" in _text(
        short.text
    )
    assert 'value="60"' in short.text  # what was typed stays
    assert (
        _rate(client, "Maija", "Marketing", ("60", "40"), ("8", "5"), ("6", "7")).status_code == 303
    )
    assert _rate(client, "Sami", "Sales", ("20", "80"), ("6", "4"), ("7", "8")).status_code == 303
    uploaded = _post(
        client,
        "/grids/buyers/survey",
        {"source": "customer"},
        files={"file": ("s.csv", SURVEY, "text/csv")},
    )
    assert uploaded.status_code == 200
    page = _text(uploaded.text)
    assert "1 answer imported." in page
    # Maija .6·8+.4·5 = 6.8, Sami .2·6+.8·4 = 4.4: Us 5.6 (sd 1.2); C1 .3·6+.7·8 = 7.4.
    assert "Us us 5.60 1.20 7.40 -1.80" in page
    # Rival: Maija .6·6+.4·7 = 6.4, Sami .2·7+.8·8 = 7.8: 7.1 (sd 0.7); C1 .3·7+.7·5 = 5.6.
    assert "Rival 7.10 0.70 5.60 +1.50" in page
    # internal belief against the customer, each scale ranked on its own, largest first:
    # points Brand 40 against 30, Price 60 against 70; Us on Price (5+4)/2 = 4.5 against 8 …
    assert (
        "What matters (points, 0–100) Points on Brand 40.00 30.00 +10.00 "
        "Points on Price 60.00 70.00 -10.00 "
        "How they compare (scores and totals, 0–10) Us on Price 4.50 8.00 -3.50 "
        "Rival on Price 7.50 5.00 +2.50 Weighted total of Us 5.60 7.40 -1.80 "
        "Weighted total of Rival 7.10 5.60 +1.50 Us on Brand 7.00 6.00 +1.00 "
        "Rival on Brand 6.50 7.00 -0.50"
    ) in page
    assert (
        "What matters (points, 0–100) Points on Brand Marketing (60.0) Sales (20.0) 40.0 "
        "Points on Price Sales (80.0) Marketing (40.0) 40.0 "
        "How they compare (scores, 0–10) Us on Brand Marketing (8.0) Sales (6.0) 2.0 "
        "Rival on Brand Sales (7.0) Marketing (6.0) 1.0 Rival on Price Sales (8.0) "
        "Marketing (7.0) 1.0 Us on Price Marketing (5.0) Sales (4.0) 1.0"
    ) in page
    # the largest of each is marked
    assert uploaded.text.count('class="un-largest"') == 4
    markup = uploaded.text
    for chart in (
        "grid-weights",
        "grid-internal",
        "grid-spread",
        "grid-customers",
        "grid-difference",
    ):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in markup
    assert "Brand × Us: 7.0" in markup  # the internal heatmap's description
    assert 'style="' not in markup


def test_a_bad_survey_names_row_and_column_and_imports_nothing(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    _post(client, "/grids", {"name": "Buyers", "needs": "Brand\nPrice", "competitors": "Us"})
    bad = _post(
        client,
        "/grids/buyers/survey",
        {"source": "customer"},
        files={
            "file": ("s.csv", "respondent,points: Brand,Us: Brand\nC1,100,eleven\n", "text/csv")
        },
    )
    assert bad.status_code == 422
    assert (
        "Nothing was imported: row 2, column 'Us: Brand': expected a number from 0 to 10, "
        "got 'eleven'" in _text(bad.text)
    )
    binary = _post(
        client, "/grids/buyers/survey", {}, files={"file": ("s.csv", b"\xff\xfe\x00", "text/csv")}
    )
    assert "file: expected a UTF-8 text file (CSV)" in _text(binary.text)
    assert "Nobody has rated yet." in _text(client.get("/grids/buyers", headers=HTML).text)
    sales = signed_in(application, "sales")
    assert sales.get("/grids/buyers", headers=HTML).status_code == 200
    assert sales.get("/grids/buyers/rate", headers=HTML).status_code == 403
