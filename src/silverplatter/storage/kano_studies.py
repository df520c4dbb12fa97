"""Statements of Kano studies: the study, its features and the respondents' answer pairs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, distinct, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.storage.understanding_schema import kano_answers, kano_features, kano_studies

s, f, a = kano_studies.c, kano_features.c, kano_answers.c


def study_rows(connection: Connection) -> list[Row[Any]]:
    """Every study by name, with its features, respondents and answers counted."""
    features = (
        select(f.study_id, func.count().label("features")).group_by(f.study_id).subquery("fs")
    )
    answers = (
        select(
            a.study_id,
            func.count().label("answers"),
            func.count(distinct(a.respondent)).label("respondents"),
        )
        .group_by(a.study_id)
        .subquery("ans")
    )
    statement = (
        select(
            kano_studies,
            func.coalesce(features.c.features, 0).label("features"),
            func.coalesce(answers.c.answers, 0).label("answers"),
            func.coalesce(answers.c.respondents, 0).label("respondents"),
        )
        .outerjoin(features, features.c.study_id == s.id)
        .outerjoin(answers, answers.c.study_id == s.id)
        .order_by(func.lower(s.name), s.id)
    )
    return list(connection.execute(statement))


def study_by_slug(connection: Connection, slug: str) -> Row[Any] | None:
    return connection.execute(select(kano_studies).where(s.slug == slug)).first()


def insert_study(connection: Connection, slug: str, name: str, now: datetime) -> int:
    statement = insert(kano_studies).values(slug=slug, name=name, created_at=now)
    return int(connection.execute(statement.returning(s.id)).scalar_one())


def delete_study(connection: Connection, study_id: int) -> None:
    for table in (kano_answers, kano_features):
        connection.execute(delete(table).where(table.c.study_id == study_id))
    connection.execute(delete(kano_studies).where(s.id == study_id))


def feature_rows(connection: Connection, study_id: int) -> list[Row[Any]]:
    statement = select(kano_features).where(f.study_id == study_id).order_by(f.position, f.id)
    return list(connection.execute(statement))


def add_features(connection: Connection, study_id: int, names: Sequence[str]) -> dict[str, int]:
    """Add the features not there yet (after the others); every feature's id by name."""
    current = {row.name: row.id for row in feature_rows(connection, study_id)}
    position = len(current)
    for name in names:
        if name in current:
            continue
        statement = insert(kano_features).values(study_id=study_id, name=name, position=position)
        current[name] = int(connection.execute(statement.returning(f.id)).scalar_one())
        position += 1
    return current


def save_answers(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert answer pairs, replacing a respondent's earlier answer to the same feature."""
    if not rows:
        return
    make = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = make(kano_answers)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["feature_id", "respondent"],
            set_={
                "functional": statement.excluded.functional,
                "dysfunctional": statement.excluded.dysfunctional,
                "segment": statement.excluded.segment,
            },
        ),
        list(rows),
    )


def answer_rows(
    connection: Connection, study_id: int, segment: str | None = None
) -> list[Row[Any]]:
    """(feature name, functional, dysfunctional) of the study's answers (of one segment)."""
    statement = (
        select(f.name.label("feature"), a.functional, a.dysfunctional)
        .join(kano_features, f.id == a.feature_id)
        .where(a.study_id == study_id)
        .order_by(f.position, a.id)
    )
    if segment is not None:
        statement = statement.where(a.segment == segment)
    return list(connection.execute(statement))


def segments_of(connection: Connection, study_id: int) -> list[str]:
    statement = (
        select(a.segment)
        .where(a.study_id == study_id, a.segment.is_not(None))
        .distinct()
        .order_by(a.segment)
    )
    return [str(value) for value in connection.execute(statement).scalars()]


__all__ = [
    "add_features",
    "answer_rows",
    "delete_study",
    "feature_rows",
    "insert_study",
    "save_answers",
    "segments_of",
    "study_by_slug",
    "study_rows",
]
