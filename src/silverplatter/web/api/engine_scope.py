"""What the engine API's routes share: the database, the contact id, whose records are whose.

Sales works its own records only (``OWN_RECORDS_ONLY``): a contact is a
salesperson's to read and qualify when it, its account or its open handover
is theirs, and a queue card is theirs to act on when its open handover (or,
with none open, the contact) is theirs.  Another person's contact answers
404, as if it did not exist, so ids reveal nothing.

The rule itself lives in ``storage/visibility.py``, shared with the lists
and the pages.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Path, Request
from pydantic import AfterValidator, Field
from sqlalchemy import Connection, Engine, func, select

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.services.sessions import Principal
from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.schema import contacts
from silverplatter.storage.visibility import contact_visible_to
from silverplatter.web.problems import Problem

#: The largest id a database integer column holds; larger ones are simply unknown.
MAX_ID: Final = 2**31 - 1

ContactId = Annotated[int, Path(ge=1, le=MAX_ID, description="The contact's id")]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


#: Text without a NUL character, which PostgreSQL cannot store.
NO_NUL: Final = AfterValidator(_no_nul)
#: A person's words: a reason, a note, a BANT answer.
Words = Annotated[str, Field(max_length=2000), NO_NUL]


def database(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def own_records_only(principal: Principal) -> bool:
    return principal.role in OWN_RECORDS_ONLY


def no_contact(contact_id: int) -> Problem:
    return Problem(
        404,
        f"no contact {contact_id}",
        errors=[{"field": "contact_id", "message": f"no contact {contact_id}"}],
    )


def check_contact(connection: Connection, principal: Principal, contact_id: int) -> None:
    """Refuse with 404 a contact that does not exist or that this principal may not see."""
    query = select(contacts.c.id).where(contacts.c.id == contact_id)
    if own_records_only(principal):
        query = query.where(contact_visible_to(principal.user_id))
    if connection.execute(query).first() is None:
        raise no_contact(contact_id)


def check_card(connection: Connection, principal: Principal, contact_id: int) -> None:
    """Refuse with 404 a contact that is not a card this principal may act on.

    A card is a salesperson's when its open handover is theirs, or, with no
    handover open, when the contact is theirs (as the queue shows it).
    """
    query = select(contacts.c.id).where(contacts.c.id == contact_id)
    if own_records_only(principal):
        opened = (
            select(handovers.c.owner_id)
            .where(handovers.c.contact_id == contacts.c.id, handovers.c.acted_at.is_(None))
            .scalar_subquery()
        )
        query = query.where(func.coalesce(opened, contacts.c.owner_id) == principal.user_id)
    if connection.execute(query).first() is None:
        raise no_contact(contact_id)


__all__ = [
    "MAX_ID",
    "ContactId",
    "check_card",
    "check_contact",
    "database",
    "no_contact",
    "own_records_only",
]
