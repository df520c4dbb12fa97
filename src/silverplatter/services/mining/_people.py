"""Who a candidate of the deal sections is: the contact and account of a row, and
the owner to show — the contact's, else the account's."""

from __future__ import annotations

from typing import Any

from silverplatter.domain.mining import Candidate
from silverplatter.services.contact_view import full_name


def candidate(
    row: Any,
    *,
    reason: str,
    contact_id: int | None,
    account_id: int | None,
    figures: dict[str, int | float | str],
    suggested_on: Any = None,
) -> Candidate:
    """A candidate from a row carrying the columns of ``storage.mining_deals._people_columns``."""
    has_contact = contact_id is not None and row.contact_email is not None
    owner_id = row.contact_owner_id if has_contact else None
    owner_name = row.contact_owner_name if has_contact else None
    if owner_id is None:
        owner_id, owner_name = row.account_owner_id, row.account_owner_name
    return Candidate(
        reason=reason,
        contact_id=contact_id if has_contact else None,
        contact_name=full_name(row.first_name, row.last_name, row.contact_email)
        if has_contact
        else None,
        contact_email=row.contact_email if has_contact else None,
        account_id=account_id,
        account_name=row.account_name if account_id is not None else None,
        owner_id=owner_id,
        owner_name=owner_name,
        suggested_on=suggested_on,
        figures=figures,
    )
