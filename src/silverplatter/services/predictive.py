"""Predictive scoring: train and store versions, activate or roll back, score contacts.

Every adapter (CLI, API, web page) calls these functions.  A trained
version is stored inactive with its metrics; activating it scores every
contact at once, and from then on contacts are rescored when their events
are scored (``rescore_contacts``, called from the scoring backlog path).
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from silverplatter.domain.predictive_features import OUTCOMES, Feature, encode
from silverplatter.services.predictive_model import ALGORITHM, FittedModel
from silverplatter.services.predictive_training import (
    Trained,
    TrainingRequest,
    train_model,
)
from silverplatter.services.scoring_models import active_model
from silverplatter.storage import predictive as store
from silverplatter.storage.predictive_sql import FeatureQuery, gather

log = logging.getLogger(__name__)

#: Contributions kept per contact: the strongest, by absolute size.
TOP_CONTRIBUTIONS = 3


class NoSuchVersion(LookupError):
    """No predictive model version with that id (or none active)."""


@dataclass(frozen=True)
class VersionInfo:
    id: int
    outcome: str
    outcome_label: str
    horizon_days: int
    cutoff: datetime
    algorithm: str
    parameters: dict[str, Any]
    features: list[dict[str, Any]]
    metrics: dict[str, Any]
    created_at: datetime
    active: bool
    activated_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "outcome_label": self.outcome_label,
            "horizon_days": self.horizon_days,
            "cutoff": self.cutoff.isoformat(),
            "algorithm": self.algorithm,
            "parameters": self.parameters,
            "features": self.features,
            "metrics": self.metrics,
            "created_at": self.created_at.isoformat(),
            "active": self.active,
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
        }


def _info(row: Any) -> VersionInfo:
    return VersionInfo(
        id=int(row.id),
        outcome=row.outcome,
        outcome_label=OUTCOMES[row.outcome].label if row.outcome in OUTCOMES else row.outcome,
        horizon_days=int(row.horizon_days),
        cutoff=row.cutoff,
        algorithm=row.algorithm,
        parameters=dict(row.parameters),
        features=list(row.features),
        metrics=dict(row.metrics),
        created_at=row.created_at,
        active=bool(row.active),
        activated_at=row.activated_at,
    )


def store_trained(
    connection: Connection, trained: Trained, *, now: datetime, user_id: int | None = None
) -> VersionInfo:
    request = trained.request
    version_id = store.insert_version(
        connection,
        outcome=request.outcome,
        horizon_days=request.horizon_days,
        cutoff=trained.cutoff,
        algorithm=ALGORITHM,
        parameters={
            **trained.model.parameters,
            "split": request.split,
            "calibration": request.calibration,
            "exclude": list(request.exclude),
            "event_types": trained.metrics["event_types"],
            "properties": trained.metrics["properties"],
        },
        features=[feature.as_json() for feature in trained.features],
        metrics=_json_safe(trained.metrics),
        model=trained.model.to_bytes(),
        created_at=now,
        created_by=user_id,
    )
    row = store.version(connection, version_id)
    assert row is not None
    return _info(row)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    return value


def train(
    engine: Engine,
    request: TrainingRequest,
    *,
    now: datetime,
    user_id: int | None = None,
) -> VersionInfo:
    """Train, validate and store a new version (inactive); refusals raise ``TrainingRefused``."""
    trained = train_model(engine, request, now=now)
    with engine.begin() as connection:
        return store_trained(connection, trained, now=now, user_id=user_id)


def versions(connection: Connection) -> list[VersionInfo]:
    return [_info(row) for row in store.versions(connection)]


def get_version(connection: Connection, version_id: int | None = None) -> VersionInfo:
    """A version by id, or the active one when ``version_id`` is ``None``."""
    row = (
        store.active_version(connection)
        if version_id is None
        else store.version(connection, version_id)
    )
    if row is None:
        raise NoSuchVersion(
            "no predictive model is active yet: train one (silverplatter predict train) "
            "and activate it"
            if version_id is None
            else f"no predictive model version {version_id}"
        )
    return _info(row)


def activate(engine: Engine, version_id: int, *, now: datetime) -> int:
    """Make ``version_id`` the active model and score every contact with it."""
    with engine.begin() as connection:
        get_version(connection, version_id)
        store.set_active(connection, version_id, now=now)
        store.clear_predictions(connection)
    return score_all(engine, now=now)


def rollback(engine: Engine, *, now: datetime) -> int:
    """Activate the version that was active before the current one; returns its id."""
    with engine.connect() as connection:
        current = get_version(connection)
        previous = store.previously_active(connection, current.id)
    if previous is None:
        raise NoSuchVersion(
            f"version {current.id} is the only one ever activated: nothing to roll back to"
        )
    activate(engine, previous, now=now)
    return previous


# ---- scoring ---------------------------------------------------------------------

#: Loaded models by database, version and a fingerprint of the training run: a
#: version id alone repeats across workspaces served by one process.
_LOADED: OrderedDict[tuple[Any, ...], tuple[FittedModel, list[Feature], dict[str, Any]]]
_LOADED = OrderedDict()


def _loaded(
    connection: Connection,
) -> tuple[int, FittedModel, list[Feature], dict[str, Any]] | None:
    row = store.active_version(connection)
    if row is None:
        return None
    version_id = int(row.id)
    run = (row.created_at, row.cutoff, (row.metrics or {}).get("training_seconds"))
    key = (str(connection.engine.url), version_id, *run)
    if key not in _LOADED:
        full = store.version(connection, version_id, with_model=True)
        assert full is not None
        features = [Feature.from_json(item) for item in full.features]
        _LOADED[key] = (FittedModel.from_bytes(full.model), features, dict(full.parameters))
        while len(_LOADED) > 4:
            _LOADED.popitem(last=False)
    model, features, parameters = _LOADED[key]
    return version_id, model, features, parameters


def top_contributions(
    contributions: np.ndarray[Any, Any], features: list[Feature], count: int = TOP_CONTRIBUTIONS
) -> list[list[list[Any]]]:
    """Per row, the ``count`` strongest [label, log-odds] pairs, strongest first."""
    values = contributions[:, :-1]
    order = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :count]
    labels = [feature.label for feature in features]
    return [
        [[labels[j], round(float(values[i, j]), 4)] for j in order[i] if values[i, j] != 0.0]
        for i in range(values.shape[0])
    ]


def _scoring_query(
    connection: Connection,
    parameters: dict[str, Any],
    *,
    now: datetime,
    contact_ids: list[int] | None,
) -> FeatureQuery:
    properties = parameters.get("properties", {})
    return FeatureQuery(
        cutoff=now,
        event_types=tuple(parameters.get("event_types", ())),
        contact_properties=dict(properties.get("contact", {})),
        account_properties=dict(properties.get("account", {})),
        model=active_model(connection, now=now),
        contact_ids=contact_ids,
        current=True,
    )


def score_contacts(
    connection: Connection,
    *,
    now: datetime,
    contact_ids: list[int] | None = None,
    explain: bool = False,
) -> int:
    """Score these contacts (all when ``None``) with the active model, as of ``now``.

    With ``explain`` the strongest contributions are stored too; explaining
    costs about a thousand times a probability (TreeSHAP over every tree),
    so the batch pass leaves it to the pages that show a contact
    (:func:`explained`).
    """
    loaded = _loaded(connection)
    if loaded is None:
        return 0
    version_id, model, features, parameters = loaded
    query = _scoring_query(connection, parameters, now=now, contact_ids=contact_ids)
    table = gather(connection, query)
    if len(table) == 0:
        return 0
    matrix = encode(table, features)
    probabilities = model.probabilities(matrix).tolist()
    reasons: list[list[list[Any]]] = (
        top_contributions(model.contributions(matrix), features)
        if explain
        else [[] for _ in probabilities]
    )
    rows = list(zip(table.contact_ids.tolist(), probabilities, reasons, strict=True))
    return store.write_predictions(connection, version_id, rows, now=now)


def explained(
    connection: Connection, contact_ids: list[int], *, now: datetime
) -> dict[int, dict[str, Any]]:
    """Probability and strongest contributions of a few contacts, as of ``now``.

    For the pages that show contacts (the contact page, the queue's cards,
    the API): computed on the spot, so always current and always explained.
    """
    loaded = _loaded(connection) if contact_ids else None
    if loaded is None:
        return {}
    version_id, model, features, parameters = loaded
    table = gather(
        connection, _scoring_query(connection, parameters, now=now, contact_ids=contact_ids)
    )
    if len(table) == 0:
        return {}
    matrix = encode(table, features)
    probabilities = model.probabilities(matrix).tolist()
    reasons = top_contributions(model.contributions(matrix), features)
    outcome = store.version(connection, version_id)
    label = OUTCOMES[outcome.outcome].label if outcome is not None else ""
    horizon = int(outcome.horizon_days) if outcome is not None else 0
    return {
        contact_id: {
            "probability": probability,
            "contributions": reason,
            "model_id": version_id,
            "outcome": label,
            "horizon_days": horizon,
        }
        for contact_id, probability, reason in zip(
            table.contact_ids.tolist(), probabilities, reasons, strict=True
        )
    }


def score_all(engine: Engine, *, now: datetime) -> int:
    """Score every contact with the active model; one transaction."""
    with engine.begin() as connection:
        return score_contacts(connection, now=now)


def stored_probabilities(connection: Connection, contact_ids: list[int]) -> dict[int, float]:
    """The last probabilities stored for these contacts (any version), by contact id."""
    return {
        contact_id: float(row.probability)
        for contact_id, row in store.predictions_for(connection, contact_ids).items()
    }


def rescore_contacts(connection: Connection, contact_ids: list[int], *, now: datetime) -> int:
    """Rescore contacts whose events were just scored; nothing when no model is active.

    Called from the scoring backlog in its transaction, inside a savepoint:
    a failure here is logged and leaves the event scoring untouched (the
    periodic ``silverplatter predict score`` pass catches up).
    Probabilities only — their explanations are computed where they are shown.
    """
    if not contact_ids or store.active_version(connection) is None:
        return 0
    try:
        with connection.begin_nested():
            return score_contacts(connection, now=now, contact_ids=sorted(set(contact_ids)))
    except Exception:  # a broken model must not stop event scoring
        log.exception("rescoring %d contacts with the predictive model failed", len(contact_ids))
        return 0


__all__ = [
    "NoSuchVersion",
    "TrainingRequest",
    "VersionInfo",
    "activate",
    "explained",
    "get_version",
    "rescore_contacts",
    "rollback",
    "score_all",
    "score_contacts",
    "train",
    "versions",
]
