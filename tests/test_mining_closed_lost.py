"""Closed-lost deals of the last 24 months with a reopen date from the lost reason, the
buying window and the competitor's contract end (domain/reopen.py)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from mining_world import NOW, account, at, contact, deal, supplier_contract, window
from silverplatter.domain.reopen import SupplierEnd, lost_kind, suggest_reopen
from silverplatter.services.mining.closed_lost import section
from web_world import seed_users


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("Chose a competitor", "competitor"),
        ("Stayed with current supplier", "competitor"),
        ("No decision", "no_decision"),
        ("Price", "budget"),
        ("Budget cut", "budget"),
        ("Not now, maybe later", "timing"),
        ("Requirements did not match", "other"),
        (None, "other"),
    ],
)
def test_lost_reasons_are_read_by_their_words(reason: str | None, kind: str) -> None:
    assert lost_kind(reason) == kind


def test_a_competitor_loss_reopens_before_the_named_suppliers_contract_ends() -> None:
    contracts = [
        SupplierEnd("Other AB", date(2026, 12, 31)),
        SupplierEnd("Rival Oy", date(2027, 6, 30)),
    ]
    named = suggest_reopen(
        "Lost to Rival Oy", lost_on=date(2025, 9, 1), today=date(2026, 3, 2), contracts=contracts
    )
    assert (named.rule_date, named.suggested_on) == (date(2026, 12, 30), date(2026, 12, 30))
    first = suggest_reopen(
        "Chose a competitor", lost_on=date(2025, 9, 1), today=date(2026, 3, 2), contracts=contracts
    )
    assert first.rule_date == date(2026, 6, 30)
    bare = suggest_reopen("Chose a competitor", lost_on=date(2025, 9, 1), today=date(2026, 3, 2))
    assert bare.rule_date == date(2026, 9, 1)
    assert bare.basis == "12 months after losing to a competitor"


def test_timing_waits_for_the_window_and_a_past_date_is_due_today() -> None:
    windowed = suggest_reopen(
        "Not now",
        lost_on=date(2025, 6, 1),
        today=date(2026, 3, 2),
        window_opens_on=date(2026, 9, 1),
    )
    assert windowed.suggested_on == date(2026, 9, 1)
    assert windowed.basis == "when the buying window opens on 2026-09-01"
    # A window that opened before the loss is the one the deal was lost in.
    stale = suggest_reopen(
        "Not now",
        lost_on=date(2025, 6, 1),
        today=date(2026, 3, 2),
        window_opens_on=date(2025, 1, 1),
    )
    assert (stale.rule_date, stale.suggested_on) == (date(2025, 12, 1), date(2026, 3, 2))


def _world(engine: Engine) -> dict[str, int]:
    ids = dict(seed_users(engine))
    sales = ids["sales"]
    with engine.begin() as c:
        kappa = ids["Kappa"] = account(c, "Kappa")
        supplier_contract(c, kappa, "Other AB", date(2026, 12, 31))
        supplier_contract(c, kappa, "Rival Oy", date(2027, 6, 30))
        deal(
            c,
            kappa,
            "Kappa ERP",
            status="lost",
            closed_at=at(2025, 9, 1),
            lost_reason="Chose a competitor: Rival Oy",
            amount=120_000,
        )
        lam = ids["Lambda"] = account(c, "Lambda", owner_id=sales)
        deal(
            c, lam, "Lambda HR", status="lost", closed_at=at(2025, 12, 1), lost_reason="No decision"
        )
        mu = ids["Mu"] = account(c, "Mu")
        window(c, mu, date(2026, 9, 1), date(2027, 2, 28))
        deal(
            c, mu, "Mu payroll", status="lost", closed_at=at(2025, 6, 15), lost_reason="Budget cut"
        )
        nu = ids["Nu"] = account(c, "Nu")
        deal(
            c,
            nu,
            "Nu pilot",
            status="lost",
            closed_at=at(2024, 6, 10),
            lost_reason="Not now, maybe later",
        )
        xi = ids["Xi"] = account(c, "Xi", owner_id=sales)
        deal(c, xi, "Xi first", status="lost", closed_at=at(2025, 10, 1), lost_reason="Price")
        deal(c, xi, "Xi again", status="open", created_at=at(2025, 11, 1))
        omicron = account(c, "Omicron", owner_id=sales)
        deal(
            c, omicron, "Omicron old", status="lost", closed_at=at(2023, 12, 1), lost_reason="Price"
        )
        pi = ids["Pi"] = account(c, "Pi")
        ids["pia"] = contact(c, "Pia", "Pi", account_id=pi, owner_id=sales)
        deal(
            c,
            pi,
            "Pi analytics",
            status="lost",
            closed_at=at(2025, 8, 20),
            lost_reason="Requirements did not match",
            contact_id=ids["pia"],
        )
    return ids


def test_lost_deals_with_their_reopen_dates_soonest_first(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert found.total == 5
    assert [(c.account_name, c.suggested_on, c.reason) for c in found.candidates] == [
        (
            "Nu",
            date(2026, 3, 2),
            "Lost 'Nu pilot' on 2024-06-10 (Not now, maybe later): reopen 6 months after a "
            "timing loss",
        ),
        (
            "Pi",
            date(2026, 5, 20),
            "Lost 'Pi analytics' on 2025-08-20 (Requirements did not match): reopen 9 months "
            "after the loss",
        ),
        (
            "Lambda",
            date(2026, 6, 1),
            "Lost 'Lambda HR' on 2025-12-01 (No decision): reopen 6 months after the buyer "
            "made no decision",
        ),
        (
            "Mu",
            date(2026, 9, 1),
            "Lost 'Mu payroll' on 2025-06-15 (Budget cut): reopen when the buying window "
            "opens on 2026-09-01",
        ),
        (
            "Kappa",
            date(2026, 12, 30),
            "Lost 'Kappa ERP' on 2025-09-01 (Chose a competitor: Rival Oy): reopen 6 months "
            "before Rival Oy's contract ends on 2027-06-30",
        ),
    ]
    assert found.candidates[0].figures == {
        "deal": "Nu pilot",
        "lost_on": "2024-06-10",
        "lost_reason": "Not now, maybe later",
        "kind": "timing",
        "rule_date": "2024-12-10",
    }
    assert found.candidates[4].figures["amount"] == "120000.00 EUR"
    pi = found.candidates[1]
    assert (pi.contact_id, pi.contact_name, pi.owner_id) == (ids["pia"], "Pia Pi", ids["sales"])


def test_sales_sees_the_lost_deals_of_its_accounts_and_contacts(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        mine = section(connection, now=NOW, limit=10, owner_id=ids["sales"])
    assert [c.account_name for c in mine.candidates] == ["Pi", "Lambda"]
