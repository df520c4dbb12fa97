"""Privacy requests from the contact page: the export link and the erase confirmation."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from privacy_world import EMAIL, NOW, build_privacy_world
from silverplatter.storage.schema import contacts
from web_world import Clock, signed_in, web_app

HTML = {"Accept": "text/html"}


@pytest.fixture
def world(engine: Engine, database_url: str) -> tuple[FastAPI, dict[str, int]]:
    ids = build_privacy_world(engine)
    return web_app(engine, database_url, Clock(NOW)), ids


def _text(page: str) -> str:
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def test_the_contact_page_offers_what_the_role_may_do(
    world: tuple[FastAPI, dict[str, int]],
) -> None:
    application, ids = world
    zelda = ids["zelda"]
    export = f'href="/api/v1/contacts/{zelda}/export" download="contact-{zelda}.json"'
    erase = f'href="/contacts/{zelda}/erase"'
    admin = signed_in(application, "admin").get(f"/contacts/{zelda}", headers=HTML).text
    assert export in admin and erase in admin
    assert "Privacy requests" in _text(admin)
    marketing = signed_in(application, "marketing").get(f"/contacts/{zelda}", headers=HTML).text
    assert export in marketing and erase not in marketing
    sales = signed_in(application, "sales").get(f"/contacts/{zelda}", headers=HTML).text
    assert "Privacy requests" not in sales


def test_erasing_needs_the_typed_address(
    world: tuple[FastAPI, dict[str, int]], engine: Engine
) -> None:
    application, ids = world
    zelda = ids["zelda"]
    client = signed_in(application, "admin")
    form = client.get(f"/contacts/{zelda}/erase", headers=HTML)
    assert form.status_code == 200
    assert "Type the person's address, zelda.quimby@northwind.example , to confirm" in _text(
        form.text
    )
    assert 'name="csrf_token"' in form.text
    for typed, message in (
        ("", "type the person's e-mail address to confirm"),
        ("olli.ops@northwind.example", "the address typed is not this person's"),
    ):
        refused = client.post(
            f"/contacts/{zelda}/erase",
            data={"csrf_token": client.csrf, "confirm_email": typed},
            headers=HTML,
        )
        assert refused.status_code == 422
        assert message in _text(refused.text)
    with engine.connect() as connection:
        stored = connection.execute(select(contacts.c.email).where(contacts.c.id == zelda))
        assert stored.scalar_one() == EMAIL
    done = client.post(
        f"/contacts/{zelda}/erase",
        data={"csrf_token": client.csrf, "confirm_email": " Zelda.Quimby@northwind.example "},
        headers=HTML,
    )
    assert done.status_code == 200
    text = _text(done.text)
    assert "The person's data was erased on 2026-03-02 09:00" in text
    assert "contact record anonymised 1 events stripped of personal data 4" in text
    assert "consent records kept as anonymous proof 2" in text
    page = client.get(f"/contacts/{zelda}", headers=HTML)
    assert f"erased-{zelda}@erased.invalid" in page.text
    assert "Zelda" not in page.text
    again = client.get(f"/contacts/{zelda}/erase", headers=HTML)
    assert "This contact was erased already" in _text(again.text)
    repeat = client.post(f"/contacts/{zelda}/erase", data={"csrf_token": client.csrf}, headers=HTML)
    assert repeat.status_code == 200
    assert "Already erased" in _text(repeat.text)


def test_the_erase_page_is_for_admins_only(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, ids = world
    client = signed_in(application, "marketing")
    assert client.get(f"/contacts/{ids['zelda']}/erase", headers=HTML).status_code == 403
    admin = signed_in(application, "admin")
    assert admin.get("/contacts/999/erase", headers=HTML).status_code == 404


def test_an_erase_without_its_csrf_token_is_refused(
    world: tuple[FastAPI, dict[str, int]],
) -> None:
    application, ids = world
    client = signed_in(application, "admin")
    response = client.post(
        f"/contacts/{ids['zelda']}/erase", data={"confirm_email": EMAIL}, headers=HTML
    )
    assert response.status_code == 403
