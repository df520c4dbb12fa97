"""Saving forms: versions, immutable consent wordings, the audit log, refusals by field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, insert, select

from forms_world import NOW, WORDING, meeting_request, newsletter, seed_forms
from silverplatter.domain.forms import FieldError, InvalidForm
from silverplatter.services.audit import Actor
from silverplatter.services.forms import (
    FormNotFound,
    create_form,
    form_overview,
    get_form,
    list_forms,
    update_form,
)
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.capture_schema import consent_wordings, form_submissions

LATER = NOW + timedelta(days=3)


def _audit(engine: Engine) -> list[tuple[str, str, dict[str, object]]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action, audit_log.c.subject, audit_log.c.details)
            .where(audit_log.c.action.like("form.%"))
            .order_by(audit_log.c.id)
        )
        return [(row.action, row.subject, row.details) for row in rows]


def test_a_new_form_is_version_1_with_wording_version_1_and_audited(engine: Engine) -> None:
    forms = seed_forms(engine)
    form = forms["newsletter"]
    assert (form.version, form.wording_version, form.lead_magnet_title) == (
        1,
        1,
        "How to choose an ERP",
    )
    assert form.definition.consent_wording == WORDING
    assert [field.name for field in form.definition.fields] == ["email", "first_name", "company"]
    assert form.definition.questions[0].property == "topics"
    assert _audit(engine) == [
        ("form.created", "form newsletter", {"form_id": form.id, "name": "Newsletter",
                                             "cta_kind": "soft"}),
        ("form.created", "form request-a-meeting",
         {"form_id": forms["request-a-meeting"].id, "name": "Request a meeting",
          "cta_kind": "hard"}),
    ]  # fmt: skip


def test_every_edit_bumps_the_version_and_only_wording_edits_add_a_wording(
    engine: Engine,
) -> None:
    form = seed_forms(engine)["newsletter"]
    with engine.begin() as connection:
        renamed = update_form(
            connection, form.id, {"name": "Monthly newsletter"}, actor=Actor(None), now=LATER
        )
        reworded = update_form(
            connection,
            form.id,
            {"consent_wording": "New words.", "cta_kind": "hard"},
            actor=Actor(None),
            now=LATER,
        )
        unchanged = update_form(
            connection, form.id, {"name": "Monthly newsletter"}, actor=Actor(None), now=LATER
        )
        wordings = connection.execute(
            select(consent_wordings.c.version, consent_wordings.c.wording)
            .where(consent_wordings.c.form_id == form.id)
            .order_by(consent_wordings.c.version)
        ).all()
    assert (renamed.version, renamed.wording_version) == (2, 1)
    assert (reworded.version, reworded.wording_version) == (3, 2)
    assert unchanged == reworded
    assert reworded.updated_at == LATER and reworded.created_at == NOW
    assert [tuple(row) for row in wordings] == [(1, WORDING), (2, "New words.")]
    assert _audit(engine)[2:] == [
        ("form.changed", "form newsletter",
         {"form_id": form.id, "version": 2, "changed": ["name"]}),
        ("form.changed", "form newsletter",
         {"form_id": form.id, "version": 3, "changed": ["consent_wording", "cta_kind"],
          "consent_wording_version": 2}),
    ]  # fmt: skip


def test_refusals_name_the_field(engine: Engine) -> None:
    form = seed_forms(engine)["newsletter"]
    with engine.begin() as connection, pytest.raises(InvalidForm) as taken:
        create_form(connection, newsletter(lead_magnet="no-such-guide"), actor=Actor(None), now=NOW)
    assert taken.value.errors == [
        FieldError("slug", "newsletter is already the slug of another form"),
        FieldError("lead_magnet", "there is no lead magnet 'no-such-guide'"),
    ]
    with engine.begin() as connection, pytest.raises(InvalidForm) as fixed:
        update_form(connection, form.id, {"slug": "news"}, actor=Actor(None), now=NOW)
    assert fixed.value.errors == [
        FieldError("slug", "cannot change once the form exists; embed codes use it")
    ]
    with engine.begin() as connection, pytest.raises(InvalidForm) as bad:
        update_form(connection, form.id, {"allowed_origins": ["*"]}, actor=Actor(None), now=NOW)
    assert bad.value.errors == [
        FieldError(
            "allowed_origins[0]",
            "expected an origin such as https://www.example.com or http://localhost:8080, got '*'",
        )
    ]
    with engine.connect() as connection, pytest.raises(FormNotFound):
        get_form(connection, 999)


def test_listing_and_the_months_figures(engine: Engine) -> None:
    forms = seed_forms(engine)
    news, meeting = forms["newsletter"], forms["request-a-meeting"]
    with engine.begin() as connection:
        created = create_form(
            connection,
            meeting_request(slug="request-a-quote", name="Request a quote"),
            actor=Actor(None),
            now=NOW,
        )
        rows = [
            (news.id, "confirmed", NOW - timedelta(days=1)),
            (news.id, "unconfirmed", NOW - timedelta(hours=1)),
            (news.id, "confirmed", NOW),
            (news.id, "confirmed", NOW - timedelta(days=40)),  # last month
            (meeting.id, "not_required", NOW),
        ]
        for form_id, opt_in, at in rows:
            connection.execute(
                insert(form_submissions).values(
                    form_id=form_id, answers={}, opt_in=opt_in, submitted_at=at
                )
            )
        page = list_forms(connection, after=news.id, limit=1)
        overview = form_overview(connection, now=NOW)
    assert [form.slug for form in page] == ["request-a-meeting"]
    assert [(s.form.slug, s.submissions, s.confirmed, s.confirmed_share) for s in overview] == [
        ("newsletter", 3, 2, 2 / 3),
        ("request-a-meeting", 1, 0, None),
        (created.slug, 0, 0, None),
    ]
