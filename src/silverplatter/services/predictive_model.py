"""The fitted model: LightGBM gradient boosting with a calibration map, and its explanations.

Why LightGBM rather than scikit-learn's HistGradientBoosting (measured on the
bank-marketing file, ``duration`` dropped, stratified 80/20, seed 0, two
cores; docs/benchmarks.md): both reach ROC AUC 0.80, LightGBM fits in about
a quarter of the time (1.6 s against 12 s with defaults), and it explains
each prediction exactly with ``pred_contrib`` (TreeSHAP: per-feature
contributions in log-odds that add up to the raw score), which
HistGradientBoosting cannot do without another library.

Class imbalance: positives are weighted by √(negatives / positives), which
lets the trees see the rare class without the full re-weighting that
distorts scores; probabilities are then calibrated on a held-out part of
the training rows (Platt's sigmoid by default, isotonic on request), so
the weighting does not bias them.

Large training sets: the trees learn from every positive and a seeded,
weighted sample of the negatives (``domain/predictive_sampling.py``; the
calibration part is not sampled), and a model keeps at most ``MAX_TREES``
trees: scoring costs in proportion to the trees.  A faster learning rate
was measured and rejected: at 0.1 the early stopping on the 100k demo
world's few positives stops at the first trees and the held-out ROC AUC
fell from about 0.87 to 0.73 (docs/benchmarks.md).

The model is stored as LightGBM's own text format plus the calibration map
as JSON: nothing is unpickled when a version is loaded.
"""

from __future__ import annotations

import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import lightgbm
import numpy as np
import numpy.typing as npt
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from silverplatter.domain.predictive_features import rows_of
from silverplatter.domain.predictive_sampling import (
    MIN_NEGATIVES,
    NEGATIVES_PER_POSITIVE,
    Sample,
    sample_negatives,
)

Vector = npt.NDArray[np.float64]
Calibration = Literal["sigmoid", "isotonic"]
ALGORITHM = "lightgbm"

#: Chosen on the bank-marketing file and the demo world (docs/benchmarks.md):
#: slow learning with small, well-populated, L2-shrunk leaves and row/column
#: sampling; the number of trees is found by early stopping (:func:`fit`).
PARAMETERS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "lambda_l2": 10.0,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "feature_fraction": 0.8,
    "verbosity": -1,
    "deterministic": True,
    "force_col_wise": True,
}
#: Trees at most in a model: the batch pass's cost is proportional to them
#: (930 trees scored 7,342 contacts/s, 58 trees 150,306; docs/benchmarks.md).
#: Early stopping on the calibration part usually stops far sooner.
MAX_TREES = 300
#: Rounds without a better held-out AUC before stopping.
PATIENCE = 50
MIN_ROUNDS = 50
#: Without a calibration part holding both outcomes there is nothing to stop on.
FIXED_ROUNDS = 300


@dataclass
class FittedModel:
    """A booster and the map from its raw score (log-odds) to a calibrated probability."""

    booster: lightgbm.Booster
    calibration: Calibration
    #: sigmoid: [a, b] of 1 / (1 + exp(-(a·raw + b))); isotonic: [[raw...], [probability...]].
    calibration_map: list[Any]
    parameters: dict[str, Any] = field(default_factory=dict)

    def raw(self, matrix: Vector) -> Vector:
        threads = _threads(matrix.shape[0])
        return np.asarray(
            self.booster.predict(matrix, raw_score=True, num_threads=threads), dtype=np.float64
        )

    def probabilities(self, matrix: Vector) -> Vector:
        return calibrate(self.calibration, self.calibration_map, self.raw(matrix))

    def contributions(self, matrix: Vector) -> Vector:
        """Per row and feature, the contribution to the raw score (last column: the base)."""
        threads = _threads(matrix.shape[0])
        return np.asarray(
            self.booster.predict(matrix, pred_contrib=True, num_threads=threads), dtype=np.float64
        )

    def importance(self) -> Vector:
        """Each feature's share of the total split gain."""
        gains = np.asarray(self.booster.feature_importance("gain"), dtype=np.float64)
        total = gains.sum()
        return gains / total if total > 0 else gains

    def to_bytes(self) -> bytes:
        envelope = {
            "booster": self.booster.model_to_string(),
            "calibration": self.calibration,
            "calibration_map": self.calibration_map,
            "parameters": self.parameters,
        }
        return json.dumps(envelope).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> FittedModel:
        envelope = json.loads(data.decode("utf-8"))
        booster = lightgbm.Booster(model_str=envelope["booster"])
        return cls(
            booster,
            "isotonic" if envelope["calibration"] == "isotonic" else "sigmoid",
            envelope["calibration_map"],
            envelope.get("parameters", {}),
        )


def calibrate(kind: Calibration, mapping: list[Any], raw: Vector) -> Vector:
    if kind == "isotonic":
        xs, ys = (np.asarray(part, dtype=np.float64) for part in mapping)
        return np.asarray(np.interp(raw, xs, ys), dtype=np.float64)
    a, b = mapping
    z = np.clip(a * raw + b, -700, 700)
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def _threads(rows: int) -> int:
    """Threads for predicting: one below 100k rows, else up to four."""
    if rows < 100_000:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


#: Fitting runs on one thread: LightGBM's OpenMP threads spin-wait for each
#: other, and on a machine busy with other work a fit of 2,000 rows took 16 s
#: on two threads against 0.9 s on one, and of 435,000 rows 56 s against 25 s.
FIT_THREADS = 1


def _leaf_size(rows: int) -> int:
    """Leaves of at least 50 rows, fewer on small files (a sample of a few thousand)."""
    return 50 if rows >= 10_000 else max(10, rows // 100)


def _dataset(
    matrix: Vector,
    labels: npt.NDArray[np.int8],
    categorical: list[int],
    parameters: dict[str, Any],
    reference: lightgbm.Dataset | None = None,
    weights: Vector | None = None,
) -> lightgbm.Dataset:
    """Rows for LightGBM, binned with the booster's own parameters (as ``lightgbm.train`` does)."""
    return lightgbm.Dataset(
        matrix,
        label=labels,
        weight=weights,
        categorical_feature=categorical or "auto",
        reference=reference,
        free_raw_data=True,
        params=parameters,
    )


@dataclass
class _Growth:
    """The two boosters of a fit, grown a tree at a time side by side.

    ``first`` learns without the calibration part and, when ``watched``, its
    AUC on that part decides when to stop; ``final`` learns from every row.
    The final booster needs at most as many trees as the first grows (see
    :func:`fit`), and a tree does not depend on how many follow it, so both
    grow in the same loop: each round the final booster's tree is grown on
    a second thread while the first's is grown and scored on this one
    (LightGBM lets go of the interpreter while it fits).  Done one after the
    other, the two took 15.4 s of a million-contact training's 23 s fit.
    """

    first: lightgbm.Booster
    final: lightgbm.Booster
    watched: bool

    def grow(self, cap: int, beside: ThreadPoolExecutor) -> int:
        """Grow up to ``cap`` rounds; the best round of the first booster (1-based)."""
        best_round, best_auc = cap, -math.inf
        for round_number in range(1, cap + 1):
            final_tree = beside.submit(self.final.update)
            self.first.update()
            final_tree.result()
            if not self.watched:
                continue
            auc = float(self.first.eval_valid()[0][2])
            if auc > best_auc:
                best_round, best_auc = round_number, auc
            elif round_number - best_round >= PATIENCE:
                break
        return best_round


def _grow(
    matrix: Vector,
    labels: npt.NDArray[np.int8],
    categorical: list[int],
    parameters: dict[str, Any],
    sampling: dict[str, int],
    calibration_rows: npt.NDArray[np.bool_],
    beside: ThreadPoolExecutor,
) -> tuple[lightgbm.Booster, int, lightgbm.Booster, Sample]:
    """The first booster, its best round, the final booster (with as many trees), its sample.

    The first learns from a sample of the rows outside the calibration part
    (``domain/predictive_sampling.py``) and stops when its AUC on the
    calibration part itself, unsampled, has not improved for ``PATIENCE``
    rounds; without both outcomes there it grows ``FIXED_ROUNDS``.  The
    final booster learns from a sample of every row.
    """
    seed = int(parameters["seed"])
    everyone = np.arange(labels.size, dtype=np.int64)
    final_rows, sample = _sampled_dataset(
        matrix, labels, categorical, parameters, everyone, seed, sampling
    )
    final = beside.submit(lightgbm.Booster, parameters, final_rows)
    held = labels[calibration_rows]
    watched = bool(held.size) and held.min() != held.max()
    watching = {**parameters, "metric": "auc"} if watched else parameters
    inner = np.flatnonzero(~calibration_rows)
    training, _inner = _sampled_dataset(
        matrix, labels, categorical, watching, inner, seed, sampling
    )
    first = lightgbm.Booster(watching, training)
    if watched:
        first.add_valid(
            _dataset(
                rows_of(matrix, calibration_rows), held, categorical, watching, reference=training
            ),
            "calibration",
        )
    growth = _Growth(first, final.result(), watched)
    cap = sampling["max_trees"] if watched else min(FIXED_ROUNDS, sampling["max_trees"])
    best = growth.grow(cap, beside)
    return first, best, growth.final, sample


def fit_calibration(kind: Calibration, raw: Vector, labels: npt.NDArray[np.int8]) -> list[Any]:
    """The calibration map learnt from held-out raw scores and their outcomes."""
    if kind == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit(raw, labels)
        return [iso.X_thresholds_.tolist(), iso.y_thresholds_.tolist()]
    if labels.min() == labels.max():
        rate = float(labels.mean())
        return [0.0, math.log(max(rate, 1e-6) / max(1 - rate, 1e-6))]
    platt = LogisticRegression(C=1e6)
    platt.fit(raw.reshape(-1, 1), labels)
    return [float(platt.coef_[0][0]), float(platt.intercept_[0])]


def _sampled_dataset(
    matrix: Vector,
    labels: npt.NDArray[np.int8],
    categorical: list[int],
    parameters: dict[str, Any],
    rows: npt.NDArray[np.int64],
    seed: int,
    sampling: dict[str, int],
) -> tuple[lightgbm.Dataset, Sample]:
    """``rows`` with every positive and a seeded, weighted share of the negatives."""
    sample = sample_negatives(
        labels[rows],
        seed,
        per_positive=sampling["negatives_per_positive"],
        at_least=sampling["min_negatives"],
    )
    kept = rows[sample.rows]
    weights = sample.weights if sample.sampled else None
    return _dataset(
        rows_of(matrix, kept), labels[kept], categorical, parameters, weights=weights
    ), sample


def fit(
    matrix: Vector,
    labels: npt.NDArray[np.int8],
    categorical: list[int],
    *,
    calibration_rows: npt.NDArray[np.bool_],
    calibration: Calibration = "sigmoid",
    seed: int = 0,
    rate: float | None = None,
    max_trees: int = MAX_TREES,
    negatives_per_positive: int = NEGATIVES_PER_POSITIVE,
    min_negatives: int = MIN_NEGATIVES,
) -> FittedModel:
    """Fit on all rows, calibrated by a model fitted without ``calibration_rows``.

    The first booster learns from the rows outside the calibration part,
    stopping when its AUC there has not improved for ``PATIENCE`` trees, and
    scores the calibration part; the map from those held-out scores to
    outcomes is then applied to a second booster fitted on every row, with a
    third more trees than the first found best (it learns from a third more
    rows) and the map learnt from the first's scores with as many trees.
    Both boosters learn from every positive and a weighted sample of the
    negatives (``domain/predictive_sampling.py``); the calibration part that
    the map is learnt on is not sampled.  ``rate`` (the learning rate),
    ``max_trees`` and the sampling's two numbers are for benchmarks that
    weigh them.
    """
    positives = float(labels.sum())
    negatives = float(labels.size - positives)
    parameters = {
        **PARAMETERS,
        "learning_rate": PARAMETERS["learning_rate"] if rate is None else rate,
        "seed": seed,
        "num_threads": FIT_THREADS,
        "min_data_in_leaf": _leaf_size(labels.size),
        "scale_pos_weight": math.sqrt(negatives / positives) if positives else 1.0,
    }
    sampling = {
        "max_trees": max_trees,
        "negatives_per_positive": negatives_per_positive,
        "min_negatives": min_negatives,
    }
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fit") as beside:
        first, best, final, sample = _grow(
            matrix, labels, categorical, parameters, sampling, calibration_rows, beside
        )
    # The map is learnt from scores of as many trees as the kept booster has:
    # raw scores of three trees and of fifty live on different scales.
    rounds = min(max(MIN_ROUNDS, math.ceil(best * 4 / 3)), first.current_iteration(), max_trees)
    held_out = np.asarray(
        first.predict(rows_of(matrix, calibration_rows), raw_score=True, num_iteration=rounds),
        dtype=np.float64,
    )
    mapping = fit_calibration(calibration, held_out, labels[calibration_rows])
    booster = lightgbm.Booster(model_str=final.model_to_string(num_iteration=rounds))
    return FittedModel(
        booster,
        calibration,
        mapping,
        {
            **parameters,
            "rounds": rounds,
            "best_rounds": best,
            **sampling,
            "negatives": sample.negatives,
            "kept_negatives": sample.kept_negatives,
        },
    )
