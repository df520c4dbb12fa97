"""The contact page and the account page, with the contact's timeline as an htmx partial.

Thin adapters: each route asks a read-model service (``services/contact_view``,
``services/account_view``) for the page at the request's clock and renders it.
A record that is missing, or that a salesperson does not own, is a 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from silverplatter.domain.sales_card import window_text
from silverplatter.domain.worry_profile import FADED
from silverplatter.services.account_view import COVERAGE_WORDS, account_page, role_label
from silverplatter.services.champion_moves_view import account_moves, contact_employment
from silverplatter.services.contact_view import contact_page, stage_label, timeline
from silverplatter.services.predictive import explained
from silverplatter.services.sessions import Principal
from silverplatter.services.tasks import open_tasks_about
from silverplatter.services.worry_profiles import account_worries_at, contact_worries_at, half_life
from silverplatter.web.charts import Series, line_chart
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("records:read"))]
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Before = Annotated[
    int | None, Query(ge=1, le=2**63 - 1, description="the last event of the previous page")
]

#: Shared by the templates: words for stages, roles, tiers and buying windows.
WORDS = {
    "stage": stage_label,
    "role": role_label,
    "window": window_text,
    "coverage": COVERAGE_WORDS,
}


def _score_chart(points: tuple[tuple[str, float], ...]) -> object:
    return line_chart(
        [Series("Score", [round(score, 1) for _, score in points], css_class="sp-series-0")],
        title="Score over the last 12 months",
        x_labels=[label for label, _ in points],
        y_label="points",
        chart_id="contact-score",
    )


@router.get("/contacts/{contact_id}", response_class=HTMLResponse)
def contact(request: Request, principal: Reader, contact_id: RecordId) -> HTMLResponse:
    """A contact: who, how well they fit, how engaged, where in the lifecycle, and why."""
    now = clock(request)
    with request.app.state.engine.connect() as connection:
        try:
            page = contact_page(
                connection, contact_id, now=now, user_id=principal.user_id, role=principal.role
            )
        except LookupError:
            raise Problem(404, "there is no such contact") from None
        prediction = explained(connection, [contact_id], now=now).get(contact_id)
        worries = contact_worries_at(connection, contact_id, now=now, least=FADED)
        employment = contact_employment(connection, contact_id)
        record_tasks = open_tasks_about(connection, contact_id=contact_id)
    history = tuple((point.on.isoformat(), point.score) for point in page.score_history)
    context = {
        "page": page,
        "now": now,
        "chart": _score_chart(history),
        "words": WORDS,
        "prediction": prediction,
        "worries": worries,
        "half_life": half_life(),
        "employment": employment,
        "record_tasks": record_tasks,
    }
    return render(request, "people_contact.html", context)


@router.get("/contacts/{contact_id}/timeline", response_class=HTMLResponse)
def contact_timeline(
    request: Request, principal: Reader, contact_id: RecordId, before: Before = None
) -> HTMLResponse:
    """Older events of a contact: rows for htmx to append, or a page of its own."""
    with request.app.state.engine.connect() as connection:
        try:
            found = timeline(
                connection,
                contact_id,
                now=clock(request),
                user_id=principal.user_id,
                role=principal.role,
                before=before,
            )
        except LookupError:
            raise Problem(404, "there is no such contact") from None
        except ValueError as error:
            raise field_problem("before", str(error).partition(": ")[2]) from None
    context = {"timeline": found, "contact_id": contact_id}
    partial = request.headers.get("HX-Request") == "true"
    return render(request, "people_timeline.html" if partial else "people_events.html", context)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account(request: Request, principal: Reader, account_id: RecordId) -> HTMLResponse:
    """An account: its buying committee, engagement, buying window, installed base and deals."""
    now = clock(request)
    with request.app.state.engine.connect() as connection:
        try:
            page = account_page(
                connection, account_id, now=now, user_id=principal.user_id, role=principal.role
            )
        except LookupError:
            raise Problem(404, "there is no such account") from None
        worries = account_worries_at(connection, account_id, now=now, least=FADED)
        left, joined = account_moves(connection, account_id)
        record_tasks = open_tasks_about(connection, account_id=account_id)
    context = {"page": page, "now": now, "words": WORDS, "worries": worries}
    context.update(left=left, joined=joined, record_tasks=record_tasks)
    context["half_life"] = half_life()
    return render(request, "people_account.html", context)
