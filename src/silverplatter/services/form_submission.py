"""Accepting a form submission, and confirming its double opt-in.

``submit`` does everything in the caller's transaction, so a submission is
never half-stored: the submission row, the ``form_submit`` event (which
creates or updates the contact, with the answers kept in their properties),
the contact's source, the consent record and the confirmation mail in the
outbox.  Mail is only queued here, so a submission is stored even when the
SMTP server is down; the outbox delivers it later.

Re-submitting does not duplicate consent: an address already confirmed gets
no second granted record and no confirmation mail; an unconfirmed one is
sent the confirmation again at most once an hour.  A filled-in honeypot is
answered like a success and stores nothing.

``confirm_opt_in`` honours the signed link of the confirmation mail once:
the person's submissions become confirmed, the ledger gets a ``confirmed``
record in the words they agreed to, and the timeline an
``email_opt_in_confirmed`` event.  A second click is told it is already done.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, select

from silverplatter.domain.forms import (
    FieldError,
    InvalidSubmission,
    Submission,
    check_submission,
    is_robot,
)
from silverplatter.services.forms import Form, find_form
from silverplatter.services.ingest import ingest_events
from silverplatter.services.opt_in_mail import KIND, opt_in_mail
from silverplatter.services.outbox import OutgoingMail, queue_mail
from silverplatter.services.signing import InvalidLink, Signer
from silverplatter.services.stitching import stitch_visitor
from silverplatter.services.suppression import lift
from silverplatter.storage import consent_ledger as ledger
from silverplatter.storage import form_submissions as store
from silverplatter.storage.forms import wording_by_id, workspace_title
from silverplatter.storage.schema import contacts

#: An unconfirmed address is sent the confirmation at most this often.
RESEND_AFTER: Final = timedelta(hours=1)
CONFIRMED_EVENT: Final = "email_opt_in_confirmed"
_VISITOR_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_NOT_OURS: Final = "This link is not valid: it was altered or not made by us."


class FormNotOpen(LookupError):
    """No form with that slug takes submissions (none exists, or it is switched off)."""


@dataclass(frozen=True)
class SubmissionOutcome:
    """What the person is told, and what was stored (nothing for a robot)."""

    message: str
    download_url: str | None = None
    submission_id: int | None = None
    contact_id: int | None = None
    #: unconfirmed, confirmed or not_required
    opt_in: str | None = None
    #: The confirmation mail: queued, suppressed, duplicate, recent (sent within the hour), None.
    mail: str | None = None
    contact_created: bool = False
    stitched: int = 0


def _visitor(visitor_id: str | None) -> str | None:
    """The tracking snippet's visitor id, when it looks like one; anything else is ignored."""
    if visitor_id and _VISITOR_ID.match(visitor_id.strip()):
        return visitor_id.strip()
    return None


def _link(public_url: str, path: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/capture/{path}/{token}"


def _ingest(
    connection: Connection,
    form: Form,
    accepted: Submission,
    submission_id: int,
    visitor_id: str | None,
    now: datetime,
    defer_scoring: bool,
) -> tuple[int, bool]:
    """Append the ``form_submit`` event (creating or updating the contact); its id, and if new."""
    properties: dict[str, Any] = {
        "form": form.slug,
        "cta": form.definition.cta_kind,
        "submission_id": submission_id,
        "answers": accepted.answers,
    }
    if form.definition.lead_magnet:
        properties["lead_magnet"] = form.definition.lead_magnet
    event = {
        "type": "form_submit",
        "occurred_at": now,
        "idempotency_key": f"form_submission:{submission_id}",
        "email": accepted.email,
        "visitor_id": visitor_id,
        "channel": "web",
        "properties": properties,
        "contact": accepted.contact,
    }
    result = ingest_events(connection, [event], now=now, defer=defer_scoring)
    if result.errors:
        raise InvalidSubmission([_field_error(error.message) for error in result.errors])
    contact_id = connection.execute(
        select(contacts.c.id).where(contacts.c.email_key == accepted.email.lower())
    ).scalar_one()
    return int(contact_id), result.contacts_created > 0


def _field_error(message: str) -> FieldError:
    """An error the contact's own checks raised, named after the form's field where possible."""
    match = re.match(r"^(?:custom\.)?([a-z][a-z0-9_]*): (.*)$", message)
    if match is None:
        return FieldError("email", message)
    name, text = match.groups()
    return FieldError("company" if name == "account_name" else name, text)


def _grant(
    connection: Connection, form: Form, contact_id: int, ip: str | None, now: datetime
) -> str:
    """Record consent unless it is already on the ledger; the submission's opt-in status."""
    source = f"form:{form.slug}"
    latest = ledger.latest_consent(connection, contact_id, "email")
    confirmed = latest is not None and latest.action == "confirmed"
    repeated = (
        latest is not None
        and latest.action == "granted"
        and latest.source == source
        and latest.wording_version == str(form.wording_version)
    )
    if not (confirmed or repeated):
        ledger.record_consent(
            connection,
            contact_id=contact_id,
            channel="email",
            action="granted",
            wording=form.definition.consent_wording,
            wording_version=str(form.wording_version),
            source=source,
            occurred_at=now,
            ip_address=ip,
        )
    return "unconfirmed" if form.definition.double_opt_in and not confirmed else "not_required"


def _download_url(
    form: Form, contact_id: int, *, signer: Signer, public_url: str, now: datetime
) -> str | None:
    if form.lead_magnet_id is None or not form.lead_magnet_active:
        return None
    token = signer.sign("download", {"m": form.lead_magnet_id, "c": contact_id}, now=now)
    return _link(public_url, "downloads", token)


def _send_confirmation(
    connection: Connection,
    form: Form,
    accepted: Submission,
    contact_id: int,
    submission_id: int,
    *,
    download_url: str | None,
    signer: Signer,
    public_url: str,
    now: datetime,
) -> str:
    """Queue the confirmation mail unless one went to the address within the hour."""
    if store.mail_queued_since(connection, KIND, contact_id, now - RESEND_AFTER):
        return "recent"
    token = signer.sign("opt_in", {"s": submission_id}, now=now)
    mail = opt_in_mail(
        sender=workspace_title(connection) or "us",
        form_name=form.name,
        wording=form.definition.consent_wording,
        confirm_url=_link(public_url, "opt-in", token),
        first_name=accepted.contact.get("first_name"),
        download_url=download_url,
    )
    hour = now.strftime("%Y%m%dT%H")
    return queue_mail(
        connection,
        OutgoingMail(
            kind=KIND,
            dedupe_key=f"{KIND}:{contact_id}:{hour}",
            to_address=accepted.email,
            subject=mail.subject,
            text_body=mail.text,
            html_body=mail.html,
            contact_id=contact_id,
        ),
        now=now,
    )


def submit(
    connection: Connection,
    form_slug: str,
    payload: Mapping[str, Any],
    *,
    ip: str | None,
    visitor_id: str | None,
    now: datetime,
    signer: Signer,
    public_url: str,
    defer_scoring: bool = False,
) -> SubmissionOutcome:
    """Accept a submission to the form in the caller's transaction.

    Raises :class:`FormNotOpen` for an unknown or inactive form and
    :class:`InvalidSubmission` (one error per field) for bad answers; the
    caller then rolls back, so nothing of a refused submission stays.  With
    ``defer_scoring`` the event waits in the scoring backlog (the web
    endpoint: the backlog scorer folds it in moments later) instead of being
    scored before this returns.
    """
    form = find_form(connection, form_slug)
    if form is None or not form.definition.active:
        raise FormNotOpen(f"there is no open form {form_slug!r}")
    if is_robot(payload):
        return SubmissionOutcome(message=form.definition.thanks)
    accepted = check_submission(form.definition, payload)
    visitor = _visitor(visitor_id)
    submission_id = store.insert_submission(
        connection,
        {
            "form_id": form.id,
            "consent_wording_id": form.wording_id,
            "visitor_id": visitor,
            "answers": accepted.answers,
            "opt_in": "not_required",
            "ip_address": ip[:45] if ip else None,
            "submitted_at": now,
        },
    )
    contact_id, created = _ingest(
        connection, form, accepted, submission_id, visitor, now, defer_scoring
    )
    if created:
        store.set_source_if_empty(connection, contact_id, f"form:{form.slug}")
    opt_in = _grant(connection, form, contact_id, ip, now)
    store.update_submission(connection, submission_id, {"contact_id": contact_id, "opt_in": opt_in})
    download_url = _download_url(form, contact_id, signer=signer, public_url=public_url, now=now)
    mail = None
    if opt_in == "unconfirmed":
        mail = _send_confirmation(
            connection,
            form,
            accepted,
            contact_id,
            submission_id,
            download_url=download_url,
            signer=signer,
            public_url=public_url,
            now=now,
        )
    stitched = 0
    if visitor is not None:
        stitched = stitch_visitor(connection, visitor_id=visitor, contact_id=contact_id, now=now)
    return SubmissionOutcome(
        message=form.definition.thanks,
        download_url=download_url,
        submission_id=submission_id,
        contact_id=contact_id,
        opt_in=opt_in,
        mail=mail,
        contact_created=created,
        stitched=stitched,
    )


@dataclass(frozen=True)
class OptInOutcome:
    """What the person who clicked the confirmation link is told."""

    already_confirmed: bool
    form_name: str
    contact_id: int
    download_url: str | None = None


def _submission_id(payload: Mapping[str, Any]) -> int:
    value = payload.get("s")
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidLink(_NOT_OURS)
    return value


def confirm_opt_in(
    connection: Connection,
    token: str,
    *,
    now: datetime,
    signer: Signer,
    ip: str | None,
    public_url: str | None = None,
    defer_scoring: bool = False,
) -> OptInOutcome:
    """Confirm the subscription the link was made for; idempotent.

    With ``public_url`` the outcome carries a fresh download link when the
    form offers a lead magnet.

    Raises :class:`InvalidLink` for a forged, altered or expired link, for a
    submission that no longer exists, and for a person who unsubscribed after
    asking (they subscribe again through the form).
    """
    submission_id = _submission_id(signer.verify("opt_in", token, now=now))
    row = store.submission_with_form(connection, submission_id)
    if row is None or row.contact_id is None:
        raise InvalidLink(
            "This link no longer leads anywhere; fill in the form again to subscribe."
        )
    contact_id = int(row.contact_id)
    latest = ledger.latest_consent(connection, contact_id, "email")
    if (
        latest is not None
        and latest.action == "withdrawn"
        and latest.occurred_at > row.submitted_at
    ):
        raise InvalidLink(
            "You unsubscribed after asking for this; fill in the form again to subscribe."
        )
    form = find_form(connection, row.form_slug)
    download_url = None
    if form is not None and public_url is not None:
        download_url = _download_url(
            form, contact_id, signer=signer, public_url=public_url, now=now
        )
    if row.opt_in != "unconfirmed" or (latest is not None and latest.action == "confirmed"):
        store.confirm_unconfirmed(connection, contact_id, now)
        return OptInOutcome(True, row.form_name, contact_id, download_url)
    if not store.claim_confirmation(connection, submission_id, now):
        return OptInOutcome(True, row.form_name, contact_id, download_url)
    store.confirm_unconfirmed(connection, contact_id, now)
    wording = wording_by_id(connection, row.consent_wording_id) if row.consent_wording_id else None
    ledger.record_consent(
        connection,
        contact_id=contact_id,
        channel="email",
        action="confirmed",
        wording=wording.wording if wording is not None else None,
        wording_version=str(wording.version) if wording is not None else None,
        source=f"form:{row.form_slug}",
        occurred_at=now,
        ip_address=ip,
    )
    # A person who once unsubscribed and has now confirmed a new opt-in may be mailed again.
    email = connection.execute(select(contacts.c.email).where(contacts.c.id == contact_id))
    address = email.scalar()
    if address:
        lift(connection, address, only="unsubscribed")
    ingest_events(
        connection,
        [
            {
                "type": CONFIRMED_EVENT,
                "occurred_at": now,
                "idempotency_key": f"opt_in_confirmed:{submission_id}",
                "contact_id": contact_id,
                "channel": "email",
                "properties": {"form": row.form_slug, "submission_id": submission_id},
            }
        ],
        now=now,
        defer=defer_scoring,
    )
    return OptInOutcome(False, row.form_name, contact_id, download_url)


__all__ = [
    "CONFIRMED_EVENT",
    "FormNotOpen",
    "OptInOutcome",
    "SubmissionOutcome",
    "confirm_opt_in",
    "submit",
]
