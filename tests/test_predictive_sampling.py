"""Negative sampling for training on fixed labels: which rows, which weights, the same each time."""

from __future__ import annotations

import numpy as np
import pytest

from silverplatter.domain.predictive_sampling import (
    MIN_NEGATIVES,
    NEGATIVES_PER_POSITIVE,
    negatives_to_keep,
    sample_negatives,
)

# two positives (rows 1 and 6) among twelve rows
LABELS = np.array([0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0], dtype=np.int8)


def test_negatives_kept_per_positive_with_a_floor_and_never_more_than_there_are() -> None:
    assert negatives_to_keep(2, 10, per_positive=2, at_least=3) == 4
    assert negatives_to_keep(1, 10, per_positive=2, at_least=3) == 3
    assert negatives_to_keep(9, 10, per_positive=2, at_least=3) == 10
    # the product's numbers: a million contacts' training part (1,070 positives, 520,000
    # negatives) keeps 53,500; the 100k world's (101 positives, 51,000) keeps 20,000
    assert (NEGATIVES_PER_POSITIVE, MIN_NEGATIVES) == (50, 20_000)
    assert negatives_to_keep(1_070, 520_000) == 53_500
    assert negatives_to_keep(101, 51_000) == 20_000
    assert negatives_to_keep(101, 15_000) == 15_000


def test_every_positive_and_a_seeded_draw_of_negatives_weighted_back() -> None:
    sample = sample_negatives(LABELS, 0, per_positive=2, at_least=3)
    assert sample.rows.tolist() == [1, 3, 5, 6, 7, 9]
    assert sample.weights.tolist() == [1.0, 2.5, 2.5, 1.0, 2.5, 2.5]
    assert (sample.negatives, sample.kept_negatives, sample.sampled) == (10, 4, True)
    assert sample.negative_weight == 2.5
    # the weighted rows add up to the real ones: 2 positives + 4 · 2.5 negatives
    assert sample.weights.sum() == LABELS.size


def test_the_same_seed_draws_the_same_rows_another_seed_others() -> None:
    again = sample_negatives(LABELS, 0, per_positive=2, at_least=3)
    assert again.rows.tolist() == [1, 3, 5, 6, 7, 9]
    other = sample_negatives(LABELS, 1, per_positive=2, at_least=3)
    assert other.rows.tolist() == [1, 4, 5, 6, 8, 11]


def test_the_floor_keeps_more_negatives_than_the_positives_ask_for() -> None:
    sample = sample_negatives(LABELS, 0, per_positive=1, at_least=3)
    assert sample.rows.tolist() == [1, 6, 7, 8, 11]
    assert sample.weights.tolist() == pytest.approx([1.0, 1.0, 10 / 3, 10 / 3, 10 / 3])


def test_small_training_sets_are_not_sampled() -> None:
    sample = sample_negatives(LABELS, 0)
    assert sample.rows.tolist() == list(range(12))
    assert sample.weights.tolist() == [1.0] * 12
    assert (sample.sampled, sample.negative_weight) == (False, 1.0)
