"""The contact and account lists: one filter compiled to parameterised SQL.

Every list is keyset-paginated on (sort key, id), never OFFSET.  Each sort is
a tuple of expressions whose last member is the row's id; the next page starts
strictly after the previous page's last tuple, compared as a row value, so an
index on exactly that tuple serves every page without sorting.  The indexes
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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)

from silverplatter.domain.record_filters import AccountFilter, ContactFilter, Cursor, CursorError
from silverplatter.storage.engagement_schema import account_scores, contact_scores
from silverplatter.storage.record_search import contact_branches, prefix_test
from silverplatter.storage.rows import one_of
from silverplatter.storage.schema import accounts, consent_records, contacts, users
from silverplatter.storage.sqlite_hints import indexed_by
from silverplatter.storage.visibility import account_visible_to, contact_visible_to

c, a, s, sa = contacts.c, accounts.c, contact_scores.c, account_scores.c
owner = users.alias("owner")
#: An inline '' (not a bound parameter), so sort expressions match their indexes.
EMPTY: ColumnElement[str] = literal_column("''")

#: Latest e-mail consent actions under which a contact may be e-mailed.
CONSENTING = ("granted", "confirmed")


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Row[Any]]
    next: str | None


@dataclass(frozen=True, slots=True)
class SortKey:
    """The expressions a sort orders by (the last is the id) and how to read a cursor's values.

    ``scored`` marks a sort on a score table: rows without a score follow in id order.
    """

    columns: tuple[ColumnElement[Any], ...]
    kinds: tuple[type, ...]
    scored: bool = False


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


def _plain_value(kind: type, value: Any) -> bool:
    if kind is int:
        return type(value) is int and abs(value) < 2**62
    return kind is str and type(value) is str


def _read_key(cursor: Cursor, sort: SortKey) -> tuple[Any, ...]:
    """The cursor's values typed as the sort's columns; a tampered cursor is refused."""
    if len(cursor.key) != len(sort.kinds):
        raise CursorError("this cursor does not belong to this list")
    values: list[Any] = []
    for position, (value, kind) in enumerate(zip(cursor.key, sort.kinds, strict=True)):
        if value is None and sort.scored and position == 0:
            values.append(None)
        elif kind is datetime and isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise CursorError("this cursor does not belong to this list") from None
            if moment.tzinfo is None:
                raise CursorError("this cursor does not belong to this list")
            values.append(moment)
        elif kind is float and type(value) in (int, float) and math.isfinite(value):
            values.append(float(value))
        elif _plain_value(kind, value):
            values.append(value)
        else:
            raise CursorError("this cursor does not belong to this list")
    return tuple(values)


def _beyond(
    columns: Sequence[ColumnElement[Any]], values: Sequence[Any], descending: bool
) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``columns``, as one row-value comparison."""
    left = tuple_(*columns)
    right = tuple_(*(literal(v, type_=col.type) for col, v in zip(columns, values, strict=True)))
    return left < right if descending else left > right


def _ordered(query: Select[Any], columns: Sequence[ColumnElement[Any]], descending: bool) -> Any:
    return query.order_by(*(col.desc() if descending else col.asc() for col in columns))


def keyset_page(
    base: Select[Any], sort: SortKey, *, cursor: Cursor | None, descending: bool, limit: int
) -> list[Select[Any]]:
    """The statements that make one page, in turn (scored rows, then unscored ones)."""
    key = _read_key(cursor, sort) if cursor is not None else None
    labelled = [col.label(f"sort_{n}") for n, col in enumerate(sort.columns)]
    base = base.add_columns(*labelled)
    statements: list[Select[Any]] = []
    if not sort.scored:
        query = base if key is None else base.where(_beyond(sort.columns, key, descending))
        statements.append(_ordered(query, sort.columns, descending))
        return statements
    score, row_id = sort.columns
    if key is None or key[0] is not None:
        query = base.where(score.is_not(None))
        if key is not None:
            query = query.where(_beyond(sort.columns, key, descending))
        statements.append(_ordered(query, sort.columns, descending))
    tail = base.where(score.is_(None))
    if key is not None and key[0] is None:
        tail = tail.where(_beyond((row_id,), key[1:], descending))
    statements.append(_ordered(tail, (row_id,), descending))
    return statements


def run_page(
    connection: Connection,
    base: Select[Any],
    sort: SortKey,
    *,
    sort_name: str,
    cursor: Cursor | None,
    descending: bool,
    limit: int,
) -> Page:
    """Run the page's statements until ``limit + 1`` rows are found; the extra one means "more"."""
    statements = keyset_page(base, sort, cursor=cursor, descending=descending, limit=limit)
    rows: list[Row[Any]] = []
    for statement in statements:
        wanted = limit + 1 - len(rows)
        if wanted <= 0:
            break
        rows.extend(connection.execute(statement.limit(wanted)))
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]._mapping
        key = tuple(last[f"sort_{n}"] for n in range(len(sort.columns)))
        direction = "desc" if descending else "asc"
        following = Cursor(sort_name, direction, tuple(_plain(v) for v in key)).encode()
    return Page(rows, following)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


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


#: A search matching at most this many contacts is answered from their ids.
FEW_MATCHES = 2000
#: Alternatives that, when common, are cheaper to test along the sort's index
#: than to collect and sort, per sort: the account test reads only the
#: contact's row (an e-mail test along another index reads every row, 2–3 s).
#: A common first name is met at once along the name order (4 in 100 first
#: names start "ma": 0.40 s to collect and sort them at a million contacts on
#: SQLite, 10 ms walking), but not along the score order, which SQLite reads
#: whole for it (0.98 s against 0.25 s).
WALKABLE: dict[str, frozenset[str]] = {"name": frozenset({"account", "first_name"})}
WALKABLE_ANY_ORDER = frozenset({"account"})
#: The index a common alternative's page is read through, per (alternative, sort),
#: on SQLite.  With the server's sampled statistics SQLite reads a common e-mail
#: prefix through the e-mail's unique index and then every matching row for its
#: names (0.31 s for "ma", 85,000 addresses, at a million contacts); the
#: (e-mail, last name, first name) index holds the names (21 ms).
READ_THROUGH: dict[tuple[str, str], str] = {("email", "name"): "ix_contacts_email_name"}


def _page_ids(
    connection: Connection,
    base: Select[Any],
    sort: SortKey,
    *,
    cursor: Cursor | None,
    descending: bool,
    limit: int,
) -> list[int]:
    """The ids of the page ``base`` would give (``limit + 1`` rows), and nothing else."""
    ids: list[int] = []
    for statement in keyset_page(base, sort, cursor=cursor, descending=descending, limit=limit):
        wanted = limit + 1 - len(ids)
        if wanted <= 0:
            break
        ids.extend(connection.execute(statement.with_only_columns(c.id).limit(wanted)).scalars())
    return ids


def _searched(
    connection: Connection,
    base: Select[Any],
    chosen: ContactFilter,
    sort: SortKey,
    dialect: str,
) -> Select[Any]:
    """``base`` narrowed to the contacts the search matches, planned by how many match.

    A rare search (at most ``FEW_MATCHES`` contacts) is answered from the ids
    its index ranges find, each alternative's range read on its own: as one
    OR, PostgreSQL scanned the whole table (it cannot OR an index range with
    a sub-select), 0.1-0.5 s at 100,000 contacts.  A common one is asked per
    alternative (e-mail, first name, last name, account …) for that
    alternative's own page in the list's order, and the page is the best of
    those pages: a rare alternative gives all its matches, already read from
    its index range; a common one its page, by walking the sort's index, which
    meets its matches at once unless they sort together (a last name starting
    "vo", which the name index's own range then serves).  A rare alternative
    is never asked for a page: PostgreSQL, expecting thousands of e-mails to
    start "ko", walked the whole name index for none (2.3 s at a million).
    Testing the whole search along the sort's index instead took 8 s for "vo"
    on a million contacts sorted by name.
    """
    assert chosen.search is not None
    test = prefix_test(connection)
    branches = contact_branches(chosen.search, dialect, test=test)
    found: dict[str, list[int]] = {}
    for name, branch in branches.items():
        statement = select(c.id).where(branch).limit(FEW_MATCHES + 1)
        found[name] = list(connection.execute(statement).scalars())
    ids = sorted(set().union(*found.values()))
    if len(ids) > FEW_MATCHES:
        walked = contact_branches(chosen.search, dialect, indexed=False, test=test)
        walkable = WALKABLE.get(chosen.sort, WALKABLE_ANY_ORDER)
        candidates: set[int] = set()
        for name, branch in branches.items():
            if len(found[name]) <= FEW_MATCHES:
                # a rare alternative: all of its matches, already read from its range
                candidates.update(found[name])
                continue
            walk = name in walkable
            page = base.where(walked[name] if walk else branch)
            index = None if walk else READ_THROUGH.get((name, chosen.sort))
            if index is not None:
                page = indexed_by(page, contacts, index)
            candidates.update(
                _page_ids(
                    connection,
                    page,
                    sort,
                    cursor=chosen.cursor(),
                    descending=chosen.order == "desc",
                    limit=chosen.limit,
                )
            )
        ids = sorted(candidates)
    return base.where(one_of(connection, c.id, "matched")).params(matched=ids)


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
    base = _contacts(owned_by).where(*_contact_conditions(chosen))
    sort = CONTACT_SORTS[chosen.sort]
    if chosen.search:
        base = _searched(connection, base, chosen, sort, dialect)
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
    "account_by_id",
    "account_page",
    "contact_by_id",
    "contact_page",
    "contact_scope",
    "owners",
]
