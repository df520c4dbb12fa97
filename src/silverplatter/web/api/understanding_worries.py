"""Worries, their tags and worry profiles over the API (``/api/v1/understanding/...``).

Worries and tags need ``understanding:read`` to read and
``understanding:write`` to change; a tag added or removed answers at once and
the worry's profiles are recomputed in the background
(``web/worry_recompute.py``).  A contact's or account's profile is record
data: it needs ``records:read``, and a salesperson sees only their own
records (another's answers 404).  Bad input is a 422 problem whose
``errors`` name each field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.understanding_checks import SLUG, UnderstandingInvalid
from silverplatter.domain.worry_profile import FADED, ProfileLine
from silverplatter.services.sessions import Principal
from silverplatter.services.worries import (
    KnownContent,
    Tag,
    Worry,
    add_tag,
    change_worry,
    create_worry,
    delete_worry,
    get_worry,
    known_content,
    list_tags,
    list_worries,
    remove_tag,
)
from silverplatter.services.worry_profiles import (
    account_worries_at,
    contact_worries_at,
    half_life,
    profile_counts,
)
from silverplatter.storage.schema import accounts, contacts
from silverplatter.storage.visibility import account_visible_to, contact_visible_to
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.worry_recompute import recompute_runner

router = APIRouter(tags=["customer understanding"])

Reader = Annotated[Principal, Depends(requires("understanding:read"))]
Writer = Annotated[Principal, Depends(requires("understanding:write"))]
RecordReader = Annotated[Principal, Depends(requires("records:read"))]
Slug = Annotated[str, Path(max_length=100, pattern=SLUG.pattern, description="the worry's slug")]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
BASE = "/api/v1/understanding"


def invalid_problem(invalid: UnderstandingInvalid) -> Problem:
    errors = [{"field": error.field, "message": error.message} for error in invalid.errors]
    return Problem(422, str(invalid), errors=errors)


def missing(error: LookupError) -> Problem:
    return Problem(404, str(error).strip("'\""))


class WorryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=400, examples=["Late deliveries"])
    slug: str | None = Field(None, max_length=400, description="made from the name when absent")
    description: str | None = Field(None, max_length=6000)
    talking_point: str | None = Field(
        None, max_length=2000, description="what sales can say to someone with this worry"
    )


class WorryChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=400)
    slug: str | None = Field(None, max_length=400)
    description: str | None = Field(None, max_length=6000)
    talking_point: str | None = Field(None, max_length=2000)


class WorryOut(BaseModel):
    slug: str
    name: str
    description: str | None
    talking_point: str | None
    tags: int
    contacts: int = Field(description="people holding a value of it")
    accounts: int
    updated_at: datetime

    @classmethod
    def of(cls, found: Worry, counts: tuple[int, int]) -> WorryOut:
        return cls(
            slug=found.slug,
            name=found.name,
            description=found.description,
            talking_point=found.talking_point,
            tags=found.tags,
            contacts=counts[0],
            accounts=counts[1],
            updated_at=found.updated_at,
        )


class TagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=40, description="url_pattern, lead_magnet, form, email or content")
    target: str = Field(
        max_length=400,
        description="a page path or pattern (/guides/erp-*), a lead magnet's or form's slug, "
        "a campaign or template key, or a content id",
    )
    weight: float = Field(1.0, description="what one read adds, above 0 and at most 100")


class TagOut(BaseModel):
    id: int
    worry: str
    kind: str
    target: str
    weight: float
    created_at: datetime
    content: str | None = Field(
        description="the name of the lead magnet, form, e-mail template or broadcast it names"
    )
    warning: str | None = Field(
        description="why a lead magnet, form or e-mail tag names none of the workspace's own"
    )

    @classmethod
    def of(cls, found: Tag, known: KnownContent) -> TagOut:
        return cls(
            id=found.id,
            worry=found.worry_slug,
            kind=found.kind,
            target=found.target,
            weight=found.weight,
            created_at=found.created_at,
            content=known.name_of(found.kind, found.target),
            warning=known.warning(found.kind, found.target),
        )


class ProfileLineOut(BaseModel):
    worry: str
    name: str
    talking_point: str | None
    value: float = Field(description="faded to now")
    last_read_at: datetime

    @classmethod
    def of(cls, line: ProfileLine) -> ProfileLineOut:
        return cls(
            worry=line.slug,
            name=line.name,
            talking_point=line.talking_point,
            value=round(line.value, 6),
            last_read_at=datetime.fromtimestamp(line.last_read_at, UTC),
        )


class ProfileOut(BaseModel):
    half_life_days: float
    at: datetime
    worries: list[ProfileLineOut] = Field(description="strongest first; faded-out ones left out")


class Recomputing(BaseModel):
    status: str = Field(examples=["started"])
    worries: str = Field(examples=["all"])


@router.get(f"{BASE}/worries", response_model=list[WorryOut], summary="Every worry")
def worries(request: Request, principal: Reader) -> list[WorryOut]:
    with request.app.state.engine.connect() as connection:
        counts = profile_counts(connection)
        return [WorryOut.of(w, counts.get(w.id, (0, 0))) for w in list_worries(connection)]


@router.post(f"{BASE}/worries", response_model=WorryOut, status_code=201, summary="Add a worry")
def create(request: Request, principal: Writer, body: WorryIn) -> WorryOut:
    try:
        with request.app.state.engine.begin() as connection:
            made = create_worry(
                connection,
                body.model_dump(exclude_none=True),
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except UnderstandingInvalid as invalid:
        raise invalid_problem(invalid) from None
    return WorryOut.of(made, (0, 0))


@router.post(
    f"{BASE}/worries/recompute",
    response_model=Recomputing,
    status_code=202,
    summary="Recompute every worry profile from the event log, in the background",
)
def recompute(request: Request, principal: Writer) -> Recomputing:
    recompute_runner(request).request(None)
    return Recomputing(status="started", worries="all")


@router.get(f"{BASE}/worries/{{slug}}", response_model=WorryOut, summary="One worry")
def worry(request: Request, principal: Reader, slug: Slug) -> WorryOut:
    with request.app.state.engine.connect() as connection:
        try:
            found = get_worry(connection, slug)
        except LookupError as error:
            raise missing(error) from None
        return WorryOut.of(found, profile_counts(connection).get(found.id, (0, 0)))


@router.patch(f"{BASE}/worries/{{slug}}", response_model=WorryOut, summary="Change a worry")
def change(request: Request, principal: Writer, slug: Slug, body: WorryChange) -> WorryOut:
    try:
        with request.app.state.engine.begin() as connection:
            changed = change_worry(
                connection,
                slug,
                body.model_dump(exclude_unset=True),
                actor=actor_of(request, principal),
                now=clock(request),
            )
            counts = profile_counts(connection).get(changed.id, (0, 0))
    except LookupError as error:
        raise missing(error) from None
    except UnderstandingInvalid as invalid:
        raise invalid_problem(invalid) from None
    return WorryOut.of(changed, counts)


@router.delete(
    f"{BASE}/worries/{{slug}}",
    status_code=204,
    response_class=Response,
    summary="Delete a worry with its tags and profile values",
)
def delete(request: Request, principal: Writer, slug: Slug) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_worry(connection, slug, actor=actor_of(request, principal), now=clock(request))
    except LookupError as error:
        raise missing(error) from None
    return Response(status_code=204)


@router.get(f"{BASE}/worries/{{slug}}/tags", response_model=list[TagOut], summary="A worry's tags")
def tags(request: Request, principal: Reader, slug: Slug) -> list[TagOut]:
    with request.app.state.engine.connect() as connection:
        try:
            known = known_content(connection)
            return [TagOut.of(tag, known) for tag in list_tags(connection, slug)]
        except LookupError as error:
            raise missing(error) from None


@router.post(
    f"{BASE}/worries/{{slug}}/tags",
    response_model=TagOut,
    status_code=201,
    summary="Tag content with a worry (its profiles are recomputed in the background)",
)
def tag(request: Request, principal: Writer, slug: Slug, body: TagIn) -> TagOut:
    try:
        with request.app.state.engine.begin() as connection:
            added = add_tag(
                connection,
                slug,
                body.model_dump(),
                actor=actor_of(request, principal),
                now=clock(request),
                recompute=False,
            )
            known = known_content(connection)
    except LookupError as error:
        raise missing(error) from None
    except UnderstandingInvalid as invalid:
        raise invalid_problem(invalid) from None
    recompute_runner(request).request([added.worry_id])
    return TagOut.of(added, known)


@router.delete(
    f"{BASE}/worries/{{slug}}/tags/{{tag_id}}",
    status_code=204,
    response_class=Response,
    summary="Remove a tag (the worry's profiles are recomputed in the background)",
)
def untag(request: Request, principal: Writer, slug: Slug, tag_id: Id) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            worry_id = remove_tag(
                connection,
                slug,
                tag_id,
                actor=actor_of(request, principal),
                now=clock(request),
                recompute=False,
            )
    except LookupError as error:
        raise missing(error) from None
    recompute_runner(request).request([worry_id])
    return Response(status_code=204)


def _profile(lines: list[ProfileLine], now: datetime) -> ProfileOut:
    return ProfileOut(
        half_life_days=half_life(), at=now, worries=[ProfileLineOut.of(line) for line in lines]
    )


def _visible(request: Request, principal: Principal, table: Any, record_id: int) -> bool:
    condition = table.c.id == record_id
    if principal.role in OWN_RECORDS_ONLY:
        mine = contact_visible_to if table is contacts else account_visible_to
        condition = condition & mine(principal.user_id)
    with request.app.state.engine.connect() as connection:
        return connection.execute(select(table.c.id).where(condition)).first() is not None


@router.get(
    f"{BASE}/contacts/{{contact_id}}/worries",
    response_model=ProfileOut,
    summary="A contact's worry profile, faded to now",
)
def contact_profile(request: Request, principal: RecordReader, contact_id: Id) -> ProfileOut:
    if not _visible(request, principal, contacts, contact_id):
        raise Problem(404, f"no contact {contact_id}")
    now = clock(request)
    with request.app.state.engine.connect() as connection:
        lines = contact_worries_at(connection, contact_id, now=now, least=FADED)
    return _profile(lines, now)


@router.get(
    f"{BASE}/accounts/{{account_id}}/worries",
    response_model=ProfileOut,
    summary="An account's worry profile (its people's together), faded to now",
)
def account_profile(request: Request, principal: RecordReader, account_id: Id) -> ProfileOut:
    if not _visible(request, principal, accounts, account_id):
        raise Problem(404, f"no account {account_id}")
    now = clock(request)
    with request.app.state.engine.connect() as connection:
        lines = account_worries_at(connection, account_id, now=now, least=FADED)
    return _profile(lines, now)
