"""Broadcast pages: the list with figures, a new broadcast, its confirmation (how many people
the segment holds now) with send now / schedule / cancel, and a chart of opens and clicks per
hour.  Thin adapters over ``services/broadcasts.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.services import broadcasts as service
from silverplatter.services import segments as segment_service
from silverplatter.services.email_templates import list_templates
from silverplatter.services.sessions import Principal
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("nurture:read"))]
Writer = Annotated[Principal, Depends(requires("nurture:write"))]
BroadcastId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Short = Annotated[str, Form(max_length=200)]
DONE: Final = {
    "created": "Draft saved. Check the number of recipients, then send or schedule it.",
    "scheduled": "Scheduled.",
    "sending": "Sending: the workers are handing the messages over.",
    "cancelled": "Cancelled; nothing more will be sent.",
}
CHART_WIDTH: Final = 720
CHART_HEIGHT: Final = 220


def chart(hours: list[tuple[str, int, int]]) -> dict[str, Any]:
    """Bars of opened and clicked messages per hour, as SVG coordinates."""
    top = max([opens for _h, opens, _c in hours] + [clicks for _h, _o, clicks in hours] + [1])
    slot = CHART_WIDTH / max(len(hours), 1)
    width = max(slot / 2 - 2, 1)
    bars = []
    for index, (hour, opens, clicks) in enumerate(hours):
        x = index * slot
        for offset, count, kind in ((0.0, opens, "opens"), (width + 1, clicks, "clicks")):
            height = (CHART_HEIGHT - 30) * count / top
            bars.append(
                {
                    "x": round(x + offset, 1),
                    "y": round(CHART_HEIGHT - 20 - height, 1),
                    "width": round(width, 1),
                    "height": round(height, 1),
                    "kind": kind,
                    "label": f"{hour.replace('T', ' ')[:16]}: {count} {kind}",
                }
            )
    labels = [
        {"x": round(index * slot, 1), "text": hour[5:13].replace("T", " ") + "h"}
        for index, (hour, _o, _c) in enumerate(hours)
        if index % max(1, len(hours) // 8) == 0
    ]
    return {
        "bars": bars,
        "labels": labels,
        "top": top,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


@router.get("/broadcasts", response_class=HTMLResponse)
def broadcasts_page(
    request: Request, principal: Reader, done: Annotated[str | None, Query(max_length=20)] = None
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        rows = [
            (found, service.figures(connection, found.id))
            for found in service.list_broadcasts(connection)
        ]
    context = {
        "rows": rows,
        "may_edit": principal.may("nurture:write"),
        "message": DONE.get(done or ""),
    }
    return render(request, "broadcasts.html", context)


def _new(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        templates = list_templates(connection)
        segments = segment_service.list_segments(connection)
    context = {
        "templates": templates,
        "segments": segments,
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "broadcast_new.html", context, status_code=status_code)


@router.get("/broadcasts/new", response_class=HTMLResponse)
def new_broadcast(request: Request, _: Writer) -> HTMLResponse:
    return _new(request)


@router.post("/broadcasts", response_model=None)
def create_broadcast(
    request: Request,
    principal: Writer,
    name: Short = "",
    template_id: Short = "",
    segment_id: Short = "",
) -> Response:
    values = {"name": name, "template_id": template_id, "segment_id": segment_id}
    for field, value in (("template_id", template_id), ("segment_id", segment_id)):
        if not value.isdigit():
            return _new(request, values=values, errors={field: "choose one"}, status_code=422)
    try:
        with request.app.state.engine.begin() as connection:
            made = service.create_broadcast(
                connection,
                name=name,
                template_id=int(template_id),
                segment_id=int(segment_id),
                user_id=principal.user_id,
                now=clock(request),
            )
    except service.BroadcastError as refused:
        return _new(
            request, values=values, errors={refused.field: refused.message}, status_code=422
        )
    return RedirectResponse(f"/broadcasts/{made.id}?done=created", status_code=303)


def _page(
    request: Request,
    principal: Principal,
    broadcast_id: int,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    now = clock(request)
    with request.app.state.engine.connect() as connection:
        try:
            found = service.get_broadcast(connection, broadcast_id)
        except service.BroadcastError:
            return render(
                request,
                "error.html",
                {"title": "Not found", "detail": "There is no such broadcast."},
                status_code=404,
            )
        count = None
        if found.editable and found.segment_id is not None:
            count = service.recipient_count(connection, broadcast_id, now=now)
        figures = service.figures(connection, broadcast_id)
        hours = service.timeline(connection, broadcast_id)
    context = {
        "broadcast": found,
        "figures": figures,
        "count": count,
        "chart": chart(hours),
        "hours": hours,
        "may_edit": principal.may("nurture:write"),
        "message": DONE.get(done or ""),
        "errors": errors or {},
        "now": now,
    }
    return render(request, "broadcast_page.html", context, status_code=status_code)


@router.get("/broadcasts/{broadcast_id}", response_class=HTMLResponse)
def broadcast_page(
    request: Request,
    principal: Reader,
    broadcast_id: BroadcastId,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    return _page(request, principal, broadcast_id, done=done)


def _moment(value: str) -> datetime | None:
    """``2026-03-09T08:00`` from a datetime-local field, read as UTC; None when empty."""
    if not value.strip():
        return None
    return datetime.fromisoformat(value.strip()).replace(tzinfo=UTC)


@router.post("/broadcasts/{broadcast_id}/schedule", response_model=None)
def schedule(
    request: Request,
    principal: Writer,
    broadcast_id: BroadcastId,
    at: Short = "",
    confirm: Short = "",
) -> Response:
    """Send now (``at`` empty) or at ``at`` (UTC); the confirmation box must be ticked."""
    if confirm != "yes":
        errors = {"confirm": "tick the box to confirm the number of recipients"}
        return _page(request, principal, broadcast_id, errors=errors, status_code=422)
    try:
        when = _moment(at)
    except ValueError:
        errors = {"at": "expected a date and time such as 2026-03-09T08:00"}
        return _page(request, principal, broadcast_id, errors=errors, status_code=422)
    try:
        with request.app.state.engine.begin() as connection:
            found = service.schedule(connection, broadcast_id, at=when, now=clock(request))
    except service.BroadcastError as refused:
        errors = {refused.field: refused.message}
        return _page(request, principal, broadcast_id, errors=errors, status_code=refused.status)
    queue = getattr(request.app.state, "task_queue", None)
    if queue is not None:
        queue.start_broadcasts_soon()
    done = (
        "sending"
        if found.scheduled_at is not None and found.scheduled_at <= clock(request)
        else "scheduled"
    )
    return RedirectResponse(f"/broadcasts/{broadcast_id}?done={done}", status_code=303)


@router.post("/broadcasts/{broadcast_id}/cancel", response_model=None)
def cancel(request: Request, principal: Writer, broadcast_id: BroadcastId) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            service.cancel(connection, broadcast_id, now=clock(request))
    except service.BroadcastError as refused:
        errors = {refused.field: refused.message}
        return _page(request, principal, broadcast_id, errors=errors, status_code=refused.status)
    return RedirectResponse(f"/broadcasts/{broadcast_id}?done=cancelled", status_code=303)
