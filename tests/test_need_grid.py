"""The needs and competitor grid on fixed ratings: weighted totals, spread, departments and
internal belief against what customers say — every figure computed by hand below.

Needs Brand, Price, Service; competitors Us and Rival.  Points (Brand/Price/Service) and
scores (Us; Rival) per rater:

Maija, Marketing          50/20/30   Us 8/5/7   Rival 6/7/5
Sami, Sales               10/60/30   Us 6/4/8   Rival 7/8/6
Kaisa, Customer service   20/20/60   Us 7/5/9   Rival 6/7/4
customer C1               20/30/50   Us 6/6/6   Rival 7/6/8
customer C2               10/50/40   Us 5/7/7   Rival 8/4/7

Each rater's weighted total, Σ points/100 × score:
Maija  Us .5·8+.2·5+.3·7 = 7.1   Rival .5·6+.2·7+.3·5 = 5.9
Sami   Us .1·6+.6·4+.3·8 = 5.4   Rival .1·7+.6·8+.3·6 = 7.3
Kaisa  Us .2·7+.2·5+.6·9 = 7.8   Rival .2·6+.2·7+.6·4 = 5.0
C1     Us .2·6+.3·6+.5·6 = 6.0   Rival .2·7+.3·6+.5·8 = 7.2
C2     Us .1·5+.5·7+.4·7 = 6.8   Rival .1·8+.5·4+.4·7 = 5.6
Internal totals (mean of the raters'): Us 20.3/3 = 6.7667, Rival 18.2/3 = 6.0667.
Customers': Us 12.8/2 = 6.4, Rival 12.8/2 = 6.4.
"""

from __future__ import annotations

import math

import pytest

from silverplatter.domain.need_grid import (
    Rating,
    Spread,
    check_names,
    check_scores,
    check_weights,
    evaluate,
    spread,
)
from silverplatter.domain.understanding_checks import UnderstandingInvalid

NEEDS = ("Brand", "Price", "Service")
COMPETITORS = ("Us", "Rival")


def _rating(
    rater: str,
    source: str,
    department: str | None,
    points: tuple[float, ...],
    us: tuple[float, ...],
    rival: tuple[float, ...],
) -> Rating:
    scores = {(need, "Us"): value for need, value in zip(NEEDS, us, strict=True)}
    scores.update({(need, "Rival"): value for need, value in zip(NEEDS, rival, strict=True)})
    return Rating(rater, source, department, dict(zip(NEEDS, points, strict=True)), scores)


RATINGS = [
    _rating("Maija", "internal", "Marketing", (50, 20, 30), (8, 5, 7), (6, 7, 5)),
    _rating("Sami", "internal", "Sales", (10, 60, 30), (6, 4, 8), (7, 8, 6)),
    _rating("Kaisa", "internal", "Customer service", (20, 20, 60), (7, 5, 9), (6, 7, 4)),
    _rating("C1", "customer", None, (20, 30, 50), (6, 6, 6), (7, 6, 8)),
    _rating("C2", "customer", None, (10, 50, 40), (5, 7, 7), (8, 4, 7)),
]
RESULT = evaluate(RATINGS, NEEDS, COMPETITORS)


def _figures(found: Spread) -> tuple[int, float, float, float]:
    return found.n, found.mean, found.sd, found.range


def test_weighted_totals_are_the_mean_of_each_raters_own_total() -> None:
    inside, outside = RESULT.internal, RESULT.customer
    assert (inside.raters, outside.raters) == (3, 2)
    assert inside.totals["Us"].mean == pytest.approx(20.3 / 3, abs=1e-12)
    assert inside.totals["Rival"].mean == pytest.approx(18.2 / 3, abs=1e-12)
    # Spread of the internal totals of Us: deviations 1/3, −41/30, 31/30 from 203/30;
    # squares 10/90 + 168.1/90 + 96.1/90 = 274.2/90 = 3.04667; /3 → √1.015556 = 1.00775.
    assert inside.totals["Us"].sd == pytest.approx(math.sqrt(274.2 / 270), abs=1e-12)
    assert inside.totals["Us"].range == pytest.approx(7.8 - 5.4, abs=1e-12)
    assert outside.totals["Us"].mean == pytest.approx(6.4, abs=1e-12)
    assert outside.totals["Rival"].mean == pytest.approx(6.4, abs=1e-12)


def test_spread_per_cell_is_the_population_standard_deviation_and_the_range() -> None:
    weights = RESULT.internal.weights
    # Brand 50, 10, 20: mean 80/3; squares (70/3)² + (50/3)² + (20/3)² = 7800/9; /3 → √(2600/9).
    assert _figures(weights["Brand"]) == pytest.approx((3, 80 / 3, math.sqrt(2600 / 9), 40))
    # Price 20, 60, 20: mean 100/3; squares 3 200/9 + … = 9 600/9; /3 → √(3200/9).
    assert _figures(weights["Price"]) == pytest.approx((3, 100 / 3, math.sqrt(3200 / 9), 40))
    # Service 30, 30, 60: mean 40; squares 100 + 100 + 400 = 600; /3 → √200.
    assert _figures(weights["Service"]) == pytest.approx((3, 40, math.sqrt(200), 30))
    scores = RESULT.internal.scores
    # Us on Brand 8, 6, 7: mean 7, squares 1 + 1 + 0 = 2; /3 → √(2/3), range 2.
    assert _figures(scores[("Brand", "Us")]) == pytest.approx((3, 7, math.sqrt(2 / 3), 2))
    assert _figures(scores[("Service", "Rival")]) == pytest.approx((3, 5, math.sqrt(2 / 3), 2))
    assert spread([4.0]) == Spread(1, 4.0, 0.0, 4.0, 4.0)
    assert spread([]) is None


def test_departments_show_who_rates_what_higher() -> None:
    assert sorted(RESULT.departments) == ["Customer service", "Marketing", "Sales"]
    gaps = [
        (gap.need, gap.competitor, gap.highest, gap.lowest, gap.gap)
        for gap in RESULT.department_gaps
    ]
    assert gaps == [
        # Marketing puts 50 points on brand, Sales 10.
        ("Brand", None, "Marketing", "Sales", 40.0),
        # Sales 60 on price; Customer service and Marketing both 20 (the first by name).
        ("Price", None, "Sales", "Customer service", 40.0),
        ("Service", None, "Customer service", "Marketing", 30.0),
        ("Brand", "Us", "Marketing", "Sales", 2.0),
        ("Service", "Rival", "Sales", "Customer service", 2.0),
        ("Service", "Us", "Customer service", "Marketing", 2.0),
        ("Brand", "Rival", "Sales", "Customer service", 1.0),
        ("Price", "Rival", "Sales", "Customer service", 1.0),
        ("Price", "Us", "Customer service", "Sales", 1.0),
    ]


def test_internal_belief_is_set_against_customers_largest_difference_first() -> None:
    found = [(d.need, d.competitor, round(d.difference, 6)) for d in RESULT.differences]
    assert found == [
        # Brand: 80/3 = 26.667 points inside against 15 from customers.
        ("Brand", None, 11.666667),
        # Price: 33.333 against 40; Service 40 against 45.
        ("Price", None, -6.666667),
        ("Service", None, -5.0),
        # Rival on service: 15/3 = 5 inside, (8+7)/2 = 7.5 from customers.
        ("Service", "Rival", -2.5),
        # Rival on price: 22/3 = 7.333 inside, (6+4)/2 = 5 from customers.
        ("Price", "Rival", 2.333333),
        ("Price", "Us", -1.833333),
        ("Brand", "Us", 1.5),
        ("Service", "Us", 1.5),
        ("Brand", "Rival", -1.166667),
        # Totals: Us 6.7667 − 6.4, Rival 6.0667 − 6.4.
        (None, "Us", 0.366667),
        (None, "Rival", -0.333333),
    ]


def test_a_rater_with_a_blank_score_of_a_weighted_need_does_not_count_for_that_competitor() -> None:
    partial = Rating("P", "internal", None, {"Brand": 100.0}, {("Brand", "Us"): 9.0})
    found = evaluate([partial], NEEDS, COMPETITORS)
    assert found.internal.totals["Us"].mean == 9.0
    assert "Rival" not in found.internal.totals
    assert found.department_gaps == []
    assert found.differences == []


def test_points_must_add_up_to_100_and_say_by_how_much_they_are_off() -> None:
    assert check_weights({"Brand": "50", "Price": 50.0, "Service": ""}, NEEDS) == {
        "Brand": 50.0,
        "Price": 50.0,
        "Service": 0.0,
    }
    with pytest.raises(UnderstandingInvalid) as short:
        check_weights({"Brand": 50, "Price": 20, "Service": 25}, NEEDS)
    assert str(short.value) == (
        "weights: the points must add up to 100; they add up to 95, 5 short of 100"
    )
    with pytest.raises(UnderstandingInvalid, match=r"add up to 112\.5, 12\.5 over 100"):
        check_weights({"Brand": 50, "Price": "62,5"}, NEEDS)
    with pytest.raises(UnderstandingInvalid) as bad:
        check_weights({"Brand": 120, "Colour": 5}, NEEDS)
    assert [(e.field, e.message) for e in bad.value.errors] == [
        ("weights.Brand", "expected a number from 0 to 100, got 120"),
        ("weights.Colour", "not a need of this grid"),
    ]
    with pytest.raises(UnderstandingInvalid) as bad:
        check_scores(
            {("Brand", "Us"): 11, ("Price", "Them"): 3, ("Service", "Us"): ""}, NEEDS, COMPETITORS
        )
    assert [(e.field, e.message) for e in bad.value.errors] == [
        ("scores.Us.Brand", "expected a number from 0 to 10, got 11"),
        ("scores.Them.Price", "not a need and competitor of this grid"),
    ]
    assert check_names([" Brand ", "Price"], "needs", 20) == ["Brand", "Price"]
    with pytest.raises(UnderstandingInvalid, match=r"needs\[1\]: 'brand' is named twice"):
        check_names(["Brand", "brand"], "needs", 20)


def test_gaps_and_differences_are_ranked_within_their_scale_points_first() -> None:
    """Marketing 52/48 points, Us 9 and 3; Sales 50/50, Us 9 and 9; a customer 50/50, Us 5, 6.
    Ranked together the score gap of 6 (Us on Price, Sales against Marketing) would come
    before the points gaps of 2; within their scales the points come first."""
    both = ("Brand", "Price")
    ratings = [
        Rating(
            "M",
            "internal",
            "Marketing",
            {"Brand": 52, "Price": 48},
            {("Brand", "Us"): 9, ("Price", "Us"): 3},
        ),
        Rating(
            "S",
            "internal",
            "Sales",
            {"Brand": 50, "Price": 50},
            {("Brand", "Us"): 9, ("Price", "Us"): 9},
        ),
        Rating(
            "C",
            "customer",
            None,
            {"Brand": 50, "Price": 50},
            {("Brand", "Us"): 5, ("Price", "Us"): 6},
        ),
    ]
    found = evaluate(ratings, both, ("Us",))
    assert [(g.need, g.competitor, g.highest, g.gap) for g in found.department_gaps] == [
        ("Brand", None, "Marketing", 2.0),
        ("Price", None, "Sales", 2.0),
        ("Price", "Us", "Sales", 6.0),
        ("Brand", "Us", "Marketing", 0.0),
    ]
    # Internal totals: M .52·9 + .48·3 = 6.12, S 9 → 7.56; the customer .5·5 + .5·6 = 5.5.
    assert [(d.need, d.competitor, round(d.difference, 6)) for d in found.differences] == [
        ("Brand", None, 1.0),
        ("Price", None, -1.0),
        ("Brand", "Us", 4.0),
        (None, "Us", 2.06),
        ("Price", "Us", 0.0),
    ]
