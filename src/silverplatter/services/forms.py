"""Creating, changing and reading capture forms.

Every change of a form bumps its ``version``; a change of its consent
wording also writes a new, immutable ``consent_wordings`` row (version + 1)
so each consent record keeps pointing at the words the person saw.  Creation
and changes are audited.  A form's slug is fixed once it exists: it is in
the embed code on other sites and in the source of every address it brought.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.forms import (
    FieldError,
    FormDefinition,
    FormField,
    InvalidForm,
    Question,
    check_definition,
)
from silverplatter.domain.properties import PropertyDefinition
from silverplatter.services import audit
from silverplatter.services.audit import Actor
from silverplatter.storage import forms as store
from silverplatter.storage import properties as property_store
from silverplatter.storage.form_submissions import submissions_page


class FormNotFound(LookupError):
    """No form with that id or slug."""


@dataclass(frozen=True)
class Form:
    """A stored form: its definition, version and current consent wording."""

    id: int
    definition: FormDefinition
    version: int
    wording_id: int
    wording_version: int
    lead_magnet_id: int | None
    lead_magnet_title: str | None
    lead_magnet_active: bool
    created_at: datetime
    updated_at: datetime

    @property
    def slug(self) -> str:
        return self.definition.slug

    @property
    def name(self) -> str:
        return self.definition.name

    def document(self) -> dict[str, Any]:
        """The form as the API shows it."""
        return {
            "id": self.id,
            **self.definition.document(),
            "version": self.version,
            "consent_wording_version": self.wording_version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def form_of(row: Row[Any]) -> Form:
    definition = FormDefinition(
        slug=row.slug,
        name=row.name,
        fields=tuple(FormField.from_document(item) for item in row.fields or ()),
        questions=tuple(Question.from_document(item) for item in row.questions or ()),
        consent_wording=row.wording or "",
        cta_kind=row.cta_kind,
        lead_magnet=row.lead_magnet_slug,
        double_opt_in=bool(row.double_opt_in),
        allowed_origins=tuple(row.allowed_origins or ()),
        success_message=row.success_message,
        active=bool(row.active),
    )
    return Form(
        id=row.id,
        definition=definition,
        version=row.version,
        wording_id=row.wording_id,
        wording_version=row.wording_version,
        lead_magnet_id=row.lead_magnet_id,
        lead_magnet_title=row.lead_magnet_title,
        lead_magnet_active=bool(row.lead_magnet_active),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def find_form(connection: Connection, slug: str) -> Form | None:
    row = store.form_by_slug(connection, slug)
    return None if row is None else form_of(row)


def get_form(connection: Connection, form_id: int) -> Form:
    row = store.form_by_id(connection, form_id)
    if row is None:
        raise FormNotFound(f"there is no form {form_id}")
    return form_of(row)


def list_forms(connection: Connection, *, after: int | None = None, limit: int = 50) -> list[Form]:
    """Forms in id order; pass the last id seen as ``after`` for the next page."""
    return [form_of(row) for row in store.form_rows(connection, after_id=after, limit=limit)]


def _checked(
    connection: Connection, raw: Mapping[str, Any], *, new: bool
) -> tuple[FormDefinition, int | None]:
    """The definition and its lead magnet's id, or every reason it cannot be saved."""
    errors: list[FieldError] = []
    definition: FormDefinition | None = None
    try:
        definition = check_definition(raw, property_store.definitions_for(connection, "contact"))
    except InvalidForm as invalid:
        errors.extend(invalid.errors)
    slug = raw.get("slug")
    if new and isinstance(slug, str) and store.slug_taken(connection, slug.strip()):
        errors.append(FieldError("slug", f"{slug.strip()} is already the slug of another form"))
    magnet_id = None
    magnet = raw.get("lead_magnet")
    if isinstance(magnet, str) and magnet.strip():
        found = store.lead_magnet_by_slug(connection, magnet.strip())
        if found is None:
            errors.append(FieldError("lead_magnet", f"there is no lead magnet {magnet.strip()!r}"))
        else:
            magnet_id = found.id
    if errors:
        raise InvalidForm(errors)
    assert definition is not None
    return definition, magnet_id


def _columns(definition: FormDefinition, magnet_id: int | None) -> dict[str, Any]:
    return {
        "name": definition.name,
        "fields": [item.document() for item in definition.fields],
        "questions": [question.document() for question in definition.questions],
        "cta_kind": definition.cta_kind,
        "lead_magnet_id": magnet_id,
        "double_opt_in": definition.double_opt_in,
        "success_message": definition.success_message,
        "allowed_origins": list(definition.allowed_origins),
        "active": definition.active,
    }


def create_form(
    connection: Connection, raw: Mapping[str, Any], *, actor: Actor, now: datetime
) -> Form:
    """Save a new form (version 1, consent wording version 1); audited."""
    definition, magnet_id = _checked(connection, raw, new=True)
    form_id = store.insert_form(
        connection,
        {
            **_columns(definition, magnet_id),
            "slug": definition.slug,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        },
    )
    store.insert_wording(connection, form_id, 1, definition.consent_wording, now)
    audit.record(
        connection,
        "form.created",
        f"form {definition.slug}",
        actor=actor,
        now=now,
        details={"form_id": form_id, "name": definition.name, "cta_kind": definition.cta_kind},
    )
    return get_form(connection, form_id)


def update_form(
    connection: Connection,
    form_id: int,
    changes: Mapping[str, Any],
    *,
    actor: Actor,
    now: datetime,
) -> Form:
    """Change some settings of a form; unchanged settings keep their values.

    Nothing happens (no new version, no audit entry) when nothing changes.
    """
    current = get_form(connection, form_id)
    slug = changes.get("slug", current.slug)
    if slug != current.slug:
        raise InvalidForm(
            [FieldError("slug", "cannot change once the form exists; embed codes use it")]
        )
    merged = {**current.definition.document(), **changes}
    definition, magnet_id = _checked(connection, merged, new=False)
    if definition == current.definition:
        return current
    changed = [
        name
        for name in FormDefinition.__dataclass_fields__
        if getattr(definition, name) != getattr(current.definition, name)
    ]
    version = current.version + 1
    store.update_form(
        connection,
        form_id,
        {**_columns(definition, magnet_id), "version": version, "updated_at": now},
    )
    details: dict[str, Any] = {"form_id": form_id, "version": version, "changed": changed}
    if definition.consent_wording != current.definition.consent_wording:
        wording_version = current.wording_version + 1
        store.insert_wording(connection, form_id, wording_version, definition.consent_wording, now)
        details["consent_wording_version"] = wording_version
    audit.record(connection, "form.changed", f"form {slug}", actor=actor, now=now, details=details)
    return get_form(connection, form_id)


@dataclass(frozen=True)
class FormSummary:
    """A form with what it brought in this month."""

    form: Form
    submissions: int
    confirmed: int
    #: Confirmed among the month's submissions that asked for confirmation; None if none did.
    confirmed_share: float | None


def month_start(now: datetime) -> datetime:
    moment = now.astimezone(UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def form_overview(connection: Connection, *, now: datetime, limit: int = 500) -> list[FormSummary]:
    """Every form with its submissions this month (UTC) and the share confirmed."""
    counts = store.submission_counts(connection, month_start(now))
    summaries = []
    for form in list_forms(connection, limit=limit):
        row = counts.get(form.id)
        submissions = int(row.submissions) if row else 0
        confirmed = int(row.confirmed) if row else 0
        asked = confirmed + (int(row.unconfirmed) if row else 0)
        share = confirmed / asked if asked else None
        summaries.append(FormSummary(form, submissions, confirmed, share))
    return summaries


@dataclass(frozen=True)
class Wording:
    version: int
    wording: str
    created_at: datetime


def wording_history(connection: Connection, form_id: int) -> list[Wording]:
    """Every consent wording the form has shown, newest first."""
    return [
        Wording(row.version, row.wording, row.created_at)
        for row in store.wordings_of(connection, form_id)
    ]


@dataclass(frozen=True)
class SubmissionRow:
    """One submission as the form's pages list it."""

    id: int
    submitted_at: datetime
    contact_id: int | None
    email: str | None
    name: str | None
    opt_in: str
    confirmed_at: datetime | None
    answers: dict[str, Any]
    visitor_id: str | None


def submission_page(
    connection: Connection, form_id: int, *, before: int | None = None, limit: int = 50
) -> list[SubmissionRow]:
    """The form's submissions newest first; pass the last id seen as ``before``."""
    get_form(connection, form_id)
    rows = submissions_page(connection, form_id, before_id=before, limit=limit)
    return [
        SubmissionRow(
            id=row.id,
            submitted_at=row.submitted_at,
            contact_id=row.contact_id,
            email=row.email,
            name=" ".join(part for part in (row.first_name, row.last_name) if part) or None,
            opt_in=row.opt_in,
            confirmed_at=row.confirmed_at,
            answers=dict(row.answers or {}),
            visitor_id=row.visitor_id,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class LeadMagnetOption:
    slug: str
    title: str
    active: bool


def lead_magnet_options(connection: Connection) -> list[LeadMagnetOption]:
    """The lead magnets a form could offer."""
    return [
        LeadMagnetOption(row.slug, row.title, bool(row.active))
        for row in store.lead_magnet_options(connection)
    ]


def contact_properties(connection: Connection) -> list[PropertyDefinition]:
    """The custom contact properties a form may ask for or keep answers in, by name."""
    found = property_store.definitions_for(connection, "contact")
    return [found[name] for name in sorted(found)]


__all__ = [
    "Form",
    "FormNotFound",
    "FormSummary",
    "LeadMagnetOption",
    "SubmissionRow",
    "Wording",
    "contact_properties",
    "create_form",
    "find_form",
    "form_overview",
    "get_form",
    "lead_magnet_options",
    "list_forms",
    "submission_page",
    "update_form",
    "wording_history",
]
