"""Kano studies: make one, import questionnaire answers, read each feature's result.

The answers come as CSV or JSON rows (``domain/kano_import.py``); each pair
is classified and summed up per feature by ``domain/kano.py``, for all
respondents or one segment.  Creating, importing and deleting are audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from silverplatter.domain import understanding_checks as checks
from silverplatter.domain.kano import FeatureResult, evaluate
from silverplatter.domain.kano_import import KanoAnswer, parse_answers, parse_answers_csv
from silverplatter.domain.understanding_checks import (
    FieldError,
    UnderstandingInvalid,
    collect,
    invalid,
)
from silverplatter.services.audit import Actor, record
from silverplatter.storage import kano_studies as store


@dataclass(frozen=True, slots=True)
class KanoStudy:
    id: int
    slug: str
    name: str
    features: int
    respondents: int
    answers: int
    created_at: datetime


@dataclass(frozen=True)
class KanoResult:
    study: KanoStudy
    segment: str | None
    segments: tuple[str, ...]
    features: tuple[FeatureResult, ...]


def _study(row: Any) -> KanoStudy:
    return KanoStudy(
        id=row.id,
        slug=row.slug,
        name=row.name,
        features=int(row.features),
        respondents=int(row.respondents),
        answers=int(row.answers),
        created_at=row.created_at,
    )


def list_studies(connection: Connection) -> list[KanoStudy]:
    return [_study(row) for row in store.study_rows(connection)]


def get_study(connection: Connection, slug: str) -> KanoStudy:
    """The study with that slug; ``LookupError`` when there is none."""
    for found in list_studies(connection):
        if found.slug == slug:
            return found
    raise LookupError(f"there is no Kano study {slug!r}")


def create_study(
    connection: Connection, document: Mapping[str, Any], *, actor: Actor, now: datetime
) -> KanoStudy:
    errors: list[FieldError] = []
    name = collect(errors, checks.name, document.get("name"))
    slug = collect(errors, checks.slug, document.get("slug"), name)
    if errors:
        raise UnderstandingInvalid(errors)
    if store.study_by_slug(connection, slug) is not None:
        raise invalid("slug", f"another Kano study already has the slug {slug!r}")
    store.insert_study(connection, slug, name, now)
    record(connection, "kano.created", f"kano {slug}", actor=actor, now=now)
    return get_study(connection, slug)


def delete_study(connection: Connection, slug: str, *, actor: Actor, now: datetime) -> None:
    found = get_study(connection, slug)
    store.delete_study(connection, found.id)
    record(connection, "kano.deleted", f"kano {slug}", actor=actor, now=now)


def _save(
    connection: Connection,
    study: KanoStudy,
    answers: Sequence[KanoAnswer],
    *,
    actor: Actor,
    now: datetime,
) -> int:
    # A feature is matched by name with case ignored, spelled as it was first.
    existing = {row.name.casefold(): row.name for row in store.feature_rows(connection, study.id)}
    spelled: dict[str, str] = dict(existing)
    for found in answers:
        spelled.setdefault(found.feature.casefold(), found.feature)
    ordered = list(dict.fromkeys(spelled[found.feature.casefold()] for found in answers))
    ids = store.add_features(connection, study.id, ordered)
    store.save_answers(
        connection,
        [
            {
                "study_id": study.id,
                "feature_id": ids[spelled[found.feature.casefold()]],
                "respondent": found.respondent,
                "segment": found.segment,
                "functional": found.functional,
                "dysfunctional": found.dysfunctional,
            }
            for found in answers
        ],
    )
    record(
        connection,
        "kano.imported",
        f"kano {study.slug}",
        actor=actor,
        now=now,
        details={"answers": len(answers), "features": len(ordered)},
    )
    return len(answers)


def import_answers_csv(
    connection: Connection, slug: str, content: str, *, actor: Actor, now: datetime
) -> int:
    """Import a CSV of answers (all or nothing); how many answer pairs."""
    study = get_study(connection, slug)
    return _save(connection, study, parse_answers_csv(content), actor=actor, now=now)


def import_answers(
    connection: Connection,
    slug: str,
    items: Sequence[Mapping[str, Any]],
    *,
    actor: Actor,
    now: datetime,
) -> int:
    """Import JSON answer rows (all or nothing); how many answer pairs."""
    study = get_study(connection, slug)
    return _save(connection, study, parse_answers(items), actor=actor, now=now)


def kano_result(connection: Connection, slug: str, *, segment: str | None = None) -> KanoResult:
    """Every feature's categories, winner and coefficients (of one segment's respondents)."""
    study = get_study(connection, slug)
    segments = tuple(store.segments_of(connection, study.id))
    if segment is not None and segment not in segments:
        raise invalid("segment", f"no answers from the segment {segment!r}")
    features = [row.name for row in store.feature_rows(connection, study.id)]
    rows = store.answer_rows(connection, study.id, segment)
    results = evaluate(((r.feature, r.functional, r.dysfunctional) for r in rows), features)
    return KanoResult(study, segment, segments, tuple(results))


__all__ = [
    "KanoResult",
    "KanoStudy",
    "create_study",
    "delete_study",
    "get_study",
    "import_answers",
    "import_answers_csv",
    "kano_result",
    "list_studies",
]
