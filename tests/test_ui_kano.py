"""The Kano pages: make a study, upload answers, read the results table and the two charts,
filter by segment; a bad file names row and column and imports nothing."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

HTML = {"Accept": "text/html"}
SVG = "{http://www.w3.org/2000/svg}"
ANSWERS = """respondent,feature,functional,dysfunctional,segment
r1,Offline mode,like,dislike,SMB
r2,Offline mode,like,dislike,SMB
r3,Offline mode,expect,dislike,Enterprise
r1,Dark theme,like,neutral,SMB
r2,Dark theme,neutral,neutral,SMB
"""


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


def test_a_study_is_made_answered_and_charted(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    made = _post(client, "/kano", {"name": "Roadmap"})
    assert made.headers["location"] == "/kano/roadmap?done=created"
    uploaded = _post(
        client, "/kano/roadmap/answers", {}, files={"file": ("a.csv", ANSWERS, "text/csv")}
    )
    assert uploaded.status_code == 200
    page = _text(uploaded.text)
    assert "5 answers imported." in page
    # Offline mode: O, O, M → O leads by 1 of 3 (33 points); Better 2/3, Worse −1.
    assert (
        "Offline mode One-dimensional (performance) 33 pts over Must-be "
        "33% 67% 0% 0% 0% 0% 3 0.67 -1.00" in page
    )
    # Dark theme: A and I tie; A wins by the order, margin 0.
    assert "Dark theme Attractive 0 pts over Indifferent 0% 0% 50% 50% 0% 0% 2 0.50 0.00" in page
    scatter = re.search(
        r'<svg[^>]*aria-labelledby="kano-scatter-title.*?</svg>', uploaded.text, re.S
    )
    assert scatter is not None
    root = ET.fromstring(scatter.group(0))
    tips = [node.text for node in root.iter(f"{SVG}title")]
    assert "Offline mode: Better 0.67, Worse −1" in tips
    assert "Dark theme: Better 0.5, Worse 0" in tips
    shares = re.search(r'<svg[^>]*aria-labelledby="kano-shares-title.*?</svg>', uploaded.text, re.S)
    assert shares is not None
    assert "Offline mode · Performance: 2 of 3 (67%)" in html.unescape(shares.group(0))
    smb = _text(client.get("/kano/roadmap?segment=SMB", headers=HTML).text)
    assert "Offline mode One-dimensional (performance) 100 pts over Must-be" in smb
    assert client.get("/kano/roadmap?segment=Nobody", headers=HTML).status_code == 404
    listing = _text(client.get("/kano", headers=HTML).text)
    assert "Roadmap 2 3 5" in listing


def test_a_bad_file_names_row_and_column(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    _post(client, "/kano", {"name": "Roadmap"})
    bad = _post(
        client,
        "/kano/roadmap/answers",
        {},
        files={
            "file": ("a.csv", "respondent,feature,functional,dysfunctional\nr1,X,7,1\n", "text/csv")
        },
    )
    assert bad.status_code == 422
    assert (
        "Nothing was imported: row 2, column 'functional': expected 1–5 or like, expect, "
        "neutral, live with, dislike; got '7'" in _text(bad.text)
    )
    assert "No answers yet." in _text(client.get("/kano/roadmap", headers=HTML).text)
    sales = signed_in(application, "sales")
    assert sales.get("/kano/roadmap", headers=HTML).status_code == 200
    assert _post(sales, "/kano/roadmap/delete", {}).status_code == 403
