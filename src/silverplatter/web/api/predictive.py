"""Predictive scoring over the API: train, list and read versions, activate, roll back,
and a contact's probability with its strongest reasons.

Thin adapters over ``services/predictive.py``.  A refusal to train (too few
positives, no outcome history, leaking columns) is a 422 problem whose
``errors`` name the option at fault and say what to do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from silverplatter.domain.predictive_checks import TrainingRefused
from silverplatter.services import predictive
from silverplatter.services.contact_view import check_contact_visible
from silverplatter.services.predictive_training import TrainingInputError, TrainingRequest
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import clock, requires

router = APIRouter(prefix="/api/v1/predictive", tags=["predictive scoring"])

Reader = Annotated[Principal, Depends(requires("model:read"))]
Writer = Annotated[Principal, Depends(requires("model:write"))]
ContactReader = Annotated[Principal, Depends(requires("records:read"))]
VersionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ContactId = Annotated[int, Path(ge=1, le=2**31 - 1)]

#: Which option a refusal is about, for the problem's ``errors``.
_REFUSAL_FIELD = {
    "no_outcome_history": "outcome",
    "too_few_positives": "cutoff",
    "too_few_negatives": "cutoff",
    "leaking_columns": "exclude",
    "no_informative_columns": "exclude",
    "no_positives_in_part": "split",
}


class TrainingBody(BaseModel):
    outcome: Literal["sql", "opportunity", "won"] = Field(
        "sql", description="What to predict: became SQL, became an opportunity, or won."
    )
    horizon_days: int = Field(90, ge=1, le=3650, description="Days after the cut-off.")
    cutoff: datetime | None = Field(
        None, description="Features as of this moment (default: now minus the horizon)."
    )
    split: Literal["time", "stratified"] = "time"
    test_share: float = Field(0.2, ge=0.05, le=0.5)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    calibration: Literal["sigmoid", "isotonic"] = "sigmoid"
    exclude: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=200, description="Feature names to leave out."
    )
    activate: bool = Field(False, description="Activate the new version and score everyone.")


class VersionOut(BaseModel):
    id: int
    outcome: str
    outcome_label: str
    horizon_days: int
    cutoff: datetime
    algorithm: str
    active: bool
    created_at: datetime
    activated_at: datetime | None
    metrics: dict[str, Any] = Field(description="Held-out metrics, baselines, importance.")
    features: list[dict[str, Any]] = Field(description="The model's columns, in order.")


class VersionList(BaseModel):
    items: list[VersionOut]


class Activation(BaseModel):
    version: int
    scored: int = Field(description="Contacts scored with the version.")


class Prediction(BaseModel):
    contact_id: int
    model_id: int
    probability: float
    outcome: str
    horizon_days: int
    contributions: list[tuple[str, float]] = Field(
        description="Strongest contributions as [feature, log-odds], strongest first."
    )


def _out(info: predictive.VersionInfo) -> VersionOut:
    return VersionOut(
        id=info.id,
        outcome=info.outcome,
        outcome_label=info.outcome_label,
        horizon_days=info.horizon_days,
        cutoff=info.cutoff,
        algorithm=info.algorithm,
        active=info.active,
        created_at=info.created_at,
        activated_at=info.activated_at,
        metrics=info.metrics,
        features=info.features,
    )


def train_from(request: Request, body: TrainingBody, principal: Principal) -> VersionOut:
    """Train (and maybe activate) from a validated body; refusals become problems."""
    engine = request.app.state.engine
    training = TrainingRequest(
        outcome=body.outcome,
        horizon_days=body.horizon_days,
        cutoff=body.cutoff,
        split=body.split,
        test_share=body.test_share,
        seed=body.seed,
        calibration=body.calibration,
        exclude=tuple(body.exclude),
    )
    try:
        info = predictive.train(engine, training, now=clock(request), user_id=principal.user_id)
    except TrainingInputError as error:
        raise field_problem(error.field, str(error).partition(": ")[2]) from None
    except TrainingRefused as refused:
        raise field_problem(_REFUSAL_FIELD.get(refused.reason, "outcome"), str(refused)) from None
    if body.activate:
        predictive.activate(engine, info.id, now=clock(request))
        with engine.connect() as connection:
            info = predictive.get_version(connection, info.id)
    return _out(info)


@router.post("/versions", response_model=VersionOut, status_code=201)
def train(request: Request, body: TrainingBody, principal: Writer) -> VersionOut:
    """Train a version on past outcomes; it is stored inactive unless ``activate``."""
    return train_from(request, body, principal)


@router.get("/versions", response_model=VersionList)
def list_versions(request: Request, _: Reader) -> VersionList:
    with request.app.state.engine.connect() as connection:
        return VersionList(items=[_out(info) for info in predictive.versions(connection)])


@router.get("/versions/{version}", response_model=VersionOut)
def get_version(request: Request, version: VersionId, _: Reader) -> VersionOut:
    with request.app.state.engine.connect() as connection:
        try:
            return _out(predictive.get_version(connection, version))
        except predictive.NoSuchVersion as error:
            raise Problem(404, str(error)) from None


@router.get("/active", response_model=VersionOut)
def get_active(request: Request, _: Reader) -> VersionOut:
    with request.app.state.engine.connect() as connection:
        try:
            return _out(predictive.get_version(connection))
        except predictive.NoSuchVersion as error:
            raise Problem(404, str(error)) from None


@router.post("/versions/{version}/activate", response_model=Activation)
def activate(request: Request, version: VersionId, _: Writer) -> Activation:
    try:
        scored = predictive.activate(request.app.state.engine, version, now=clock(request))
    except predictive.NoSuchVersion as error:
        raise Problem(404, str(error)) from None
    return Activation(version=version, scored=scored)


@router.post("/rollback", response_model=Activation)
def rollback(request: Request, _: Writer) -> Activation:
    engine = request.app.state.engine
    try:
        version = predictive.rollback(engine, now=clock(request))
    except predictive.NoSuchVersion as error:
        raise Problem(409, str(error)) from None
    with engine.connect() as connection:
        from silverplatter.storage.predictive import prediction_count

        return Activation(version=version, scored=prediction_count(connection, version))


@router.get("/contacts/{contact_id}", response_model=Prediction)
def contact_prediction(
    request: Request, contact_id: ContactId, principal: ContactReader
) -> Prediction:
    """The contact's probability now, with the features that pushed it most."""
    with request.app.state.engine.connect() as connection:
        try:
            check_contact_visible(
                connection, contact_id, user_id=principal.user_id, role=principal.role
            )
        except LookupError as error:
            raise Problem(404, str(error)) from None
        found = predictive.explained(connection, [contact_id], now=clock(request))
        if not found:
            try:
                predictive.get_version(connection)
            except predictive.NoSuchVersion as error:
                raise Problem(404, str(error)) from None
            raise Problem(404, f"no contact {contact_id}")
    item = found[contact_id]
    return Prediction(
        contact_id=contact_id,
        model_id=item["model_id"],
        probability=item["probability"],
        outcome=item["outcome"],
        horizon_days=item["horizon_days"],
        contributions=[(str(label), float(value)) for label, value in item["contributions"]],
    )
