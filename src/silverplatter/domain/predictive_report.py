"""A predictive model version's report, in words: what the CLI, API and page show.

One place turns the stored metrics into the rows of the comparison table —
the model, the rule score and the naive-Bayes baseline on the same held-out
rows, and the time-ordered split when the main split was stratified — and
the sentence that says by how much the model beats the rule score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

METRICS: Final = (
    ("roc_auc", "ROC AUC"),
    ("pr_auc", "PR AUC"),
    ("lift_top_decile", "Lift, top 10 %"),
    ("brier", "Brier score"),
    ("ece", "Calibration error (ECE)"),
)


@dataclass(frozen=True, slots=True)
class ReportRow:
    name: str
    split: str
    values: dict[str, float | None]


def report_rows(metrics: Mapping[str, Any]) -> list[ReportRow]:
    """Model, naive Bayes and rule score on the main split, then on the time split if any."""
    rows = []
    splits = [(str(metrics.get("split", "")), metrics)]
    if isinstance(metrics.get("time_split"), Mapping):
        splits.append(("time", metrics["time_split"]))
    for split, part in splits:
        rows.append(ReportRow("Predictive model", split, dict(part.get("model") or {})))
        rows.append(ReportRow("Naive Bayes per field", split, dict(part.get("naive_bayes") or {})))
        rule = part.get("rule_score") or {}
        rows.append(ReportRow("Rule score (engagement)", split, {"roc_auc": rule.get("roc_auc")}))
        rows.append(ReportRow("Grade", split, {"roc_auc": rule.get("grade_roc_auc")}))
    return rows


def formatted(value: float | None, key: str) -> str:
    if value is None:
        return "—"
    if key == "lift_top_decile":
        return f"{value:.2f}×"
    return f"{value:.3f}"


def verdict(metrics: Mapping[str, Any]) -> str:
    """One sentence: the model's ROC AUC against the rule score's and naive Bayes'."""
    model = (metrics.get("model") or {}).get("roc_auc")
    rule = (metrics.get("rule_score") or {}).get("roc_auc")
    bayes = (metrics.get("naive_bayes") or {}).get("roc_auc")
    if model is None:
        return "The held-out rows hold one outcome only: no ROC AUC."
    parts = [f"On held-out rows the model's ROC AUC is {model:.3f}"]
    if rule is not None:
        gap = model - rule
        parts.append(
            f"{abs(gap):.3f} {'above' if gap >= 0 else 'below'} the rule score's {rule:.3f}"
        )
    if bayes is not None:
        gap = model - bayes
        parts.append(f"{abs(gap):.3f} {'above' if gap >= 0 else 'below'} naive Bayes' {bayes:.3f}")
    return ", ".join(parts) + "."
