"""How good a probability is: the metrics scikit-learn lacks, and the naive-Bayes baseline.

ROC AUC, PR AUC (average precision) and the Brier score come from
scikit-learn; this module adds the expected calibration error, the lift in
the top decile, the points of a reliability plot and of a lift chart, and
the per-field naive-Bayes baseline — Odoo CRM's predictive lead scoring:
for every field, how often each value occurred among won and among lost
leads; a lead's probability is the prior times the product of its values'
likelihoods, normalised over won and lost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

Vector = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int8]

#: Equal-width probability bins of the calibration error and the reliability plot.
BINS = 10


def _bin_of(probabilities: Vector, bins: int) -> npt.NDArray[np.int64]:
    """Bin k holds [k/bins, (k+1)/bins); 1.0 falls in the last bin."""
    return np.minimum((probabilities * bins).astype(np.int64), bins - 1)


def expected_calibration_error(labels: Labels, probabilities: Vector, bins: int = BINS) -> float:
    """Σ over equal-width bins of (share of rows in bin) · |observed rate − mean probability|."""
    if labels.size == 0:
        return math.nan
    which = _bin_of(probabilities, bins)
    total = 0.0
    for k in range(bins):
        inside = which == k
        count = int(inside.sum())
        if count:
            gap = abs(float(labels[inside].mean()) - float(probabilities[inside].mean()))
            total += count / labels.size * gap
    return total


def reliability(labels: Labels, probabilities: Vector, bins: int = BINS) -> list[list[float]]:
    """Per non-empty bin: [mean predicted probability, observed rate, rows]."""
    which = _bin_of(probabilities, bins)
    points = []
    for k in range(bins):
        inside = which == k
        count = int(inside.sum())
        if count:
            points.append(
                [float(probabilities[inside].mean()), float(labels[inside].mean()), float(count)]
            )
    return points


def _ranked(labels: Labels, scores: Vector) -> Labels:
    """Labels ordered by score, highest first; ties keep their original order."""
    order = np.argsort(-scores, kind="stable")
    return labels[order]


def lift_at(labels: Labels, scores: Vector, share: float = 0.1) -> float:
    """Positive rate among the top ``share`` by score, over the overall positive rate."""
    if labels.size == 0 or labels.sum() == 0:
        return math.nan
    top = max(1, math.ceil(labels.size * share))
    ranked = _ranked(labels, scores)
    return float(ranked[:top].mean() / labels.mean())


def lift_curve(labels: Labels, scores: Vector, steps: int = 10) -> list[list[float]]:
    """Cumulative gains: [share of rows contacted, share of positives found] per decile."""
    ranked = _ranked(labels, scores)
    positives = max(1, int(labels.sum()))
    points = [[0.0, 0.0]]
    for step in range(1, steps + 1):
        top = math.ceil(labels.size * step / steps)
        points.append([step / steps, float(ranked[:top].sum()) / positives])
    return points


def single_auc(labels: Labels, scores: Vector) -> float:
    """ROC AUC of one score; ``nan`` when only one class is present."""
    if labels.size == 0 or labels.min() == labels.max():
        return math.nan
    return float(roc_auc_score(labels, scores))


def summary(labels: Labels, probabilities: Vector) -> dict[str, float]:
    """ROC AUC, PR AUC, lift in the top decile, Brier score and ECE of probabilities."""
    both = labels.size > 0 and labels.min() != labels.max()
    return {
        "roc_auc": single_auc(labels, probabilities),
        "pr_auc": float(average_precision_score(labels, probabilities)) if both else math.nan,
        "lift_top_decile": lift_at(labels, probabilities),
        "brier": float(brier_score_loss(labels, probabilities)) if labels.size else math.nan,
        "ece": expected_calibration_error(labels, probabilities),
        "rows": float(labels.size),
        "positives": float(labels.sum()),
    }


# ---- the per-field naive-Bayes baseline ----------------------------------------

#: Added to every won and lost count of a value, so that a value never seen
#: among won (or lost) leads does not zero the product.
SMOOTHING = 0.1
#: Numbers are cut into this many quantile bins (learnt on the training rows).
NUMBER_BINS = 10
_MISSING = -1.0


@dataclass
class NaiveBayes:
    """Per field and value: counts among won and lost training rows."""

    prior_won: float
    edges: list[Vector | None]
    won: list[dict[float, float]]
    lost: list[dict[float, float]]
    won_total: float
    lost_total: float

    def values_of(self, matrix: Vector) -> Vector:
        """Each cell as the value naive Bayes counts: category code, number bin, or missing."""
        return self.field_values(by_field(matrix)).T

    def field_values(self, columns: Vector) -> Vector:
        """:meth:`values_of` for a matrix held one row per field (:func:`by_field`)."""
        out = np.empty_like(columns)
        for field, edges in enumerate(self.edges):
            column = columns[field]
            if edges is None:
                out[field] = column
            else:  # the edges at or below each value, as searchsorted(side="right") counts
                binned = np.zeros(column.size, dtype=np.int8)  # at most NUMBER_BINS - 1 edges
                for edge in edges:  # a few edges: a pass each beats a binary search per value
                    binned += column >= edge
                out[field] = binned
        out[np.isnan(columns)] = _MISSING  # one pass over the whole matrix, not one per column
        return out

    def field_log_ratios(self, values: Vector, field: int) -> Vector:
        """log P(value|won) / P(value|lost) of one field's values (as :meth:`values_of` gives)."""
        ratios, inverse = self.distinct_log_ratios(values, field)
        return np.asarray(ratios[inverse], dtype=np.float64)

    def distinct_log_ratios(self, values: Vector, field: int) -> tuple[Vector, Any]:
        """The log ratio of each distinct value, and each row's index into them."""
        won, lost = self.won[field], self.lost[field]
        seen = len(set(won) | set(lost)) or 1
        won_denominator = self.won_total + SMOOTHING * seen
        lost_denominator = self.lost_total + SMOOTHING * seen
        distinct, inverse = distinct_values(values)
        ratios = np.array(
            [
                math.log(
                    ((won.get(float(v), 0.0) + SMOOTHING) / won_denominator)
                    / ((lost.get(float(v), 0.0) + SMOOTHING) / lost_denominator)
                )
                for v in distinct
            ],
            dtype=np.float64,
        )
        return ratios, inverse

    def log_odds(self, matrix: Vector) -> Vector:
        values = self.field_values(by_field(matrix))
        total = np.full(values.shape[1], math.log(self.prior_won / (1 - self.prior_won)))
        for field in range(values.shape[0]):
            total += self.field_log_ratios(values[field], field)
        return total

    def predict(self, matrix: Vector) -> Vector:
        """P(won | values) = prior·Π P(value|won) / (that + (1 − prior)·Π P(value|lost))."""
        odds = np.clip(self.log_odds(matrix), -700, 700)
        return np.asarray(1.0 / (1.0 + np.exp(-odds)), dtype=np.float64)


def fit_naive_bayes(matrix: Vector, labels: Labels, numeric: list[bool]) -> NaiveBayes:
    """Count each field's values among won and lost rows; numbers by quantile bins."""
    columns = by_field(matrix)
    edges: list[Vector | None] = []
    for field, is_number in enumerate(numeric):
        if not is_number:
            edges.append(None)
            continue
        column = columns[field]
        present = column[~np.isnan(column)]
        if present.size == 0:
            edges.append(np.empty(0))
            continue
        quantiles = np.quantile(present, np.linspace(0, 1, NUMBER_BINS + 1)[1:-1])
        edges.append(np.unique(quantiles))
    model = NaiveBayes(
        prior_won=float(labels.mean()),
        edges=edges,
        won=[],
        lost=[],
        won_total=float(labels.sum()),
        lost_total=float(labels.size - labels.sum()),
    )
    values = model.field_values(columns)
    won = labels.astype(np.float64)
    for field in range(values.shape[0]):
        distinct, inverse = distinct_values(values[field])
        won_counts = np.asarray(
            np.bincount(inverse, weights=won, minlength=distinct.size), dtype=np.float64
        )
        all_counts = np.asarray(np.bincount(inverse, minlength=distinct.size), dtype=np.float64)
        model.won.append(_nonzero(distinct, won_counts))
        model.lost.append(_nonzero(distinct, all_counts - won_counts))
    return model


def by_field(matrix: Vector) -> Vector:
    """The matrix held one row per field, each contiguous.

    Free for a column-major matrix (``encode`` gives one); a row-major one
    is copied once, as reading its columns one by one is strided.
    """
    return np.ascontiguousarray(matrix.T)


def _nonzero(distinct: Vector, counts: Vector) -> dict[float, float]:
    return {
        float(value): float(count) for value, count in zip(distinct, counts, strict=True) if count
    }


#: Values ``values_of`` gives are small whole numbers (codes, bins, −1 for
#: missing): below this many they are counted by position, not sorted.
_COUNTED_BELOW = 1 << 16


def distinct_values(column: Vector) -> tuple[Vector, npt.NDArray[np.int64]]:
    """The sorted distinct values and each row's index into them, as ``np.unique`` gives.

    Naive Bayes's values are small whole numbers from −1 up, so they are
    counted by position in one pass (``np.bincount``) instead of sorted: at
    800,000 training rows and fifty fields the sorting took 5 s of the
    baseline's and the leak check's 9 s.
    """
    if column.size:
        low, high = float(column.min()), float(column.max())  # nan when any is nan
        if low >= -1 and high < _COUNTED_BELOW:
            shifted = column.astype(np.int64) + 1
            if np.array_equal(shifted - 1, column):
                present = np.flatnonzero(np.bincount(shifted))
                position = np.zeros(int(high) + 2, dtype=np.int64)
                position[present] = np.arange(present.size)
                return (present - 1).astype(np.float64), position[shifted]
    distinct, inverse = np.unique(column, return_inverse=True)
    return distinct, inverse.reshape(-1).astype(np.int64)


def field_aucs(model: NaiveBayes, matrix: Vector, labels: Labels) -> list[float]:
    """How well each field alone ranks the rows (by its likelihood ratio), 0.5 … 1."""
    values = model.field_values(by_field(matrix))
    aucs = []
    for field in range(values.shape[0]):
        ratios, inverse = model.distinct_log_ratios(values[field], field)
        auc = grouped_auc(labels, ratios, inverse)
        aucs.append(auc if math.isnan(auc) else max(auc, 1.0 - auc))
    return aucs


def grouped_auc(labels: Labels, scores: Vector, group: Any) -> float:
    """ROC AUC of a score that takes few values: row ``i`` scores ``scores[group[i]]``.

    Counted per score value instead of sorting the rows: each positive beats
    the negatives with a lower score and ties with those with an equal one
    (half a win each), which is the area the ROC curve's trapezoids give —
    the same number as ``roc_auc_score`` on the rows.  ``nan`` with one class.
    """
    if labels.size == 0 or labels.min() == labels.max():
        return math.nan
    slots = scores.size
    positives = np.bincount(group, weights=labels.astype(np.float64), minlength=slots)
    negatives = np.bincount(group, minlength=slots).astype(np.float64) - positives
    levels, at_level = np.unique(scores, return_inverse=True)
    won = np.bincount(at_level.reshape(-1), weights=positives, minlength=levels.size)
    lost = np.bincount(at_level.reshape(-1), weights=negatives, minlength=levels.size)
    below = np.cumsum(lost) - lost
    pairs = float(won.sum() * lost.sum())
    return float(np.sum(won * (below + 0.5 * lost)) / pairs)


def as_floats(values: dict[str, Any]) -> dict[str, float | None]:
    """Metrics for JSON: ``nan`` becomes ``None``."""
    return {
        key: (None if isinstance(value, float) and math.isnan(value) else value)
        for key, value in values.items()
    }
