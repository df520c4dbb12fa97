"""Which training rows the trees are fitted on: every positive, a seeded share of the negatives.

The outcome is rare on a large workspace (1,778 positives among 869,094
examples at a million contacts): the trees learn nearly as much from a few
dozen negatives per positive as from all of them, in a small part of the
time.  The negatives that are kept carry the weight of those left out
(``negatives / kept``), so the weighted rows add up to the real ones and the
model's raw scores keep their scale; the calibration map is still learnt on
held-out rows that are not sampled, so the probabilities stay calibrated.

Small training sets are not sampled at all: below ``MIN_NEGATIVES`` negatives,
or when ``NEGATIVES_PER_POSITIVE`` per positive would keep them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

#: Negatives kept per positive at least.
NEGATIVES_PER_POSITIVE: Final = 50
#: Negatives kept at least, whatever the number of positives.
MIN_NEGATIVES: Final = 20_000


@dataclass(frozen=True, slots=True)
class Sample:
    """The rows kept (ascending indices) and each one's weight."""

    rows: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]
    negatives: int
    kept_negatives: int

    @property
    def sampled(self) -> bool:
        return self.kept_negatives < self.negatives

    @property
    def negative_weight(self) -> float:
        return self.negatives / self.kept_negatives if self.kept_negatives else 1.0


def negatives_to_keep(
    positives: int,
    negatives: int,
    *,
    per_positive: int = NEGATIVES_PER_POSITIVE,
    at_least: int = MIN_NEGATIVES,
) -> int:
    """How many negatives to keep: ``per_positive`` each, ``at_least`` in all, at most every one."""
    return min(negatives, max(at_least, per_positive * positives))


def sample_negatives(
    labels: npt.NDArray[np.int8],
    seed: int,
    *,
    per_positive: int = NEGATIVES_PER_POSITIVE,
    at_least: int = MIN_NEGATIVES,
) -> Sample:
    """Every positive and a seeded draw (without replacement) of the negatives, weighted back.

    The same labels and seed give the same rows.  Positives weigh 1; each
    kept negative weighs ``negatives / kept``.
    """
    negative_rows = np.flatnonzero(labels == 0)
    negatives = int(negative_rows.size)
    positives = int(labels.size - negatives)
    kept = negatives_to_keep(positives, negatives, per_positive=per_positive, at_least=at_least)
    if kept >= negatives:
        rows = np.arange(labels.size, dtype=np.int64)
        return Sample(rows, np.ones(labels.size, dtype=np.float64), negatives, negatives)
    rng = np.random.default_rng(seed)
    drawn = rng.choice(negative_rows, size=kept, replace=False)
    rows = np.sort(np.concatenate([np.flatnonzero(labels != 0), drawn])).astype(np.int64)
    weights = np.where(labels[rows] != 0, 1.0, negatives / kept)
    return Sample(rows, weights.astype(np.float64), negatives, kept)


__all__ = [
    "MIN_NEGATIVES",
    "NEGATIVES_PER_POSITIVE",
    "Sample",
    "negatives_to_keep",
    "sample_negatives",
]
