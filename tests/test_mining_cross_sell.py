"""Cross-selling: customers lacking a module most customers with theirs also bought,
ranked by the share, then by the share among their industry peers."""

from __future__ import annotations

from sqlalchemy import Engine

from mining_world import NOW, account, at, contact, deal
from silverplatter.domain.cross_sell import Pairing, pairings
from silverplatter.services.mining.cross_sell import section
from web_world import seed_users

PAY, TIME, BI = "Payroll", "Time tracking", "Analytics"


def _world(engine: Engine) -> dict[str, int]:
    users = seed_users(engine)
    sales = users["sales"]
    ids = dict(users)
    with engine.begin() as c:
        plan = {
            "Alpha": ("Manufacturing", sales, [PAY, TIME, BI], []),
            "Beta": ("Manufacturing", None, [PAY, TIME], []),
            "Gamma": ("Retail", None, [PAY, TIME], []),
            "Delta": ("Manufacturing", None, [PAY], []),
            "Epsilon": ("Retail", sales, [PAY], []),
            "Zeta": ("Retail", None, [PAY], [TIME]),
            "Eta": ("Energy", None, [TIME], []),
        }
        for name, (industry, owner, won, pursued) in plan.items():
            ids[name] = account(c, name, owner_id=owner, industry=industry, status="customer")
            for module in won:
                buyer = None
                if name == "Delta":
                    buyer = ids["ann"] = contact(c, "Ann", "Delta", account_id=ids[name])
                if name == "Eta":
                    buyer = ids["tom"] = contact(
                        c, "Tom", "Eta", account_id=ids[name], owner_id=sales
                    )
                deal(
                    c,
                    ids[name],
                    f"{name} {module}",
                    status="won",
                    module=module,
                    contact_id=buyer,
                    closed_at=at(2025, 5, 1),
                )
            for module in pursued:
                deal(c, ids[name], f"{name} {module}", status="open", module=module)
        deal(c, ids["Epsilon"], "Epsilon consulting", status="won", closed_at=at(2025, 6, 1))
    return ids


def test_pairings_need_two_accounts_and_thirty_percent() -> None:
    holdings = {1: {PAY, TIME, BI}, 2: {PAY, TIME}, 3: {PAY}, 4: {PAY}}
    assert pairings(holdings) == {
        (PAY, TIME): Pairing(PAY, TIME, 4, 2),
        (TIME, PAY): Pairing(TIME, PAY, 2, 2),
    }


def test_customers_lacking_a_module_that_goes_with_theirs(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert found.key == "cross_sell" and found.total == 3
    assert [(c.account_name, c.contact_name, c.reason) for c in found.candidates] == [
        ("Eta", "Tom Eta", "75 % of the 4 customers with Time tracking also bought Payroll"),
        (
            "Delta",
            "Ann Delta",
            "50 % of the 6 customers with Payroll also bought Time tracking; "
            "in Manufacturing, 2 of 3 (67 %)",
        ),
        (
            "Epsilon",
            None,
            "50 % of the 6 customers with Payroll also bought Time tracking; "
            "in Retail, 1 of 3 (33 %)",
        ),
    ]
    eta = found.candidates[0]
    assert (eta.account_id, eta.contact_id, eta.owner_id) == (ids["Eta"], ids["tom"], ids["sales"])
    assert found.candidates[1].figures == {
        "has_module": PAY,
        "suggested_module": TIME,
        "customers_with_module": 6,
        "bought_both": 3,
        "share_pct": 50,
        "industry": "Manufacturing",
        "industry_share_pct": 67,
    }
    assert found.candidates[1].owner_id is None
    assert found.candidates[2].owner_name == "Sales User"


def test_sales_sees_the_candidates_it_owns_and_the_limit_keeps_the_total(
    engine: Engine,
) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        mine = section(connection, now=NOW, limit=10, owner_id=ids["sales"])
        first = section(connection, now=NOW, limit=1)
    assert [c.account_name for c in mine.candidates] == ["Eta", "Epsilon"]
    assert mine.total == 2
    assert [c.account_name for c in first.candidates] == ["Eta"] and first.total == 3
