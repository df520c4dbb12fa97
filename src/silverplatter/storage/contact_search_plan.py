"""How a contact search is answered: planned by how many contacts each alternative matches.

The search's alternatives (``storage/record_search.py``: the e-mail, the first
name, the last name, the account's name or domain, a first and last name) are
each read from an index range of their own.  A rare search is answered from
the ids those ranges give; a common one from each alternative's own page in
the list's order, merged (``searched``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, select

from silverplatter.domain.record_filters import ContactFilter, Cursor
from silverplatter.storage.keyset_pages import SortKey, beyond, keyset_page, read_key
from silverplatter.storage.record_search import contact_branches, prefix_test
from silverplatter.storage.rows import one_of
from silverplatter.storage.schema import contacts
from silverplatter.storage.sqlite_hints import indexed_by

c = contacts.c

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
#: PostgreSQL has no such hint, and walks the name order for a common e-mail
#: prefix, testing every row: 234-260 ms for "ti", "vi" or "ai" (13,500-14,000
#: addresses each, at a million contacts), where reading the prefix's range and
#: sorting it takes 15-17 ms.  Up to this many matches the range is read first;
#: beyond it matches are dense and the walk meets a page at once (4.6 ms for
#: "ma", 85,000 addresses, against 143 ms sorting them).
RANGE_FIRST_LIMIT = 20_000


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


def _at_most(connection: Connection, condition: ColumnElement[bool], limit: int) -> bool:
    """Whether at most ``limit`` contacts meet ``condition`` (counting stops after one more)."""
    counted = select(c.id).where(condition).limit(limit + 1).subquery()
    return connection.execute(select(func.count()).select_from(counted)).scalar_one() <= limit


def _range_first_page_ids(
    connection: Connection,
    base: Select[Any],
    sort: SortKey,
    *,
    cursor: Cursor | None,
    descending: bool,
    limit: int,
) -> list[int]:
    """As ``_page_ids``, with the page's matches gathered before they are sorted.

    ``OFFSET 0`` keeps PostgreSQL from pulling the sort into the gathering:
    the matches come from their own index range and only they are sorted,
    instead of the sort's index being walked and every row tested.
    """
    assert not sort.scored, "a scored sort pages in two statements"
    if cursor is not None:
        base = base.where(beyond(sort.columns, read_key(cursor, sort), descending))
    keys = [column.label(f"key_{n}") for n, column in enumerate(sort.columns)]
    gathered = base.with_only_columns(c.id, *keys).offset(0).subquery("gathered")
    order = [gathered.c[key.name] for key in keys]
    statement = (
        select(gathered.c.id)
        .order_by(*(key.desc() if descending else key.asc() for key in order))
        .limit(limit + 1)
    )
    return list(connection.execute(statement).scalars())


def searched(
    connection: Connection,
    base: Select[Any],
    chosen: ContactFilter,
    sort: SortKey,
    dialect: str,
    *,
    narrowed: bool = False,
) -> Select[Any]:
    """``base`` narrowed to the contacts the search matches, planned by how many match.

    ``narrowed`` says ``base`` has conditions besides the search (a filter, a
    salesperson's scope): the database then chooses how to read each page.

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
            # Only a search alone, and only as a range: with another condition (an
            # account, an owner, a stage …) its own index may find far fewer rows than
            # the prefix's range, and LIKE (under other collations) has no range to read.
            first = not walk and not narrowed and test == "range"
            index = READ_THROUGH.get((name, chosen.sort)) if first else None
            pager = _page_ids
            if index is not None and dialect == "sqlite":
                page = indexed_by(page, contacts, index)
            elif index is not None and _at_most(connection, branch, RANGE_FIRST_LIMIT):
                pager = _range_first_page_ids
            candidates.update(
                pager(
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


__all__ = ["FEW_MATCHES", "RANGE_FIRST_LIMIT", "searched"]
