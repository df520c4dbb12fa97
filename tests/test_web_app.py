"""The first web pages and the health check, on both backends."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.services.workspace import init_workspace
from silverplatter.settings import Settings
from silverplatter.storage import migrations
from silverplatter.storage.engine import make_engine
from silverplatter.web.app import PAGE_SIZE, create_app
from web_world import seed_users, signed_in, web_app

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _client(engine: Engine, database_url: str) -> TestClient:
    seed_users(engine)
    return signed_in(web_app(engine, database_url), "admin")


def test_healthz_reports_the_schema(engine: Engine, database_url: str) -> None:
    response = TestClient(create_app(Settings(database_url=database_url), engine)).get("/healthz")
    assert response.status_code == 200
    body = response.json()
    latest = sorted(
        path.name.split("_", 1)[0]
        for path in (Path(migrations.__file__).parent / "versions").glob("0*.py")
    )[-1]
    assert (body["status"], body["database"], body["schema"]) == ("ok", "ok", latest)


def test_healthz_is_503_when_the_database_is_down() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1"
    client = TestClient(create_app(Settings(database_url=url), make_engine(url)))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_contact_list_pages_by_keyset_and_searches(engine: Engine, database_url: str) -> None:
    init_workspace(engine, name="Pages", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(
            connection,
            [
                ContactFields(email=f"person{n:03d}@example.fi", last_name=f"Name{n:03d}")
                for n in range(PAGE_SIZE + 5)
            ],
            now=NOW,
        )
    client = _client(engine, database_url)
    first = client.get("/contacts")
    assert "person049@example.fi" in first.text and "person050@example.fi" not in first.text
    following = re.search(r'href="(/contacts\?[^"]*after=[^"]+)" rel="next"', first.text)
    assert following is not None
    second = client.get(html.unescape(following.group(1)))
    assert "person050@example.fi" in second.text and "Next page" not in second.text
    found = client.get("/contacts", params={"q": "NAME007"})
    assert "person007@example.fi" in found.text and "person008@example.fi" not in found.text


def test_an_uninitialised_database_says_how_to_start(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    client = TestClient(create_app(Settings(database_url=url)))
    assert "silverplatter init" in client.get("/").text


def test_account_list_searches_name_and_domain(engine: Engine, database_url: str) -> None:
    init_workspace(engine, name="Search", now=NOW)
    with engine.begin() as connection:
        upsert_accounts(
            connection,
            [
                AccountFields(name="Nordtek Oy", domain="nordtek.fi"),
                AccountFields(name="Vasa Energi AB", domain="vasa-energi.se"),
            ],
            now=NOW,
        )
    client = _client(engine, database_url)
    by_name = client.get("/accounts", params={"q": "nordtek"}).text
    by_domain = client.get("/accounts", params={"q": "energi.se"}).text
    assert "Nordtek Oy" in by_name and "Vasa Energi AB" not in by_name
    assert "Vasa Energi AB" in by_domain and "Nordtek Oy" not in by_domain
    assert "Next page" not in by_name
