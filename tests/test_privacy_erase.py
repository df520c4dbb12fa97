"""Erasing a person: nothing that names them is left in any column of any table."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, String, cast, func, select

from privacy_world import COLLEAGUE, EMAIL, NOW, PERSONAL, build_privacy_world
from silverplatter.services.audit import Actor
from silverplatter.services.outbox import OutgoingMail, queue_mail
from silverplatter.services.privacy import erase_person, export_person
from silverplatter.services.suppression import address_hash, is_suppressed
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.capture_schema import (
    erasures,
    form_submissions,
    outbound_mail,
    suppressions,
    visitors,
)
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import (
    consent_records,
    contacts,
    events,
    meeting_attendees,
    metadata,
)

ADMIN = Actor(1, "203.0.113.5")


def _mentions(engine: Engine, needle: str) -> list[str]:
    """Every ``table.column`` whose text (any type, cast) contains ``needle``, any case."""
    found = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for column in table.columns:
                text = func.lower(cast(column, String))
                hits = connection.execute(
                    select(func.count()).select_from(table).where(text.contains(needle.lower()))
                ).scalar_one()
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def _erase(engine: Engine, contact_id: int) -> Any:
    with engine.begin() as connection:
        return erase_person(connection, contact_id, actor=ADMIN, now=NOW)


def test_the_world_names_her_everywhere_before(engine: Engine) -> None:
    build_privacy_world(engine)
    assert sorted(_mentions(engine, EMAIL)) == [
        "audit_log.details",
        "audit_log.subject",
        "bounce_reports.diagnostic",
        "bounce_reports.email_key",
        "contacts.email",
        "contacts.email_key",
        "events.idempotency_key",
        "events.properties",
        "form_submissions.answers",
        "kano_answers.respondent",
        "mail_sends.last_error",
        "meetings.notes",
        "outbound_mail.last_error",
        "outbound_mail.text_body",
        "outbound_mail.to_address",
        "suppressions.email_key",
    ]
    assert sorted(_mentions(engine, "zelda")) == [
        "audit_log.details",
        "audit_log.subject",
        "bounce_reports.diagnostic",
        "bounce_reports.email_key",
        "contacts.custom",
        "contacts.email",
        "contacts.email_key",
        "contacts.first_name",
        "enrolment_steps.detail",
        "events.idempotency_key",
        "events.properties",
        "events.visitor_id",
        "form_submissions.answers",
        "form_submissions.visitor_id",
        "grid_raters.name",
        "kano_answers.respondent",
        "mail_sends.dedupe_key",
        "mail_sends.last_error",
        "meeting_attendees.name",
        "meetings.notes",
        "meetings.subject",
        "opportunities.name",
        "outbound_mail.html_body",
        "outbound_mail.last_error",
        "outbound_mail.subject",
        "outbound_mail.text_body",
        "outbound_mail.to_address",
        "qualifications.authority",
        "qualifications.budget",
        "stage_transitions.reason",
        "suppressions.email_key",
        "visitors.id",
    ]


def test_erase_leaves_no_trace_of_her_in_any_table(engine: Engine) -> None:
    ids = build_privacy_world(engine)
    summary = _erase(engine, ids["zelda"])
    assert summary.already_erased is False
    assert summary.counts == {
        "events": 4,
        "visitors": 1,
        "form_submissions": 1,
        "consent_records": 2,
        "outbound_mail": 2,
        "meetings": 1,
        "meeting_attendees": 2,
        "opportunities": 1,
        "qualifications": 1,
        "stage_transitions": 1,
        "audit_log": 2,
        "mail_sends": 1,
        "bounce_reports": 1,
        "enrolment_steps": 1,
        "kano_answers": 1,
        "grid_raters": 1,
        "suppressions": 1,
        "contacts": 1,
    }
    for needle in PERSONAL:
        assert _mentions(engine, needle) == [], needle
    assert _mentions(engine, "198.51.100.7") == []
    assert _mentions(engine, "v-zelda") == []
    assert _mentions(engine, "crm-zq-1") == []


def test_what_statistics_need_survives(engine: Engine) -> None:
    ids = build_privacy_world(engine)
    with engine.connect() as connection:
        score_before = connection.execute(
            select(contact_scores.c.score, contact_scores.c.grade).where(
                contact_scores.c.contact_id == ids["zelda"]
            )
        ).one()
    summary = _erase(engine, ids["zelda"])
    zelda = ids["zelda"]
    with engine.connect() as connection:
        tomb = connection.execute(select(contacts).where(contacts.c.id == zelda)).one()
        assert (tomb.email, tomb.email_key) == (f"erased-{zelda}@erased.invalid",) * 2
        assert (tomb.first_name, tomb.last_name, tomb.title, tomb.phone) == (None,) * 4
        assert (tomb.linkedin_url, tomb.external_id, tomb.custom) == (None, None, {})
        assert (tomb.seniority, tomb.department, tomb.country) == ("C-level", "IT", "FI")
        assert (tomb.lifecycle_stage, tomb.account_id) == ("sql", ids["account"])
        score_after = connection.execute(
            select(contact_scores.c.score, contact_scores.c.grade).where(
                contact_scores.c.contact_id == zelda
            )
        ).one()
        assert score_after == score_before
        kept = connection.execute(
            select(events.c.type, events.c.traffic, events.c.visitor_id, events.c.properties)
            .where(events.c.contact_id == zelda)
            .order_by(events.c.occurred_at)
        ).all()
        assert [tuple(row) for row in kept] == [
            ("page_view", "owned", None, {"url": "https://seller.example/erp?utm_source=news"}),
            (
                "page_view",
                "bought",
                None,
                {"url": "https://seller.example/guide", "referrer": "https://search.example/"},
            ),
            (
                "form_submit",
                None,
                None,
                {"form": "erp-guide", "cta": "soft", "answers": {"responsibility": "IT"}},
            ),
            (
                "email_click",
                "owned",
                None,
                {"url": "https://seller.example/webinar", "campaign": "march"},
            ),
        ]
        consent = connection.execute(
            select(
                consent_records.c.contact_id,
                consent_records.c.action,
                consent_records.c.ip_address,
                consent_records.c.erasure_id,
                consent_records.c.wording,
            ).order_by(consent_records.c.id)
        ).all()
        assert [tuple(row) for row in consent] == [
            (None, "granted", None, summary.erasure_id, "Send me the guide and news"),
            (None, "confirmed", None, summary.erasure_id, None),
            (ids["olli"], "granted", None, None, None),
        ]
        answers = connection.execute(
            select(form_submissions.c.contact_id, form_submissions.c.answers).order_by(
                form_submissions.c.id
            )
        ).all()
        assert [tuple(row) for row in answers] == [
            (zelda, {"responsibility": "IT", "situation": ["Evaluating"]}),
            (ids["olli"], {"email": COLLEAGUE, "responsibility": "Finance"}),
        ]
        erasure = connection.execute(select(erasures)).one()
        assert (erasure.id, erasure.contact_id, erasure.erased_by) == (
            summary.erasure_id,
            zelda,
            1,
        )
        assert erasure.summary == summary.counts
        listed = connection.execute(
            select(suppressions.c.reason, suppressions.c.email_key, suppressions.c.source).where(
                suppressions.c.address_hash == address_hash(EMAIL)
            )
        ).one()
        assert tuple(listed) == ("erased", None, "erasure")
        assert is_suppressed(connection, EMAIL.upper()) == "erased"
        mail = connection.execute(
            select(
                outbound_mail.c.status, outbound_mail.c.to_address, outbound_mail.c.subject
            ).order_by(outbound_mail.c.id)
        ).all()
        assert [tuple(row) for row in mail] == [
            ("sent", None, "[erased]"),
            ("suppressed", None, "[erased]"),
        ]
        assert connection.execute(select(func.count()).select_from(visitors)).scalar_one() == 0
        attendees = connection.execute(
            select(meeting_attendees.c.contact_id, meeting_attendees.c.user_id,
                   meeting_attendees.c.name).order_by(meeting_attendees.c.id)
        ).all()  # fmt: skip
        assert [tuple(row) for row in attendees] == [
            (zelda, None, None),
            (None, None, None),
            (None, ids["sales"], None),
        ]
        audit = connection.execute(
            select(audit_log.c.action, audit_log.c.subject, audit_log.c.details)
            .where(audit_log.c.action.in_(("export.run", "contact.erased")))
            .order_by(audit_log.c.id)
        ).all()
        assert [tuple(row) for row in audit] == [
            ("export.run", "[erased]", {"to": "[erased]"}),
            ("export.run", "contacts", {"note": "list for [erased]"}),
            ("contact.erased", f"contact {zelda}", {"erasure_id": summary.erasure_id,
                                                     **summary.counts}),
        ]  # fmt: skip
        colleague = connection.execute(
            select(events.c.properties).where(events.c.contact_id == ids["olli"])
        ).scalar_one()
        assert colleague == {"url": "https://seller.example/x"}


def test_erasing_twice_changes_nothing_the_second_time(engine: Engine) -> None:
    ids = build_privacy_world(engine)
    first = _erase(engine, ids["zelda"])
    second = _erase(engine, ids["zelda"])
    assert second.already_erased is True
    assert (second.erasure_id, second.erased_at, second.counts) == (first.erasure_id, NOW, {})
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(erasures)).scalar_one() == 1
        erased_entries = connection.execute(
            select(func.count()).where(audit_log.c.action == "contact.erased")
        ).scalar_one()
        assert erased_entries == 1


def test_a_failed_erasure_leaves_everything_for_the_next_run(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = build_privacy_world(engine)
    from silverplatter.services import erasure

    def crash(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(erasure.eraser, "tombstone", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        _erase(engine, ids["zelda"])
    assert "contacts.email" in _mentions(engine, EMAIL)
    assert "events.properties" in _mentions(engine, EMAIL)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(erasures)).scalar_one() == 0
    monkeypatch.undo()
    assert _erase(engine, ids["zelda"]).already_erased is False
    for needle in PERSONAL:
        assert _mentions(engine, needle) == [], needle


def test_mail_arriving_for_an_erased_address_is_suppressed(engine: Engine) -> None:
    ids = build_privacy_world(engine)
    _erase(engine, ids["zelda"])
    with engine.begin() as connection:
        status = queue_mail(
            connection,
            OutgoingMail(kind="news", dedupe_key="news:1", to_address=EMAIL, subject="Hi",
                         text_body="news"),
            now=NOW,
        )  # fmt: skip
        assert status == "suppressed"


def test_erasing_a_contact_that_does_not_exist_is_a_lookup_error(engine: Engine) -> None:
    build_privacy_world(engine)
    with pytest.raises(LookupError, match="no contact with id 999"):
        _erase(engine, 999)


def test_export_after_erasure_holds_only_the_tombstone(engine: Engine) -> None:
    ids = build_privacy_world(engine)
    summary = _erase(engine, ids["zelda"])
    with engine.connect() as connection:
        document = export_person(connection, ids["zelda"])
    text = repr(document).lower()
    for needle in PERSONAL:
        assert needle.lower() not in text
    assert document["consent"] == []
    assert document["visitors"] == []
    assert document["erasure"]["id"] == summary.erasure_id
    assert document["suppression"] is None
