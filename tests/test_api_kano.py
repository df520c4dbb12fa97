"""Kano studies over the API: answers as CSV or JSON, results per feature and segment with the
hand-computed figures of ``tests/test_kano.py``; problems name the row and column or item."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

BASE = "/api/v1/understanding/kano"
# Offline mode: like/dislike ×3 → O, like/neutral ×2 → A, expect/dislike ×2 → M,
# neutral/neutral → I, like/like → Q, dislike/like → R (10 answers).
ROWS = [
    ("r1", 1, 5, "SMB"),
    ("r2", 1, 5, "SMB"),
    ("r3", 1, 5, "Enterprise"),
    ("r4", 1, 3, "SMB"),
    ("r5", 1, 3, "Enterprise"),
    ("r6", 2, 5, "SMB"),
    ("r7", 2, 5, "Enterprise"),
    ("r8", 3, 3, "SMB"),
    ("r9", 1, 1, "SMB"),
    ("r10", 5, 1, "SMB"),
]
WORDS = {1: "like", 2: "expect", 3: "neutral", 4: "live with", 5: "dislike"}


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    return web_app(engine, database_url, Clock(NOW))


def _send(client: SignedIn, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
    headers = {"X-CSRF-Token": client.csrf, **kwargs.pop("headers", {})}
    return client.request(method, BASE + path, json=body, headers=headers, **kwargs)


def _problem(response: Any) -> list[tuple[str, str]]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [(e["field"], e["message"]) for e in response.json().get("errors", [])]


def test_answers_as_csv_and_json_give_the_features_results(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    made = _send(client, "POST", "", {"name": "Roadmap 2026"})
    assert made.status_code == 201, made.text
    lines = ["respondent,feature,functional,dysfunctional,segment"]
    lines += [f"{r},Offline mode,{WORDS[f]},{d},{s}" for r, f, d, s in ROWS]
    csv = _send(
        client,
        "POST",
        "/roadmap-2026/answers",
        content="\n".join(lines) + "\n",
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )
    assert csv.json() == {"answers": 10}
    json_rows = [
        {"respondent": r, "feature": "Single sign-on", "functional": "expect", "dysfunctional": 5}
        for r in ("r1", "r2")
    ]
    assert _send(client, "POST", "/roadmap-2026/answers", json_rows).json() == {"answers": 2}
    results = _send(client, "GET", "/roadmap-2026/results").json()
    assert results["segments"] == ["Enterprise", "SMB"]
    offline, sso = results["features"]
    assert offline == {
        "feature": "Offline mode",
        "answers": 10,
        "counts": {"M": 2, "O": 3, "A": 2, "I": 1, "R": 1, "Q": 1},
        "shares": {"M": 0.2, "O": 0.3, "A": 0.2, "I": 0.1, "R": 0.1, "Q": 0.1},
        "category": "O",
        "category_name": "One-dimensional (performance)",
        "runner_up": "M",
        "margin": 0.1,
        "better": 0.625,
        "worse": -0.625,
    }
    assert (sso["category"], sso["better"], sso["worse"]) == ("M", 0.0, -1.0)
    smb = _send(client, "GET", "/roadmap-2026/results", params={"segment": "SMB"}).json()
    # SMB: O ×2 (r1, r2), A (r4), M (r6), I (r8), Q (r9), R (r10).
    assert smb["features"][0]["counts"] == {"M": 1, "O": 2, "A": 1, "I": 1, "R": 1, "Q": 1}
    study = _send(client, "GET", "/roadmap-2026").json()
    assert (study["features"], study["respondents"], study["answers"]) == (2, 10, 12)
    # a survey tool's export: one row per respondent, two columns per feature
    wide = (
        "respondent,Dark theme (functional),Dark theme (dysfunctional)\n"
        "r1,like,neutral\nr2,neutral,neutral\n"
    )
    sent = _send(
        client,
        "POST",
        "/roadmap-2026/answers",
        content=wide,
        headers={"Content-Type": "text/csv; charset=utf-8"},
    )
    assert sent.json() == {"answers": 2}
    dark = _send(client, "GET", "/roadmap-2026/results").json()["features"][2]
    # A and I, one each: A wins by the order M, O, A, I with a margin of 0; Better 1/2.
    assert (dark["feature"], dark["category"], dark["margin"], dark["better"]) == (
        "Dark theme",
        "A",
        0.0,
        0.5,
    )
    assert _send(client, "DELETE", "/roadmap-2026").status_code == 204
    assert _send(client, "GET", "").json() == []


def test_problems_name_rows_columns_and_items(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    _send(client, "POST", "", {"name": "Roadmap"})
    bad_csv = _send(
        client,
        "POST",
        "/roadmap/answers",
        content="respondent,feature,functional,dysfunctional\nr1,Offline,love,5\n",
        headers={"Content-Type": "text/csv"},
    )
    assert _problem(bad_csv) == [
        (
            "row 2, column 'functional'",
            "expected 1–5 or like, expect, neutral, live with, dislike; got 'love'",
        )
    ]
    bad_json = _send(
        client,
        "POST",
        "/roadmap/answers",
        [{"respondent": "r1", "feature": "X", "functional": 6, "dysfunctional": 1}],
    )
    assert _problem(bad_json) == [
        (
            "answers[0].functional",
            "expected 1–5 or like, expect, neutral, live with, dislike; got 6",
        )
    ]
    assert _problem(_send(client, "POST", "/roadmap/answers", {"not": "a list"})) == [
        ("body", "expected a list of answers (objects)")
    ]
    missing = _send(client, "GET", "/roadmap/results", params={"segment": "SMB"})
    assert _problem(missing) == [("segment", "no answers from the segment 'SMB'")]
    assert _send(client, "POST", "", {"name": "Roadmap"}).status_code == 422
    sales = signed_in(application, "sales")
    assert sales.get(BASE + "/roadmap/results").status_code == 200
    assert _send(sales, "POST", "", {"name": "Mine"}).status_code == 403
