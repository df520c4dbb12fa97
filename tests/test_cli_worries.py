"""``silverplatter worries recompute`` rebuilds the profiles and says what it did."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from silverplatter.cli import app
from silverplatter.domain.records import ContactFields
from silverplatter.services.audit import Actor
from silverplatter.services.ingest import ingest_events
from silverplatter.services.records import upsert_contacts
from silverplatter.services.workspace import init_workspace
from silverplatter.services.worries import add_tag, create_worry
from silverplatter.storage.understanding_schema import contact_worries

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
runner = CliRunner()


def test_recompute_rebuilds_the_profiles(engine: Engine, database_url: str) -> None:
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="anna@nordtek.fi")], now=NOW)
        create_worry(connection, {"name": "Costs"}, actor=Actor(None), now=NOW)
        add_tag(
            connection,
            "costs",
            {"kind": "form", "target": "tco-check"},
            actor=Actor(None),
            now=NOW,
            recompute=False,
        )
        item = {
            "type": "form_submit",
            "email": "anna@nordtek.fi",
            "occurred_at": NOW.isoformat(),
            "properties": {"form": "tco-check"},
        }
        assert ingest_events(connection, [item], now=NOW).errors == []
        connection.execute(contact_worries.delete())
    result = runner.invoke(
        app, ["worries", "recompute", "--database-url", database_url, "--half-life-days", "30"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for words in ("worries │ 1", "keys matched │ 1", "values │ 1", "half-life (days) │ 30"):
        assert words in text
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(contact_worries)).scalar() == 1
