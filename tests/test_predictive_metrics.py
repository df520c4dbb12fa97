"""The metric functions and the naive-Bayes baseline on fixed, hand-computed inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from silverplatter.domain.predictive_checks import (
    TrainingRefused,
    check_examples,
    check_history,
    constant_columns,
    leaks,
    refuse_leaks,
)
from silverplatter.domain.predictive_metrics import (
    SMOOTHING,
    distinct_values,
    expected_calibration_error,
    field_aucs,
    fit_naive_bayes,
    grouped_auc,
    lift_at,
    lift_curve,
    reliability,
    single_auc,
    summary,
)


def _labels(*values: int) -> np.ndarray:  # type: ignore[type-arg]
    return np.array(values, dtype=np.int8)


def test_expected_calibration_error_weighs_each_bins_gap_by_its_rows() -> None:
    labels = _labels(0, 1, 0, 1, 1)
    probabilities = np.array([0.12, 0.18, 0.55, 0.51, 0.95])
    # bin 1: mean 0.15 vs 1/2 → 0.35 · 2/5; bin 5: 0.53 vs 1/2 → 0.03 · 2/5; bin 9: 0.05 · 1/5
    assert expected_calibration_error(labels, probabilities) == pytest.approx(0.162)
    np.testing.assert_allclose(
        reliability(labels, probabilities), [[0.15, 0.5, 2], [0.53, 0.5, 2], [0.95, 1, 1]]
    )
    assert expected_calibration_error(_labels(1), np.array([1.0])) == 0.0


def test_lift_in_the_top_decile_and_the_gains_curve() -> None:
    labels = np.zeros(20, dtype=np.int8)
    labels[[0, 5, 9, 17]] = 1
    scores = np.linspace(1.0, 0.0, 20)  # row 0 ranks first
    # top 2 rows hold 1 positive: 0.5 against a base rate of 0.2
    assert lift_at(labels, scores) == pytest.approx(2.5)
    curve = lift_curve(labels, scores, steps=4)
    np.testing.assert_allclose(curve, [[0, 0], [0.25, 0.25], [0.5, 0.75], [0.75, 0.75], [1, 1]])
    assert math.isnan(lift_at(np.zeros(5, dtype=np.int8), np.ones(5)))


def test_ties_in_the_top_decile_keep_the_original_order() -> None:
    labels = _labels(0, 1, 0, 0, 0, 0, 0, 0, 0, 1)
    assert lift_at(labels, np.ones(10)) == 0.0
    assert lift_at(labels[::-1].copy(), np.ones(10)) == pytest.approx(5.0)


def test_summary_uses_scikit_learn_for_auc_pr_auc_and_brier() -> None:
    labels = _labels(0, 0, 1, 1)
    result = summary(labels, np.array([0.1, 0.4, 0.35, 0.8]))
    assert result["roc_auc"] == pytest.approx(0.75)
    assert result["pr_auc"] == pytest.approx((1 + 2 / 3) / 2)
    assert result["brier"] == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)
    assert result["ece"] == pytest.approx((0.1 + 0.4 + 0.65 + 0.2) / 4)
    assert result["rows"] == 4 and result["positives"] == 2


def test_naive_bayes_is_the_normalised_product_of_per_field_frequencies() -> None:
    # field 0: won rows A, A, B; lost rows A, B, B, B, C (codes 0, 1, 2)
    field = np.array([0, 0, 1, 0, 1, 1, 1, 2], dtype=np.float64)
    labels = _labels(1, 1, 1, 0, 0, 0, 0, 0)
    model = fit_naive_bayes(field.reshape(-1, 1), labels, [False])
    s = SMOOTHING
    seen = 3
    won = [(2 + s) / (3 + s * seen), (1 + s) / (3 + s * seen), s / (3 + s * seen)]
    lost = [(1 + s) / (5 + s * seen), (3 + s) / (5 + s * seen), (1 + s) / (5 + s * seen)]
    expected = [3 / 8 * w / (3 / 8 * w + 5 / 8 * n) for w, n in zip(won, lost, strict=True)]
    predicted = model.predict(np.array([[0.0], [1.0], [2.0]]))
    assert predicted.tolist() == pytest.approx(expected)
    assert predicted[0] == pytest.approx(0.647846, abs=1e-6)


def test_naive_bayes_multiplies_fields_and_bins_numbers() -> None:
    colour = np.array([0, 0, 1, 1, 0, 1], dtype=np.float64)
    size = np.array([1.0, 2.0, 3.0, 4.0, 5.0, math.nan])
    labels = _labels(1, 1, 0, 0, 1, 0)
    matrix = np.column_stack([colour, size])
    model = fit_naive_bayes(matrix, labels, [False, True])
    # a missing number is a value of its own; the deciles of 1..5 (1.4, 1.8 … 4.6) bin them
    values = model.values_of(matrix)
    assert values[:, 1].tolist() == [0.0, 2.0, 5.0, 7.0, 9.0, -1.0]
    log_odds = model.log_odds(matrix[:1])
    # row 0: colour 0 is 3 of 3 won and 0 of 3 lost (2 values seen); its size bin 1 of 3 and 0
    one = math.log(((3 + 0.1) / (3 + 0.2)) / (0.1 / (3 + 0.2)))
    other = math.log(((1 + 0.1) / (3 + 0.6)) / (0.1 / (3 + 0.6)))
    assert log_odds[0] == pytest.approx(math.log(1.0) + one + other)
    assert field_aucs(model, matrix, labels) == pytest.approx([1.0, 1.0])


def test_refusals_say_what_is_needed_and_what_exists() -> None:
    with pytest.raises(
        TrainingRefused, match=r"no contact has ever reached the outcome \(became SQL\)"
    ) as refused:
        check_history("became SQL", 0)
    assert refused.value.reason == "no_outcome_history"
    with pytest.raises(TrainingRefused) as refused:
        check_examples("became SQL", 90, 12, 340)
    assert str(refused.value).startswith(
        "too few positives: training needs at least 50 contacts that became SQL within "
        "90 days after the cut-off, and there are 12 (among 340 examples)."
    )
    with pytest.raises(TrainingRefused, match="at least 50 contacts that did not reach"):
        check_examples("became a customer", 30, 300, 320)
    check_examples("became a customer", 30, 50, 100)


def test_constant_and_leaking_columns_are_named() -> None:
    assert constant_columns(["a", "b", "c"], [1, 2, 0]) == ["a", "c"]
    found = leaks(["x", "y", "z"], ["X", "Y", "Z"], [0.99, 0.97, 1.0])
    assert [(leak.feature, leak.auc) for leak in found] == [("z", 1.0), ("x", 0.99)]
    with pytest.raises(TrainingRefused, match=r"Z \(z\): AUC 1.000; X \(x\): AUC 0.990") as err:
        refuse_leaks(found)
    assert "--exclude z --exclude x" in str(err.value)
    refuse_leaks([])


def test_an_auc_counted_per_score_value_is_scikit_learns_on_the_rows() -> None:
    generator = np.random.default_rng(7)
    for _ in range(20):
        rows = int(generator.integers(2, 400))
        scores = np.round(generator.normal(size=int(generator.integers(1, 12))), 1)  # ties
        group = generator.integers(0, scores.size, size=rows)
        labels = (generator.random(rows) < 0.3).astype(np.int8)
        labels[0], labels[1] = 0, 1  # both classes
        expected = single_auc(labels, scores[group])  # scikit-learn on the rows
        assert grouped_auc(labels, scores, group) == pytest.approx(expected, abs=1e-12)


def test_a_grouped_auc_by_hand_and_with_one_class() -> None:
    # positives score 2, 1, 1; negatives 1, 0: of 6 pairs 4 won and 2 tied (1 vs 1)
    scores = np.array([0.0, 1.0, 2.0])
    group = np.array([2, 1, 1, 1, 0])
    assert grouped_auc(_labels(1, 1, 1, 0, 0), scores, group) == pytest.approx(5 / 6)
    assert math.isnan(grouped_auc(_labels(1, 1, 1, 1, 1), scores, group))


def test_values_of_bins_numbers_and_marks_every_missing_cell() -> None:
    matrix = np.array([[0.0, 1.0], [math.nan, 7.0], [1.0, math.nan], [2.0, 3.0]])
    model = fit_naive_bayes(matrix, _labels(1, 0, 1, 0), [False, True])
    values = model.values_of(matrix)
    assert values[:, 0].tolist() == [0.0, -1.0, 1.0, 2.0]
    assert values[2, 1] == -1.0
    assert values[0, 1] < values[3, 1] < values[1, 1]


def test_distinct_values_counted_by_position_are_numpys_unique() -> None:
    generator = np.random.default_rng(3)
    columns = [
        generator.integers(-1, 12, size=500).astype(np.float64),  # codes, bins, missing
        np.array([4.0, 4.0, 4.0]),
        np.array([-1.0]),
        np.array([0.5, -1.0, 0.5, 2.0]),  # not whole: sorted instead
        np.array([-3.0, 7.0, -3.0]),  # below −1: sorted instead
        np.array([70000.0, 1.0]),  # too far apart to count by position
        np.empty(0),
    ]
    for column in columns:
        distinct, inverse = distinct_values(column)
        expected, expected_inverse = np.unique(column, return_inverse=True)
        assert distinct.tolist() == expected.tolist()
        assert inverse.tolist() == expected_inverse.reshape(-1).tolist()
        assert distinct.dtype == np.float64 and inverse.dtype == np.int64


def test_number_bins_are_the_edges_at_or_below_each_value() -> None:
    generator = np.random.default_rng(5)
    column = np.round(generator.normal(size=300), 1)  # ties, and values equal to edges
    column[::7] = math.nan
    model = fit_naive_bayes(
        column.reshape(-1, 1), (generator.random(300) < 0.3).astype(np.int8), [True]
    )
    edges = model.edges[0]
    assert edges is not None and edges.size == 9
    expected = np.searchsorted(edges, column, side="right").astype(np.float64)
    expected[np.isnan(column)] = -1.0
    assert model.values_of(column.reshape(-1, 1))[:, 0].tolist() == expected.tolist()
