"""Whose records a salesperson sees: the one rule, for every list, page and route.

A salesperson (a role in ``domain.access.OWN_RECORDS_ONLY``) sees a contact
when they own it, own its account, or hold its open handover; and an account
when they own it.  Everyone else sees every record.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, exists, or_, select

from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.schema import accounts, contacts

#: The contact's account, aliased so the condition works in statements that join accounts.
_their_account = accounts.alias("their_account")


def contact_visible_to(user_id: int) -> ColumnElement[bool]:
    """A condition on ``contacts`` (correlated): the contact is this salesperson's."""
    return or_(
        contacts.c.owner_id == user_id,
        exists().where(
            _their_account.c.id == contacts.c.account_id, _their_account.c.owner_id == user_id
        ),
        exists().where(
            handovers.c.contact_id == contacts.c.id,
            handovers.c.acted_at.is_(None),
            handovers.c.owner_id == user_id,
        ),
    )


def account_visible_to(user_id: int) -> ColumnElement[bool]:
    """A condition on ``accounts``: the account is this salesperson's."""
    return accounts.c.owner_id == user_id


def contact_visible(connection: Connection, contact_id: int, user_id: int) -> bool:
    """Whether the contact exists and is this salesperson's."""
    query = select(contacts.c.id).where(contacts.c.id == contact_id, contact_visible_to(user_id))
    return connection.execute(query).first() is not None
