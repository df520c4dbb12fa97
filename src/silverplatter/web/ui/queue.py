"""The sales queue (``/queue``): silver-platter cards, and what sales does with them.

Each card can be accepted, recycled or disqualified (the last two with a
reason) and qualified with BANT.  With htmx the action answers with a partial
that replaces the card (or, on a mistake, the form with its error); without
JavaScript it redirects back to the queue with a message, or shows the queue
again with the error at the card.  Sales sees and acts on its own cards only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.lifecycle import STAGES_BY_NAME, LifecycleError
from silverplatter.domain.qualification import Bant
from silverplatter.services.predictive import stored_probabilities
from silverplatter.services.queue_actions import (
    CardNotFound,
    act_on_card,
    find_card,
    qualify_card,
)
from silverplatter.services.sales_queue import sales_queue
from silverplatter.services.sessions import Principal
from silverplatter.services.worry_profiles import talking_points
from silverplatter.web.problems import Problem
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

#: Cards shown at most; the queue is ranked, so these are the ones to work first.
#: Cards on the first page; 'Show more' adds as many again, up to MAX_CARDS.
CARD_LIMIT: Final = 20
MAX_CARDS: Final = 200
OTHER: Final = "other"

#: Why a lead goes back to nurture: the reasons a salesperson picks from.
RECYCLE_REASONS: Final = {
    "timing": "Not now: the timing is wrong",
    "no_budget": "No budget yet",
    "not_decision_maker": "Not the decision maker",
    "no_response": "Did not respond to calls or emails",
    OTHER: "Other (say why below)",
}
#: Why a lead is not a buyer for us.
DISQUALIFY_REASONS: Final = {
    "no_fit": "Not a fit: wrong industry, size or market",
    "no_need": "No need for what we sell",
    "competitor": "A competitor or a partner",
    "bad_data": "Wrong or fake contact details",
    OTHER: "Other (say why below)",
}
REASONS: Final = {"recycle": RECYCLE_REASONS, "disqualify": DISQUALIFY_REASONS}
VERBS: Final = {"accept": "accepting", "recycle": "recycling", "disqualify": "disqualifying"}

#: The line shown after an action without JavaScript (``?done=...``).
DONE: Final = {
    "accept": "Accepted: the lead is yours to work.",
    "recycle": "Recycled: the contact is back in nurture.",
    "disqualify": "Disqualified: the contact is out of sales and nurture.",
    "qualification": "Qualification saved.",
}

Show = Literal["mine", "all"]
ShowField = Annotated[Show, Form()]
Text = Annotated[str, Form(max_length=2000)]


@dataclass
class CardErrors:
    """A rejected form on one card: which form, the messages per field, what was sent."""

    form: str
    messages: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _own_only(principal: Principal) -> int | None:
    return principal.user_id if principal.role in OWN_RECORDS_ONLY else None


def _queue_page(
    request: Request,
    principal: Principal,
    show: Show | None,
    *,
    done: str | None = None,
    errors: dict[int, CardErrors] | None = None,
    status_code: int = 200,
    limit: int = CARD_LIMIT,
) -> HTMLResponse:
    own_only = _own_only(principal)
    chosen: Show = "mine" if own_only is not None else (show or "all")
    owner = principal.user_id if chosen == "mine" else None
    with request.app.state.engine.connect() as connection:
        cards = sales_queue(connection, now=clock(request), owner_id=owner, limit=limit)
        probabilities = stored_probabilities(connection, [card.contact_id for card in cards])
        worries = talking_points(
            connection, [card.contact_id for card in cards], now=clock(request)
        )
    context = {
        "cards": cards,
        "probabilities": probabilities,
        "talking_points": worries,
        "show": chosen,
        "may_choose": own_only is None,
        "done": DONE.get(done or ""),
        "errors": errors or {},
        "overdue": sum(1 for card in cards if card.overdue),
        "limit": limit,
        "more": min(limit + CARD_LIMIT, MAX_CARDS) if len(cards) >= limit < MAX_CARDS else None,
        **_card_context(principal),
    }
    return render(request, "queue.html", context, status_code=status_code)


def _card_context(principal: Principal) -> dict[str, Any]:
    return {
        "may_act": principal.may("queue:act"),
        "may_qualify": principal.may("qualification:write"),
        "reasons": REASONS,
        "stages": STAGES_BY_NAME,
    }


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    principal: Annotated[Principal, Depends(requires("queue:read"))],
    show: Annotated[Show | None, Query()] = None,
    done: Annotated[str | None, Query(max_length=40)] = None,
    cards: Annotated[int, Query(ge=1, le=MAX_CARDS, description="How many cards")] = CARD_LIMIT,
) -> HTMLResponse:
    return _queue_page(request, principal, show, done=done, limit=cards)


def _reason(action: str, choice: str, note: str) -> tuple[str, dict[str, str]]:
    """The reason to record, or the messages naming what is missing."""
    choices = REASONS[action]
    note = note.strip()
    if choice not in choices:
        return "", {"reason": f"choose a reason for {VERBS[action]} this lead"}
    if choice == OTHER:
        if not note:
            return "", {"note": "say why in a few words when the reason is Other"}
        return note, {}
    return (f"{choices[choice]}: {note}" if note else choices[choice]), {}


def _act(
    request: Request,
    principal: Principal,
    contact_id: int,
    action: str,
    *,
    show: Show,
    choice: str = "",
    note: str = "",
) -> Response:
    reason, messages = _reason(action, choice, note) if action in REASONS else ("", {})
    if messages:
        with request.app.state.engine.connect() as connection:
            try:
                find_card(connection, contact_id, only_owner=_own_only(principal))
            except CardNotFound as error:
                raise Problem(404, str(error)) from None
        errors = CardErrors(action, messages, {"reason": choice, "note": note})
        return _rejected(request, principal, contact_id, errors, show)
    try:
        with request.app.state.engine.begin() as connection:
            outcome = act_on_card(
                connection,
                contact_id,
                action,
                reason=reason,
                user_id=principal.user_id,
                only_owner=_own_only(principal),
                now=clock(request),
            )
    except CardNotFound as error:
        raise Problem(404, str(error)) from None
    except LifecycleError as error:
        if _is_htmx(request):
            context = {"message": f"Could not finish {VERBS[action]}: {error}"}
            response = render(request, "queue_message.html", context)
            response.headers["HX-Retarget"] = f"#message-{contact_id}"
            response.headers["HX-Reswap"] = "innerHTML"
            return response
        raise Problem(409, f"could not finish {VERBS[action]} this lead: {error}") from None
    if _is_htmx(request):
        return render(request, "queue_outcome.html", {"outcome": outcome})
    return RedirectResponse(f"/queue?show={show}&done={action}", status_code=303)


def _rejected(
    request: Request, principal: Principal, contact_id: int, errors: CardErrors, show: Show
) -> Response:
    """The form again with its errors: the form alone for htmx, else the whole queue."""
    if not _is_htmx(request):
        return _queue_page(request, principal, show, errors={contact_id: errors}, status_code=422)
    template = "queue_bant.html" if errors.form == "qualification" else "queue_reason_form.html"
    context = {
        "card_id": contact_id,
        "action": errors.form,
        "error": errors,
        "show": show,
        **_card_context(principal),
    }
    response = render(request, template, context)
    target = "bant" if errors.form == "qualification" else errors.form
    response.headers["HX-Retarget"] = f"#{target}-{contact_id}"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@router.post("/queue/{contact_id}/accept", response_class=HTMLResponse)
def accept_card(
    request: Request,
    principal: Annotated[Principal, Depends(requires("queue:act"))],
    contact_id: int,
    show: ShowField = "mine",
) -> Response:
    return _act(request, principal, contact_id, "accept", show=show)


@router.post("/queue/{contact_id}/recycle", response_class=HTMLResponse)
def recycle_card(
    request: Request,
    principal: Annotated[Principal, Depends(requires("queue:act"))],
    contact_id: int,
    reason: Text = "",
    note: Text = "",
    show: ShowField = "mine",
) -> Response:
    return _act(request, principal, contact_id, "recycle", show=show, choice=reason, note=note)


@router.post("/queue/{contact_id}/disqualify", response_class=HTMLResponse)
def disqualify_card(
    request: Request,
    principal: Annotated[Principal, Depends(requires("queue:act"))],
    contact_id: int,
    reason: Text = "",
    note: Text = "",
    show: ShowField = "mine",
) -> Response:
    return _act(request, principal, contact_id, "disqualify", show=show, choice=reason, note=note)


BANT_FIELDS: Final = (
    "budget",
    "budget_amount",
    "authority",
    "need",
    "timeline",
    "current_supplier",
    "contract_end",
    "satisfaction",
)


def parse_bant(values: dict[str, str]) -> tuple[Bant | None, dict[str, str]]:
    """A :class:`Bant` from the form's texts, or the messages naming each bad field."""
    messages: dict[str, str] = {}
    amount: Decimal | None = None
    dates: dict[str, date | None] = {"timeline": None, "contract_end": None}
    satisfaction: int | None = None
    if values["budget_amount"]:
        try:
            amount = Decimal(values["budget_amount"].replace(" ", "").replace(",", "."))
            if not amount.is_finite() or amount < 0:
                raise InvalidOperation
        except InvalidOperation:
            messages["budget_amount"] = "expected an amount of 0 or more, such as 25000"
    for name in dates:
        if values[name]:
            try:
                dates[name] = date.fromisoformat(values[name])
            except ValueError:
                messages[name] = "expected a date as YYYY-MM-DD, such as 2026-09-01"
    if values["satisfaction"]:
        try:
            satisfaction = int(values["satisfaction"])
        except ValueError:
            satisfaction = -1
        if not 0 <= satisfaction <= 10:
            messages["satisfaction"] = "expected a whole number from 0 to 10"
    if not any(values.values()):
        messages["budget"] = "fill in at least one of budget, authority, need or timeline"
    if messages:
        return None, messages
    bant = Bant(
        budget=values["budget"],
        budget_amount=amount,
        authority=values["authority"],
        need=values["need"],
        timeline=dates["timeline"],
        current_supplier=values["current_supplier"],
        contract_end=dates["contract_end"],
        satisfaction=satisfaction,
    )
    return bant, {}


@router.post("/queue/{contact_id}/qualification", response_class=HTMLResponse)
def qualify(
    request: Request,
    principal: Annotated[Principal, Depends(requires("qualification:write"))],
    contact_id: int,
    budget: Text = "",
    budget_amount: Text = "",
    authority: Text = "",
    need: Text = "",
    timeline: Text = "",
    current_supplier: Text = "",
    contract_end: Text = "",
    satisfaction: Text = "",
    show: ShowField = "mine",
) -> Response:
    sent = {
        "budget": budget,
        "budget_amount": budget_amount,
        "authority": authority,
        "need": need,
        "timeline": timeline,
        "current_supplier": current_supplier,
        "contract_end": contract_end,
        "satisfaction": satisfaction,
    }
    values = {name: value.strip() for name, value in sent.items()}
    bant, messages = parse_bant(values)
    engine = request.app.state.engine
    try:
        if bant is None:
            # Only the user's own cards answer, even with a mistake in the form.
            with engine.connect() as connection:
                find_card(connection, contact_id, only_owner=_own_only(principal))
        else:
            with engine.begin() as connection:
                subject = qualify_card(
                    connection,
                    contact_id,
                    bant,
                    user_id=principal.user_id,
                    only_owner=_own_only(principal),
                    now=clock(request),
                )
    except CardNotFound as error:
        raise Problem(404, str(error)) from None
    if bant is None:
        errors = CardErrors("qualification", messages, values)
        return _rejected(request, principal, contact_id, errors, show)
    if not _is_htmx(request):
        return RedirectResponse(f"/queue?show={show}&done=qualification", status_code=303)
    context = {
        "card_id": contact_id,
        "saved": {"name": subject.name, "missing": bant.missing()},
        "error": None,
        "show": show,
        **_card_context(principal),
    }
    return render(request, "queue_bant.html", context)
