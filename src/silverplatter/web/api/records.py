"""Accounts and contacts: ``/api/v1/accounts`` and ``/api/v1/contacts``.

* ``GET`` lists take the one filter definition (``ContactFilter`` /
  ``AccountFilter``) that the HTML lists take too, keyset-paginated;
* ``POST`` creates or updates by the record's key (e-mail address; external
  id, domain or name) through ``services.records``, like an import row;
* ``PATCH /{id}`` changes the given fields only: sending the same change twice
  changes nothing the second time.

A salesperson sees only their own records; another's answers 404.  Custom
property definitions, opportunities and meetings live in ``records_more``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import ValidationError
from sqlalchemy import Connection, Engine

from silverplatter.domain.record_filters import MAX_ID
from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.champion_moves import detect_moves
from silverplatter.services.predictive import stored_probabilities
from silverplatter.services.records import UpsertResult, upsert_accounts, upsert_contacts
from silverplatter.services.sessions import Principal
from silverplatter.storage.record_lists import account_by_id, contact_by_id
from silverplatter.web.api import records_more
from silverplatter.web.api.records_models import (
    AccountChanges,
    AccountOut,
    AccountPage,
    ContactChanges,
    ContactOut,
    ContactPage,
    account_out,
    contact_out,
    upsert_problem,
    validation_problem,
)
from silverplatter.web.filters import (
    AccountQuery,
    ContactQuery,
    accounts_for,
    contacts_for,
    owned_by,
)
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(tags=["records"])
Reader = Annotated[Principal, Depends(requires("records:read"))]
Writer = Annotated[Principal, Depends(requires("records:write"))]
ContactId = Annotated[int, Path(ge=1, le=MAX_ID, description="The contact's id")]
AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="The account's id")]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _no(kind: str, record_id: int) -> Problem:
    return Problem(404, f"no {kind} {record_id}")


def _written(result: UpsertResult, response: Response) -> int:
    """The one upserted record's id; its error as a 422 naming the field."""
    if result.errors:
        raise upsert_problem(result.errors[0])
    record_id = result.ids[0]
    if record_id is None:  # pragma: no cover - an upsert without error has an id
        raise Problem(500, "the record was not stored")
    response.status_code = 201 if result.created else 200
    return record_id


def _contact(connection: Connection, contact_id: int, principal: Principal) -> ContactOut:
    row = contact_by_id(connection, contact_id, owned_by=owned_by(principal))
    if row is None:
        raise _no("contact", contact_id)
    return _with_probabilities(connection, [contact_out(row)])[0]


def _with_probabilities(connection: Connection, items: list[ContactOut]) -> list[ContactOut]:
    found = stored_probabilities(connection, [item.id for item in items])
    for item in items:
        item.probability = found.get(item.id)
    return items


def _account(connection: Connection, account_id: int, principal: Principal) -> AccountOut:
    row = account_by_id(connection, account_id, owned_by=owned_by(principal))
    if row is None:
        raise _no("account", account_id)
    return account_out(row)


def _detect(
    request: Request, principal: Principal, connection: Connection, contact_id: int
) -> None:
    """A contact created or changed may be a person who moved from another account."""
    detect_moves(connection, [contact_id], now=clock(request), actor=actor_of(request, principal))


# ---------------------------------------------------------------- contacts


@router.get("/api/v1/contacts", response_model=ContactPage, summary="List contacts")
def list_contacts(request: Request, principal: Reader, chosen: ContactQuery) -> ContactPage:
    """Contacts matching the filter, one keyset page at a time."""
    page = contacts_for(request, principal, chosen)
    with _engine(request).connect() as connection:
        items = _with_probabilities(connection, [contact_out(row) for row in page.rows])
    return ContactPage(items=items, next=page.next)


@router.post(
    "/api/v1/contacts",
    response_model=ContactOut,
    status_code=201,
    summary="Create or update a contact by e-mail address",
    responses={200: {"description": "An existing contact was updated (or unchanged)"}},
)
def create_contact(
    request: Request, response: Response, principal: Writer, body: ContactFields
) -> ContactOut:
    with _engine(request).begin() as connection:
        result = upsert_contacts(connection, [body], now=clock(request), source="api")
        contact_id = _written(result, response)
        _detect(request, principal, connection, contact_id)
        return _contact(connection, contact_id, principal)


@router.get("/api/v1/contacts/{contact_id}", response_model=ContactOut, summary="One contact")
def get_contact(request: Request, principal: Reader, contact_id: ContactId) -> ContactOut:
    with _engine(request).connect() as connection:
        return _contact(connection, contact_id, principal)


@router.patch(
    "/api/v1/contacts/{contact_id}", response_model=ContactOut, summary="Change a contact"
)
def patch_contact(
    request: Request,
    response: Response,
    principal: Writer,
    contact_id: ContactId,
    body: ContactChanges,
) -> ContactOut:
    with _engine(request).begin() as connection:
        stored = _contact(connection, contact_id, principal)
        try:
            fields = ContactFields(email=stored.email, **body.model_dump(exclude_unset=True))
        except ValidationError as error:
            raise validation_problem(error) from None
        result = upsert_contacts(connection, [fields], now=clock(request))
        if _written(result, response) != contact_id:  # pragma: no cover - keyed by its e-mail
            raise Problem(409, "the change would make this a different contact")
        _detect(request, principal, connection, contact_id)
        return _contact(connection, contact_id, principal)


# ---------------------------------------------------------------- accounts


@router.get("/api/v1/accounts", response_model=AccountPage, summary="List accounts")
def list_accounts(request: Request, principal: Reader, chosen: AccountQuery) -> AccountPage:
    """Accounts matching the filter, one keyset page at a time."""
    page = accounts_for(request, principal, chosen)
    return AccountPage(items=[account_out(row) for row in page.rows], next=page.next)


@router.post(
    "/api/v1/accounts",
    response_model=AccountOut,
    status_code=201,
    summary="Create or update an account by external id, domain or name",
    responses={200: {"description": "An existing account was updated (or unchanged)"}},
)
def create_account(
    request: Request, response: Response, principal: Writer, body: AccountFields
) -> AccountOut:
    with _engine(request).begin() as connection:
        result = upsert_accounts(connection, [body], now=clock(request))
        return _account(connection, _written(result, response), principal)


@router.get("/api/v1/accounts/{account_id}", response_model=AccountOut, summary="One account")
def get_account(request: Request, principal: Reader, account_id: AccountId) -> AccountOut:
    with _engine(request).connect() as connection:
        return _account(connection, account_id, principal)


def _account_fields(stored: AccountOut, changes: AccountChanges) -> AccountFields:
    """The upsert item that finds ``stored`` by its keys and carries ``changes``."""
    given = changes.model_dump(exclude_unset=True)
    for key in ("external_id", "domain"):
        current = getattr(stored, key)
        wanted = given.get(key)
        if wanted is not None and current is not None and wanted != current:
            if key == "domain" and stored.external_id is not None:
                continue  # still found by its external id
            raise field_problem(key, f"is this account's key ({current}) and cannot be changed")
    keys = {"external_id": stored.external_id, "domain": stored.domain, "name": stored.name}
    try:
        return AccountFields(**{**keys, **{k: v for k, v in given.items() if v is not None}})
    except ValidationError as error:
        raise validation_problem(error) from None


@router.patch(
    "/api/v1/accounts/{account_id}", response_model=AccountOut, summary="Change an account"
)
def patch_account(
    request: Request,
    response: Response,
    principal: Writer,
    account_id: AccountId,
    body: AccountChanges,
) -> AccountOut:
    with _engine(request).begin() as connection:
        stored = _account(connection, account_id, principal)
        result = upsert_accounts(connection, [_account_fields(stored, body)], now=clock(request))
        if _written(result, response) != account_id:
            raise Problem(409, "the change would make this a different account; nothing changed")
        return _account(connection, account_id, principal)


router.include_router(records_more.router)
