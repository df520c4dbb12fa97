"""The people-lists page: upload a list, see its matches, delete it; sales only reads."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from lost_lead_world import account, contact
from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

HTML = {"Accept": "text/html"}
FOLLOWERS = "Name;E-mail;LinkedIn;Company;Notes\nAnn;ann@acme.example;;;x\nMax;;;Acme;y\nZed;;;;\n"


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    with engine.begin() as c:
        acme = account(c, "Acme", domain="acme.example")
        contact(c, "ann@acme.example", account_id=acme)
    return web_app(engine, database_url, Clock(NOW))


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _upload(client: SignedIn, body: str, kind: str = "social_followers") -> Any:
    return client.post(
        "/people-lists",
        data={"name": "LinkedIn followers", "kind": kind, "csrf_token": client.csrf},
        files={"file": ("followers.csv", body, "text/csv")},
        headers=HTML,
        follow_redirects=False,
    )


def test_a_list_is_uploaded_counted_and_deleted(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    page = client.get("/people-lists", headers=HTML)
    assert page.status_code == 200
    assert '<a href="/people-lists"' in page.text  # in the navigation
    assert "No people lists yet." in _text(page.text)
    uploaded = _upload(client, FOLLOWERS)
    assert uploaded.status_code == 200
    text = _text(uploaded.text)
    assert (
        "Imported 3 people into “LinkedIn followers”: 1 matched a contact, 2 an account. "
        "Columns left out: Notes."
    ) in text
    assert (
        "LinkedIn followers Social followers followers.csv 2026-03-02 09:00 by Marketing User "
        "3 1 2 1 Delete"
    ) in text
    deleted = client.post(
        "/people-lists/1/delete",
        data={"csrf_token": client.csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert deleted.headers["location"] == "/people-lists?done=deleted"
    after = client.get("/people-lists?done=deleted", headers=HTML)
    assert "List deleted with its people." in after.text
    assert "No people lists yet." in _text(after.text)


def test_a_bad_row_is_named_and_nothing_is_imported(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    refused = _upload(client, "email,score\nann@acme.example,9\nbo@x.example,\n", "nps_survey")
    assert refused.status_code == 422
    assert "Nothing was imported: row 3, score: an NPS answer needs its score (0 to 10)" in _text(
        refused.text
    )
    assert "No people lists yet." in _text(refused.text)


def test_sales_sees_the_lists_but_not_the_form(application: FastAPI) -> None:
    assert _upload(signed_in(application, "marketing"), FOLLOWERS).status_code == 200
    sales = signed_in(application, "sales")
    page = sales.get("/people-lists", headers=HTML)
    assert page.status_code == 200
    assert "LinkedIn followers" in page.text
    assert 'id="import-list"' not in page.text and "/delete" not in page.text
    assert _upload(sales, FOLLOWERS).status_code == 403
    deleted = sales.post("/people-lists/1/delete", data={"csrf_token": sales.csrf}, headers=HTML)
    assert deleted.status_code == 403
