"""Privacy requests over the API: export and erase a contact, audited, by role."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from privacy_world import EMAIL, NOW, build_privacy_world
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.schema import contacts
from web_world import Clock, signed_in, web_app


@pytest.fixture
def world(engine: Engine, database_url: str) -> tuple[FastAPI, dict[str, int]]:
    ids = build_privacy_world(engine)
    return web_app(engine, database_url, Clock(NOW)), ids


def test_marketing_downloads_the_export(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, ids = world
    client = signed_in(application, "marketing")
    response = client.get(f"/api/v1/contacts/{ids['zelda']}/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        f'attachment; filename="contact-{ids["zelda"]}.json"'
    )
    document = response.json()
    assert (document["contact"]["email"], len(document["events"])) == (EMAIL, 4)
    assert document["exported_at"] == NOW.isoformat()


def test_an_export_of_a_missing_contact_is_a_404(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, _ids = world
    client = signed_in(application, "admin")
    response = client.get("/api/v1/contacts/999/export")
    assert response.status_code == 404
    assert response.json()["detail"] == "no contact 999"
    assert client.get("/api/v1/contacts/0/export").status_code == 422


def test_only_an_admin_may_erase(world: tuple[FastAPI, dict[str, int]], engine: Engine) -> None:
    application, ids = world
    for role in ("marketing", "sales"):
        client = signed_in(application, role)
        refused = client.post(
            f"/api/v1/contacts/{ids['zelda']}/erase", headers={"X-CSRF-Token": client.csrf}
        )
        assert refused.status_code == 403, role
    sales = signed_in(application, "sales")
    assert sales.get(f"/api/v1/contacts/{ids['zelda']}/export").status_code == 403
    admin = signed_in(application, "admin")
    response = admin.post(
        f"/api/v1/contacts/{ids['zelda']}/erase", headers={"X-CSRF-Token": admin.csrf}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["contact_id"], body["already_erased"], body["erased_at"]) == (
        ids["zelda"],
        False,
        "2026-03-02T09:00:00Z",
    )
    assert body["counts"]["events"] == 4
    assert body["counts"]["consent_records"] == 2
    again = admin.post(
        f"/api/v1/contacts/{ids['zelda']}/erase", headers={"X-CSRF-Token": admin.csrf}
    )
    assert (again.json()["already_erased"], again.json()["erasure_id"]) == (
        True,
        body["erasure_id"],
    )
    with engine.connect() as connection:
        email = connection.execute(
            select(contacts.c.email).where(contacts.c.id == ids["zelda"])
        ).scalar_one()
        entries = connection.execute(
            select(audit_log.c.user_id, audit_log.c.subject, audit_log.c.ip_address)
            .where(audit_log.c.action == "contact.erased")
        ).all()  # fmt: skip
    assert email == f"erased-{ids['zelda']}@erased.invalid"
    assert [tuple(row) for row in entries] == [
        (ids["admin"], f"contact {ids['zelda']}", "testclient")
    ]


def test_erasing_a_missing_contact_is_a_404(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, _ids = world
    admin = signed_in(application, "admin")
    response = admin.post("/api/v1/contacts/999/erase", headers={"X-CSRF-Token": admin.csrf})
    assert response.status_code == 404
    assert response.json()["detail"] == "no contact 999"
