"""When predictive scoring refuses to train, and what it flags in the training columns.

A model trained on a handful of positives, on no outcome history at all, or
on a column that gives the answer away would look accurate and mislead:
the trainer refuses with a message that says what is missing and how to
fix it.  Constant columns carry nothing and are dropped (and reported).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

#: Fewer positive (or negative) examples than this give no trustworthy model.
MIN_POSITIVES: Final = 50
MIN_NEGATIVES: Final = 50
#: A column whose own ROC AUC reaches this almost certainly encodes the outcome.
LEAK_AUC: Final = 0.98


class TrainingRefused(ValueError):
    """Training cannot give a trustworthy model; the message says why and what to do."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Leak:
    feature: str
    label: str
    auc: float


def check_history(outcome_label: str, ever_reached: int) -> None:
    """Refuse when no contact has ever reached the outcome."""
    if ever_reached == 0:
        raise TrainingRefused(
            "no_outcome_history",
            f"no outcome history: no contact has ever reached the outcome ({outcome_label}). "
            "Predictive scoring "
            "learns from past outcomes: record stage moves as they happen, or import past "
            "leads with their outcome (silverplatter predict import-history FILE --outcome "
            "COLUMN).",
        )


def check_examples(outcome_label: str, horizon_days: int, positives: int, examples: int) -> None:
    """Refuse too few positive or negative examples, saying how many are needed."""
    negatives = examples - positives
    if positives < MIN_POSITIVES:
        raise TrainingRefused(
            "too_few_positives",
            f"too few positives: training needs at least {MIN_POSITIVES} contacts that "
            f"{outcome_label} within {horizon_days} days after the cut-off, and there are "
            f"{positives} (among {examples} examples). Choose an earlier cut-off, a longer "
            "horizon or an earlier outcome (sql), or import more history.",
        )
    if negatives < MIN_NEGATIVES:
        raise TrainingRefused(
            "too_few_negatives",
            f"too few negatives: training needs at least {MIN_NEGATIVES} contacts that did "
            f"not reach the outcome ({outcome_label}) within {horizon_days} days after the "
            f"cut-off, and there are {negatives} (among {examples} examples).",
        )


def constant_columns(names: Sequence[str], distinct: Sequence[int]) -> list[str]:
    """Columns with at most one distinct value (missing counts as a value)."""
    return [name for name, count in zip(names, distinct, strict=True) if count <= 1]


def leaks(names: Sequence[str], labels: Sequence[str], aucs: Sequence[float]) -> list[Leak]:
    """Columns that alone rank the outcome almost perfectly, strongest first."""
    found = [
        Leak(name, label, auc)
        for name, label, auc in zip(names, labels, aucs, strict=True)
        if not math.isnan(auc) and auc >= LEAK_AUC
    ]
    return sorted(found, key=lambda leak: (-leak.auc, leak.feature))


def refuse_leaks(found: Sequence[Leak]) -> None:
    if not found:
        return
    listed = "; ".join(f"{leak.label} ({leak.feature}): AUC {leak.auc:.3f}" for leak in found)
    names = " ".join(f"--exclude {leak.feature}" for leak in found)
    raise TrainingRefused(
        "leaking_columns",
        f"likely leaks: these columns alone predict the outcome almost perfectly (single-column "
        f"ROC AUC ≥ {LEAK_AUC}), so they are probably recorded after or because of it: "
        f"{listed}. Exclude them ({names}) and train again.",
    )


def refuse_no_columns(dropped: Sequence[str]) -> None:
    raise TrainingRefused(
        "no_informative_columns",
        "no column varies among the examples"
        + (f" (constant: {', '.join(dropped)})" if dropped else "")
        + ": there is nothing to learn from.",
    )
