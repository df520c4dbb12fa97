"""Unsubscribing through the signed link: the page, the button, RFC 8058 one-click, idempotence."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from silverplatter.domain.records import ContactFields
from silverplatter.services.records import upsert_contacts
from silverplatter.services.signing import Signer, signer_for
from silverplatter.services.suppression import list_suppressions, suppress
from silverplatter.services.unsubscribe import mask, unsubscribe, unsubscribe_url
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.capture_schema import suppressions
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import consent_records, contacts, events
from web_world import NOW, Clock, web_app


@pytest.fixture
def world(engine: Engine, database_url: str) -> tuple[FastAPI, Clock, int, Signer]:
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="Lea.Laine@buyer.example")], now=NOW)
        lea = int(connection.execute(select(contacts.c.id)).scalar_one())
        signer = signer_for(connection)
    clock = Clock()
    return web_app(engine, database_url, clock), clock, lea, signer


def _client(application: FastAPI) -> TestClient:
    return TestClient(application, base_url="http://127.0.0.1", headers={"Accept": "text/html"})


def _text(html: str) -> str:
    inline = re.sub(r"</?strong>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)).strip()


def _ledger(engine: Engine) -> list[tuple[Any, ...]]:
    r = consent_records.c
    query = select(r.contact_id, r.channel, r.action, r.source, r.occurred_at, r.ip_address)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query.order_by(r.id))]


def _events(engine: Engine) -> list[tuple[Any, ...]]:
    e = events.c
    query = select(e.type, e.contact_id, e.channel, e.occurred_at, e.properties)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query.order_by(e.id))]


def _listed(engine: Engine) -> list[tuple[Any, ...]]:
    s = suppressions.c
    with engine.connect() as connection:
        query = select(s.email_key, s.reason, s.source, s.created_at)
        return [tuple(row) for row in connection.execute(query)]


def test_the_link_shows_one_button_and_changes_nothing_by_itself(
    engine: Engine, world: tuple[FastAPI, Clock, int, Signer]
) -> None:
    application, _clock, lea, signer = world
    url = unsubscribe_url(signer, "http://127.0.0.1", lea, now=NOW)
    path = url.removeprefix("http://127.0.0.1")
    page = _client(application).get(path)
    assert page.status_code == 200
    assert _text(page.text).startswith(
        "Unsubscribe Unsubscribe from our mail Stop all mail to L•••@buyer.example? "
        "We will not send it anything again. Unsubscribe"
    )
    assert f'<form method="post" action="{path}">' in page.text
    assert "lea.laine" not in page.text.lower()
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text and "style=" not in page.text
    assert (_listed(engine), _ledger(engine), _events(engine)) == ([], [], [])


def test_the_button_unsubscribes_with_ledger_event_and_score(
    engine: Engine, world: tuple[FastAPI, Clock, int, Signer]
) -> None:
    application, clock, lea, signer = world
    path = f"/capture/unsubscribe/{signer.sign('unsubscribe', {'c': lea}, now=NOW)}"
    clock.advance(days=30)
    done = _client(application).post(path)
    assert done.status_code == 200
    assert _text(done.text) == (
        "Unsubscribed You are unsubscribed We will not send L•••@buyer.example any more mail. "
        "If this was a mistake, sign up again through any of our forms."
    )
    when = NOW + timedelta(days=30)
    assert _listed(engine) == [
        ("lea.laine@buyer.example", "unsubscribed", "unsubscribe link", when)
    ]
    assert _ledger(engine) == [(lea, "email", "withdrawn", "unsubscribe link", when, "testclient")]
    assert _events(engine) == [
        ("email_unsubscribe", lea, "email", when, {"reason": "unsubscribe link"})
    ]
    with engine.connect() as connection:
        score = connection.execute(
            select(contact_scores.c.score).where(contact_scores.c.contact_id == lea)
        ).scalar_one()
    assert score == -50.0
    again = _client(application).get(path)
    assert "You are already unsubscribed" in _text(again.text)
    assert "<form" not in again.text


def test_one_click_unsubscribe_is_idempotent(
    engine: Engine, world: tuple[FastAPI, Clock, int, Signer]
) -> None:
    """RFC 8058: the mail provider POSTs List-Unsubscribe=One-Click; a repeat changes nothing."""
    application, _clock, lea, signer = world
    path = f"/capture/unsubscribe/{signer.sign('unsubscribe', {'c': lea}, now=NOW)}"
    client = TestClient(application, base_url="http://127.0.0.1")
    body = {"List-Unsubscribe": "One-Click"}
    first = client.post(path, data=body)
    second = client.post(path, data=body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert "You are already unsubscribed" in _text(second.text)
    assert len(_listed(engine)) == len(_ledger(engine)) == len(_events(engine)) == 1


def test_an_address_listed_for_another_reason_still_records_the_withdrawal_once(
    engine: Engine, world: tuple[FastAPI, Clock, int, Signer]
) -> None:
    _application, _clock, lea, _signer = world
    with engine.begin() as connection:
        suppress(connection, "lea.laine@buyer.example", reason="hard_bounce", source="s", now=NOW)
        first = unsubscribe(connection, lea, now=NOW, ip_address=None)
        second = unsubscribe(connection, lea, now=NOW, ip_address=None)
        _total, [listed] = list_suppressions(connection)
    assert (first.already, second.already) == (False, True)
    assert listed.reason == "hard_bounce"
    assert [row[2] for row in _ledger(engine)] == ["withdrawn"]
    assert [row[0] for row in _events(engine)] == ["email_unsubscribe"]


def test_a_person_gone_since_is_told_they_get_nothing(
    engine: Engine, world: tuple[FastAPI, Clock, int, Signer]
) -> None:
    application, _clock, lea, signer = world
    path = f"/capture/unsubscribe/{signer.sign('unsubscribe', {'c': lea + 100}, now=NOW)}"
    page = _client(application).post(path)
    assert page.status_code == 200
    assert "You are already unsubscribed This address gets no mail from us." in _text(page.text)
    assert (_listed(engine), _ledger(engine), _events(engine)) == ([], [], [])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_forged_altered_and_expired_links_get_a_clear_page(
    engine: Engine, world: tuple[FastAPI, Clock, int, Signer], method: str
) -> None:
    application, clock, lea, signer = world
    good = signer.sign("unsubscribe", {"c": lea}, now=NOW)
    forged = Signer("not our key at all").sign("unsubscribe", {"c": lea}, now=NOW)
    misdirected = signer.sign("download", {"m": 1, "c": lea}, now=NOW)
    wrong_payload = signer.sign("unsubscribe", {"c": "1"}, now=NOW)
    client = _client(application)
    for bad in (forged, good[:-2] + ("AA" if not good.endswith("AA") else "BB"), misdirected,
                wrong_payload):  # fmt: skip
        page = client.request(method, f"/capture/unsubscribe/{bad}")
        assert page.status_code == 400
        assert _text(page.text).startswith(
            "Link not valid This unsubscribe link is not valid This link is not valid: it was "
            "altered or not made by us. Open the link exactly as it appears in the message"
        )
    clock.advance(days=365, seconds=1)
    page = client.request(method, f"/capture/unsubscribe/{good}")
    assert page.status_code == 410
    assert _text(page.text).startswith(
        "Link expired This unsubscribe link has expired This link has expired; ask for a new one. "
        "Use the unsubscribe link in a newer message from us"
    )
    assert (_listed(engine), _ledger(engine), _events(engine)) == ([], [], [])


def test_the_address_is_masked() -> None:
    assert mask("Lea.Laine@buyer.example") == "L•••@buyer.example"
    assert mask("x@y.example") == "x•••@y.example"
    assert mask("no-at-sign") == "no-at-sign"
