"""Searching contacts and accounts by what people type: the start of a word.

A search matches a contact whose e-mail, first name or last name starts with
what was typed, or whose account's name or domain does; two words match a
first name and a last name (either order).  Starting, not containing: every
part is a range over an index, so a search stays fast on a million contacts,
where a substring search reads the whole table (12 s at the 95th percentile
on SQLite, measured in ``bench/bench_web.py``).

``starts_with`` is a range (``x >= 'ab' AND x < 'ab' || U+10FFFF``) wherever
strings sort by code point: SQLite's binary collation, and a PostgreSQL
database whose collation is C, POSIX or C.UTF-8; a b-tree index serves it as
one range.  Under any other PostgreSQL collation the range would not be
exactly "starts with", so it is ``LIKE 'ab%'``, correct under any collation
(PostgreSQL 15 turns a LIKE into an index range only under C or POSIX, not
C.UTF-8: there it walked the name index from the start, 0.4 s for "va" at
100,000 contacts against 0.2 ms for the range).  Both are parameterised.
"""

from __future__ import annotations

import weakref
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, literal_column, or_, select

from silverplatter.storage.schema import accounts, contacts

#: The highest code point: every string that starts with ``p`` sorts below ``p + TOP``.
TOP = "\U0010ffff"
EMPTY: ColumnElement[str] = literal_column("''")


#: How a prefix is tested: as an index range, or as LIKE (see the module's docstring).
PrefixTest = Literal["range", "like"]
#: PostgreSQL collations that order strings by code point, as SQLite's binary one does.
CODE_POINT_COLLATIONS = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8"})
_TESTS: weakref.WeakKeyDictionary[Engine, PrefixTest] = weakref.WeakKeyDictionary()


def prefix_test(connection: Connection) -> PrefixTest:
    """How this database tests a prefix: ``range`` where strings sort by code point."""
    if connection.dialect.name != "postgresql":
        return "range"
    known = _TESTS.get(connection.engine)
    if known is None:
        collation = connection.exec_driver_sql(
            "SELECT datcollate FROM pg_database WHERE datname = current_database()"
        ).scalar_one()
        known = _TESTS[connection.engine] = (
            "range" if collation in CODE_POINT_COLLATIONS else "like"
        )
    return known


def _escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def starts_with(
    expression: ColumnElement[Any],
    prefix: str,
    dialect: str,
    indexed: bool = True,
    test: PrefixTest | None = None,
) -> ColumnElement[bool]:
    """``expression`` starts with ``prefix`` (already lower-cased), index-friendly.

    With ``indexed=False`` (SQLite) the test is written so that no index serves
    it (``x || ''``), which leaves the planner to walk the sort's index instead.
    """
    if not indexed and dialect == "sqlite":
        expression = expression.op("||")(EMPTY)
    if test is None:  # not told how this database sorts: what is right under any collation
        test = "like" if dialect == "postgresql" else "range"
    if test == "like":
        return expression.like(_escaped(prefix) + "%", escape="/")
    return and_(expression >= prefix, expression < prefix + TOP)


def first_name() -> ColumnElement[str]:
    return func.lower(func.coalesce(contacts.c.first_name, EMPTY))


def last_name() -> ColumnElement[str]:
    return func.lower(func.coalesce(contacts.c.last_name, EMPTY))


#: Accounts searched for a contact search, aliased: the lists join ``accounts`` too.
_searched = accounts.alias("searched_account")


def account_matches(
    text: str, dialect: str, table: Any = accounts, test: PrefixTest | None = None
) -> ColumnElement[bool]:
    """An account whose name or domain starts with ``text``."""
    return or_(
        starts_with(func.lower(table.c.name), text, dialect, test=test),
        starts_with(table.c.domain, text, dialect, test=test),
    )


def contact_branches(
    search: str, dialect: str, indexed: bool = True, test: PrefixTest | None = None
) -> dict[str, ColumnElement[bool]]:
    """The contact search as its alternatives, each served by an index of its own.

    ``search`` as typed (lower-cased here): the e-mail, the first name, the last
    name or the account's name or domain starts with it; with two words, a
    first name and a last name in either order.  ``indexed=False`` writes each
    alternative so that no index serves it (see ``starts_with``), in the same order.
    """
    text = " ".join(search.lower().split())
    words = text.split(" ")
    account: ColumnElement[Any] = contacts.c.account_id
    if not indexed and dialect == "sqlite":
        account = account + 0
    branches: dict[str, ColumnElement[bool]] = {
        "email": starts_with(contacts.c.email_key, text, dialect, indexed, test),
        "first_name": starts_with(first_name(), text, dialect, indexed, test),
        "last_name": starts_with(last_name(), text, dialect, indexed, test),
        "account": account.in_(
            select(_searched.c.id).where(account_matches(text, dialect, _searched, test))
        ),
    }
    if len(words) == 2:
        one, two = words
        for name, (first, last) in (("first_last", (one, two)), ("last_first", (two, one))):
            branches[name] = and_(
                starts_with(first_name(), first, dialect, indexed, test),
                starts_with(last_name(), last, dialect, indexed, test),
            )
    return branches


def contact_matches(
    search: str, dialect: str, test: PrefixTest | None = None
) -> ColumnElement[bool]:
    """The whole contact search as one condition."""
    return or_(*contact_branches(search, dialect, test=test).values())


__all__ = [
    "account_matches",
    "contact_branches",
    "contact_matches",
    "prefix_test",
    "starts_with",
]
