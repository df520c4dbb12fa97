"""Erasing a person from the contact page: a confirmation form, then what was done.

``GET /contacts/{id}/erase`` explains what erasure removes and asks the admin
to type the person's address; ``POST`` erases only when the typed address is
the contact's (otherwise the form comes back, 422, saying so) and shows the
rows changed per table.  The export is the API's download
(``/api/v1/contacts/{id}/export``), linked from the contact page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from silverplatter.domain.privacy import confirms_address
from silverplatter.services.privacy import Person, erase_person, person
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Eraser = Annotated[Principal, Depends(requires("privacy:erase"))]
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]

#: What the erasure summary's table names mean, in the order the page lists them.
TABLE_WORDS = {
    "contacts": "contact record anonymised",
    "events": "events stripped of personal data",
    "visitors": "web visitor ids forgotten",
    "form_submissions": "form submissions scrubbed",
    "consent_records": "consent records kept as anonymous proof",
    "outbound_mail": "mails scrubbed (unsent ones stopped)",
    "meetings": "meeting notes with mentions removed",
    "meeting_attendees": "meeting attendee names removed",
    "opportunities": "opportunities with mentions removed",
    "qualifications": "BANT records with mentions removed",
    "stage_transitions": "stage-move reasons with mentions removed",
    "audit_log": "audit entries with mentions removed",
    "mail_sends": "nurture mails with mentions removed",
    "bounce_reports": "bounce reports without the address",
    "enrolment_steps": "programme step notes with mentions removed",
    "kano_answers": "Kano answers made anonymous",
    "grid_raters": "needs-grid raters made anonymous",
    "suppressions": "address kept on the suppression list as a digest",
}


def _person(request: Request, contact_id: int) -> Person:
    engine: Engine = request.app.state.engine
    with engine.connect() as connection:
        try:
            return person(connection, contact_id)
        except LookupError:
            raise Problem(404, "there is no such contact") from None


def _form(
    request: Request, who: Person, *, typed: str = "", error: str | None = None
) -> HTMLResponse:
    context = {"person": who, "typed": typed, "error": error}
    return render(request, "privacy_erase.html", context, status_code=422 if error else 200)


@router.get("/contacts/{contact_id}/erase", response_class=HTMLResponse)
def erase_form(request: Request, principal: Eraser, contact_id: RecordId) -> HTMLResponse:
    """What erasure does, and the address to type to confirm it."""
    return _form(request, _person(request, contact_id))


@router.post("/contacts/{contact_id}/erase", response_class=HTMLResponse)
def erase(
    request: Request,
    principal: Eraser,
    contact_id: RecordId,
    confirm_email: Annotated[str, Form(max_length=320)] = "",
) -> HTMLResponse:
    """Erase the person once the typed address matches theirs."""
    who = _person(request, contact_id)
    if not who.erased and not confirms_address(confirm_email, who.email):
        message = (
            "type the person's e-mail address to confirm"
            if not confirm_email.strip()
            else "the address typed is not this person's; nothing was erased"
        )
        return _form(request, who, typed=confirm_email, error=message)
    engine: Engine = request.app.state.engine
    with engine.begin() as connection:
        summary = erase_person(
            connection, contact_id, actor=actor_of(request, principal), now=clock(request)
        )
    lines = [
        (TABLE_WORDS.get(table, table.replace("_", " ")), count)
        for table, count in sorted(
            summary.counts.items(),
            key=lambda item: list(TABLE_WORDS).index(item[0]) if item[0] in TABLE_WORDS else 99,
        )
    ]
    context = {"summary": summary, "lines": lines, "person": who}
    return render(request, "privacy_erased.html", context)
