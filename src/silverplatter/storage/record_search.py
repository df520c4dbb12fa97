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

    With ``indexed=False`` (SQLite) the test is written so no index serves it
    (``x || ''``), which leaves the planner to walk the sort's index instead.
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


def contact_matches(search: str, dialect: str, indexed: bool = True) -> ColumnElement[bool]:
    """The contact search; ``search`` as typed (it is lower-cased here).

    ``indexed=False``: the same test, served by no index (see ``starts_with``),
    for a search matching so many contacts that walking the sort's index finds
    a page of them sooner than collecting them all.
    """
    text = " ".join(search.lower().split())
    words = text.split(" ")
    account = contacts.c.account_id if indexed or dialect != "sqlite" else contacts.c.account_id + 0
    choices: list[ColumnElement[bool]] = [
        starts_with(contacts.c.email_key, text, dialect, indexed),
        starts_with(first_name(), text, dialect, indexed),
        starts_with(last_name(), text, dialect, indexed),
        account.in_(select(_searched.c.id).where(account_matches(text, dialect, _searched))),
    ]
    if len(words) == 2:
        one, two = words
        for first, last in ((one, two), (two, one)):
            choices.append(
                and_(
                    starts_with(first_name(), first, dialect, indexed),
                    starts_with(last_name(), last, dialect, indexed),
                )
            )
    return or_(*choices)


__all__ = ["account_matches", "contact_matches", "starts_with"]
