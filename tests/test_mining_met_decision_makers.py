"""Decision makers met with a need in the last 24 months at accounts with no deal since."""

from __future__ import annotations

from sqlalchemy import Engine

from mining_world import NOW, account, at, contact, deal, meeting, qualification
from silverplatter.services.mining.met_decision_makers import section
from web_world import seed_users


def _world(engine: Engine) -> dict[str, int]:
    ids = dict(seed_users(engine))
    sales = ids["sales"]
    with engine.begin() as c:
        rho = account(c, "Rho")
        rita = ids["rita"] = contact(
            c, "Rita", "Rho", account_id=rho, decision_role="decision_maker"
        )
        meeting(c, rho, at(2025, 5, 1), [rita], subject="Intro", bant={"need": "Reporting"})
        meeting(
            c,
            rho,
            at(2025, 10, 1),
            [rita],
            subject="Discovery meeting",
            bant={"need": "Faster month-end close"},
        )
        sigma = account(c, "Sigma")
        sam = ids["sam"] = contact(
            c, "Sam", "Sigma", account_id=sigma, decision_role="economic_buyer", owner_id=sales
        )
        qualification(c, sam, "Replace the ERP")
        meeting(c, sigma, at(2025, 9, 1), [sam], bant={"need": "unknown"})
        tau = account(c, "Tau")
        tina = contact(c, "Tina", "Tau", account_id=tau, decision_role="decision_maker")
        meeting(c, tau, at(2025, 8, 1), [tina], bant={"need": "Savings"})
        deal(c, tau, "Tau deal", status="open", created_at=at(2025, 9, 1))
        upsilon = account(c, "Upsilon")
        uma = contact(c, "Uma", "Upsilon", account_id=upsilon, decision_role="influencer")
        meeting(c, upsilon, at(2025, 7, 1), [uma], bant={"need": "Savings"})
        phi = account(c, "Phi")
        phil = contact(c, "Phil", "Phi", account_id=phi, decision_role="decision_maker")
        meeting(c, phi, at(2025, 6, 1), [phil], bant={"need": " "})
        chi = account(c, "Chi")
        chris = contact(c, "Chris", "Chi", account_id=chi, decision_role="decision_maker")
        meeting(c, chi, at(2023, 6, 1), [chris], bant={"need": "Savings"})
        psi = account(c, "Psi", owner_id=sales)
        pete = ids["pete"] = contact(
            c, "Pete", "Psi", account_id=psi, decision_role="decision_maker"
        )
        deal(c, psi, "Psi old", status="lost", created_at=at(2024, 10, 1), closed_at=at(2025, 3, 1))
        meeting(c, psi, at(2025, 4, 1), [pete], subject="Review", bant={"need": "Cut energy costs"})
        omega = account(c, "Omega", owner_id=sales)
        olga = contact(c, "Olga", "Omega", account_id=omega, decision_role="decision_maker")
        deal(c, omega, "Omega running", status="open", created_at=at(2024, 12, 1))
        meeting(c, omega, at(2025, 2, 1), [olga], bant={"need": "Savings"})
    return ids


def test_decision_makers_met_with_a_need_and_no_deal_since(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert found.total == 3
    assert [(c.contact_name, c.account_name, c.reason) for c in found.candidates] == [
        (
            "Rita Rho",
            "Rho",
            "Met as decision maker on 2025-10-01 ('Discovery meeting'); need: Faster month-end "
            "close (from the meeting); no opportunity since",
        ),
        (
            "Sam Sigma",
            "Sigma",
            "Met as economic buyer on 2025-09-01; need: Replace the ERP (from the "
            "qualification); no opportunity since",
        ),
        (
            "Pete Psi",
            "Psi",
            "Met as decision maker on 2025-04-01 ('Review'); need: Cut energy costs (from the "
            "meeting); no opportunity since",
        ),
    ]
    assert found.candidates[0].figures == {
        "met_on": "2025-10-01",
        "meeting": "Discovery meeting",
        "decision_role": "decision_maker",
        "need": "Faster month-end close",
        "need_from": "meeting",
        "months_since": 5,
    }
    assert [c.contact_id for c in found.candidates] == [ids["rita"], ids["sam"], ids["pete"]]
    # Pete's own owner is nobody: the account's owner shows.
    assert found.candidates[2].owner_id == ids["sales"]


def test_sales_sees_the_decision_makers_it_owns_or_whose_account_it_owns(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        mine = section(connection, now=NOW, limit=1, owner_id=ids["sales"])
    assert [c.contact_name for c in mine.candidates] == ["Sam Sigma"] and mine.total == 2
