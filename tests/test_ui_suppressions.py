"""The suppression list page: counts per reason, filter, add, lift, erased rows by digest only."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from silverplatter.services.suppression import address_hash, suppress
from silverplatter.storage.access_schema import audit_log
from web_world import NOW, seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    ids = seed_users(engine)
    assert ids
    with engine.begin() as connection:
        for hours, (email, reason) in enumerate(
            [
                ("old@buyer.example", "unsubscribed"),
                ("bounced@buyer.example", "hard_bounce"),
                ("gone@buyer.example", "erased"),
                ("left@buyer.example", "unsubscribed"),
            ]
        ):
            when = NOW - timedelta(days=1) + timedelta(hours=hours)
            suppress(connection, email, reason=reason, source=f"test {hours}", now=when)
    return web_app(engine, database_url)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip())


def test_the_list_with_counts_per_reason_and_erased_rows_by_digest(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    page = client.get("/suppressions")
    assert page.status_code == 200
    text = _text(page.text)
    assert "All 4 Unsubscribed 2 Hard bounce 1 Complaint 0 Erased 1 Added by hand 0" in text
    digest = address_hash("gone@buyer.example")[:12]
    assert (
        "4 addresses Address Reason Source Since Action "
        "left@buyer.example Unsubscribed test 3 2026-03-01 12:00 Lift "
        f"erased address (hash {digest}…) Erased test 2 2026-03-01 11:00 "
        "bounced@buyer.example Hard bounce test 1 2026-03-01 10:00 Lift "
        "old@buyer.example Unsubscribed test 0 2026-03-01 09:00 Lift"
    ) in text
    assert "gone@" not in page.text
    assert '<a href="/suppressions" aria-current="page">Suppression list</a>' in page.text


def test_filtering_by_reason_and_looking_up_an_address(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    text = _text(client.get("/suppressions?reason=unsubscribed").text)
    assert "2 addresses (unsubscribed)" in text
    assert "bounced@" not in text
    found = _text(client.get("/suppressions?address=Bounced@Buyer.example").text)
    assert "1 address matching “Bounced@Buyer.example”" in found
    assert "bounced@buyer.example Hard bounce" in found
    erased = _text(client.get("/suppressions?address=gone@buyer.example").text)
    assert "1 address matching" in erased and "erased address (hash" in erased
    assert "No addresses match." in _text(client.get("/suppressions?reason=complaint").text)


def test_adding_an_address_by_hand_is_audited(application: FastAPI, engine: Engine) -> None:
    client = signed_in(application, "marketing")
    added = client.post(
        "/suppressions",
        data={"csrf_token": client.csrf, "email": "New@Buyer.example", "reason": "complaint",
              "note": "called us"},
        follow_redirects=False,
    )  # fmt: skip
    assert (added.status_code, added.headers["location"]) == (303, "/suppressions?done=added")
    text = _text(client.get("/suppressions?done=added").text)
    assert "Address added to the suppression list." in text
    assert "new@buyer.example Complaint added by hand: called us" in text
    again = client.post(
        "/suppressions",
        data={"csrf_token": client.csrf, "email": "new@buyer.example"},
        follow_redirects=False,
    )
    assert again.headers["location"] == "/suppressions?done=listed"
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action, audit_log.c.subject).where(
                audit_log.c.action.like("suppression.%")
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("suppression.added", f"suppressed address {address_hash('new@buyer.example')[:16]}")
    ]


def test_a_bad_address_comes_back_on_the_form(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    refused = client.post(
        "/suppressions",
        data={"csrf_token": client.csrf, "email": "not-an-address", "note": "x"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 422
    text = _text(refused.text)
    assert "The address was not added: Email: 'not-an-address' is not a valid email address" in text
    assert 'value="not-an-address"' in refused.text
    assert 'aria-invalid="true" aria-describedby="suppress-email-error"' in refused.text


def test_lifting_and_the_erased_address_that_stays(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    lifted = client.post(
        "/suppressions/lift",
        data={"csrf_token": client.csrf, "email": "old@buyer.example"},
        follow_redirects=False,
    )
    assert lifted.headers["location"] == "/suppressions?done=lifted"
    text = _text(client.get("/suppressions?done=lifted").text)
    assert "Address taken off the suppression list: it may be mailed again." in text
    assert "old@buyer.example" not in text and "All 3 Unsubscribed 1" in text
    refused = client.post(
        "/suppressions/lift",
        data={"csrf_token": client.csrf, "email": "gone@buyer.example"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 409
    assert (
        "The address was not lifted: the person was erased; their address stays on the list"
        in _text(refused.text)
    )


def test_who_may_see_and_change(application: FastAPI) -> None:
    sales = signed_in(application, "sales")
    assert sales.get("/suppressions", headers={"Accept": "text/html"}).status_code == 403
    marketing = signed_in(application, "marketing")
    assert 'action="/suppressions/lift"' in marketing.get("/suppressions").text
    no_token = marketing.post(
        "/suppressions",
        data={"email": "x@buyer.example"},
        headers={"Accept": "text/html"},
    )
    assert no_token.status_code == 403


def test_the_list_pages_by_fifty(application: FastAPI, engine: Engine) -> None:
    with engine.begin() as connection:
        for number in range(60):
            suppress(connection, f"p{number}@buyer.example", reason="manual", source="t", now=NOW)
    client = signed_in(application, "marketing")
    first = client.get("/suppressions?reason=manual")
    assert 'href="/suppressions?offset=50&amp;reason=manual">Older</a>' in first.text
    second = _text(client.get("/suppressions?reason=manual&offset=50").text)
    assert second.count("@buyer.example Added by hand") == 10
