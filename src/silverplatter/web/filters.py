"""The list filters as the web sees them: whose records, and a cursor error named.

Both the API (``web/api/records.py``) and the HTML lists (``web/ui/records.py``)
take ``ContactFilter``/``AccountFilter`` from the query string with
``Depends`` and call these two functions, so they filter, sort, paginate and
scope to a salesperson's own records in exactly the same way.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from sqlalchemy import Engine

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.record_filters import AccountFilter, ContactFilter, CursorError
from silverplatter.services.sessions import Principal
from silverplatter.storage.record_lists import Page, account_page, contact_page
from silverplatter.web.problems import field_problem

#: A filter read from the query string (``?q=…&stage=mql&sort=score``).
ContactQuery = Annotated[ContactFilter, Query()]
AccountQuery = Annotated[AccountFilter, Query()]


def owned_by(principal: Principal) -> int | None:
    """The user whose records alone this principal sees, or None for every record."""
    return principal.user_id if principal.role in OWN_RECORDS_ONLY else None


def contacts_for(request: Request, principal: Principal, chosen: ContactFilter) -> Page:
    engine: Engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            return contact_page(connection, chosen, owned_by=owned_by(principal))
    except CursorError as error:
        raise field_problem("after", str(error)) from None


def accounts_for(request: Request, principal: Principal, chosen: AccountFilter) -> Page:
    engine: Engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            return account_page(connection, chosen, owned_by=owned_by(principal))
    except CursorError as error:
        raise field_problem("after", str(error)) from None
