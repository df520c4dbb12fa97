"""The contact and account lists: one filter compiled to parameterised SQL.

Every list is keyset-paginated on (sort key, id), never OFFSET
(``storage/keyset_pages.py``); a search is planned in
``storage/contact_search_plan.py``.  Each sort is a tuple of expressions
whose last member is the row's id, so an index on exactly that tuple serves
every page without sorting.  The indexes
these sorts need (not all exist yet; the statements are correct without them,
only slower on a large workspace):

* contacts ``(lower(coalesce(last_name, '')), lower(coalesce(first_name, '')), id)``,
  ``(created_at, id)``, ``(updated_at, id)``;
* contact_scores ``(score, contact_id)``;
* accounts ``(lower(name), id)``, ``(created_at, id)``, ``(updated_at, id)``;
* account_scores ``(score, account_id)``.

The score sort reads ``contact_scores``/``account_scores``: scored rows come
first in score order, then the rows without a score (never computed yet) in
id order, as a second keyset over the primary key — never a sort of the
whole table.

Whose records a salesperson sees is decided here and only here
(``owned_by``), so the API and the HTML list cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    exists,
    func,
    literal_column,
    or_,
    select,
)

from silverplatter.domain.record_filters import AccountFilter, ContactFilter
from silverplatter.storage.contact_search_plan import searched
from silverplatter.storage.engagement_schema import account_scores, contact_scores
from silverplatter.storage.keyset_pages import Page, SortKey, run_page
from silverplatter.storage.schema import accounts, consent_records, contacts, users
from silverplatter.storage.visibility import account_visible_to, contact_visible_to

c, a, s, sa = contacts.c, accounts.c, contact_scores.c, account_scores.c
owner = users.alias("owner")
#: An inline '' (not a bound parameter), so sort expressions match their indexes.
EMPTY: ColumnElement[str] = literal_column("''")

#: Latest e-mail consent actions under which a contact may be e-mailed.
CONSENTING = ("granted", "confirmed")


def _contact_sorts() -> dict[str, SortKey]:
    return {
        "name": SortKey(
            (
                func.lower(func.coalesce(c.last_name, EMPTY)),
                func.lower(func.coalesce(c.first_name, EMPTY)),
                c.id,
            ),
            (str, str, int),
        ),
        "created": SortKey((c.created_at, c.id), (datetime, int)),
        "updated": SortKey((c.updated_at, c.id), (datetime, int)),
        "score": SortKey((s.score, c.id), (float, int), scored=True),
    }


def _account_sorts() -> dict[str, SortKey]:
    return {
        "name": SortKey((func.lower(a.name), a.id), (str, int)),
        "created": SortKey((a.created_at, a.id), (datetime, int)),
        "updated": SortKey((a.updated_at, a.id), (datetime, int)),
        "score": SortKey((sa.score, a.id), (float, int), scored=True),
    }


CONTACT_SORTS = _contact_sorts()
ACCOUNT_SORTS = _account_sorts()


# ---------------------------------------------------------------- contacts


def contact_scope(owned_by: int) -> ColumnElement[bool]:
    """A salesperson's contacts (``storage/visibility.py`` holds the one rule)."""
    return contact_visible_to(owned_by)


def _contacts(owned_by: int | None) -> Select[Any]:
    query = select(
        c.id,
        c.external_id,
        c.email,
        c.first_name,
        c.last_name,
        c.title,
        c.seniority,
        c.department,
        c.decision_role,
        c.phone,
        c.linkedin_url,
        c.country,
        c.lifecycle_stage,
        c.custom,
        c.created_at,
        c.updated_at,
        c.account_id,
        a.name.label("account_name"),
        a.domain.label("account_domain"),
        a.value_tier.label("account_tier"),
        c.owner_id,
        owner.c.name.label("owner_name"),
        owner.c.email.label("owner_email"),
        s.grade,
        s.score,
    ).select_from(
        contacts.outerjoin(accounts, a.id == c.account_id)
        .outerjoin(owner, owner.c.id == c.owner_id)
        .outerjoin(contact_scores, s.contact_id == c.id)
    )
    if owned_by is not None:
        query = query.where(contact_scope(owned_by))
    return query


def _latest_consent() -> Any:
    r = consent_records.c
    return (
        select(r.action)
        .where(r.contact_id == c.id, r.channel == "email")
        .order_by(r.occurred_at.desc(), r.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _contact_conditions(chosen: ContactFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if chosen.stage is not None:
        conditions.append(c.lifecycle_stage == chosen.stage)
    if chosen.grade_level is not None:
        conditions.append(s.grade_level >= chosen.grade_level)
    if chosen.tier is not None:
        conditions.append(a.value_tier == chosen.tier)
    if chosen.owner is not None:
        conditions.append(c.owner_id == chosen.owner)
    if chosen.account is not None:
        conditions.append(c.account_id == chosen.account)
    if chosen.min_score is not None:
        conditions.append(s.score >= chosen.min_score)
    if chosen.country is not None:
        conditions.append(c.country == chosen.country)
    if chosen.decision_role is not None:
        conditions.append(c.decision_role == chosen.decision_role)
    if chosen.consent == "none":
        r = consent_records.c
        conditions.append(~exists().where(r.contact_id == c.id, r.channel == "email"))
    elif chosen.consent == "given":
        conditions.append(_latest_consent().in_(CONSENTING))
    elif chosen.consent is not None:
        conditions.append(_latest_consent() == chosen.consent)
    return conditions


def contact_page(connection: Connection, chosen: ContactFilter, *, owned_by: int | None) -> Page:
    """One page of contacts as ``chosen`` asks; ``owned_by`` limits them to a salesperson's."""
    dialect = connection.dialect.name
    conditions = _contact_conditions(chosen)
    base = _contacts(owned_by).where(*conditions)
    sort = CONTACT_SORTS[chosen.sort]
    if chosen.search:
        narrowed = bool(conditions) or owned_by is not None
        base = searched(connection, base, chosen, sort, dialect, narrowed=narrowed)
    return run_page(
        connection,
        base,
        sort,
        sort_name=chosen.sort,
        cursor=chosen.cursor(),
        descending=chosen.order == "desc",
        limit=chosen.limit,
    )


def contact_by_id(
    connection: Connection, contact_id: int, *, owned_by: int | None
) -> Row[Any] | None:
    """One contact as the list shows it, or None when missing or not the viewer's."""
    return connection.execute(_contacts(owned_by).where(c.id == contact_id)).first()


# ---------------------------------------------------------------- accounts


def _accounts(owned_by: int | None) -> Select[Any]:
    people = (
        select(func.count()).select_from(contacts).where(c.account_id == a.id).scalar_subquery()
    )
    query = select(
        a.id,
        a.external_id,
        a.name,
        a.domain,
        a.industry,
        a.country,
        a.employees,
        a.annual_revenue,
        a.value_tier,
        a.needs_segment,
        a.status,
        a.custom,
        a.created_at,
        a.updated_at,
        a.owner_id,
        owner.c.name.label("owner_name"),
        owner.c.email.label("owner_email"),
        sa.score,
        people.label("contacts"),
    ).select_from(
        accounts.outerjoin(owner, owner.c.id == a.owner_id).outerjoin(
            account_scores, sa.account_id == a.id
        )
    )
    if owned_by is not None:
        query = query.where(account_visible_to(owned_by))
    return query


def _account_conditions(chosen: AccountFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if chosen.search:
        text = chosen.search
        conditions.append(
            or_(
                func.lower(a.name).contains(text, autoescape=True),
                func.coalesce(a.domain, "").contains(text, autoescape=True),
            )
        )
    if chosen.tier is not None:
        conditions.append(a.value_tier == chosen.tier)
    if chosen.status is not None:
        conditions.append(a.status == chosen.status)
    if chosen.owner is not None:
        conditions.append(a.owner_id == chosen.owner)
    if chosen.country is not None:
        conditions.append(a.country == chosen.country)
    if chosen.industry is not None:
        conditions.append(func.lower(a.industry) == chosen.industry.lower())
    if chosen.min_score is not None:
        conditions.append(sa.score >= chosen.min_score)
    return conditions


def account_page(connection: Connection, chosen: AccountFilter, *, owned_by: int | None) -> Page:
    """One page of accounts as ``chosen`` asks; ``owned_by`` limits them to a salesperson's."""
    base = _accounts(owned_by).where(*_account_conditions(chosen))
    return run_page(
        connection,
        base,
        ACCOUNT_SORTS[chosen.sort],
        sort_name=chosen.sort,
        cursor=chosen.cursor(),
        descending=chosen.order == "desc",
        limit=chosen.limit,
    )


def account_by_id(
    connection: Connection, account_id: int, *, owned_by: int | None
) -> Row[Any] | None:
    return connection.execute(_accounts(owned_by).where(a.id == account_id)).first()


def owners(connection: Connection) -> list[Row[Any]]:
    """The people records can belong to, by name: the owner choices of a filter form."""
    query = select(users.c.id, users.c.name).order_by(users.c.name, users.c.id)
    return list(connection.execute(query.where(users.c.active.is_(True))))


__all__ = [
    "ACCOUNT_SORTS",
    "CONTACT_SORTS",
    "Page",
    "SortKey",
    "account_by_id",
    "account_page",
    "contact_by_id",
    "contact_page",
    "contact_scope",
    "owners",
    "run_page",
]
