"""The demo world's data for planning and insight: offer modules, people lists, campaign
answers, ghost accounts, channel costs and champion moves, counted exactly on a fixed world."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import combinations
from typing import Any

from sqlalchemy import Engine, select

from silverplatter.domain.vocabulary import CAMPAIGN_ANSWERS
from silverplatter.services.demo import generate_demo
from silverplatter.services.demo.costs import CHANNEL_BUDGETS
from silverplatter.services.demo.offers import OFFER_MODULES
from silverplatter.storage import planning_schema, schema

NOW = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
START = NOW - timedelta(days=731)


def _world(engine: Engine) -> None:
    generate_demo(engine, contacts=1000, seed=7, now=NOW)


def _rows(engine: Engine, table_name: str) -> list[dict[str, Any]]:
    table = schema.metadata.tables[table_name]
    with engine.connect() as connection:
        result = connection.execute(select(table).order_by(table.c.id))
        return [dict(row._mapping) for row in result]


def test_deals_are_for_offer_modules_and_customers_buy_them_together(engine: Engine) -> None:
    _world(engine)
    deals = _rows(engine, "opportunities")
    assert {deal["offer_module"] for deal in deals} <= set(OFFER_MODULES)
    by_module = Counter((deal["offer_module"], deal["status"]) for deal in deals)
    assert by_module == {
        ("Core ERP", "won"): 22,
        ("Core ERP", "lost"): 10,
        ("Core ERP", "open"): 2,
        ("Production planning", "won"): 6,
        ("Production planning", "lost"): 3,
        ("Production planning", "open"): 1,
        ("Supply chain", "won"): 3,
        ("Supply chain", "lost"): 1,
        ("Analytics", "won"): 3,
        ("Sustainability reporting", "won"): 2,
        ("Sustainability reporting", "lost"): 1,
    }
    history = [deal for deal in deals if deal["created_at"] < START]
    assert {deal["status"] for deal in history} == {"won"}
    assert len(history) == 29
    won: dict[int, set[str]] = {}
    for deal in deals:
        if deal["status"] == "won":
            won.setdefault(deal["account_id"], set()).add(deal["offer_module"])
    # modules bought together follow the purchase paths: supply chain, then analytics,
    # then sustainability reporting
    pairs = Counter(pair for modules in won.values() for pair in combinations(sorted(modules), 2))
    assert pairs == {
        ("Analytics", "Core ERP"): 3,
        ("Core ERP", "Supply chain"): 3,
        ("Analytics", "Supply chain"): 2,
        ("Analytics", "Sustainability reporting"): 2,
        ("Core ERP", "Production planning"): 2,
        ("Core ERP", "Sustainability reporting"): 2,
        ("Supply chain", "Sustainability reporting"): 2,
    }
    assert Counter(len(modules) for modules in won.values()) == {1: 20, 2: 4, 4: 2}
    reasons = Counter(deal["lost_reason"] for deal in deals if deal["status"] == "lost")
    assert None not in reasons and len(reasons) >= 5


def test_a_follower_list_and_a_survey_list(engine: Engine) -> None:
    _world(engine)
    lists = _rows(engine, "people_lists")
    assert [(row["kind"], row["source"]) for row in lists] == [
        ("social_followers", "linkedin"),
        ("nps_survey", "survey tool"),
    ]
    assert {row["imported_by"] for row in lists} == {2}  # the marketing user
    entries = _rows(engine, "people_list_entries")
    followers = [entry for entry in entries if entry["list_id"] == lists[0]["id"]]
    survey = [entry for entry in entries if entry["list_id"] == lists[1]["id"]]
    matched = [entry for entry in followers if entry["contact_id"] is not None]
    assert (len(followers), len(matched)) == (241, 69)
    contacts = {contact["id"]: contact for contact in _rows(engine, "contacts")}
    by_profile = 0
    for entry in matched:
        contact = contacts[entry["contact_id"]]
        assert entry["account_id"] == contact["account_id"]
        if entry["linkedin_url"] == contact["linkedin_url"]:
            by_profile += 1
        else:  # a follower of the same name at the account, tied as an import ties them
            assert entry["full_name"] == f"{contact['first_name']} {contact['last_name']}"
    assert by_profile == 64
    assert all(entry["score"] is None and entry["email"] is None for entry in followers)
    accounts = {account["id"]: account for account in _rows(engine, "accounts")}
    scores = Counter(entry["score"] for entry in survey)
    assert sorted(scores.items()) == [(4, 1), (5, 4), (6, 7), (7, 12), (8, 13), (9, 9), (10, 4)]
    assert all(
        entry["contact_id"] in contacts
        and accounts[entry["account_id"]]["status"] == "customer"
        and entry["email"] == contacts[entry["contact_id"]]["email"]
        and entry["answered_at"] < NOW - timedelta(days=40)
        for entry in survey
    )
    assert sum(entry["comment"] is not None for entry in survey) == 29


def test_campaign_answers_some_later_has_come(engine: Engine) -> None:
    _world(engine)
    answers = [
        event["properties"]
        for event in _rows(engine, "events")
        if event["type"] == "campaign_answer"
    ]
    assert {answer["answer"] for answer in answers} == set(CAMPAIGN_ANSWERS)
    counts = Counter(answer["answer"] for answer in answers)
    assert counts == {"no": 61, "later": 46, "yes": 14}
    later_on = [answer["later_on"] for answer in answers if "later_on" in answer]
    come = [day for day in later_on if day <= NOW.date().isoformat()]
    assert (len(later_on), len(come)) == (33, 24)
    assert all(answer["answer"] == "later" for answer in answers if "later_on" in answer)


def test_ghost_accounts_of_a_departed_owner_and_of_quiet_owners(engine: Engine) -> None:
    _world(engine)
    users = _rows(engine, "users")
    departed = [user for user in users if not user["active"]]
    assert [(user["name"], user["deactivated_at"]) for user in departed] == [
        ("Laura Kivi", NOW - timedelta(days=200))
    ]
    accounts = _rows(engine, "accounts")
    assert sum(account["owner_id"] == departed[0]["id"] for account in accounts) == 10
    last: dict[int, datetime] = {}
    for meeting in _rows(engine, "meetings"):
        at = meeting["occurred_at"]
        last[meeting["account_id"]] = max(last.get(meeting["account_id"], at), at)
    quiet = [
        account
        for account in accounts
        if account["owner_id"] not in (None, departed[0]["id"])
        and account["id"] in last
        and NOW - timedelta(days=365) <= last[account["id"]] < NOW - timedelta(days=182)
    ]
    assert len(quiet) == 12


def test_channel_costs_for_every_month_of_the_history(engine: Engine) -> None:
    _world(engine)
    costs = _rows(engine, "channel_costs")
    channels = {cost["channel"] for cost in costs}
    assert channels == set(CHANNEL_BUDGETS)
    events = _rows(engine, "events")
    assert channels <= {event["channel"] for event in events}
    months = sorted({cost["month"] for cost in costs})
    assert (months[0], months[-1], len(months), len(costs)) == (
        date(2024, 10, 1),
        date(2026, 11, 1),
        26,
        182,
    )
    by_month: dict[date, Decimal] = {}
    for cost in costs:
        by_month[cost["month"]] = by_month.get(cost["month"], Decimal(0)) + cost["amount"]
    # a thousand contacts: a hundredth of the budget; the first and the current month
    # count only their days inside the 24 months, July is quiet, March has the fair
    assert (
        by_month[date(2024, 10, 1)],
        by_month[date(2025, 7, 1)],
        by_month[date(2026, 3, 1)],
        by_month[date(2026, 11, 1)],
    ) == (Decimal("1.59"), Decimal("216.27"), Decimal("634.38"), Decimal("5.90"))
    assert all(cost["currency"] == "EUR" and cost["updated_at"] <= NOW for cost in costs)


def test_the_demo_leaves_channel_costs_already_entered_alone(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            planning_schema.channel_costs.insert().values(
                channel="paid_search", month=date(2026, 1, 1), amount=Decimal("12.50"),
                updated_at=NOW,
            )
        )  # fmt: skip
    generate_demo(engine, contacts=30, seed=3, now=NOW)
    costs = _rows(engine, "channel_costs")
    assert len(costs) == 1 + 181
    entered = [c for c in costs if (c["channel"], c["month"]) == ("paid_search", date(2026, 1, 1))]
    assert [cost["amount"] for cost in entered] == [Decimal("12.50")]


def test_champions_move_to_other_accounts(engine: Engine) -> None:
    _world(engine)
    contacts = {contact["id"]: contact for contact in _rows(engine, "contacts")}
    history = _rows(engine, "employment_history")
    assert len(history) == 16  # eight moves
    assert not _rows(engine, "champion_moves") and not _rows(engine, "tasks")
    for old, new in zip(history[::2], history[1::2], strict=True):
        before, after = contacts[old["contact_id"]], contacts[new["contact_id"]]
        assert before["id"] != after["id"] and before["account_id"] != after["account_id"]
        assert (before["first_name"], before["last_name"], before["linkedin_url"]) == (
            after["first_name"],
            after["last_name"],
            after["linkedin_url"],
        )
        assert before["linkedin_url"] is not None
        assert before["email"].split("@")[1] != after["email"].split("@")[1]
        assert before["decision_role"] in ("champion", "decision_maker", "economic_buyer")
        assert (old["account_id"], old["email"]) == (before["account_id"], before["email"])
        assert (new["account_id"], new["email"]) == (after["account_id"], after["email"])
        assert old["ended_at"] is not None and new["ended_at"] is None
        assert before["created_at"] < old["ended_at"] <= new["started_at"] <= after["created_at"]
