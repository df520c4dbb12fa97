"""Reverse BANT: buying windows inferred from qualifications, contracts and the installed base."""

from __future__ import annotations

from datetime import date

import pytest

from silverplatter.domain.buying_window import (
    AccountFacts,
    BuyingWindow,
    InstalledSolution,
    SupplierContract,
    WindowRules,
    add_months,
    candidate_windows,
    infer_buying_window,
)

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("day", "months", "moved"),
    [
        (date(2025, 3, 15), -6, date(2024, 9, 15)),
        (date(2024, 8, 31), -6, date(2024, 2, 29)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2024, 2, 29), 84, date(2031, 2, 28)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_months_end(day: date, months: int, moved: date) -> None:
    assert add_months(day, months) == moved


def test_no_needs_but_an_erp_at_the_end_of_its_life_means_the_window_is_now() -> None:
    # Domain §5: "we have no needs" + ERP live 7 years ago + typical ERP life 7 years.
    facts = AccountFacts(solutions=(InstalledSolution("ERP", date(2019, 3, 1), vendor="Vendor X"),))
    window = infer_buying_window(facts, today=TODAY)
    assert window == BuyingWindow(
        date(2025, 9, 1),
        date(2027, 3, 1),
        "installed_base",
        0.35,
        "ERP (Vendor X) went live 2019-03; typical lifetime 7 years (default) "
        "→ window opens 2025-09",
    )
    assert window.is_open(TODAY)


def test_an_installed_solutions_own_lifetime_is_more_certain() -> None:
    solution = InstalledSolution(
        "ERP", date(2018, 3, 15), vendor="Vendor X", product="Suite 9", lifetime_years=7
    )
    window = infer_buying_window(AccountFacts(solutions=(solution,)), today=date(2025, 1, 1))
    assert window == BuyingWindow(
        date(2024, 9, 15),
        date(2026, 3, 15),
        "installed_base",
        0.5,
        "ERP (Vendor X Suite 9) went live 2018-03; typical lifetime 7 years → window opens 2024-09",
    )


def test_categories_without_a_default_use_the_fallback_lifetime() -> None:
    rules = WindowRules(default_lifetimes={"crm": 5}, fallback_lifetime_years=10)
    facts = AccountFacts(
        solutions=(
            InstalledSolution("CRM", date(2022, 6, 1)),
            InstalledSolution("MES", date(2020, 6, 1)),
        )
    )
    windows = candidate_windows(facts, today=TODAY, rules=rules)
    assert [(w.opens_on, w.closes_on) for w in windows] == [
        (date(2026, 12, 1), date(2028, 6, 1)),
        (date(2029, 12, 1), date(2031, 6, 1)),
    ]
    assert (
        windows[0].basis
        == "CRM went live 2022-06; typical lifetime 5 years (default) → window opens 2026-12"
    )


def test_a_contract_end_opens_the_window_six_months_before() -> None:
    unhappy = SupplierContract("Vendor Y", date(2027, 1, 31), "ERP", satisfaction=4)
    window = infer_buying_window(AccountFacts(contracts=(unhappy,)), today=TODAY)
    assert window == BuyingWindow(
        date(2026, 7, 31),
        date(2027, 1, 31),
        "contract_end",
        0.8,
        "Contract with Vendor Y (ERP) ends 2027-01-31; satisfaction 4/10 → window opens 2026-07-31",
    )


def test_a_satisfied_or_unknown_customers_contract_is_less_certain() -> None:
    happy = SupplierContract("Vendor Y", date(2027, 1, 31), satisfaction=9)
    unknown = SupplierContract(None, date(2027, 1, 31))
    assert [
        w.confidence
        for w in candidate_windows(AccountFacts(contracts=(happy, unknown)), today=TODAY)
    ] == [0.6, 0.6]
    window = infer_buying_window(AccountFacts(contracts=(unknown,)), today=TODAY)
    assert window is not None
    assert window.basis == (
        "Contract with the current supplier ends 2027-01-31 → window opens 2026-07-31"
    )


def test_the_contract_lead_time_is_configurable() -> None:
    contract = SupplierContract("Vendor Y", date(2027, 1, 31))
    rules = WindowRules(contract_lead_months=9)
    window = infer_buying_window(AccountFacts(contracts=(contract,)), today=TODAY, rules=rules)
    assert window is not None
    assert window.opens_on == date(2026, 4, 30)


def test_a_qualified_timeline_is_the_most_certain() -> None:
    facts = AccountFacts(
        timelines=(date(2027, 9, 30),),
        contracts=(SupplierContract("Vendor Y", date(2026, 6, 30), satisfaction=3),),
        solutions=(InstalledSolution("ERP", date(2019, 3, 1), lifetime_years=7),),
    )
    windows = candidate_windows(facts, today=TODAY)
    assert [(w.source, w.opens_on, w.closes_on, w.confidence) for w in windows] == [
        ("qualification", date(2027, 6, 30), date(2027, 9, 30), 0.9),
        ("contract_end", date(2025, 12, 30), date(2026, 6, 30), 0.8),
        ("installed_base", date(2025, 9, 1), date(2027, 3, 1), 0.5),
    ]
    assert (
        windows[0].basis == "Qualification: intends to buy by 2027-09-30 → window opens 2027-06-30"
    )


def test_equal_confidence_goes_to_the_earliest_window() -> None:
    later = SupplierContract("Vendor B", date(2028, 1, 31))
    sooner = SupplierContract("Vendor A", date(2027, 5, 31))
    window = infer_buying_window(AccountFacts(contracts=(later, sooner)), today=TODAY)
    assert window is not None
    assert (window.opens_on, window.closes_on) == (date(2026, 11, 30), date(2027, 5, 31))


def test_a_window_closed_long_ago_is_ignored() -> None:
    facts = AccountFacts(
        timelines=(date(2025, 8, 31),),  # closed six months and a day before today
        contracts=(SupplierContract("Vendor Y", date(2025, 9, 1)),),  # exactly six months
        solutions=(InstalledSolution("ERP", date(2010, 1, 1), lifetime_years=7),),
    )
    windows = candidate_windows(facts, today=TODAY)
    assert [(w.source, w.closes_on) for w in windows] == [("contract_end", date(2025, 9, 1))]


def test_no_facts_no_window() -> None:
    assert infer_buying_window(AccountFacts(), today=TODAY) is None
