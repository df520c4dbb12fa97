"""The forms pages: the list with this month's figures, the editor, and a page per form
with its embed code and latest submissions.

Seeing needs ``capture:read``, creating and changing ``capture:write``.  A
form that cannot be saved comes back in the editor with each error next to
its input and a summary at the top; a saved one redirects to its page
(post/redirect/get) with a confirmation.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.domain.forms import InvalidForm
from silverplatter.services.forms import (
    Form,
    FormNotFound,
    contact_properties,
    create_form,
    form_overview,
    get_form,
    lead_magnet_options,
    submission_page,
    update_form,
    wording_history,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.api.forms import MAX_ID, embed_code
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render
from silverplatter.web.ui.form_editor import (
    EditorState,
    blank_state,
    draft_of,
    place_errors,
    posted_state,
    state_of,
)

router = APIRouter(include_in_schema=False)

ReadCapture = Annotated[Principal, Depends(requires("capture:read"))]
WriteCapture = Annotated[Principal, Depends(requires("capture:write"))]
LATEST: Final = 20
OPT_IN_WORDS: Final = {
    "unconfirmed": "awaiting confirmation",
    "confirmed": "confirmed",
    "not_required": "no confirmation asked",
}
DONE: Final = {"created": "Form created.", "saved": "Changes saved."}


def answers_in_order(form: Form, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """A submission's answers in the order the form asks its questions, others after."""
    keys = [question.key for question in form.definition.questions]
    ordered = [key for key in keys if key in answers] + sorted(set(answers) - set(keys))
    return [
        (
            key.replace("_", " "),
            ", ".join(map(str, answers[key]))
            if isinstance(answers[key], list)
            else str(answers[key]),
        )
        for key in ordered
    ]


def _form_or_404(request: Request, form_id: int) -> Form:
    if form_id > MAX_ID:
        raise Problem(404, "there is no such form")
    try:
        with request.app.state.engine.connect() as connection:
            return get_form(connection, form_id)
    except FormNotFound:
        raise Problem(404, "there is no such form") from None


@router.get("/forms", response_class=HTMLResponse)
def forms_page(request: Request, principal: ReadCapture) -> HTMLResponse:
    """Every form with its submissions this month and the share confirmed."""
    with request.app.state.engine.connect() as connection:
        summaries = form_overview(connection, now=clock(request))
    return render(
        request,
        "forms_list.html",
        {"summaries": summaries, "may_write": principal.may("capture:write")},
    )


def _editor(
    request: Request, state: EditorState, *, form: Form | None, status_code: int = 200
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        properties = contact_properties(connection)
        magnets = lead_magnet_options(connection)
    return render(
        request,
        "forms_edit.html",
        {
            "form": form,
            "state": state,
            "choice_properties": [p for p in properties if p.type == "choice"],
            "magnets": magnets,
        },
        status_code=status_code,
    )


@router.get("/forms/new", response_class=HTMLResponse)
def new_form(request: Request, _: WriteCapture) -> HTMLResponse:
    """The editor for a new form."""
    with request.app.state.engine.connect() as connection:
        properties = contact_properties(connection)
    return _editor(request, blank_state(properties), form=None)


async def _posted(request: Request, form: Form | None) -> tuple[EditorState, Any]:
    data = await request.form()
    plain = {key: value for key, value in data.items() if isinstance(value, str)}
    with request.app.state.engine.connect() as connection:
        properties = contact_properties(connection)
    state = posted_state(plain, properties, slug=form.slug if form else None)
    return state, draft_of(state)


@router.post("/forms", response_model=None)
async def create(request: Request, principal: WriteCapture) -> Response:
    """Save a new form, or show the editor again with the errors."""
    state, draft = await _posted(request, None)
    try:
        with request.app.state.engine.begin() as connection:
            form = create_form(
                connection,
                draft.document,
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except InvalidForm as error:
        place_errors(state, draft, error.errors)
        return _editor(request, state, form=None, status_code=422)
    return RedirectResponse(f"/forms/{form.id}?done=created", status_code=303)


@router.get("/forms/{form_id}", response_class=HTMLResponse)
def form_page(
    request: Request, principal: ReadCapture, form_id: int, done: str | None = None
) -> HTMLResponse:
    """One form: its settings, embed code, consent wordings and latest submissions."""
    form = _form_or_404(request, form_id)
    with request.app.state.engine.connect() as connection:
        latest = submission_page(connection, form.id, limit=LATEST)
        wordings = wording_history(connection, form.id)
    public_url = request.app.state.settings.public_url
    return render(
        request,
        "forms_form.html",
        {
            "form": form,
            "definition": form.definition,
            "embed": embed_code(form.slug, public_url),
            "endpoint": f"{public_url.rstrip('/')}/capture/forms/{form.slug}",
            "latest": [(row, answers_in_order(form, row.answers)) for row in latest],
            "wordings": wordings,
            "opt_in_words": OPT_IN_WORDS,
            "done": DONE.get(done or ""),
            "may_write": principal.may("capture:write"),
        },
    )


@router.get("/forms/{form_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, _: WriteCapture, form_id: int) -> HTMLResponse:
    """The editor filled in with the form."""
    form = _form_or_404(request, form_id)
    with request.app.state.engine.connect() as connection:
        properties = contact_properties(connection)
    return _editor(request, state_of(form, properties), form=form)


@router.post("/forms/{form_id}", response_model=None)
async def save(request: Request, principal: WriteCapture, form_id: int) -> Response:
    """Save the changes, or show the editor again with the errors."""
    form = _form_or_404(request, form_id)
    state, draft = await _posted(request, form)
    try:
        with request.app.state.engine.begin() as connection:
            update_form(
                connection,
                form.id,
                draft.document,
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except InvalidForm as error:
        place_errors(state, draft, error.errors)
        return _editor(request, state, form=form, status_code=422)
    return RedirectResponse(f"/forms/{form.id}?done=saved", status_code=303)
