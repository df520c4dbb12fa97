"""Statements of the lost-lead sections that read imported people lists: social followers
who are not contacts yet, and NPS respondents matched to contacts or accounts (domain §11).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, case, exists, func, or_, select

from silverplatter.storage.people_lists import contact_full_name
from silverplatter.storage.planning_schema import people_list_entries, people_lists
from silverplatter.storage.schema import accounts, contacts, users
from silverplatter.storage.visibility import contact_visible_to


def followers_not_contacts(
    connection: Connection, *, limit: int, owner_id: int | None = None
) -> list[Row[Any]]:
    """Entries of social-follower lists that match no contact, by e-mail, LinkedIn URL, or
    name at the entry's matched account — checked now, so a follower who has become a
    contact since the import drops out.  Entries at a known account first, then in
    import order; ``owner_id`` keeps the entries at that owner's accounts.

    The import tied every entry it could to a contact by all three
    (``services/people_lists.py``), so an entry left untied can since have been
    matched only by a contact created or changed after its list was imported:
    those few contacts are gathered once and the entries checked against them,
    instead of three index probes per entry against every contact.
    """
    entry = people_list_entries.alias("entry")
    owner = users.alias("owner")
    follower_lists = people_lists.c.kind == "social_followers"
    # Read first and bound as a value: the planner then knows the recent contacts
    # are few (as a subquery, PostgreSQL guessed a third of them and sorted the
    # entries on disk for merge joins instead of hashing the few).
    oldest_import = connection.execute(
        select(func.min(people_lists.c.imported_at)).where(follower_lists)
    ).scalar_one()
    if oldest_import is None:
        return []
    recent: Any
    changed: list[Any] = []
    if connection.dialect.name == "postgresql":
        # Gathered once and hashed against the entries.
        recent = (
            select(
                contacts.c.email_key,
                contacts.c.linkedin_url,
                contacts.c.account_id,
                contact_full_name(contacts).label("full_name"),
            )
            .where(contacts.c.updated_at >= oldest_import)
            .cte("recent_contacts")
            .prefix_with("MATERIALIZED")
        )
    else:
        # SQLite hashes nothing: it would scan a gathered set once per entry
        # (102 s at a million contacts).  It probes the contacts' own indexes,
        # by e-mail, profile and account, and then checks the time.
        known = contacts.alias("known")
        recent = select(
            known.c.email_key,
            known.c.linkedin_url,
            known.c.account_id,
            known.c.updated_at,
            contact_full_name(known).label("full_name"),
        ).subquery("recent_contacts")
        changed = [recent.c.updated_at >= oldest_import]
    query = (
        select(
            entry.c.id,
            entry.c.email,
            entry.c.full_name,
            entry.c.company,
            entry.c.linkedin_url,
            entry.c.handle,
            people_lists.c.name.label("list_name"),
            accounts.c.id.label("account_id"),
            accounts.c.name.label("account_name"),
            owner.c.id.label("owner_id"),
            owner.c.name.label("owner_name"),
            func.count().over().label("total"),
        )
        .select_from(
            entry.join(people_lists, people_lists.c.id == entry.c.list_id)
            .outerjoin(accounts, accounts.c.id == entry.c.account_id)
            .outerjoin(owner, owner.c.id == accounts.c.owner_id)
        )
        .where(
            follower_lists,
            entry.c.contact_id.is_(None),
            ~exists().where(
                entry.c.email.is_not(None),
                recent.c.email_key == func.lower(entry.c.email),
                *changed,
            ),
            ~exists().where(
                entry.c.linkedin_url.is_not(None),
                recent.c.linkedin_url == entry.c.linkedin_url,
                *changed,
            ),
            ~exists().where(
                entry.c.full_name.is_not(None),
                recent.c.account_id == entry.c.account_id,
                recent.c.full_name == func.lower(func.trim(entry.c.full_name)),
                *changed,
            ),
        )
        .order_by(accounts.c.id.is_(None), entry.c.id)
        .limit(limit)
    )
    if owner_id is not None:
        query = query.where(accounts.c.owner_id == owner_id)
    return list(connection.execute(query))


def nps_respondents(
    connection: Connection,
    *,
    since: datetime,
    promoter_from: int,
    detractor_up_to: int,
    limit: int,
    owner_id: int | None = None,
) -> list[Row[Any]]:
    """Promoters and detractors of NPS lists matched to a contact or an account, answered
    (else imported) since ``since``; a contact's most recently imported answer only.

    Detractors first, lowest score first; then promoters, highest first; then
    the newest answer.  ``owner_id`` keeps the respondents a salesperson sees:
    their contacts (``storage/visibility.py``) and those at their accounts.
    """
    entry = people_list_entries.alias("entry")
    newer = people_list_entries.alias("newer")
    newer_list = people_lists.alias("newer_list")
    contact_owner = users.alias("contact_owner")
    account_owner = users.alias("account_owner")
    answered = func.coalesce(entry.c.answered_at, people_lists.c.imported_at)
    detractor = entry.c.score <= detractor_up_to
    query = (
        select(
            entry.c.id,
            entry.c.email.label("entry_email"),
            entry.c.full_name,
            entry.c.score,
            entry.c.comment,
            answered.label("answered_at"),
            people_lists.c.name.label("list_name"),
            contacts.c.id.label("contact_id"),
            contacts.c.email,
            contacts.c.first_name,
            contacts.c.last_name,
            accounts.c.id.label("account_id"),
            accounts.c.name.label("account_name"),
            func.coalesce(contact_owner.c.id, account_owner.c.id).label("owner_id"),
            func.coalesce(contact_owner.c.name, account_owner.c.name).label("owner_name"),
            func.count().over().label("total"),
        )
        .select_from(
            entry.join(people_lists, people_lists.c.id == entry.c.list_id)
            .outerjoin(contacts, contacts.c.id == entry.c.contact_id)
            .outerjoin(
                accounts,
                accounts.c.id == func.coalesce(contacts.c.account_id, entry.c.account_id),
            )
            .outerjoin(contact_owner, contact_owner.c.id == contacts.c.owner_id)
            .outerjoin(account_owner, account_owner.c.id == accounts.c.owner_id)
        )
        .where(
            people_lists.c.kind == "nps_survey",
            entry.c.score.is_not(None),
            or_(entry.c.score >= promoter_from, detractor),
            or_(entry.c.contact_id.is_not(None), entry.c.account_id.is_not(None)),
            answered >= since,
            ~exists().where(
                entry.c.contact_id.is_not(None),
                newer.c.contact_id == entry.c.contact_id,
                newer.c.id > entry.c.id,
                newer_list.c.id == newer.c.list_id,
                newer_list.c.kind == "nps_survey",
                newer.c.score.is_not(None),
            ),
        )
        .order_by(
            case((detractor, 0), else_=1),
            case((detractor, entry.c.score), else_=-entry.c.score),
            answered.desc(),
            entry.c.id,
        )
        .limit(limit)
    )
    if owner_id is not None:
        query = query.where(
            or_(
                and_(contacts.c.id.is_not(None), contact_visible_to(owner_id)),
                accounts.c.owner_id == owner_id,
            )
        )
    return list(connection.execute(query))


__all__ = ["followers_not_contacts", "nps_respondents"]
