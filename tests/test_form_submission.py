"""Submitting a form and confirming the double opt-in: exactly what is stored, and when not."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, insert, select

from forms_world import NOW, PUBLIC_URL, WORDING, count, seed_forms
from silverplatter.domain.forms import FieldError, InvalidSubmission
from silverplatter.services.audit import Actor
from silverplatter.services.form_submission import (
    FormNotOpen,
    SubmissionOutcome,
    confirm_opt_in,
    submit,
)
from silverplatter.services.forms import update_form
from silverplatter.services.outbox import SmtpTarget, SmtpTransport, deliver_pending
from silverplatter.services.signing import InvalidLink, Signer, signer_for
from silverplatter.services.suppression import is_suppressed, suppress
from silverplatter.storage.capture_schema import form_submissions, outbound_mail
from silverplatter.storage.schema import consent_records, contacts, events

LEA = {
    "email": "Lea.Laine@Buyer.example",
    "first_name": "Lea",
    "company": "Buyer Oy",
    "topics_of_interest": ["ERP", "BI"],
    "responsibilities": "IT",
    "consent": "on",
}


def _submit(
    engine: Engine,
    payload: dict[str, Any],
    *,
    slug: str = "newsletter",
    at: timedelta = timedelta(0),
    visitor_id: str | None = None,
) -> SubmissionOutcome:
    with engine.begin() as connection:
        return submit(
            connection,
            slug,
            payload,
            ip="198.51.100.7",
            visitor_id=visitor_id,
            now=NOW + at,
            signer=signer_for(connection),
            public_url=PUBLIC_URL,
        )


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _consents(engine: Engine) -> list[tuple[Any, ...]]:
    r = consent_records.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                r.contact_id, r.channel, r.action, r.wording, r.wording_version, r.source,
                r.occurred_at, r.ip_address,
            ).order_by(r.id)
        )  # fmt: skip
        return [tuple(row) for row in rows]


def _mails(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(outbound_mail).order_by(outbound_mail.c.id)))


def _signer(engine: Engine) -> Signer:
    with engine.connect() as connection:
        return signer_for(connection)


def test_a_submission_stores_the_contact_event_consent_and_the_confirmation_mail(
    engine: Engine,
) -> None:
    forms = seed_forms(engine)
    outcome = _submit(engine, LEA)
    assert outcome.message == (
        "Thank you! Please check your inbox and click the link to confirm your address."
    )
    assert (outcome.opt_in, outcome.mail, outcome.contact_created) == (
        "unconfirmed",
        "queued",
        True,
    )
    contact_id, submission_id = outcome.contact_id, outcome.submission_id
    signer = _signer(engine)
    assert outcome.download_url is not None
    assert outcome.download_url.startswith(f"{PUBLIC_URL}/capture/downloads/")
    magnet_id = forms["newsletter"].lead_magnet_id
    assert signer.verify("download", _token(outcome.download_url), now=NOW) == {
        "m": magnet_id,
        "c": contact_id,
    }
    with engine.connect() as connection:
        person = connection.execute(select(contacts).where(contacts.c.id == contact_id)).one()
        submission = connection.execute(select(form_submissions)).one()
        event = connection.execute(select(events)).one()
    assert (person.email, person.first_name, person.source) == (
        "Lea.Laine@buyer.example",
        "Lea",
        "form:newsletter",
    )
    assert person.custom == {"topics": ["ERP", "BI"]}
    assert person.account_id is not None
    assert (submission.id, submission.contact_id, submission.opt_in) == (
        submission_id,
        contact_id,
        "unconfirmed",
    )
    assert submission.answers == {"topics_of_interest": ["ERP", "BI"], "responsibilities": "IT"}
    assert submission.consent_wording_id == forms["newsletter"].wording_id
    assert (submission.ip_address, submission.submitted_at) == ("198.51.100.7", NOW)
    assert (event.type, event.contact_id, event.channel, event.occurred_at) == (
        "form_submit",
        contact_id,
        "web",
        NOW,
    )
    assert event.idempotency_key == f"form_submission:{submission_id}"
    assert event.properties == {
        "form": "newsletter",
        "cta": "soft",
        "submission_id": submission_id,
        "answers": {"topics_of_interest": ["ERP", "BI"], "responsibilities": "IT"},
        "lead_magnet": "erp-guide",
    }
    assert _consents(engine) == [
        (contact_id, "email", "granted", WORDING, "1", "form:newsletter", NOW, "198.51.100.7")
    ]
    [mail] = _mails(engine)
    assert (mail.kind, mail.to_address, mail.contact_id, mail.status) == (
        "opt_in_confirmation",
        "Lea.Laine@buyer.example",
        contact_id,
        "queued",
    )
    assert mail.subject == "Please confirm your subscription to Seller Oy"
    assert mail.dedupe_key == f"opt_in_confirmation:{contact_id}:20260302T09"
    confirm = next(
        line
        for line in mail.text_body.splitlines()
        if line.startswith(f"{PUBLIC_URL}/capture/opt-in/")
    )
    assert signer.verify("opt_in", _token(confirm), now=NOW) == {"s": submission_id}
    assert outcome.download_url in mail.text_body
    assert f'You agreed to: "{WORDING}"' in mail.text_body
    assert mail.text_body.startswith("Hello Lea,\n")
    assert f'<a href="{confirm}">Yes, confirm my subscription</a>' in mail.html_body


def test_user_written_words_are_escaped_in_the_html_mail(engine: Engine) -> None:
    seed_forms(engine)
    _submit(engine, {**LEA, "first_name": "<b>Lea</b> {{ 7*7 }}"})
    [mail] = _mails(engine)
    assert "Hello &lt;b&gt;Lea&lt;/b&gt; {{ 7*7 }}," in mail.html_body
    assert mail.text_body.startswith("Hello <b>Lea</b> {{ 7*7 }},\n")


def test_a_hard_single_opt_in_form_records_consent_and_sends_no_mail(engine: Engine) -> None:
    seed_forms(engine)
    outcome = _submit(
        engine,
        {"email": "otto@buyer.example", "first_name": "Otto", "last_name": "Oja", "consent": "1"},
        slug="request-a-meeting",
    )
    assert outcome.message == "Thank you! We will call you within one working day."
    assert (outcome.opt_in, outcome.mail, outcome.download_url) == ("not_required", None, None)
    assert _mails(engine) == []
    with engine.connect() as connection:
        event = connection.execute(select(events.c.properties)).scalar_one()
    assert event["cta"] == "hard"
    assert [row[2:6] for row in _consents(engine)] == [
        ("granted", "Yes, contact me about my request by e-mail or phone.", "1",
         "form:request-a-meeting")
    ]  # fmt: skip


def test_resubmitting_does_not_duplicate_consent_or_mail(engine: Engine) -> None:
    seed_forms(engine)
    first = _submit(engine, LEA)
    again = _submit(engine, {**LEA, "first_name": "Leena"}, at=timedelta(minutes=10))
    assert (again.opt_in, again.mail, again.contact_created) == ("unconfirmed", "recent", False)
    assert again.contact_id == first.contact_id
    assert len(_consents(engine)) == 1
    assert len(_mails(engine)) == 1
    # an hour after the first mail the confirmation may be sent again, once
    later = _submit(engine, LEA, at=timedelta(minutes=61))
    assert later.mail == "queued"
    assert _submit(engine, LEA, at=timedelta(minutes=62)).mail == "recent"
    assert len(_mails(engine)) == 2
    assert len(_consents(engine)) == 1
    with engine.connect() as connection:
        assert connection.execute(select(contacts.c.first_name)).scalar_one() == "Lea"
        statuses = connection.execute(
            select(form_submissions.c.opt_in).order_by(form_submissions.c.id)
        ).scalars()
        assert list(statuses) == ["unconfirmed"] * 4


def test_a_confirmed_address_gets_no_new_mail_and_no_second_granted_record(
    engine: Engine,
) -> None:
    seed_forms(engine)
    first = _submit(engine, LEA)
    with engine.begin() as connection:
        mail = connection.execute(select(outbound_mail.c.text_body)).scalar_one()
        token = _token(next(line for line in mail.splitlines() if "/capture/opt-in/" in line))
        confirm_opt_in(
            connection,
            token,
            now=NOW + timedelta(minutes=5),
            signer=signer_for(connection),
            ip="198.51.100.8",
        )
    again = _submit(engine, LEA, at=timedelta(hours=3))
    assert (again.opt_in, again.mail) == ("not_required", None)
    other_form = _submit(
        engine,
        {"email": "lea.laine@buyer.example", "first_name": "Lea", "last_name": "Laine",
         "consent": "on"},
        slug="request-a-meeting",
        at=timedelta(hours=4),
    )  # fmt: skip
    assert other_form.opt_in == "not_required"
    assert len(_mails(engine)) == 1
    assert [(row[0], row[2], row[4], row[5], row[6], row[7]) for row in _consents(engine)] == [
        (first.contact_id, "granted", "1", "form:newsletter", NOW, "198.51.100.7"),
        (first.contact_id, "confirmed", "1", "form:newsletter", NOW + timedelta(minutes=5),
         "198.51.100.8"),
    ]  # fmt: skip


def test_each_change_of_wording_is_a_new_version_and_consent_cites_it(engine: Engine) -> None:
    forms = seed_forms(engine)
    _submit(engine, LEA)
    new_wording = "Yes, email me the newsletter. I can unsubscribe from any message."
    with engine.begin() as connection:
        changed = update_form(
            connection,
            forms["newsletter"].id,
            {"consent_wording": new_wording},
            actor=Actor(None),
            now=NOW + timedelta(days=1),
        )
    assert (changed.version, changed.wording_version) == (2, 2)
    outcome = _submit(engine, LEA, at=timedelta(days=2))
    assert [(row[2], row[3], row[4]) for row in _consents(engine)] == [
        ("granted", WORDING, "1"),
        ("granted", new_wording, "2"),
    ]
    with engine.connect() as connection:
        wording_ids = connection.execute(
            select(form_submissions.c.consent_wording_id).order_by(form_submissions.c.id)
        ).scalars()
        assert list(wording_ids) == [forms["newsletter"].wording_id, changed.wording_id]
    assert outcome.opt_in == "unconfirmed"


def test_confirming_is_recorded_once_and_a_second_click_is_told_so(engine: Engine) -> None:
    seed_forms(engine)
    first = _submit(engine, LEA)
    second = _submit(engine, LEA, at=timedelta(minutes=2))
    signer = _signer(engine)
    token = signer.sign("opt_in", {"s": first.submission_id}, now=NOW)
    with engine.begin() as connection:
        done = confirm_opt_in(
            connection,
            token,
            now=NOW + timedelta(hours=1),
            signer=signer,
            ip="198.51.100.9",
            public_url=PUBLIC_URL,
        )
    assert (done.already_confirmed, done.form_name, done.contact_id) == (
        False,
        "Newsletter",
        first.contact_id,
    )
    assert done.download_url is not None and "/capture/downloads/" in done.download_url
    with engine.begin() as connection:
        repeat = confirm_opt_in(
            connection, token, now=NOW + timedelta(hours=2), signer=signer, ip=None
        )
    assert repeat.already_confirmed is True
    assert [row[2] for row in _consents(engine)] == ["granted", "confirmed"]
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                form_submissions.c.id, form_submissions.c.opt_in, form_submissions.c.confirmed_at
            ).order_by(form_submissions.c.id)
        ).all()
        confirmed = connection.execute(
            select(
                events.c.contact_id, events.c.channel, events.c.properties, events.c.occurred_at
            ).where(events.c.type == "email_opt_in_confirmed")
        ).all()
    hour = NOW + timedelta(hours=1)
    assert [tuple(row) for row in rows] == [
        (first.submission_id, "confirmed", hour),
        (second.submission_id, "confirmed", hour),
    ]
    assert [tuple(row) for row in confirmed] == [
        (
            first.contact_id,
            "email",
            {"form": "newsletter", "submission_id": first.submission_id},
            hour,
        )
    ]


def test_forged_altered_expired_and_misdirected_links_are_refused(engine: Engine) -> None:
    seed_forms(engine)
    outcome = _submit(engine, LEA)
    signer = _signer(engine)
    genuine = signer.sign("opt_in", {"s": outcome.submission_id}, now=NOW)
    forged = Signer("not-the-workspace-key").sign("opt_in", {"s": outcome.submission_id}, now=NOW)
    rest = genuine.partition(".")[2]
    other = signer.sign("opt_in", {"s": outcome.submission_id + 1}, now=NOW)
    altered = other.partition(".")[0] + "." + rest  # someone else's payload, our signature
    flipped = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    download = signer.sign("download", {"m": 1, "c": outcome.contact_id}, now=NOW)
    cases = {
        "forged": (forged, NOW, False),
        "altered": (altered, NOW, False),
        "flipped": (flipped, NOW, False),
        "another purpose": (download, NOW, False),
        "expired": (genuine, NOW + timedelta(days=7, seconds=1), True),
        "garbage": ("not-a-token", NOW, False),
    }
    for name, (token, when, expired) in cases.items():
        with engine.begin() as connection, pytest.raises(InvalidLink) as caught:
            confirm_opt_in(connection, token, now=when, signer=signer, ip=None)
        assert caught.value.expired is expired, name
    assert [row[2] for row in _consents(engine)] == ["granted"]
    with engine.begin() as connection:
        done = confirm_opt_in(
            connection, genuine, now=NOW + timedelta(days=6), signer=signer, ip=None
        )
    assert done.already_confirmed is False


def test_a_person_who_unsubscribed_after_asking_cannot_confirm_the_old_link(
    engine: Engine,
) -> None:
    seed_forms(engine)
    outcome = _submit(engine, LEA)
    with engine.begin() as connection:
        connection.execute(
            insert(consent_records).values(
                contact_id=outcome.contact_id,
                channel="email",
                action="withdrawn",
                source="email:unsubscribe",
                occurred_at=NOW + timedelta(hours=1),
            )
        )
    signer = _signer(engine)
    token = signer.sign("opt_in", {"s": outcome.submission_id}, now=NOW)
    with engine.begin() as connection, pytest.raises(InvalidLink) as caught:
        confirm_opt_in(connection, token, now=NOW + timedelta(hours=2), signer=signer, ip=None)
    assert str(caught.value) == (
        "You unsubscribed after asking for this; fill in the form again to subscribe."
    )


def test_a_submission_is_stored_while_the_smtp_server_is_down(engine: Engine) -> None:
    seed_forms(engine)
    outcome = _submit(engine, LEA)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = SmtpTransport(SmtpTarget("127.0.0.1", port), timeout=2)
    report = deliver_pending(engine, down, sender="Seller <news@seller.example>", clock=lambda: NOW)
    assert (report.sent, report.retried) == (0, 1)
    [mail] = _mails(engine)
    assert (mail.status, mail.attempts) == ("queued", 1)
    with engine.connect() as connection:
        assert count(connection, form_submissions) == 1
        assert count(connection, consent_records) == 1
    received: list[bytes] = []

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope.original_content)
            return "250 OK"

    server = Controller(Keep(), hostname="127.0.0.1", port=port)
    server.start()
    try:
        up = SmtpTransport(SmtpTarget("127.0.0.1", port), timeout=5)
        later = deliver_pending(
            engine,
            up,
            sender="Seller <news@seller.example>",
            clock=lambda: NOW + timedelta(minutes=2),
        )
    finally:
        server.stop()
    assert later.sent == 1
    assert len(received) == 1
    assert b"/capture/opt-in/" in received[0]
    assert outcome.submission_id is not None


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(engine: Engine) -> None:
    seed_forms(engine)
    outcome = _submit(engine, {**LEA, "website": "http://cheap-pills.example"})
    assert outcome == SubmissionOutcome(
        message="Thank you! Please check your inbox and click the link to confirm your address."
    )
    with engine.connect() as connection:
        for table in (form_submissions, contacts, events, consent_records, outbound_mail):
            assert count(connection, table) == 0, table.name


def test_a_refused_submission_leaves_nothing_behind(engine: Engine) -> None:
    seed_forms(engine)
    with pytest.raises(InvalidSubmission) as caught:
        _submit(engine, {**LEA, "email": "lea@", "responsibilities": "Sales", "consent": ""})
    assert caught.value.errors == [
        FieldError("email", "enter a valid e-mail address, such as name@company.com"),
        FieldError(
            "responsibilities",
            "'Sales' is not an answer to this question; choose from IT, Finance, Operations",
        ),
        FieldError("consent", "tick the box to agree before sending the form"),
    ]
    with engine.connect() as connection:
        assert count(connection, form_submissions) == 0
        assert count(connection, contacts) == 0


def test_closed_and_unknown_forms_take_no_submissions(engine: Engine) -> None:
    forms = seed_forms(engine)
    with engine.begin() as connection:
        update_form(
            connection, forms["newsletter"].id, {"active": False}, actor=Actor(None), now=NOW
        )
    for slug in ("newsletter", "no-such-form"):
        with pytest.raises(FormNotOpen):
            _submit(engine, LEA, slug=slug)


def _existing_lea(engine: Engine, reason: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(contacts).values(
                email="lea.laine@buyer.example",
                email_key="lea.laine@buyer.example",
                source="import:hubspot",
                custom={},
                created_at=NOW,
                updated_at=NOW,
            )
        )
        suppress(connection, "lea.laine@buyer.example", reason=reason, source="test", now=NOW)


def test_an_existing_contact_keeps_its_source_and_a_bounced_one_gets_no_mail(
    engine: Engine,
) -> None:
    seed_forms(engine)
    _existing_lea(engine, "hard_bounce")
    outcome = _submit(engine, LEA)
    assert (outcome.contact_created, outcome.mail) == (False, "suppressed")
    with engine.connect() as connection:
        assert connection.execute(select(contacts.c.source)).scalar_one() == "import:hubspot"


def test_one_who_unsubscribed_may_subscribe_again_by_confirming(engine: Engine) -> None:
    """The confirmation they asked for goes out; confirming takes them off the list."""
    seed_forms(engine)
    _existing_lea(engine, "unsubscribed")
    outcome = _submit(engine, LEA)
    assert outcome.mail == "queued"
    with engine.connect() as connection:
        assert is_suppressed(connection, "lea.laine@buyer.example") == "unsubscribed"
    signer = _signer(engine)
    token = signer.sign("opt_in", {"s": outcome.submission_id}, now=NOW)
    with engine.begin() as connection:
        confirm_opt_in(connection, token, now=NOW + timedelta(hours=1), signer=signer, ip=None)
    with engine.connect() as connection:
        assert is_suppressed(connection, "lea.laine@buyer.example") is None


def test_earlier_anonymous_visits_join_the_contact(engine: Engine) -> None:
    seed_forms(engine)
    with engine.begin() as connection:
        for minute, url in ((1, "/pricing"), (2, "/guides/erp")):
            connection.execute(
                insert(events).values(
                    key_hash=minute,
                    idempotency_key=f"view-{minute}",
                    type="page_view",
                    occurred_at=NOW - timedelta(minutes=10 - minute),
                    visitor_id="v-0123456789abcdef",
                    channel="organic_search",
                    properties={"url": url},
                    received_at=NOW,
                )
            )
    outcome = _submit(engine, LEA, visitor_id="v-0123456789abcdef")
    assert outcome.stitched == 2
    with engine.connect() as connection:
        owners = connection.execute(
            select(events.c.type, events.c.contact_id, events.c.visitor_id).order_by(
                events.c.occurred_at
            )
        ).all()
    assert [tuple(row) for row in owners] == [
        ("page_view", outcome.contact_id, "v-0123456789abcdef"),
        ("page_view", outcome.contact_id, "v-0123456789abcdef"),
        ("form_submit", outcome.contact_id, "v-0123456789abcdef"),
    ]
    # a visitor id that is not one the snippet makes is ignored, not an error
    odd = _submit(engine, LEA, at=timedelta(minutes=5), visitor_id="<script>")
    assert odd.stitched == 0
    with engine.connect() as connection:
        assert count(connection, form_submissions, form_submissions.c.visitor_id.is_(None)) == 1
