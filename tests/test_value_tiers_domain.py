"""Value-tier policies: validation naming the field, exact assignments, percentile ties."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from silverplatter.domain.value_tiers import (
    PolicyInvalid,
    TierPolicy,
    assign_tiers,
    cut_offs,
    parse_policy,
    places,
    revenue_since,
    stored_policy,
)


def _errors(document: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(document)
    return [(error.field, error.message) for error in caught.value.errors]


def _policy(method: str, metric: str = "annual_revenue", **bounds: Any) -> TierPolicy:
    return parse_policy({"metric": metric, "method": method, "bounds": bounds})


# --- validation ----------------------------------------------------------------------


def test_a_threshold_policy_is_read_with_exact_numbers() -> None:
    policy = parse_policy(
        {
            "metric": "revenue_with_us",
            "method": "thresholds",
            "bounds": {"gold": 500_000, "silver": "100000.50", "bronze": 0},
            "months": 36,
        }
    )
    assert policy.bounds == {
        "gold": Decimal(500_000),
        "silver": Decimal("100000.50"),
        "bronze": Decimal(0),
    }
    assert policy.months == 36
    assert policy.document() == {"gold": 500_000, "silver": 100000.5, "bronze": 0, "months": 36}
    assert policy.describe() == (
        "revenue with us (won deals, last 36 months): gold from 500,000, "
        "silver from 100,000.5, bronze from 0"
    )
    assert stored_policy(policy.metric, policy.method, policy.document()) == policy


def test_revenue_with_us_looks_back_24_months_unless_told() -> None:
    policy = _policy("thresholds", metric="revenue_with_us", gold=1)
    assert policy.months == 24
    assert policy.document() == {"gold": 1, "months": 24}


def test_a_percentile_policy_describes_itself() -> None:
    policy = _policy("percentiles", gold=5, silver=15, bronze=30)
    assert policy.describe() == (
        "annual revenue: gold the top 5 %, silver the next 15 %, bronze the next 30 %"
    )
    custom = _policy("percentiles", metric="custom:potential", gold=12.5)
    assert custom.custom_property == "potential"
    assert custom.describe() == "custom property potential: gold the top 12.5 %"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"method": "thresholds", "bounds": {"gold": 1}},
            [("metric", "expected revenue_with_us, annual_revenue or custom:<property>")],
        ),
        (
            {"metric": "profit", "method": "thresholds", "bounds": {"gold": 1}},
            [
                (
                    "metric",
                    "unknown metric 'profit'; expected revenue_with_us, annual_revenue "
                    "or custom:<property>",
                )
            ],
        ),
        (
            {"metric": "custom:Potential", "method": "thresholds", "bounds": {"gold": 1}},
            [
                (
                    "metric",
                    "'Potential' is not a property name (lower-case letters, digits and _, "
                    "starting with a letter)",
                )
            ],
        ),
        (
            {"metric": "annual_revenue", "method": "ranks", "bounds": {"gold": 1}},
            [("method", "expected thresholds or percentiles, got 'ranks'")],
        ),
        (
            {"metric": "annual_revenue", "method": "thresholds", "bounds": {}},
            [("bounds", "expected at least one of gold, silver, bronze")],
        ),
        (
            {"metric": "annual_revenue", "method": "thresholds", "bounds": {"platinum": 9}},
            [("bounds.platinum", "unknown tier; expected gold, silver, bronze")],
        ),
        (
            {"metric": "annual_revenue", "method": "thresholds", "bounds": {"gold": True}},
            [("bounds.gold", "expected a number, got True")],
        ),
        (
            {"metric": "annual_revenue", "method": "thresholds", "bounds": {"gold": "lots"}},
            [("bounds.gold", "expected a number, got 'lots'")],
        ),
        (
            {"metric": "annual_revenue", "method": "thresholds", "bounds": {"gold": "NaN"}},
            [("bounds.gold", "expected a finite number, got 'NaN'")],
        ),
        (
            {
                "metric": "annual_revenue",
                "method": "thresholds",
                "bounds": {"gold": 100, "silver": 100, "bronze": 150},
            },
            [
                ("bounds.silver", "must be below gold's 100, got 100"),
                ("bounds.bronze", "must be below silver's 100, got 150"),
            ],
        ),
        (
            {
                "metric": "annual_revenue",
                "method": "percentiles",
                "bounds": {"gold": 50, "silver": 40, "bronze": 30},
            },
            [("bounds", "the shares add up to 120 %; at most 100")],
        ),
        (
            {"metric": "annual_revenue", "method": "percentiles", "bounds": {"gold": -1}},
            [("bounds.gold", "a share from 0 to 100 %, got -1")],
        ),
        (
            {
                "metric": "annual_revenue",
                "method": "thresholds",
                "bounds": {"gold": 1},
                "months": 12,
            },
            [("months", "only revenue_with_us looks back over months")],
        ),
        (
            {
                "metric": "revenue_with_us",
                "method": "thresholds",
                "bounds": {"gold": 1},
                "months": 0,
            },
            [("months", "expected a whole number from 1 to 240, got 0")],
        ),
        (
            {"metric": "annual_revenue", "method": "thresholds", "bounds": {"gold": 1}, "x": 1},
            [("x", "unknown field; expected metric, method, bounds, months")],
        ),
    ],
)
def test_bad_policies_are_refused_naming_the_field(
    document: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert _errors(document) == expected


# --- thresholds ----------------------------------------------------------------------


def test_thresholds_place_values_at_or_above_each_bound() -> None:
    policy = _policy("thresholds", gold=1000, silver=100, bronze=10)
    values = {"a": 1000, "b": 999.99, "c": 100, "d": 10, "e": 9, "f": None, "g": 0}
    assert assign_tiers(policy, values) == {
        "a": "gold",
        "b": "silver",
        "c": "silver",
        "d": "bronze",
        "e": "unclassified",
        "f": "unclassified",
        "g": "unclassified",
    }


def test_a_tier_left_out_of_thresholds_stays_empty() -> None:
    policy = _policy("thresholds", silver=100, bronze=10)
    assert assign_tiers(policy, {"a": 10**9, "b": 50}) == {"a": "silver", "b": "bronze"}


def test_thresholds_compare_decimals_exactly() -> None:
    policy = _policy("thresholds", gold="0.3")
    assert assign_tiers(policy, {"a": Decimal("0.3"), "b": Decimal("0.29999")}) == {
        "a": "gold",
        "b": "unclassified",
    }


# --- percentiles ---------------------------------------------------------------------


def test_places_are_rounded_up_and_cumulative() -> None:
    policy = _policy("percentiles", gold=10, silver=20, bronze=30)
    assert places(policy, 10) == {"gold": 1, "silver": 3, "bronze": 6}
    assert places(policy, 15) == {"gold": 2, "silver": 5, "bronze": 9}  # 1.5, 4.5, 9
    assert places(policy, 0) == {"gold": 0, "silver": 0, "bronze": 0}
    thirds = _policy("percentiles", gold="33.333", silver="33.333", bronze="33.334")
    assert places(thirds, 3) == {"gold": 1, "silver": 2, "bronze": 3}


def test_percentiles_without_ties_take_exactly_their_shares() -> None:
    policy = _policy("percentiles", gold=10, silver=20, bronze=30)
    values = {f"a{n}": 100 - n for n in range(10)}  # 100, 99, ... 91
    tiers = assign_tiers(policy, values)
    assert [tiers[f"a{n}"] for n in range(10)] == [
        "gold",
        "silver",
        "silver",
        "bronze",
        "bronze",
        "bronze",
        "unclassified",
        "unclassified",
        "unclassified",
        "unclassified",
    ]


def test_accounts_tied_across_a_cut_all_take_the_higher_tier() -> None:
    policy = _policy("percentiles", gold=10, silver=20, bronze=30)
    # Ten values; the 1st and 2nd are tied (gold has one place), the 6th and 7th
    # are tied across bronze's last place.
    values = {
        "a": 50,
        "b": 50,
        "c": 40,
        "d": 30,
        "e": 20,
        "f": 10,
        "g": 10,
        "h": 5,
        "i": 1,
        "j": 0,
    }
    assert assign_tiers(policy, values) == {
        "a": "gold",
        "b": "gold",  # tied with the gold one: a place of 1 (one account strictly above: none)
        "c": "silver",  # place 3 = silver's last place
        "d": "bronze",
        "e": "bronze",
        "f": "bronze",
        "g": "bronze",  # tied with the 6th, bronze's last place
        "h": "unclassified",
        "i": "unclassified",
        "j": "unclassified",
    }


def test_equal_values_share_a_tier_whatever_their_keys() -> None:
    policy = _policy("percentiles", gold=25, silver=25, bronze=25)
    assert assign_tiers(policy, {9: 7, 1: 7, 5: 7, 3: 7}) == {
        9: "gold",
        1: "gold",
        5: "gold",
        3: "gold",
    }


def test_accounts_without_a_value_are_neither_counted_nor_classified() -> None:
    policy = _policy("percentiles", gold=50, silver=50)
    values = {"a": 3, "b": None, "c": 2, "d": None, "e": 1, "f": 0}
    # four values: gold 2 places, silver the other 2
    assert assign_tiers(policy, values) == {
        "a": "gold",
        "b": "unclassified",
        "c": "gold",
        "d": "unclassified",
        "e": "silver",
        "f": "silver",
    }


def test_a_zero_share_tier_is_empty_and_has_no_cut_off() -> None:
    policy = _policy("percentiles", gold=0, silver=50, bronze=50)
    ranked = [40, 30, 20, 10]
    cuts = cut_offs(policy, len(ranked), lambda place: ranked[place - 1])
    assert cuts == {"silver": 30, "bronze": 10}
    assert assign_tiers(policy, dict(enumerate(ranked))) == {
        0: "silver",
        1: "silver",
        2: "bronze",
        3: "bronze",
    }


def test_percentile_cut_offs_are_the_values_at_the_last_places() -> None:
    policy = _policy("percentiles", gold=5, silver=15, bronze=30)
    ranked = list(range(200, 0, -1))  # 200 values: 200 ... 1
    asked: list[int] = []

    def value_at(place: int) -> int:
        asked.append(place)
        return ranked[place - 1]

    assert cut_offs(policy, 200, value_at) == {"gold": 191, "silver": 161, "bronze": 101}
    assert asked == [10, 40, 100]


def test_the_revenue_window_goes_back_calendar_months() -> None:
    now = datetime(2026, 5, 31, 15, 30, tzinfo=UTC)
    assert revenue_since(now, 3) == datetime(2026, 2, 28, 15, 30, tzinfo=UTC)
    assert revenue_since(now, 24) == datetime(2024, 5, 31, 15, 30, tzinfo=UTC)
    assert revenue_since(datetime(2026, 1, 15, tzinfo=UTC), 1) == datetime(2025, 12, 15, tzinfo=UTC)
