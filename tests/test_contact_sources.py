"""How each address was acquired: imports, the API and upserts record ``contacts.source``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from silverplatter.domain.records import ContactFields
from silverplatter.services.importing import import_csv
from silverplatter.services.records import upsert_contacts
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.schema import contacts
from web_world import seed_users, signed_in, web_app

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DATA = Path(__file__).parent / "data" / "import"


def _sources(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        rows = connection.execute(select(contacts.c.email_key, contacts.c.source))
        return {email: source for email, source in rows}


def test_an_import_names_its_preset_or_its_file(engine: Engine, tmp_path: Path) -> None:
    init_workspace(engine, name="Seller", now=NOW)
    summary = import_csv(
        engine,
        DATA / "hubspot-contacts.csv",
        "contacts",
        now=NOW,
        preset="hubspot",
        rejects_path=tmp_path / "hubspot-contacts.rejects.csv",
    )
    assert summary.created > 0
    own = tmp_path / "fair-2026.csv"
    own.write_text("email,first_name\nnew@fair.example,New\n", encoding="utf-8")
    import_csv(engine, own, "contacts", now=NOW)
    sources = _sources(engine)
    assert sources.pop("new@fair.example") == "import:fair-2026.csv"
    assert set(sources.values()) == {"import:hubspot"}


def test_an_existing_contact_keeps_its_source(engine: Engine) -> None:
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="a@x.example")], now=NOW, source="api")
        upsert_contacts(
            connection,
            [
                ContactFields(email="a@x.example", first_name="A"),
                ContactFields(email="b@x.example"),
            ],
            now=NOW,
            source="import:later",
        )
        upsert_contacts(connection, [ContactFields(email="c@x.example")], now=NOW)
    assert _sources(engine) == {
        "a@x.example": "api",
        "b@x.example": "import:later",
        "c@x.example": None,
    }


def test_a_contact_created_through_the_api_is_from_the_api(
    engine: Engine, database_url: str
) -> None:
    seed_users(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    response = client.post(
        "/api/v1/contacts",
        json={"email": "api@x.example"},
        headers={"X-CSRF-Token": client.csrf},
    )
    assert response.status_code == 201, response.text
    assert _sources(engine) == {"api@x.example": "api"}
