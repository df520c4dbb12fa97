"""Training a predictive model on the workspace's own history, and validating it honestly.

The examples are the contacts as they stood at the cut-off (``gather``);
the rows are split into a training and a held-out test part — by time by
default (the newest contacts are held out, as the model will meet new
contacts), or stratified at random on request.  The model never sees the
test rows; its metrics on them sit beside two baselines on the very same
rows: the rule engine's engagement score (and grade) and Odoo's per-field
naive Bayes.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import train_test_split
from sqlalchemy import Connection, Engine, exists, func, literal, select

from silverplatter.domain.lead_history import HISTORY_LEAD_TIME_HOURS, RECORD_LOST, RECORD_WON
from silverplatter.domain.predictive_checks import (
    TrainingRefused,
    check_examples,
    check_history,
    constant_columns,
    leaks,
    refuse_leaks,
    refuse_no_columns,
)
from silverplatter.domain.predictive_features import (
    MAX_EVENT_TYPES,
    OUTCOMES,
    Feature,
    FeatureTable,
    Outcome,
    encode,
    learn_features,
    rows_of,
)
from silverplatter.domain.predictive_metrics import (
    as_floats,
    field_aucs,
    fit_naive_bayes,
    lift_curve,
    reliability,
    single_auc,
    summary,
)
from silverplatter.domain.predictive_texts import TextColumn
from silverplatter.services.predictive_model import Calibration, FittedModel, fit
from silverplatter.services.scoring_models import active_model
from silverplatter.storage import properties as property_store
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.predictive_sql import FeatureQuery, gather
from silverplatter.storage.schema import opportunities

Split = Literal["time", "stratified"]
SPLITS: tuple[Split, ...] = ("time", "stratified")
CALIBRATIONS: tuple[Calibration, ...] = ("sigmoid", "isotonic")
#: Share of the training rows held out to fit the calibration map.
CALIBRATION_SHARE = 0.25


class TrainingInputError(ValueError):
    """A training option out of range; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class TrainingRequest:
    outcome: str = "sql"
    horizon_days: int = 90
    #: Default: ``now`` minus the horizon, so that every example's horizon has passed.
    cutoff: datetime | None = None
    split: Split = "time"
    test_share: float = 0.2
    seed: int = 0
    calibration: Calibration = "sigmoid"
    exclude: tuple[str, ...] = ()
    #: With a stratified split, also fit and report the time-ordered split.
    compare_time_split: bool = True

    def checked(self) -> TrainingRequest:
        if self.outcome not in OUTCOMES:
            raise TrainingInputError("outcome", f"expected one of {', '.join(OUTCOMES)}")
        if not 1 <= self.horizon_days <= 3650:
            raise TrainingInputError("horizon_days", "expected a whole number of days, 1 to 3650")
        if self.split not in SPLITS:
            raise TrainingInputError("split", f"expected one of {', '.join(SPLITS)}")
        if not 0.05 <= self.test_share <= 0.5:
            raise TrainingInputError("test_share", "expected a share between 0.05 and 0.5")
        if self.calibration not in CALIBRATIONS:
            raise TrainingInputError("calibration", f"expected one of {', '.join(CALIBRATIONS)}")
        if self.cutoff is not None and self.cutoff.tzinfo is None:
            raise TrainingInputError("cutoff", "expected a time with its zone, e.g. 2026-01-31Z")
        if self.cutoff is not None and not 1971 <= self.cutoff.year <= 9000:
            raise TrainingInputError("cutoff", "expected a time between the years 1971 and 9000")
        return self


@dataclass
class Trained:
    """A validated model, ready to be stored as a version."""

    request: TrainingRequest
    cutoff: datetime
    features: list[Feature]
    model: FittedModel
    metrics: dict[str, Any]


def _outcome(request: TrainingRequest) -> Outcome:
    return OUTCOMES[request.outcome]


def ever_reached(connection: Connection, outcome: Outcome) -> int:
    """How many contacts have ever reached ``outcome`` (by stage history or won deal)."""
    moved = select(func.count(stage_transitions.c.contact_id.distinct())).where(
        stage_transitions.c.to_stage.in_(outcome.stages)
    )
    count = int(connection.execute(moved).scalar_one())
    if outcome.won_deals and count == 0:
        won = select(literal(1)).where(
            exists().where(opportunities.c.status == "won", opportunities.c.contact_id.is_not(None))
        )
        count = 1 if connection.execute(won).first() else 0
    return count


def feature_query(
    connection: Connection, request: TrainingRequest, *, cutoff: datetime, now: datetime
) -> FeatureQuery:
    """What to gather for training as of ``cutoff``."""
    definitions = {
        owner: {
            name: definition.type
            for name, definition in property_store.definitions_for(connection, owner).items()
        }
        for owner in ("contact", "account")
    }
    return FeatureQuery(
        cutoff=cutoff,
        event_types=(),
        most_frequent_types=MAX_EVENT_TYPES,
        contact_properties=definitions["contact"],
        account_properties=definitions["account"],
        model=active_model(connection, now=now),
        outcome=_outcome(request),
        horizon_days=request.horizon_days,
    )


def default_cutoff(connection: Connection, request: TrainingRequest, now: datetime) -> datetime:
    """The given cut-off; else ``now`` minus the horizon, so every example's horizon has passed.

    When imported history was decided inside that last horizon, the cut-off
    moves to just before it (``services/history_import.py`` dates the leads
    a day before their outcome), so that the history is trained on.
    """
    if request.cutoff is not None:
        return request.cutoff
    cutoff = now - timedelta(days=request.horizon_days)
    latest: datetime | None = connection.execute(
        select(func.max(stage_transitions.c.occurred_at)).where(
            stage_transitions.c.transition.in_([RECORD_WON.name, RECORD_LOST.name])
        )
    ).scalar()
    if latest is not None and latest > cutoff:
        return latest - timedelta(hours=HISTORY_LEAD_TIME_HOURS)
    return cutoff


def held_out(
    table: FeatureTable, labels: npt.NDArray[np.int8], split: Split, share: float, seed: int
) -> npt.NDArray[np.bool_]:
    """Which rows are held out: the newest by creation (time) or a stratified random draw."""
    rows = len(table)
    mask = np.zeros(rows, dtype=bool)
    if split == "time":
        order = np.lexsort((table.contact_ids, table.created))
        count = max(1, math.ceil(rows * share))
        mask[order[rows - count :]] = True
        return mask
    _train, test = train_test_split(
        np.arange(rows), test_size=share, stratify=labels, random_state=seed
    )
    mask[test] = True
    return mask


def _drop(table: FeatureTable, names: set[str]) -> None:
    for name in names:
        table.columns.pop(name, None)
        table.kinds.pop(name, None)


def _distinct(values: Any) -> int:
    if isinstance(values, np.ndarray):
        present = values[~np.isnan(values)]
        return int(np.unique(present).size) + (1 if present.size < values.size else 0)
    if isinstance(values, TextColumn):
        return values.distinct()
    return len(set(values))


def _prepare(table: FeatureTable, request: TrainingRequest) -> dict[str, list[str]]:
    unknown = [name for name in request.exclude if name not in table.columns]
    if unknown:
        raise TrainingInputError(
            "exclude",
            f"no column called {', '.join(unknown)}; columns are: {', '.join(table.columns)}",
        )
    _drop(table, set(request.exclude))
    names = list(table.columns)
    constant = constant_columns(names, [_distinct(table.columns[n]) for n in names])
    _drop(table, set(constant))
    if not table.columns:
        refuse_no_columns(constant)
    return {"excluded": list(request.exclude), "constant": constant}


def _evaluate(
    table: FeatureTable,
    labels: npt.NDArray[np.int8],
    test: npt.NDArray[np.bool_],
    request: TrainingRequest,
    split: Split,
    *,
    rule_columns: dict[str, Any],
    check_leaks: bool,
) -> tuple[list[Feature], FittedModel, dict[str, Any]]:
    train = ~test
    training_rows = table.take(train)
    features = learn_features(training_rows)
    matrix = encode(table, features)
    numeric = [feature.kind == "number" for feature in features]
    learning, testing = rows_of(matrix, train), rows_of(matrix, test)
    baseline = fit_naive_bayes(learning, labels[train], numeric)
    if check_leaks:
        aucs = field_aucs(baseline, learning, labels[train])
        refuse_leaks(leaks([f.name for f in features], [f.label for f in features], aucs))
    calibration_rows = held_out(
        training_rows, labels[train], split, CALIBRATION_SHARE, request.seed
    )
    categorical = [index for index, feature in enumerate(features) if not numeric[index]]
    model = fit(
        learning,
        labels[train],
        categorical,
        calibration_rows=calibration_rows,
        calibration=request.calibration,
        seed=request.seed,
    )
    y = labels[test]
    probabilities = model.probabilities(testing)
    metrics: dict[str, Any] = {
        "split": split,
        "train_rows": int(train.sum()),
        "train_positives": int(labels[train].sum()),
        "model": as_floats(summary(y, probabilities)),
        "naive_bayes": as_floats(summary(y, baseline.predict(testing))),
        "reliability": reliability(y, probabilities),
        "lift_curve": lift_curve(y, probabilities),
    }
    rule: dict[str, Any] = {}
    for key, name in (("roc_auc", "score.engagement"), ("grade_roc_auc", "grade.level")):
        column = rule_columns.get(name)
        rule[key] = (
            single_auc(y, np.nan_to_num(column[test]))
            if isinstance(column, np.ndarray)
            else math.nan
        )
    metrics["rule_score"] = as_floats(rule)
    return features, model, metrics


def train_model(engine: Engine, request: TrainingRequest, *, now: datetime) -> Trained:
    """Gather the examples as of the cut-off, refuse what cannot be trusted, fit and validate."""
    request = request.checked()
    outcome = _outcome(request)
    started = time.perf_counter()
    with engine.begin() as connection:
        cutoff = default_cutoff(connection, request, now)
        check_history(outcome.label, ever_reached(connection, outcome))
        query = feature_query(connection, request, cutoff=cutoff, now=now)
        table = gather(connection, query)
    assert table.outcome is not None
    labels = table.outcome
    positives = int(labels.sum())
    check_examples(outcome.label, request.horizon_days, positives, len(table))
    rule_columns = {name: table.columns.get(name) for name in ("score.engagement", "grade.level")}
    dropped = _prepare(table, request)
    gathered = time.perf_counter() - started
    test = held_out(table, labels, request.split, request.test_share, request.seed)
    if int(labels[test].sum()) == 0 or int(labels[~test].sum()) == 0:
        raise TrainingRefused(
            "no_positives_in_part",
            f"the {request.split} split leaves no positive example in the "
            f"{'test' if int(labels[test].sum()) == 0 else 'training'} part: choose a "
            "stratified split or an earlier cut-off",
        )
    features, model, metrics = _evaluate(
        table, labels, test, request, request.split, rule_columns=rule_columns, check_leaks=True
    )
    if request.split == "stratified" and request.compare_time_split:
        time_test = held_out(table, labels, "time", request.test_share, request.seed)
        if labels[time_test].sum() and labels[~time_test].sum():
            _f, _m, other = _evaluate(
                table,
                labels,
                time_test,
                request,
                "time",
                rule_columns=rule_columns,
                check_leaks=False,
            )
            metrics["time_split"] = {
                key: other[key] for key in ("model", "naive_bayes", "rule_score")
            }
    importance = model.importance()
    ranked = sorted(zip(features, importance.tolist(), strict=True), key=lambda pair: -pair[1])
    metrics.update(
        examples=len(table),
        positives=positives,
        test_share=request.test_share,
        seed=request.seed,
        calibration=request.calibration,
        dropped=dropped,
        importance=[[f.name, f.label, share] for f, share in ranked if share > 0][:25],
        event_types=list(table.event_types),
        properties={
            "contact": dict(query.contact_properties),
            "account": dict(query.account_properties),
        },
        gather_seconds=round(gathered, 3),
        training_seconds=round(time.perf_counter() - started, 3),
    )
    return Trained(request, cutoff, features, model, metrics)


__all__ = [
    "CALIBRATIONS",
    "SPLITS",
    "Trained",
    "TrainingInputError",
    "TrainingRequest",
    "ever_reached",
    "feature_query",
    "held_out",
    "train_model",
]
