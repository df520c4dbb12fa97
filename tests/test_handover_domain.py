"""Handover rules without a database: working days, the assignment rule, the card's words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from silverplatter.domain.buying_window import BuyingWindow
from silverplatter.domain.handover import (
    AccountOwner,
    Choice,
    account_owner_else_round_robin,
    add_working_days,
    choose_owner,
    days_overdue,
    next_in_rotation,
    sla_working_days,
)
from silverplatter.domain.sales_card import Signal, ago, next_best_action, why_now, window_text


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """An instant in June 2026: the 1st is a Monday, the 6th a Saturday."""
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(1), 0, at(1)),  # Monday: no time at all
        (at(1), 1, at(2)),  # Monday → Tuesday
        (at(4), 1, at(5)),  # Thursday → Friday
        (at(5, 15), 1, at(8, 15)),  # Friday 15:00 → Monday 15:00
        (at(5, 15), 2, at(9, 15)),  # Friday → Tuesday
        (at(3), 5, at(10)),  # a working week is a calendar week
        (at(3), 7, at(12)),  # Wednesday + 7 → Friday of the next week
        (at(1), 10, at(15)),  # two weeks
        (at(6, 10), 1, at(9, 0)),  # Saturday: counts from Monday 00:00 → Tuesday 00:00
        (at(7, 23, 30), 1, at(9, 0)),  # Sunday likewise
        (at(6, 10), 5, at(15, 0)),  # Saturday + 5 → the next Monday 00:00
    ],
)
def test_working_days_skip_weekends(start: datetime, days: int, due: datetime) -> None:
    assert add_working_days(start, days) == due


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="days: expected 0 or more"):
        add_working_days(at(1), -1)


def test_sla_of_a_tier_the_model_leaves_out() -> None:
    assert sla_working_days({"gold": 1, "unclassified": 4}, "gold") == 1
    assert sla_working_days({"gold": 1, "unclassified": 4}, "silver") == 4
    assert sla_working_days({"gold": 1}, "bronze") == 5


def test_days_overdue_count_started_days() -> None:
    assert days_overdue(at(2), at(1)) == 0
    assert days_overdue(at(2), at(2)) == 0
    assert days_overdue(at(2), at(2, 12, 1)) == 1
    assert days_overdue(at(2), at(4, 12)) == 2
    assert days_overdue(at(2), at(4, 13)) == 3


def test_round_robin_goes_to_the_next_id_and_wraps() -> None:
    sales = [7, 3, 5]
    assert next_in_rotation(sales, None) == 3
    assert next_in_rotation(sales, 3) == 5
    assert next_in_rotation(sales, 5) == 7
    assert next_in_rotation(sales, 7) == 3
    assert next_in_rotation(sales, 4) == 5  # the last one assigned has left
    assert next_in_rotation(sales, 99) == 3
    assert next_in_rotation([], 3) is None
    order = []
    last = None
    for _ in range(5):
        last = next_in_rotation(sales, last)
        order.append(last)
    assert order == [3, 5, 7, 3, 5]


def test_account_owner_first_when_they_can_take_leads() -> None:
    sales = [3, 5]
    assert account_owner_else_round_robin(AccountOwner(9, "sales", True), sales, 3) == Choice(
        9, "account_owner"
    )
    assert account_owner_else_round_robin(AccountOwner(9, "admin", True), sales, 3) == Choice(
        9, "account_owner"
    )
    # A marketer or a deactivated owner does not take leads: the rotation does.
    assert account_owner_else_round_robin(AccountOwner(9, "marketing", True), sales, 3) == Choice(
        5, "round_robin"
    )
    assert account_owner_else_round_robin(AccountOwner(9, "sales", False), sales, 5) == Choice(
        3, "round_robin"
    )
    assert account_owner_else_round_robin(None, [], None) == Choice(None, "unassigned")


def test_plain_round_robin_ignores_the_account_owner() -> None:
    owner = AccountOwner(9, "sales", True)
    assert choose_owner("round_robin", owner, [3, 5], 3) == Choice(5, "round_robin")
    assert choose_owner("account_owner_else_round_robin", owner, [3, 5], 3) == Choice(
        9, "account_owner"
    )
    with pytest.raises(ValueError, match="unknown assignment rule"):
        choose_owner("lottery", owner, [3], None)


def test_why_now_is_at_most_three_short_phrases() -> None:
    now = at(10)
    signals = [
        Signal("pricing or demo page", at(9)),
        Signal("pricing or demo page", at(8)),  # named once, by its newest event
        Signal("webinar attended", at(3)),
    ]
    assert why_now(hard_cta_at=at(9), bant_complete=True, signals=signals, now=now) == (
        "asked for contact yesterday",
        "BANT complete",
        "pricing or demo page yesterday",
    )
    assert why_now(hard_cta_at=None, bant_complete=False, signals=signals, now=now) == (
        "pricing or demo page yesterday",
        "webinar attended 7 days ago",
    )
    assert why_now(hard_cta_at=None, bant_complete=False, signals=[], now=now) == ()
    assert ago(at(10, 1), now) == "today"


def test_next_best_action_and_window_in_words() -> None:
    common = {"hard_cta": True, "bant_complete": False, "window_open": False}
    assert (
        next_best_action(stage="sql", days_overdue=2, **common)
        == "Overdue by 2 days: call today, then accept, recycle or disqualify"
    )
    assert next_best_action(stage="sql", days_overdue=0, **common) == (
        "Call now: they asked for contact; then accept or recycle"
    )
    assert next_best_action(
        stage="sql", days_overdue=0, hard_cta=False, bant_complete=False, window_open=True
    ) == ("Qualify in a call (BANT), then accept or recycle (buying window open)")
    assert next_best_action(stage="sal", days_overdue=0, **common) == (
        "Open an opportunity, or recycle with a reason"
    )
    window = BuyingWindow(date(2026, 9, 1), date(2027, 3, 1), "qualification", 0.8, "BANT")
    assert window_text(window) == "2026-09-01 – 2027-03-01 (qualification, 80%)"
    assert window_text(None) == "unknown"
