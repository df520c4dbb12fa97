"""The history of a workspace's scoring model: every version, when it was active and recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from silverplatter.storage.engagement_schema import scoring_models


@dataclass(frozen=True)
class VersionRecord:
    version: int
    name: str
    active: bool
    created_at: datetime
    activated_at: datetime | None
    recomputed_at: datetime | None


def model_history(connection: Connection) -> list[VersionRecord]:
    """Every saved model version, newest first."""
    m = scoring_models.c
    rows = connection.execute(
        select(m.version, m.name, m.active, m.created_at, m.activated_at, m.recomputed_at).order_by(
            m.version.desc()
        )
    )
    return [VersionRecord(*row) for row in rows]


def model_source(connection: Connection, version: int) -> str:
    """The TOML text of one stored version; ``LookupError`` if there is none."""
    source = connection.execute(
        select(scoring_models.c.source).where(scoring_models.c.version == version)
    ).scalar_one_or_none()
    if source is None:
        raise LookupError(f"no scoring model version {version}")
    return str(source)


__all__ = ["VersionRecord", "model_history", "model_source"]
