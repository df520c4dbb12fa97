"""The fitted model on fixed synthetic rows: sampled negatives, calibrated on unsampled rows."""

from __future__ import annotations

import numpy as np
import pytest

from silverplatter.services.predictive_model import MAX_TREES, fit


def _rows() -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(6_000, 3))
    chance = 1 / (1 + np.exp(-(matrix[:, 0] * 1.5 - 4.5)))
    labels = (rng.random(6_000) < chance).astype(np.int8)
    return matrix, labels


def test_the_trees_learn_from_a_weighted_sample_and_stay_calibrated() -> None:
    matrix, labels = _rows()
    assert int(labels.sum()) == 151
    calibration_rows = np.zeros(labels.size, dtype=bool)
    calibration_rows[::4] = True
    model = fit(
        matrix,
        labels,
        [],
        calibration_rows=calibration_rows,
        negatives_per_positive=5,
        min_negatives=1_000,
    )
    # the final booster: 151 positives, 1,000 of the 5,849 negatives (5 per positive
    # would be 755, below the floor)
    assert (model.parameters["negatives"], model.parameters["kept_negatives"]) == (5_849, 1_000)
    assert model.parameters["learning_rate"] == 0.03
    assert model.parameters["rounds"] <= MAX_TREES
    probabilities = model.probabilities(matrix)
    # the negatives' weights and the map learnt on unsampled rows keep the mean
    # probability at the real rate (151 / 6,000 = 0.0252), not the sample's (0.131)
    assert float(probabilities.mean()) == pytest.approx(151 / 6_000, abs=0.004)
    unsampled = fit(matrix, labels, [], calibration_rows=calibration_rows)
    assert unsampled.parameters["kept_negatives"] == 5_849
