"""The sales queue over the API: the ranked cards, and what sales does with each.

``GET /api/v1/queue`` serves the silver-platter cards, best first (overdue,
then the account's tier, then score).  Sales sees its own cards; the others
see every card, or their own with ``?owner=me``.

The queue is a worklist ranked on the moment asked about, not a table in id
order: the ``after`` cursor names the position and the contact of the last
card seen, and the next page starts after that contact (or after that
position when the contact has left the queue meanwhile).

``POST /api/v1/queue/{contact_id}/accept|recycle|disqualify|opportunity``
moves the contact and closes its handover in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from silverplatter.domain.buying_window import BuyingWindow
from silverplatter.domain.lifecycle import LifecycleError, StageChange
from silverplatter.domain.worry_profile import ProfileLine
from silverplatter.services import handover
from silverplatter.services.sales_queue import QueueCard, sales_queue
from silverplatter.services.sessions import Principal
from silverplatter.services.worry_profiles import talking_points
from silverplatter.web.api.engine_lifecycle import TransitionOut, transition_out
from silverplatter.web.api.engine_scope import (
    ContactId,
    Words,
    check_card,
    database,
    own_records_only,
)
from silverplatter.web.problems import field_problem
from silverplatter.web.security import clock, requires

router = APIRouter(tags=["sales queue"])

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200
_CURSOR = re.compile(r"^(\d{1,9})\.(\d{1,10})$")


class WindowOut(BaseModel):
    opens_on: date
    closes_on: date
    source: str
    confidence: float
    basis: str
    open: bool


class TalkingPointOut(BaseModel):
    """A worry the person's reading reveals, and what sales can say about it."""

    worry: str
    name: str
    talking_point: str | None
    value: float


class CardOut(BaseModel):
    """One silver-platter card: who, where, why now, and what to do by when."""

    contact_id: int
    name: str
    title: str | None
    email: str
    stage: str
    account_id: int | None
    account_name: str | None
    tier: str
    grade: str | None
    score: float | None
    owner_id: int | None
    owner_name: str | None
    why_now: list[str]
    buying_window: WindowOut | None
    #: The buying window in words, ``unknown`` when none is known.
    window: str
    next_step: str
    due_at: datetime | None
    overdue: bool
    days_overdue: int
    talking_points: list[TalkingPointOut] = Field(
        default_factory=list, description="the person's strongest worries now, strongest first"
    )


class QueuePage(BaseModel):
    items: list[CardOut]
    #: Pass as ``after`` for the next page; ``null`` on the last page.
    next: str | None


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Words = ""


class RequiredReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[Words, Field(min_length=1, description="Why, in a sentence")]


def window_out(window: BuyingWindow | None, today: date) -> WindowOut | None:
    if window is None:
        return None
    return WindowOut(
        opens_on=window.opens_on,
        closes_on=window.closes_on,
        source=window.source,
        confidence=window.confidence,
        basis=window.basis,
        open=window.is_open(today),
    )


def card_out(card: QueueCard, today: date, worries: Sequence[ProfileLine] = ()) -> CardOut:
    return CardOut(
        contact_id=card.contact_id,
        name=card.name,
        title=card.title,
        email=card.email,
        stage=card.stage,
        account_id=card.account_id,
        account_name=card.account_name,
        tier=card.tier,
        grade=card.grade,
        score=card.score,
        owner_id=card.owner_id,
        owner_name=card.owner_name,
        why_now=list(card.why_now),
        buying_window=window_out(card.buying_window, today),
        window=card.window,
        next_step=card.next_action,
        due_at=card.due_at,
        overdue=card.overdue,
        days_overdue=card.days_overdue,
        talking_points=[
            TalkingPointOut(
                worry=w.slug, name=w.name, talking_point=w.talking_point, value=round(w.value, 4)
            )
            for w in worries
        ],
    )


def _position(after: str | None) -> tuple[int, int | None]:
    if after is None:
        return 0, None
    match = _CURSOR.match(after)
    if match is None:
        raise field_problem("after", "not a cursor from this queue's 'next'")
    return int(match.group(1)), int(match.group(2))


def _start(cards: list[QueueCard], position: int, contact_id: int | None, limit: int) -> int:
    """Where the page after the card ``contact_id`` (last seen at ``position``) starts."""
    if contact_id is None:
        return 0
    for index, card in enumerate(cards[: position + limit]):
        if card.contact_id == contact_id:
            return index + 1
    return position


@router.get("/api/v1/queue", response_model=QueuePage, summary="The sales queue, best first")
def get_queue(
    request: Request,
    principal: Annotated[Principal, Depends(requires("queue:read"))],
    owner: Annotated[
        str | None,
        Query(pattern=r"^me$", description="'me' for your own cards (sales always sees its own)"),
    ] = None,
    after: Annotated[str | None, Query(max_length=24, description="A page's 'next'")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> QueuePage:
    position, last = _position(after)
    mine = own_records_only(principal) or owner == "me"
    now = clock(request)
    # One card past the page tells whether there is a next; a little slack finds a moved card.
    wanted = position + limit + 1 + (limit if last is not None else 0)
    with database(request).connect() as connection:
        cards = sales_queue(
            connection, now=now, owner_id=principal.user_id if mine else None, limit=wanted
        )
        start = _start(cards, position, last, limit)
        page = cards[start : start + limit]
        worries = talking_points(connection, [card.contact_id for card in page], now=now)
    more = len(cards) > start + limit
    following = f"{start + len(page)}.{page[-1].contact_id}" if more and page else None
    items = [card_out(card, now.date(), worries.get(card.contact_id, ())) for card in page]
    return QueuePage(items=items, next=following)


Action = Callable[..., StageChange]


def _act(
    request: Request, principal: Principal, contact_id: int, action: Action, reason: str
) -> TransitionOut:
    now = clock(request)
    with database(request).begin() as connection:
        check_card(connection, principal, contact_id)
        return _applied(connection, principal, contact_id, action, reason, now)


def _applied(
    connection: Connection,
    principal: Principal,
    contact_id: int,
    action: Action,
    reason: str,
    now: datetime,
) -> TransitionOut:
    try:
        change = action(
            connection, contact_id, user_id=principal.user_id, now=now, reason=reason.strip()
        )
    except LifecycleError as error:
        raise field_problem("transition", str(error), status=409) from None
    return transition_out(change, now, None)


_RESPONSES: Final = {
    404: {"description": "No such contact in your records"},
    409: {"description": "The contact's stage does not allow this"},
}


@router.post(
    "/api/v1/queue/{contact_id}/accept",
    response_model=TransitionOut,
    summary="Accept the handed-over lead (SQL → accepted by sales)",
    responses=_RESPONSES,  # type: ignore[arg-type]
)
def post_accept(
    request: Request,
    contact_id: ContactId,
    body: ReasonIn,
    principal: Annotated[Principal, Depends(requires("queue:act"))],
) -> TransitionOut:
    return _act(request, principal, contact_id, handover.accept, body.reason)


@router.post(
    "/api/v1/queue/{contact_id}/recycle",
    response_model=TransitionOut,
    summary="Not now: back to nurture, with a reason",
    responses=_RESPONSES,  # type: ignore[arg-type]
)
def post_recycle(
    request: Request,
    contact_id: ContactId,
    body: RequiredReasonIn,
    principal: Annotated[Principal, Depends(requires("queue:act"))],
) -> TransitionOut:
    return _act(request, principal, contact_id, handover.recycle, body.reason)


@router.post(
    "/api/v1/queue/{contact_id}/disqualify",
    response_model=TransitionOut,
    summary="Not a buyer for us, with a reason",
    responses=_RESPONSES,  # type: ignore[arg-type]
)
def post_disqualify(
    request: Request,
    contact_id: ContactId,
    body: RequiredReasonIn,
    principal: Annotated[Principal, Depends(requires("queue:act"))],
) -> TransitionOut:
    return _act(request, principal, contact_id, handover.disqualify, body.reason)


@router.post(
    "/api/v1/queue/{contact_id}/opportunity",
    response_model=TransitionOut,
    summary="A deal was opened with the contact",
    responses=_RESPONSES,  # type: ignore[arg-type]
)
def post_opportunity(
    request: Request,
    contact_id: ContactId,
    body: ReasonIn,
    principal: Annotated[Principal, Depends(requires("queue:act"))],
) -> TransitionOut:
    return _act(request, principal, contact_id, handover.open_opportunity, body.reason)


__all__ = ["CardOut", "QueuePage", "card_out", "router", "window_out"]
