"""``silverplatter privacy export`` and ``erase``: by id or address, audited, confirmed."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from privacy_world import EMAIL, build_privacy_world
from silverplatter.cli import app
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.schema import contacts

runner = CliRunner()


def test_export_by_address_prints_json_and_is_audited(engine: Engine, database_url: str) -> None:
    ids = build_privacy_world(engine)
    result = runner.invoke(
        app, ["privacy", "export", EMAIL.upper(), "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["contact"]["id"], len(document["events"])) == (ids["zelda"], 4)
    with engine.connect() as connection:
        entry = connection.execute(
            select(audit_log.c.user_id, audit_log.c.subject, audit_log.c.ip_address).where(
                audit_log.c.action == "contact.exported"
            )
        ).one()
    assert tuple(entry) == (None, f"contact {ids['zelda']}", "command line")


def test_export_by_id_to_a_file(engine: Engine, database_url: str, tmp_path: Path) -> None:
    ids = build_privacy_world(engine)
    target = tmp_path / "zelda.json"
    result = runner.invoke(
        app,
        ["privacy", "export", str(ids["zelda"]), "-o", str(target), "--database-url", database_url],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))["contact"]["email"] == EMAIL
    assert f"Wrote everything held about contact {ids['zelda']} (4 events)" in result.stderr


def test_erase_asks_unless_told_yes(engine: Engine, database_url: str) -> None:
    ids = build_privacy_world(engine)
    declined = runner.invoke(
        app, ["privacy", "erase", EMAIL, "--database-url", database_url], input="n\n"
    )
    assert declined.exit_code == 1
    assert f"Erase Zelda Quimby <{EMAIL}> (contact {ids['zelda']})?" in declined.output
    with engine.connect() as connection:
        email = select(contacts.c.email).where(contacts.c.id == ids["zelda"])
        assert connection.execute(email).scalar_one() == EMAIL
    done = runner.invoke(app, ["privacy", "erase", EMAIL, "--yes", "--database-url", database_url])
    assert done.exit_code == 0, done.output
    assert "Erased contact" in done.output
    assert "│ consent_records   │    2 │" in done.output
    with engine.connect() as connection:
        assert connection.execute(email).scalar_one() == f"erased-{ids['zelda']}@erased.invalid"
    again = runner.invoke(
        app, ["privacy", "erase", str(ids["zelda"]), "--database-url", database_url]
    )
    assert again.exit_code == 0, again.output
    assert f"Contact {ids['zelda']} was erased before; nothing left to do." in again.output


def test_an_unknown_person_is_an_error_naming_them(engine: Engine, database_url: str) -> None:
    build_privacy_world(engine)
    for who, message in (
        ("nobody@northwind.example", "no contact with e-mail address nobody@northwind.example"),
        ("12345", "no contact with id 12345"),
    ):
        result = runner.invoke(
            app, ["privacy", "erase", who, "--yes", "--database-url", database_url]
        )
        assert result.exit_code == 1
        assert message in result.stderr
