"""Touch counts ("Law of 29") for the contact and account pages (``domain/touches.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from silverplatter.domain.touches import Touches
from silverplatter.storage import touches as store
from silverplatter.storage.schema import contacts


@dataclass(frozen=True)
class AccountTouches:
    total: Touches
    #: People at the account touched at least once in the window.
    people_touched: int
    #: Touches recorded on the account itself (no contact).
    own: Touches


def contact_touches(connection: Connection, contact_id: int, *, now: datetime) -> Touches:
    """The contact's touches in the 365 days up to ``now``."""
    people = select(contacts.c.id).where(contacts.c.id == contact_id)
    counted = store.contact_touches(connection, people, now=now)
    return Touches.of(counted.get(contact_id, {}))


def account_touches(connection: Connection, account_id: int, *, now: datetime) -> AccountTouches:
    """The account's touches: its people's added up, plus its own, in the 365 days up to ``now``."""
    people = select(contacts.c.id).where(contacts.c.account_id == account_id)
    counted = store.contact_touches(connection, people, now=now)
    own = Touches.of(store.account_own_touches(connection, account_id, now=now))
    total = own
    for kinds in counted.values():
        total = total + Touches.of(kinds)
    touched = sum(1 for kinds in counted.values() if sum(kinds.values()) > 0)
    return AccountTouches(total, touched, own)


__all__ = ["AccountTouches", "account_touches", "contact_touches"]
