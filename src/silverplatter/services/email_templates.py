"""E-mail templates: save (checked, with the line of each mistake), variants, preview, test send.

A template is checked when it is saved: its syntax (the line of the first
mistake), the variables it reads (``domain/email_templates.VARIABLES``), and
one trial render with sample values.  Saving a changed template raises its
``version``; messages still queued are rendered from the new words when they
are sent.

**The contact's buying stage** is the stage (awareness, consideration,
decision) that most of the contact's engagement points still point at now,
by the active scoring model's rules that carry a ``buying_stage`` — the same
reading as the reality check (``services/reality_check.py``).  A contact with
no stage-tagged behaviour has no buying stage, so a variant for a stage never
fits them.  It is only worked out for templates that have a stage variant.

A **test send** renders the template for a chosen contact (or sample values)
and hands it to the given address through the same hand-over as every other
message (``services/handover.py``), marked ``[Test]`` and without tracking;
the suppression list applies to it too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, delete, func, insert, select, update

from silverplatter.domain.email_templates import (
    SAMPLE_CONTEXT,
    MailTemplate,
    Rendered,
    TemplateProblem,
    Variant,
    check_template,
    choose_variant,
    personalisation,
    trial_render,
)
from silverplatter.domain.explanation import BUYING_STAGES
from silverplatter.domain.vocabulary import DECISION_ROLES
from silverplatter.storage.mail_sends import recipient_of
from silverplatter.storage.nurture_schema import (
    broadcasts,
    email_template_variants,
    email_templates,
    mail_sends,
)
from silverplatter.storage.schema import users

SLUG: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


class EmailTemplateError(ValueError):
    """A template request that cannot be honoured; ``field`` (and ``line``) name the culprit."""

    def __init__(
        self, field: str, message: str, *, line: int | None = None, status: int = 422
    ) -> None:
        where = f" (line {line})" if line is not None else ""
        super().__init__(f"{field}{where}: {message}")
        self.field = field
        self.message = message
        self.line = line
        self.status = status

    @classmethod
    def of(cls, problem: TemplateProblem) -> EmailTemplateError:
        return cls(problem.field, problem.message, line=problem.line)


@dataclass(frozen=True)
class EmailTemplate:
    id: int
    slug: str
    name: str
    subject: str
    html_body: str
    text_body: str
    version: int
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    variants: tuple[StoredVariant, ...] = ()


@dataclass(frozen=True)
class StoredVariant(Variant):
    id: int = 0


@dataclass(frozen=True)
class TemplateDraft:
    """What a person writes: the name, slug, subject and bodies (text may be empty)."""

    name: str
    subject: str
    html_body: str
    text_body: str = ""
    slug: str | None = None


def slug_from(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (words or "template")[:100]


def _no_nul(**values: str) -> None:
    """PostgreSQL cannot store NUL characters; name the field that has one."""
    for field, value in values.items():
        if "\x00" in value:
            raise EmailTemplateError(field, "must not contain NUL characters")


def _checked(draft: TemplateDraft) -> TemplateDraft:
    _no_nul(
        name=draft.name,
        slug=draft.slug or "",
        subject=draft.subject,
        html_body=draft.html_body,
        text_body=draft.text_body,
    )
    name = " ".join(draft.name.split())
    if not name:
        raise EmailTemplateError("name", "must not be empty")
    if len(name) > 200:
        raise EmailTemplateError("name", "must be at most 200 characters long")
    slug = (draft.slug or "").strip() or slug_from(name)
    if not SLUG.match(slug):
        raise EmailTemplateError(
            "slug", "must be lower-case letters, digits and dashes, at most 100 characters"
        )
    subject = draft.subject.strip()
    if len(subject) > 300:
        raise EmailTemplateError("subject", "must be at most 300 characters long")
    for field, value in (("html_body", draft.html_body), ("text_body", draft.text_body)):
        if "\x00" in value or len(value) > 500_000:
            raise EmailTemplateError(field, "must be text of at most 500,000 characters")
    problems = check_template(subject, draft.html_body, draft.text_body)
    problems = problems or trial_render(subject, draft.html_body, draft.text_body)
    if problems:
        raise EmailTemplateError.of(problems[0])
    return TemplateDraft(name, subject, draft.html_body, draft.text_body, slug)


def _variants(connection: Connection, template_id: int) -> tuple[StoredVariant, ...]:
    v = email_template_variants.c
    rows = connection.execute(
        select(email_template_variants)
        .where(v.template_id == template_id)
        .order_by(v.decision_role.is_(None), v.decision_role, v.buying_stage.is_(None), v.id)
    )
    return tuple(
        StoredVariant(
            row.decision_role, row.buying_stage, row.subject, row.html_body, row.text_body, row.id
        )
        for row in rows
    )


def _template_query() -> Any:
    return select(email_templates, users.c.name.label("author_name")).outerjoin(
        users, users.c.id == email_templates.c.created_by
    )


def _of(connection: Connection, row: Any) -> EmailTemplate:
    return EmailTemplate(
        id=row.id,
        slug=row.slug,
        name=row.name,
        subject=row.subject,
        html_body=row.html_body,
        text_body=row.text_body,
        version=row.version,
        created_by=row.author_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        variants=_variants(connection, row.id),
    )


def get_template(connection: Connection, template_id: int) -> EmailTemplate:
    row = connection.execute(_template_query().where(email_templates.c.id == template_id)).first()
    if row is None:
        raise EmailTemplateError("template_id", f"no template with id {template_id}", status=404)
    return _of(connection, row)


def list_templates(connection: Connection) -> list[EmailTemplate]:
    rows = connection.execute(_template_query().order_by(email_templates.c.name))
    return [_of(connection, row) for row in rows.all()]


def _slug_taken(connection: Connection, slug: str, other_than: int | None) -> bool:
    query = select(email_templates.c.id).where(email_templates.c.slug == slug)
    if other_than is not None:
        query = query.where(email_templates.c.id != other_than)
    return connection.execute(query).first() is not None


def create_template(
    connection: Connection, draft: TemplateDraft, *, user_id: int | None, now: datetime
) -> EmailTemplate:
    good = _checked(draft)
    assert good.slug is not None
    if _slug_taken(connection, good.slug, None):
        raise EmailTemplateError("slug", f"a template called {good.slug!r} exists", status=409)
    new_id = connection.execute(
        insert(email_templates)
        .values(
            slug=good.slug,
            name=good.name,
            subject=good.subject,
            html_body=good.html_body,
            text_body=good.text_body,
            version=1,
            created_by=user_id,
            created_at=now,
            updated_at=now,
        )
        .returning(email_templates.c.id)
    ).scalar_one()
    return get_template(connection, int(new_id))


def update_template(
    connection: Connection, template_id: int, draft: TemplateDraft, *, now: datetime
) -> EmailTemplate:
    current = get_template(connection, template_id)
    good = _checked(TemplateDraft(**{**draft.__dict__, "slug": draft.slug or current.slug}))
    assert good.slug is not None
    if _slug_taken(connection, good.slug, template_id):
        raise EmailTemplateError("slug", f"a template called {good.slug!r} exists", status=409)
    changed = (good.name, good.slug, good.subject, good.html_body, good.text_body) != (
        current.name,
        current.slug,
        current.subject,
        current.html_body,
        current.text_body,
    )
    if changed:
        connection.execute(
            update(email_templates)
            .where(email_templates.c.id == template_id)
            .values(
                slug=good.slug,
                name=good.name,
                subject=good.subject,
                html_body=good.html_body,
                text_body=good.text_body,
                version=email_templates.c.version + 1,
                updated_at=now,
            )
        )
    return get_template(connection, template_id)


def delete_template(connection: Connection, template_id: int) -> None:
    """Delete a template nothing has been sent or scheduled with (else it is history)."""
    get_template(connection, template_id)
    used = (
        connection.execute(
            select(func.count())
            .select_from(mail_sends)
            .where(mail_sends.c.template_id == template_id)
        ).scalar_one()
        + connection.execute(
            select(func.count())
            .select_from(broadcasts)
            .where(broadcasts.c.template_id == template_id)
        ).scalar_one()
    )
    if used:
        raise EmailTemplateError(
            "template_id", "the template was used by a broadcast or a send; keep it", status=409
        )
    connection.execute(delete(email_templates).where(email_templates.c.id == template_id))


def save_variant(
    connection: Connection,
    template_id: int,
    *,
    decision_role: str | None,
    buying_stage: str | None,
    subject: str,
    html_body: str,
    text_body: str = "",
    now: datetime,
) -> EmailTemplate:
    """Add or replace the template's variant for a role and/or stage (one of them at least)."""
    get_template(connection, template_id)
    _no_nul(
        decision_role=decision_role or "",
        buying_stage=buying_stage or "",
        subject=subject,
        html_body=html_body,
        text_body=text_body,
    )
    role = decision_role or None
    stage = buying_stage or None
    if role is not None and role not in DECISION_ROLES:
        raise EmailTemplateError("decision_role", f"must be one of {', '.join(DECISION_ROLES)}")
    if stage is not None and stage not in BUYING_STAGES:
        raise EmailTemplateError("buying_stage", f"must be one of {', '.join(BUYING_STAGES)}")
    if role is None and stage is None:
        raise EmailTemplateError(
            "decision_role", "a variant is for a decision role, a stage or both"
        )
    problems = check_template(subject.strip(), html_body, text_body)
    problems = problems or trial_render(subject.strip(), html_body, text_body)
    if problems:
        raise EmailTemplateError.of(problems[0])
    v = email_template_variants.c
    connection.execute(
        delete(email_template_variants).where(
            v.template_id == template_id,
            v.decision_role.is_(None) if role is None else v.decision_role == role,
            v.buying_stage.is_(None) if stage is None else v.buying_stage == stage,
        )
    )
    connection.execute(
        insert(email_template_variants).values(
            template_id=template_id,
            decision_role=role,
            buying_stage=stage,
            subject=subject.strip(),
            html_body=html_body,
            text_body=text_body,
        )
    )
    _touch(connection, template_id, now)
    return get_template(connection, template_id)


def delete_variant(
    connection: Connection, template_id: int, variant_id: int, *, now: datetime
) -> EmailTemplate:
    v = email_template_variants.c
    result = connection.execute(
        delete(email_template_variants).where(v.id == variant_id, v.template_id == template_id)
    )
    if not result.rowcount:
        raise EmailTemplateError("variant_id", f"no variant with id {variant_id}", status=404)
    _touch(connection, template_id, now)
    return get_template(connection, template_id)


def _touch(connection: Connection, template_id: int, now: datetime) -> None:
    connection.execute(
        update(email_templates)
        .where(email_templates.c.id == template_id)
        .values(version=email_templates.c.version + 1, updated_at=now)
    )


class CompiledTemplate:
    """A template and its variants compiled once, for rendering many messages."""

    def __init__(self, template: EmailTemplate) -> None:
        self.id = template.id
        self.slug = template.slug
        self.version = template.version
        self._base = MailTemplate(template.subject, template.html_body, template.text_body)
        self._variants = template.variants
        self._compiled: dict[int, MailTemplate] = {}
        self.needs_stage = any(variant.buying_stage for variant in template.variants)

    def for_contact(self, decision_role: str | None, buying_stage: str | None) -> MailTemplate:
        chosen = choose_variant(self._variants, decision_role, buying_stage)
        if chosen is None:
            return self._base
        assert isinstance(chosen, StoredVariant)
        if chosen.id not in self._compiled:
            self._compiled[chosen.id] = MailTemplate(
                chosen.subject, chosen.html_body, chosen.text_body
            )
        return self._compiled[chosen.id]


def buying_stage_of(connection: Connection, contact_id: int, *, now: datetime) -> str | None:
    """The contact's buying stage now (see the module's documentation), or None."""
    from silverplatter.domain.explanation import (
        buying_stage_reading,
        buying_stage_shares,
        contributions,
    )
    from silverplatter.services.reality_check import contact_events
    from silverplatter.services.scoring_models import active_model

    version = active_model(connection, now=now)
    found = contributions(
        version.book, contact_events(connection, contact_id, now), now.timestamp()
    )
    stage, _words = buying_stage_reading(buying_stage_shares(found))
    return stage


@dataclass(frozen=True)
class Preview:
    rendered: Rendered
    #: Which words were used: "base", or the variant's role and stage.
    variant: str
    buying_stage: str | None
    decision_role: str | None


def context_for(
    connection: Connection,
    contact_id: int,
    *,
    unsubscribe_url: str | None,
    workspace: str | None,
) -> tuple[dict[str, Any], Mapping[str, Any]]:
    """The variables of a message to ``contact_id`` and the contact's row."""
    row = recipient_of(connection, contact_id)
    if row is None:
        raise EmailTemplateError("contact_id", f"no contact with id {contact_id}", status=404)
    return context_of_row(row, unsubscribe_url=unsubscribe_url, workspace=workspace), dict(
        row._mapping
    )


def context_of_row(
    row: Any, *, unsubscribe_url: str | None, workspace: str | None
) -> dict[str, Any]:
    """The variables of one message from a ``recipients_query`` row."""
    return personalisation(
        {
            "first_name": row.first_name,
            "last_name": row.last_name,
            "email": row.email,
            "title": row.title,
            "department": row.department,
            "seniority": row.seniority,
            "decision_role": row.decision_role,
            "country": row.country,
        },
        {
            "name": row.account_name,
            "domain": row.account_domain,
            "industry": row.account_industry,
            "country": row.account_country,
            "value_tier": row.account_value_tier,
            "needs_segment": row.account_needs_segment,
        },
        {"name": row.owner_name, "email": row.owner_email},
        workspace=workspace,
        unsubscribe_url=unsubscribe_url,
        custom=row.custom if isinstance(row.custom, dict) else None,
    )


def preview(
    connection: Connection,
    template_id: int,
    *,
    contact_id: int | None,
    unsubscribe_url: str | None,
    workspace: str | None,
    now: datetime,
) -> Preview:
    """The template as ``contact_id`` would get it (sample values without a contact)."""
    template = get_template(connection, template_id)
    compiled = CompiledTemplate(template)
    if contact_id is None:
        return Preview(compiled.for_contact(None, None).render(SAMPLE_CONTEXT), "base", None, None)
    context, row = context_for(
        connection, contact_id, unsubscribe_url=unsubscribe_url, workspace=workspace
    )
    stage = buying_stage_of(connection, contact_id, now=now) if compiled.needs_stage else None
    role = row["decision_role"]
    chosen = choose_variant(template.variants, role, stage)
    words = "base"
    if chosen is not None:
        words = " · ".join(part for part in (chosen.decision_role, chosen.buying_stage) if part)
    return Preview(compiled.for_contact(role, stage).render(context), words, stage, role)


__all__ = [
    "CompiledTemplate",
    "EmailTemplate",
    "EmailTemplateError",
    "Preview",
    "StoredVariant",
    "TemplateDraft",
    "buying_stage_of",
    "context_of_row",
    "create_template",
    "delete_template",
    "delete_variant",
    "get_template",
    "list_templates",
    "preview",
    "save_variant",
    "slug_from",
    "update_template",
]
