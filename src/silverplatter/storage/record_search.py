"""Searching contacts and accounts by what people type: the start of a word.

A search matches a contact whose e-mail, first name or last name starts with
what was typed, or whose account's name or domain does; two words match a
first name and a last name (either order).  Starting, not containing: every
part is a range over an index, so a search stays fast on a million contacts,
where a substring search reads the whole table (12 s at the 95th percentile
on SQLite, measured in ``bench/bench_web.py``).

``starts_with`` is a range on SQLite (``x >= 'ab' AND x < 'ab\\uffff'``,
which its index serves under SQLite's binary collation) and to ``LIKE 'ab%'``
on PostgreSQL (served by a b-tree index in a database with the C or C.UTF-8
collation; correct under any collation).  Both are parameterised; the LIKE
pattern is whole in its parameter so the planner sees its fixed prefix.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select

from silverplatter.storage.schema import accounts, contacts

#: The highest code point: every string that starts with ``p`` sorts below ``p + TOP``.
TOP = "\U0010ffff"
EMPTY: ColumnElement[str] = literal_column("''")


def _escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def starts_with(
    expression: ColumnElement[Any], prefix: str, dialect: str, indexed: bool = True
) -> ColumnElement[bool]:
    """``expression`` starts with ``prefix`` (already lower-cased), index-friendly.

    With ``indexed=False`` (SQLite) the test is written so that no index serves
    it (``x || ''``), which leaves the planner to walk the sort's index instead.
    """
    if not indexed and dialect == "sqlite":
        expression = expression.op("||")(EMPTY)
    if dialect == "postgresql":
        return expression.like(_escaped(prefix) + "%", escape="/")
    return and_(expression >= prefix, expression < prefix + TOP)


def first_name() -> ColumnElement[str]:
    return func.lower(func.coalesce(contacts.c.first_name, EMPTY))


def last_name() -> ColumnElement[str]:
    return func.lower(func.coalesce(contacts.c.last_name, EMPTY))


#: Accounts searched for a contact search, aliased: the lists join ``accounts`` too.
_searched = accounts.alias("searched_account")


def account_matches(text: str, dialect: str, table: Any = accounts) -> ColumnElement[bool]:
    """An account whose name or domain starts with ``text``."""
    return or_(
        starts_with(func.lower(table.c.name), text, dialect),
        starts_with(table.c.domain, text, dialect),
    )


def contact_branches(
    search: str, dialect: str, indexed: bool = True
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
        "email": starts_with(contacts.c.email_key, text, dialect, indexed),
        "first_name": starts_with(first_name(), text, dialect, indexed),
        "last_name": starts_with(last_name(), text, dialect, indexed),
        "account": account.in_(
            select(_searched.c.id).where(account_matches(text, dialect, _searched))
        ),
    }
    if len(words) == 2:
        one, two = words
        for name, (first, last) in (("first_last", (one, two)), ("last_first", (two, one))):
            branches[name] = and_(
                starts_with(first_name(), first, dialect, indexed),
                starts_with(last_name(), last, dialect, indexed),
            )
    return branches


def contact_matches(search: str, dialect: str) -> ColumnElement[bool]:
    """The whole contact search as one condition."""
    return or_(*contact_branches(search, dialect).values())


__all__ = ["account_matches", "contact_branches", "contact_matches", "starts_with"]
