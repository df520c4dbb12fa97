"""Scoring model versions: save, activate, read the active one.

Every saved file becomes a new version; exactly one version is active.  A file
that does not validate is refused before anything is written, so the active
model never changes to an invalid one.  A workspace without any model gets
the shipped default as version 1 the first time a model is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, func, select, update

from silverplatter.domain.engagement import RuleBook
from silverplatter.domain.model_file import default_model_text, parse_model
from silverplatter.domain.scoring_model import ScoringModel
from silverplatter.storage.engagement_schema import scoring_models


@dataclass(frozen=True)
class ModelVersion:
    version: int
    model: ScoringModel
    book: RuleBook
    source: str
    active: bool
    created_at: datetime
    activated_at: datetime | None


@lru_cache(maxsize=16)
def _compiled(source: str) -> tuple[ScoringModel, RuleBook]:
    model = parse_model(source)
    return model, RuleBook(model)


def save_model(
    connection: Connection,
    source: str,
    *,
    now: datetime,
    activate: bool = True,
    user_id: int | None = None,
) -> ModelVersion:
    """Validate ``source`` (raising ``ModelInvalid``) and store it as the next version."""
    model, book = _compiled(source)
    version = (connection.execute(select(func.max(scoring_models.c.version))).scalar() or 0) + 1
    if activate:
        connection.execute(update(scoring_models).values(active=False))
    connection.execute(
        scoring_models.insert().values(
            version=version,
            name=model.model.name,
            source=source,
            active=activate,
            created_at=now,
            created_by=user_id,
            activated_at=now if activate else None,
        )
    )
    return ModelVersion(version, model, book, source, activate, now, now if activate else None)


def activate_version(connection: Connection, version: int, *, now: datetime) -> ModelVersion:
    """Make a stored version the active one (a rollback is activating an older version)."""
    row = connection.execute(
        select(scoring_models).where(scoring_models.c.version == version)
    ).first()
    if row is None:
        raise LookupError(f"no scoring model version {version}")
    connection.execute(update(scoring_models).values(active=False))
    connection.execute(
        update(scoring_models)
        .where(scoring_models.c.version == version)
        .values(active=True, activated_at=now)
    )
    model, book = _compiled(row.source)
    return ModelVersion(version, model, book, row.source, True, row.created_at, now)


def active_model(connection: Connection, *, now: datetime) -> ModelVersion:
    """The active model; installs the shipped default when the workspace has none."""
    row = connection.execute(
        select(scoring_models).where(scoring_models.c.active.is_(True))
    ).first()
    if row is None:
        return save_model(connection, default_model_text(), now=now)
    model, book = _compiled(row.source)
    return ModelVersion(
        row.version, model, book, row.source, True, row.created_at, row.activated_at
    )


def model_versions(connection: Connection) -> list[ModelVersion]:
    rows = connection.execute(select(scoring_models).order_by(scoring_models.c.version.desc()))
    versions = []
    for row in rows:
        model, book = _compiled(row.source)
        versions.append(
            ModelVersion(
                row.version, model, book, row.source, row.active, row.created_at, row.activated_at
            )
        )
    return versions


def mark_recomputed(connection: Connection, version: int, *, now: datetime) -> None:
    connection.execute(
        update(scoring_models).where(scoring_models.c.version == version).values(recomputed_at=now)
    )
