"""REST API of lead magnets: upload (multipart), list, get, change, fetch the file."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from web_world import SignedIn, seed_users, signed_in, web_app

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    return web_app(engine, database_url)


def _upload(client: SignedIn, content: bytes = PDF, name: str = "delays.pdf", **form: str) -> Any:
    return client.post(
        "/api/v1/lead-magnets",
        files={"file": (name, content, "application/pdf")},
        data={"title": "Delivery delays"} | form,
        headers={"X-CSRF-Token": client.csrf},
    )


def test_upload_then_read_list_and_fetch(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    created = _upload(client, description="Twelve pages.")
    assert created.status_code == 201, created.text
    body = created.json()
    magnet_id = body["id"]
    assert created.headers["location"] == f"/api/v1/lead-magnets/{magnet_id}"
    assert body == {
        "id": magnet_id,
        "slug": "delivery-delays",
        "title": "Delivery delays",
        "description": "Twelve pages.",
        "file_name": "delays.pdf",
        "content_type": "application/pdf",
        "size_bytes": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "cta_kind": "soft",
        "active": True,
        "downloads": 0,
        "created_at": body["created_at"],
        "updated_at": body["created_at"],
        "file_url": f"/api/v1/lead-magnets/{magnet_id}/file",
    }
    assert client.get(f"/api/v1/lead-magnets/{magnet_id}").json() == body
    assert client.get("/api/v1/lead-magnets").json() == {"items": [body]}
    fetched = client.get(body["file_url"])
    assert (fetched.status_code, fetched.content) == (200, PDF)
    assert fetched.headers["content-type"] == "application/pdf"


def test_changes_and_switching_off(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    magnet_id = _upload(client).json()["id"]
    headers = {"X-CSRF-Token": client.csrf}
    changed = client.patch(
        f"/api/v1/lead-magnets/{magnet_id}",
        json={"title": "Delivery delays, 2nd ed.", "cta_kind": "hard", "active": False},
        headers=headers,
    )
    assert changed.status_code == 200
    assert {key: changed.json()[key] for key in ("slug", "title", "cta_kind", "active")} == {
        "slug": "delivery-delays",
        "title": "Delivery delays, 2nd ed.",
        "cta_kind": "hard",
        "active": False,
    }
    cleared = client.patch(
        f"/api/v1/lead-magnets/{magnet_id}", json={"description": ""}, headers=headers
    )
    assert cleared.json()["description"] is None


@pytest.mark.parametrize(
    ("content", "name", "form", "field", "detail"),
    [
        (b"\x89PNG\r\n\x1a\n....", "x.pdf", {}, "file", "file: the name ends in .pdf but the "
                                                          "content is a PNG picture"),
        (b"", "x.pdf", {}, "file", "file: the file is empty"),
        (PDF, "x.pdf", {"title": " "}, "title", "title: give the lead magnet a title"),
        (PDF, "x.pdf", {"slug": "No Spaces"}, "slug", "slug: use 1–100 lower-case letters"),
        (PDF, "x.pdf", {"cta_kind": "medium"}, "cta_kind", None),
    ],
)  # fmt: skip
def test_upload_problems_name_the_field(
    application: FastAPI,
    content: bytes,
    name: str,
    form: dict[str, str],
    field: str,
    detail: str | None,
) -> None:
    client = signed_in(application, "marketing")
    answer = _upload(client, content, name, **form)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == field
    if detail is not None:
        assert answer.json()["detail"].startswith(detail)


def test_change_problems(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    headers = {"X-CSRF-Token": client.csrf}
    magnet_id = _upload(client).json()["id"]
    unknown = client.patch("/api/v1/lead-magnets/99", json={"title": "x"}, headers=headers)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "there is no lead magnet 99")
    blank = client.patch(f"/api/v1/lead-magnets/{magnet_id}", json={"title": ""}, headers=headers)
    assert blank.status_code == 422
    assert blank.json()["errors"] == [{"field": "title", "message": "give the lead magnet a title"}]
    extra = client.patch(f"/api/v1/lead-magnets/{magnet_id}", json={"slug": "x"}, headers=headers)
    assert (extra.status_code, extra.json()["errors"][0]["field"]) == (422, "slug")
    assert client.get("/api/v1/lead-magnets/2147483648").status_code == 422
    assert client.get("/api/v1/lead-magnets/99/file").status_code == 404


def test_roles(application: FastAPI) -> None:
    sales = signed_in(application, "sales")
    assert sales.get("/api/v1/lead-magnets").status_code == 403
    marketing = signed_in(application, "marketing")
    assert marketing.get("/api/v1/lead-magnets").status_code == 200
