"""The account page's read model on the fixed people world: committee, score, window, deals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Connection, Engine

from lead_world import NOW
from people_world import build_people_world
from silverplatter.services.account_view import account_page, check_account_visible
from silverplatter.services.explain import explain_contact

World = tuple[Connection, dict[str, int]]
SALES, ADMIN = 3, 1


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    ids = build_people_world(engine)
    with engine.connect() as connection:
        yield connection, ids


def test_the_account_with_its_roll_up_and_committee(world: World) -> None:
    connection, ids = world
    page = account_page(connection, ids["acme.fi"], now=NOW, user_id=ADMIN, role="admin")
    header = page.header
    assert (header.name, header.domain, header.industry, header.country) == (
        "Acme Machinery Oy", "acme.fi", "Industrial machinery", "FI",
    )  # fmt: skip
    assert (header.employees, header.annual_revenue, header.value_tier, header.status) == (
        400, 80_000_000, "gold", "prospect",
    )  # fmt: skip
    assert header.owner_name == "Sales User"
    ceo_score = explain_contact(connection, ids["ceo@acme.fi"], now=NOW).score
    rollup = page.rollup
    assert rollup.score == pytest.approx(ceo_score, abs=1e-9)
    assert (rollup.own_score, rollup.engaged_contacts, rollup.roles_covered) == (0.0, 0, ())
    assert page.engaged_contact_score == 20
    assert [(p.name, p.row.decision_role, p.engaged) for p in page.people] == [
        ("Aino Virtanen", "decision_maker", False),
        ("Olli Ops", "champion", False),
    ]
    assert page.people_total == 2
    assert [(r.label, r.state, r.people) for r in page.roles] == [
        ("Decision maker", "not_engaged", 1),
        ("Influencer", "missing", 0),
        ("User", "missing", 0),
    ]
    assert page.roles_missing == ("Decision maker", "Influencer", "User")


def test_window_installed_base_contracts_and_deals(world: World) -> None:
    connection, ids = world
    page = account_page(connection, ids["acme.fi"], now=NOW, user_id=ADMIN, role="admin")
    assert page.window is not None
    assert (page.window.opens_on, page.window.closes_on, page.window.source) == (
        date(2026, 6, 1), date(2026, 9, 1), "qualification",
    )  # fmt: skip
    assert [(s.category, s.vendor, s.go_live_date) for s in page.installed] == [
        ("ERP", "OldSoft", date(2019, 5, 1))
    ]
    assert [(c.supplier, c.end_date, c.satisfaction) for c in page.contracts] == [
        ("OldSoft", date(2026, 12, 31), 4)
    ]
    assert [(d.name, int(d.amount), d.stage, d.status) for d in page.deals] == [
        ("Line 3 automation", 120_000, "Proposal", "open"),
        ("Spare parts portal", 30_000, "Closed lost", "lost"),
    ]


def test_an_account_without_facts(world: World) -> None:
    connection, ids = world
    page = account_page(connection, ids["pohja.fi"], now=NOW, user_id=ADMIN, role="admin")
    assert page.window is None and page.installed == () and page.deals == ()
    assert page.rollup.score == 0.0
    assert [(r.label, r.state) for r in page.roles] == [
        ("Decision maker", "missing"),
        ("Influencer", "not_engaged"),
        ("User", "not_engaged"),
    ]


def test_sales_sees_only_its_accounts(world: World) -> None:
    connection, ids = world
    account_page(connection, ids["acme.fi"], now=NOW, user_id=SALES, role="sales")
    with pytest.raises(LookupError):
        account_page(connection, ids["pohja.fi"], now=NOW, user_id=SALES, role="sales")
    page = account_page(connection, ids["pohja.fi"], now=NOW, user_id=2, role="marketing")
    check_account_visible(connection, page.header, user_id=2, role="marketing")
    with pytest.raises(LookupError):
        account_page(connection, 999, now=NOW, user_id=ADMIN, role="admin")
