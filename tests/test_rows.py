"""Looking rows up by a key of several columns, each key on its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from query_plans import plan_of_last_statement
from silverplatter.domain.records import AccountFields
from silverplatter.services.records import upsert_accounts
from silverplatter.storage.rows import rows_keyed_by
from silverplatter.storage.schema import accounts, opportunities

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


@pytest.mark.storage
def test_rows_are_found_by_every_column_of_their_key(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_accounts(
            connection,
            [AccountFields(name="Nordtek Oy", domain="nordtek.fi"), AccountFields(name="Pohja")],
            now=NOW,
        )
        ids = dict(
            connection.execute(
                accounts.select().with_only_columns(accounts.c.name, accounts.c.id)
            ).all()
        )
        connection.execute(
            opportunities.insert(),
            [
                {
                    "account_id": ids["Nordtek Oy"],
                    "name": "ERP 'renewal'",
                    "stage": "open",
                    "status": "open",
                    "created_at": NOW,
                    "updated_at": NOW,
                },
                {
                    "account_id": ids["Nordtek Oy"],
                    "name": "MES pilot",
                    "stage": "open",
                    "status": "open",
                    "created_at": NOW,
                    "updated_at": NOW,
                },
                {
                    "account_id": ids["Pohja"],
                    "name": "MES pilot",
                    "stage": "open",
                    "status": "open",
                    "created_at": NOW,
                    "updated_at": NOW,
                },
            ],
        )
        key = [opportunities.c.account_id, opportunities.c.name]
        wanted = [
            (ids["Nordtek Oy"], "ERP 'renewal'"),
            (ids["Pohja"], "MES pilot"),
            (ids["Pohja"], "ERP 'renewal'"),  # no such deal
        ]
        found = rows_keyed_by(connection, opportunities, key, wanted)
        narrowed = rows_keyed_by(
            connection,
            opportunities,
            key,
            wanted,
            where=opportunities.c.account_id == ids["Pohja"],
            selected=[opportunities.c.name],
        )
        nothing = rows_keyed_by(connection, opportunities, key, [])
    assert sorted((row.account_id, row.name) for row in found) == sorted(wanted[:2])
    assert [tuple(row) for row in narrowed] == [("MES pilot",)]
    assert nothing == []


@pytest.mark.storage
def test_each_key_is_looked_up_in_an_index_on_sqlite(engine: Engine) -> None:
    """For ``(account_id, name) IN (VALUES …)`` SQLite read every opportunity."""
    key = [opportunities.c.account_id, opportunities.c.name]
    plan = plan_of_last_statement(
        engine, lambda c: rows_keyed_by(c, opportunities, key, [(1, "a"), (2, "b")])
    )
    if engine.dialect.name == "sqlite":
        assert "SEARCH opportunities USING INDEX ix_opportunities_account_id" in plan, plan
