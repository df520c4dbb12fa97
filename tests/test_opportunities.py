"""Upserting deals, and reading their status from the stage name."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from silverplatter.domain.opportunities import status_for_stage
from silverplatter.domain.records import AccountFields, OpportunityFields
from silverplatter.services.opportunities import upsert_opportunities
from silverplatter.services.records import upsert_accounts
from silverplatter.storage.schema import opportunities

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        ("closedwon", "won"),
        ("Closed Won", "won"),
        ("Closed Lost", "lost"),
        ("closedlost", "lost"),
        ("Proposal/Price Quote", "open"),
        ("appointmentscheduled", "open"),
    ],
)
def test_status_for_stage(stage: str, status: str) -> None:
    assert status_for_stage(stage) == status


def test_deals_are_keyed_by_external_id_or_account_and_name(engine: Engine) -> None:
    deals = [
        OpportunityFields(
            external_id="D-1",
            name="ERP renewal",
            account_domain="nordtek.fi",
            amount=Decimal("120000.50"),
            stage="Closed Won",
        ),
        OpportunityFields(name="MES pilot", account_name="Nordtek Oy", stage="Qualification"),
        OpportunityFields(name="Ghost", account_domain="nowhere.fi", stage="Qualification"),
    ]
    with engine.begin() as connection:
        upsert_accounts(
            connection, [AccountFields(name="Nordtek Oy", domain="nordtek.fi")], now=NOW
        )
        first = upsert_opportunities(connection, deals, now=NOW)
        again = upsert_opportunities(connection, deals, now=NOW)
        rows = connection.execute(
            select(opportunities.c.name, opportunities.c.status, opportunities.c.amount).order_by(
                opportunities.c.id
            )
        ).all()
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert first.errors == {2: "account: no account 'nowhere.fi'; import accounts first"}
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert [tuple(row) for row in rows] == [
        ("ERP renewal", "won", Decimal("120000.50")),
        ("MES pilot", "open", None),
    ]
