"""A person with something in every table, for the privacy export and erasure tests.

Zelda Quimby (``zelda.quimby@northwind.example``) of Northwind Oy joined through
the "ERP guide" form: two anonymous page views as visitor ``v-zelda`` (one
owned, one bought), then a form submission with her names, phone, a free-text
message and two strategic answers; the visitor was stitched to her.  She has
granted and confirmed e-mail consent (with her IP), two mails in the outbox
(one sent, one queued), a custom property, an e-mail click with her address
in the URL, a BANT record naming her, a stage move, an open handover, a
meeting she attended whose notes name her (with a guest recorded by name
too), an opportunity named after her, an earlier unsubscription on the
suppression list, and audit entries that mention her address.  Her colleague
Olli Ops has a form submission and an event of his own, which stay untouched.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from silverplatter.domain.qualification import Bant
from silverplatter.domain.records import AccountFields, ContactFields, OpportunityFields
from silverplatter.services.audit import Actor, record
from silverplatter.services.ingest import ingest_events
from silverplatter.services.lifecycle import transition
from silverplatter.services.meetings import Attendee, MeetingFields, record_meeting
from silverplatter.services.opportunities import upsert_opportunities
from silverplatter.services.outbox import OutgoingMail, queue_mail
from silverplatter.services.qualification import record_qualification
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.services.stitching import stitch_visitor
from silverplatter.services.suppression import suppress
from silverplatter.storage.capture_schema import (
    consent_wordings,
    form_submissions,
    forms,
    lead_magnets,
    outbound_mail,
)
from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.nurture_schema import (
    bounce_reports,
    email_templates,
    enrolment_steps,
    enrolments,
    mail_sends,
    programmes,
)
from silverplatter.storage.schema import consent_records, contacts
from silverplatter.storage.understanding_schema import (
    contact_worries,
    grid_raters,
    kano_answers,
    kano_features,
    kano_studies,
    need_grids,
    worries,
)
from web_world import seed_users

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EMAIL = "zelda.quimby@northwind.example"
COLLEAGUE = "olli.ops@northwind.example"
#: Strings that must not survive her erasure anywhere in the database.
PERSONAL = (EMAIL, "zelda", "quimby", "+358 40 765 4321", "linkedin.com/in/zq-northwind")
QUESTIONS = [
    {"key": "responsibility", "label": "Your responsibility", "choices": ["IT", "Finance"]},
    {"key": "situation", "label": "Current situation", "choices": ["Evaluating", "Happy"]},
]


def _at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


def build_privacy_world(engine: Engine) -> dict[str, int]:
    """The world above; returns ids by name (users ``admin``, ``marketing``, ``sales``)."""
    ids = seed_users(engine, now=_at(400))
    with engine.begin() as connection:
        ids |= _records(connection)
        ids |= _capture(connection, ids)
        _behaviour(connection, ids)
        _sales(connection, ids)
        _mail_and_audit(connection, ids)
        _nurture_and_understanding(connection, ids)
    return ids


def _records(connection: Connection) -> dict[str, int]:
    upsert_accounts(
        connection,
        [AccountFields(name="Northwind Oy", domain="northwind.example", value_tier="gold")],
        now=_at(300),
    )
    upsert_contacts(
        connection,
        [
            ContactFields(
                email=EMAIL, first_name="Zelda", last_name="Quimby", title="CIO",
                seniority="C-level", department="IT", phone="+358 40 765 4321",
                linkedin_url="https://www.linkedin.com/in/zq-northwind", country="FI",
                account_domain="northwind.example", external_id="CRM-ZQ-1",
                custom={"pet_name": "Zelda's cat Quimbo"},
            ),
            ContactFields(
                email=COLLEAGUE, first_name="Olli", last_name="Ops", seniority="Manager",
                account_domain="northwind.example",
            ),
        ],
        now=_at(30),
        create_properties=True,
    )  # fmt: skip
    rows = connection.execute(select(contacts.c.email_key, contacts.c.id, contacts.c.account_id))
    found = {row.email_key: (row.id, row.account_id) for row in rows}
    return {
        "zelda": found[EMAIL][0],
        "olli": found[COLLEAGUE][0],
        "account": found[EMAIL][1],
    }


def _capture(connection: Connection, ids: dict[str, int]) -> dict[str, int]:
    magnet = connection.execute(
        insert(lead_magnets)
        .values(
            slug="erp-guide", title="ERP guide", file_name="erp.pdf",
            content_type="application/pdf", size_bytes=3, sha256="0" * 64, content=b"pdf",
            created_at=_at(60), updated_at=_at(60),
        )
        .returning(lead_magnets.c.id)
    ).scalar_one()  # fmt: skip
    form = connection.execute(
        insert(forms)
        .values(
            slug="erp-guide", name="ERP guide", fields=[{"name": "email"}], questions=QUESTIONS,
            lead_magnet_id=magnet, allowed_origins=[], created_at=_at(60), updated_at=_at(60),
        )
        .returning(forms.c.id)
    ).scalar_one()  # fmt: skip
    wording = connection.execute(
        insert(consent_wordings)
        .values(form_id=form, version=1, wording="Send me the guide and news", created_at=_at(60))
        .returning(consent_wordings.c.id)
    ).scalar_one()
    submission: dict[str, Any] = {
        "form_id": form, "consent_wording_id": wording, "opt_in": "confirmed",
        "submitted_at": _at(30),
    }  # fmt: skip
    zelda_answers = {
        "email": EMAIL, "first_name": "Zelda", "last_name": "Quimby", "phone": "+358 40 765 4321",
        "message": "Call me, Zelda, on my mobile", "responsibility": "IT",
        "situation": ["Evaluating"],
    }  # fmt: skip
    for row in (
        {**submission, "contact_id": ids["zelda"], "visitor_id": "v-zelda",
         "ip_address": "198.51.100.7", "confirmed_at": _at(29.9), "answers": zelda_answers},
        {**submission, "contact_id": ids["olli"], "ip_address": "198.51.100.8",
         "answers": {"email": COLLEAGUE, "responsibility": "Finance"}},
    ):  # fmt: skip
        connection.execute(insert(form_submissions).values(row))
    for row in (
        {"contact_id": ids["zelda"], "channel": "email", "action": "granted",
         "wording": "Send me the guide and news", "wording_version": "1",
         "source": "form:erp-guide", "occurred_at": _at(30), "ip_address": "198.51.100.7"},
        {"contact_id": ids["zelda"], "channel": "email", "action": "confirmed",
         "source": "double_opt_in", "occurred_at": _at(29.9), "ip_address": "198.51.100.7"},
        {"contact_id": ids["olli"], "channel": "email", "action": "granted",
         "source": "form:erp-guide", "occurred_at": _at(30)},
    ):  # fmt: skip
        connection.execute(insert(consent_records).values(row))
    return {"form": form, "lead_magnet": magnet}


def _event(kind: str, days_ago: float, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "occurred_at": _at(days_ago).isoformat(), **fields}


def _behaviour(connection: Connection, ids: dict[str, int]) -> None:
    ua = "Mozilla/5.0 (Zelda's laptop)"
    batch = [
        _event(
            "page_view", 31, visitor_id="v-zelda", channel="organic_search", traffic="owned",
            properties={"url": "https://seller.example/erp?ref=zelda&utm_source=news",
                        "user_agent": ua, "ip": "198.51.100.7"},
        ),
        _event(
            "page_view", 30.5, visitor_id="v-zelda", channel="paid_search", traffic="bought",
            properties={"url": "https://seller.example/guide?gclid=abc", "referrer":
                        "https://search.example/?q=zelda+quimby"},
        ),
        _event(
            "form_submit", 30, email=EMAIL, visitor_id="v-zelda", channel="web",
            idempotency_key=f"form:erp-guide:{EMAIL}",
            properties={"form": "erp-guide", "cta": "soft", "email": EMAIL,
                        "first_name": "Zelda", "answers": {"responsibility": "IT"},
                        "comment": "Quimby here"},
        ),
        _event(
            "email_click", 5.5, email=EMAIL, channel="email", traffic="owned",
            properties={"url": f"https://seller.example/webinar?e={EMAIL}", "campaign": "march"},
        ),
        _event("page_view", 6, email=COLLEAGUE, properties={"url": "https://seller.example/x"}),
    ]  # fmt: skip
    result = ingest_events(connection, batch, now=_at(5))
    assert result.errors == [], result.errors
    stitch_visitor(connection, visitor_id="v-zelda", contact_id=ids["zelda"], now=_at(30))


def _sales(connection: Connection, ids: dict[str, int]) -> None:
    record_qualification(
        connection, ids["zelda"],
        Bant(budget="Zelda has 200k", authority="Zelda Quimby decides", need="faster close",
             timeline=date(2026, 9, 1)),
        user_id=ids["sales"], now=_at(4),
    )  # fmt: skip
    transition(
        connection,
        ids["zelda"],
        "sql",
        reason="Zelda asked for a call",
        now=_at(4),
        user_id=ids["marketing"],
    )
    connection.execute(
        insert(handovers).values(
            contact_id=ids["zelda"], account_id=ids["account"], owner_id=ids["sales"],
            assignment="account_owner", tier="gold", handed_over_at=_at(3), due_at=_at(1),
        )
    )  # fmt: skip
    record_meeting(
        connection,
        MeetingFields(
            occurred_at=_at(2),
            account_id=ids["account"],
            subject="Intro with Zelda",
            notes="Zelda Quimby wants a demo; reach her at zelda.quimby@northwind.example",
            attendees=[
                Attendee(contact_id=ids["zelda"], name="Zelda Quimby"),
                Attendee(name="Quimby's assistant"),
                Attendee(user_id=ids["sales"]),
            ],
        ),
        recorded_by=ids["sales"],
        now=_at(2),
    )
    upsert_opportunities(
        connection,
        [
            OpportunityFields(
                name="Northwind ERP (Zelda)", account_domain="northwind.example",
                contact_email=EMAIL, amount=Decimal("50000"), stage="Proposal",
                created_at=_at(1),
            )
        ],
        now=_at(1),
    )  # fmt: skip


def _mail_and_audit(connection: Connection, ids: dict[str, int]) -> None:
    for key, subject in (("opt-in:1", "Confirm, Zelda"), ("guide:1", "Your ERP guide, Zelda")):
        queue_mail(
            connection,
            OutgoingMail(
                kind="opt_in", dedupe_key=key, to_address=EMAIL, subject=subject,
                text_body=f"Hello Zelda Quimby, this went to {EMAIL}",
                html_body="<p>Hello Zelda</p>", contact_id=ids["zelda"],
            ),
            now=_at(30),
        )  # fmt: skip
    connection.execute(
        outbound_mail.update()
        .where(outbound_mail.c.dedupe_key == "opt-in:1")
        .values(status="sent", sent_at=_at(30), last_error=f"250 ok for {EMAIL}")
    )
    suppress(connection, EMAIL, reason="unsubscribed", source="unsubscribe link", now=_at(3))
    actor = Actor(ids["admin"], "203.0.113.5")
    record(connection, "export.run", EMAIL, actor=actor, now=_at(2), details={"to": EMAIL})
    record(
        connection,
        "export.run",
        "contacts",
        actor=actor,
        now=_at(2),
        details={"note": "list for Zelda Quimby"},
    )


def _new_id(connection: Connection, table: Any, **values: Any) -> int:
    new_id: int = connection.execute(
        insert(table).values(**values).returning(table.c.id)
    ).scalar_one()
    return new_id


def _nurture_and_understanding(connection: Connection, ids: dict[str, int]) -> None:
    at = _at(10)
    template = _new_id(
        connection, email_templates, slug="welcome", name="Welcome", subject="Hi {{first_name}}",
        html_body="<p>Hi</p>", text_body="Hi", created_at=at, updated_at=at,
    )  # fmt: skip
    programme = _new_id(
        connection, programmes, slug="welcome", name="Welcome", status="active",
        definition={
            "entry": {"event": "form_submit", "properties": {"form": "erp-guide"}},
            "goal_stages": ["sql"],
            "steps": [{"id": "s1", "type": "send_email", "template": "welcome"}],
        },
        created_at=at, updated_at=at,
    )  # fmt: skip
    enrolment = _new_id(
        connection, enrolments, programme_id=programme, contact_id=ids["zelda"], status="active",
        step="s1", programme_version=1, entered_at=at,
    )  # fmt: skip
    connection.execute(
        insert(enrolment_steps).values(
            enrolment_id=enrolment, step="s1", action="sent", at=at,
            detail={"note": "sent to Zelda", "template": "welcome"},
        )
    )  # fmt: skip
    send = _new_id(
        connection, mail_sends, dedupe_key="welcome:zelda", template_id=template,
        enrolment_id=enrolment, step="s1", contact_id=ids["zelda"],
        to_domain="northwind.example", status="bounced", attempts=1, not_before=at,
        last_error=f"550 5.1.1 <{EMAIL}>: no such user", created_at=at,
    )  # fmt: skip
    connection.execute(
        insert(bounce_reports).values(
            send_id=send, email_key=EMAIL, kind="hard", status_code="5.1.1",
            diagnostic=f"Recipient Zelda Quimby <{EMAIL}> unknown", source="imap",
            received_at=at,
        )
    )  # fmt: skip
    worry = _new_id(
        connection, worries, slug="erp-risk", name="ERP risk", created_at=at, updated_at=at
    )
    connection.execute(
        insert(contact_worries).values(
            contact_id=ids["zelda"], worry_id=worry, value=2.5, valid_at=at
        )
    )
    study = _new_id(connection, kano_studies, slug="portal", name="Portal", created_at=at)
    feature = _new_id(connection, kano_features, study_id=study, name="Self service", position=0)
    connection.execute(
        insert(kano_answers).values(
            study_id=study, feature_id=feature, respondent=EMAIL, functional=1, dysfunctional=5
        )
    )
    grid = _new_id(connection, need_grids, slug="needs", name="Needs", created_at=at, updated_at=at)
    connection.execute(
        insert(grid_raters).values(
            grid_id=grid, name="Zelda Quimby", source="customer", created_at=at
        )
    )


__all__ = ["COLLEAGUE", "EMAIL", "NOW", "PERSONAL", "QUESTIONS", "build_privacy_world"]
