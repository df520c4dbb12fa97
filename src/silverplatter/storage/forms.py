"""Statements for capture forms, their consent wordings and the lead magnets they offer."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Row, and_, case, func, select, update

from silverplatter.storage.capture_schema import (
    consent_wordings,
    form_submissions,
    forms,
    lead_magnets,
)
from silverplatter.storage.schema import workspace

# -- forms ------------------------------------------------------------------


def _current_wording() -> Any:
    """The newest wording of each form, as a subquery joined on ``form_id``."""
    w = consent_wordings.c
    newest = (
        select(w.form_id, func.max(w.version).label("version"))
        .group_by(w.form_id)
        .subquery("newest")
    )
    return (
        select(
            w.form_id,
            w.id.label("wording_id"),
            w.version.label("wording_version"),
            w.wording,
        )
        .join(newest, and_(newest.c.form_id == w.form_id, newest.c.version == w.version))
        .subquery("wording")
    )


@cache
def _with_wording() -> Any:
    """Forms with their current wording and lead magnet (built once: statements are immutable)."""
    wording = _current_wording()
    return (
        select(
            forms,
            wording.c.wording_id,
            wording.c.wording_version,
            wording.c.wording,
            lead_magnets.c.slug.label("lead_magnet_slug"),
            lead_magnets.c.title.label("lead_magnet_title"),
            lead_magnets.c.active.label("lead_magnet_active"),
        )
        .select_from(
            forms.outerjoin(wording, wording.c.form_id == forms.c.id).outerjoin(
                lead_magnets, lead_magnets.c.id == forms.c.lead_magnet_id
            )
        )
        .order_by(forms.c.id)
    )


def form_by_slug(connection: Connection, slug: str) -> Row[Any] | None:
    """The form with its current wording and lead magnet, or None."""
    return connection.execute(_with_wording().where(forms.c.slug == slug)).first()


def form_by_id(connection: Connection, form_id: int) -> Row[Any] | None:
    return connection.execute(_with_wording().where(forms.c.id == form_id)).first()


def form_rows(connection: Connection, *, after_id: int | None, limit: int) -> list[Row[Any]]:
    """Forms in id order, keyset-paginated, with their current wording."""
    query = _with_wording().limit(limit)
    if after_id is not None:
        query = query.where(forms.c.id > after_id)
    return list(connection.execute(query))


def slug_taken(connection: Connection, slug: str) -> bool:
    return connection.execute(select(forms.c.id).where(forms.c.slug == slug)).first() is not None


def insert_form(connection: Connection, values: dict[str, Any]) -> int:
    result = connection.execute(forms.insert().values(**values).returning(forms.c.id))
    return int(result.scalar_one())


def update_form(connection: Connection, form_id: int, values: dict[str, Any]) -> None:
    connection.execute(update(forms).where(forms.c.id == form_id).values(**values))


def insert_wording(
    connection: Connection, form_id: int, version: int, wording: str, now: datetime
) -> int:
    """A new, immutable consent wording of the form."""
    result = connection.execute(
        consent_wordings.insert()
        .values(form_id=form_id, version=version, wording=wording, created_at=now)
        .returning(consent_wordings.c.id)
    )
    return int(result.scalar_one())


def wording_by_id(connection: Connection, wording_id: int) -> Row[Any] | None:
    return connection.execute(
        select(consent_wordings).where(consent_wordings.c.id == wording_id)
    ).first()


def wordings_of(connection: Connection, form_id: int) -> list[Row[Any]]:
    """Every wording the form has shown, newest first."""
    return list(
        connection.execute(
            select(consent_wordings)
            .where(consent_wordings.c.form_id == form_id)
            .order_by(consent_wordings.c.version.desc())
        )
    )


def submission_counts(connection: Connection, since: datetime) -> dict[int, Row[Any]]:
    """Per form: submissions since ``since`` and how many of those were confirmed or await it."""
    s = form_submissions.c
    query = (
        select(
            s.form_id,
            func.count().label("submissions"),
            func.count(case((s.opt_in == "confirmed", 1))).label("confirmed"),
            func.count(case((s.opt_in == "unconfirmed", 1))).label("unconfirmed"),
        )
        .where(s.submitted_at >= since)
        .group_by(s.form_id)
    )
    return {row.form_id: row for row in connection.execute(query)}


# -- lead magnets (read only: they are managed in services/lead_magnets.py) --


def lead_magnet_options(connection: Connection) -> list[Row[Any]]:
    """Every lead magnet a form could offer, by title."""
    m = lead_magnets.c
    return list(connection.execute(select(m.id, m.slug, m.title, m.active).order_by(m.title, m.id)))


def lead_magnet_by_slug(connection: Connection, slug: str) -> Row[Any] | None:
    m = lead_magnets.c
    query: Any = select(m.id, m.slug, m.title, m.active).where(m.slug == slug)
    found: Row[Any] | None = connection.execute(query).first()
    return found


def workspace_title(connection: Connection) -> str | None:
    """The workspace's name: who a form's mail comes from."""
    name = connection.execute(select(workspace.c.name).limit(1)).scalar()
    return None if name is None else str(name)
