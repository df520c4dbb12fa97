"""Segment pages: the list with counts, a segment's members, and the rule editor.

The editor is a form of the segment's name and rule.  The rule builder's
buttons (add a condition, an event, a group; remove) and every change post
the whole form to ``/segments/editor``, which answers htmx with the rule area
redrawn (the builder, the JSON, the live count or the errors at their
conditions) and a plain post with the whole page, so the editor works
without scripts too.  Thin adapters over ``services/segments.py``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection
from starlette.datastructures import FormData

from silverplatter.domain.segment_fields import (
    EVENT_PROPERTY_LABELS,
    OPERATOR_LABELS,
    FieldSpec,
)
from silverplatter.domain.segment_rules import RuleError, RuleInvalid
from silverplatter.domain.vocabulary import CHANNELS, KNOWN_EVENT_TYPES
from silverplatter.services import segments as service
from silverplatter.services.sessions import Principal
from silverplatter.storage.record_lists import owners
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.segment_form import (
    apply_action,
    builder_tree,
    document_from_form,
    error_count,
    settle,
)
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("segments:read"))]
Writer = Annotated[Principal, Depends(requires("segments:write"))]
SegmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
After = Annotated[int, Query(ge=0, le=2**31 - 1)]
PAGE = 50
NEW_CONDITION = {"field": "contact.country", "op": "equals", "value": "FI"}
COUNT_OPS = {
    "gte": "at least",
    "gt": "more than",
    "lte": "at most",
    "lt": "fewer than",
    "equals": "exactly",
}


async def _form(request: Request) -> FormData:
    return await request.form()


Posted = Annotated[FormData, Depends(_form)]


def _values(form: FormData) -> dict[str, list[str]]:
    return {key: [str(value) for value in form.getlist(key)] for key in form}


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _segment(connection: Connection, segment_id: int) -> service.Segment:
    try:
        return service.get_segment(connection, segment_id)
    except service.SegmentNotFound:
        raise Problem(404, f"there is no segment {segment_id}") from None


# ---------------------------------------------------------------- the editor


def _editor_context(
    connection: Connection,
    *,
    segment: service.Segment | None,
    values: Mapping[str, Any],
    document: Any,
    now: Any,
    errors: dict[str, str] | None = None,
    json_error: str | None = None,
    count: bool = True,
) -> dict[str, Any]:
    fields = service.catalogue(connection)
    rule_errors: list[RuleError] = []
    members = None
    slug = segment.slug if segment is not None else (values.get("slug") or None)
    if count:
        try:
            members = service.preview_count(connection, document, now=now, slug=slug)
        except RuleInvalid as invalid:
            rule_errors = list(invalid.errors)
    tree = builder_tree(document, fields, rule_errors)
    others = [s for s in service.list_segments(connection) if segment is None or s.id != segment.id]
    return {
        "segment": segment,
        "values": values,
        "errors": errors or {},
        "tree": tree,
        "rule_errors": rule_errors,
        "unplaced": error_count(tree),
        "members": members,
        "rule_json": json.dumps(document, indent=2, ensure_ascii=False),
        "json_error": json_error,
        "groups": _field_groups(fields),
        "fields": fields,
        "labels": OPERATOR_LABELS,
        "property_labels": EVENT_PROPERTY_LABELS,
        "count_ops": COUNT_OPS,
        "event_types": KNOWN_EVENT_TYPES,
        "channels": CHANNELS,
        "owners": [(row.id, row.name) for row in owners(connection)],
        "other_segments": [(s.slug, s.name) for s in others],
    }


def _field_groups(fields: Mapping[str, FieldSpec]) -> list[tuple[str, list[FieldSpec]]]:
    groups: dict[str, list[FieldSpec]] = {}
    for spec in fields.values():
        groups.setdefault(spec.group, []).append(spec)
    return list(groups.items())


def _draft_values(form: FormData, segment: service.Segment | None) -> dict[str, str]:
    values = {
        key: str(form.get(key) or "").strip() for key in ("slug", "name", "description", "kind")
    }
    if segment is not None:
        values.update(slug=segment.slug, kind=segment.kind)
    return values


def _editor_page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return render(request, "segment_edit.html", context, status_code=status_code)


@router.get("/segments/new", response_class=HTMLResponse)
def new_segment(request: Request, _: Writer) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        context = _editor_context(
            connection,
            segment=None,
            values={"kind": "dynamic"},
            document={"all": [dict(NEW_CONDITION)]},
            now=clock(request),
        )
    return _editor_page(request, context)


@router.get("/segments/{segment_id}/edit", response_class=HTMLResponse)
def edit_segment(request: Request, segment_id: SegmentId, _: Writer) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        segment = _segment(connection, segment_id)
        values = {
            "slug": segment.slug,
            "name": segment.name,
            "description": segment.description or "",
            "kind": segment.kind,
        }
        context = _editor_context(
            connection, segment=segment, values=values, document=segment.rule, now=clock(request)
        )
    return _editor_page(request, context)


def _posted_rule(form: FormData, fields: Mapping[str, FieldSpec]) -> tuple[Any, str | None]:
    """The rule the form holds: its JSON when "Use this JSON" was pressed, else the builder's."""
    action = str(form.get("action") or "")
    if action == "json":
        try:
            return json.loads(str(form.get("rule_json") or "")), None
        except ValueError as error:
            return document_from_form(_values(form)), f"not valid JSON: {error}"
    document = document_from_form(_values(form))
    if action:
        document = apply_action(document, action, fields)
    return settle(document, fields), None


@router.post("/segments/editor", response_class=HTMLResponse)
def editor(request: Request, _: Writer, form: Posted) -> HTMLResponse:
    """The rule area redrawn after a change (htmx), or the whole editor (a plain post)."""
    segment_id = str(form.get("segment_id") or "")
    with request.app.state.engine.connect() as connection:
        segment = _segment(connection, int(segment_id)) if segment_id.isdigit() else None
        document, json_error = _posted_rule(form, service.catalogue(connection))
        context = _editor_context(
            connection,
            segment=segment,
            values=_draft_values(form, segment),
            document=document,
            now=clock(request),
            json_error=json_error,
        )
    if _is_htmx(request):
        return render(request, "segment_rule.html", context)
    return _editor_page(request, context)


def _save(
    request: Request, principal: Principal, form: FormData, segment_id: int | None
) -> Response:
    now = clock(request)
    actor = actor_of(request, principal)
    with request.app.state.engine.begin() as connection:
        segment = _segment(connection, segment_id) if segment_id is not None else None
        document, json_error = _posted_rule(form, service.catalogue(connection))
        values = _draft_values(form, segment)
        errors: dict[str, str] = {}
        try:
            draft = service.draft_of(
                {**values, "description": values["description"] or None, "rule": document}
            )
            if json_error is None:
                if segment is None:
                    segment = service.create_segment(connection, draft, actor=actor, now=now)
                else:
                    segment = service.update_segment(
                        connection, segment.id, draft, actor=actor, now=now
                    )
                return RedirectResponse(f"/segments/{segment.id}", status_code=303)
        except service.SegmentError as refused:
            errors[refused.field] = refused.message
        except RuleInvalid:
            pass
        context = _editor_context(
            connection,
            segment=segment,
            values=values,
            document=document,
            now=now,
            errors=errors,
            json_error=json_error,
        )
    return _editor_page(request, context, status_code=422)


# ---------------------------------------------------------------- the list and a segment


@router.get("/segments", response_class=HTMLResponse)
def segments_page(request: Request, principal: Reader, deleted: str | None = None) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        found = service.list_segments(connection)
    context = {
        "segments": found,
        "may_edit": principal.may("segments:write"),
        "message": f"Segment {deleted!r} was deleted." if deleted else None,
    }
    return render(request, "segments.html", context)


@router.get("/segments/{segment_id}", response_class=HTMLResponse)
def segment_page(
    request: Request,
    segment_id: SegmentId,
    principal: Reader,
    after: After = 0,
    snapshot: int | None = None,
) -> HTMLResponse:
    now = clock(request)
    problem = None
    with request.app.state.engine.begin() as connection:
        segment = _segment(connection, segment_id)
        try:
            count = service.count_members(connection, segment, now=now)
            page = service.member_page(connection, segment, now=now, after=after, limit=PAGE)
        except RuleInvalid as invalid:
            count, page, problem = None, None, invalid
        fields = service.catalogue(connection)
    context = {
        "segment": segment,
        "count": count,
        "page": page,
        "after": after,
        "problem": problem,
        "rule_json": json.dumps(segment.rule, indent=2, ensure_ascii=False),
        "tree": builder_tree(segment.rule, fields),
        "fields": fields,
        "labels": OPERATOR_LABELS,
        "count_ops": COUNT_OPS,
        "may_edit": principal.may("segments:write"),
        "message": None if snapshot is None else f"Snapshot taken: {snapshot:,} members.",
    }
    return render(request, "segment_page.html", context)


@router.post("/segments", response_model=None)
def create(request: Request, principal: Writer, form: Posted) -> Response:
    return _save(request, principal, form, None)


@router.post("/segments/{segment_id}", response_model=None)
def change(request: Request, segment_id: SegmentId, principal: Writer, form: Posted) -> Response:
    return _save(request, principal, form, segment_id)


@router.post("/segments/{segment_id}/snapshot", response_model=None)
def take_snapshot(request: Request, segment_id: SegmentId, principal: Writer) -> Response:
    with request.app.state.engine.begin() as connection:
        segment = _segment(connection, segment_id)
        try:
            count = service.snapshot(
                connection, segment, actor=actor_of(request, principal), now=clock(request)
            )
        except service.SegmentError as refused:
            raise Problem(409, refused.message) from None
        except RuleInvalid as invalid:
            raise Problem(422, f"the rule cannot be evaluated: {invalid}") from None
    return RedirectResponse(f"/segments/{segment_id}?snapshot={count}", status_code=303)


@router.post("/segments/{segment_id}/delete", response_model=None)
def delete(request: Request, segment_id: SegmentId, principal: Writer) -> Response:
    with request.app.state.engine.begin() as connection:
        segment = _segment(connection, segment_id)
        try:
            service.delete_segment(
                connection, segment_id, actor=actor_of(request, principal), now=clock(request)
            )
        except service.SegmentError as refused:
            raise Problem(409, f"{segment.name} is {refused.message}") from None
    return RedirectResponse(f"/segments?deleted={quote(segment.name)}", status_code=303)
