"""Statements of employment history and champion moves (``planning_schema``).

The look-ups that detection makes per batch are set-based: one statement for
the batch's own records, one for every record sharing a LinkedIn profile, one
for every namesake (by the contacts' name index), one for the accounts owning
the e-mail domains, and one for the moves already recorded.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)

from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.planning_schema import champion_moves, employment_history, tasks
from silverplatter.storage.record_search import first_name, last_name
from silverplatter.storage.schema import accounts, contacts, opportunities, users

_PERSON = (
    contacts.c.id,
    contacts.c.account_id,
    contacts.c.email,
    contacts.c.first_name,
    contacts.c.last_name,
    contacts.c.linkedin_url,
    contacts.c.created_at,
    contacts.c.title,
    contacts.c.owner_id,
)


def people(connection: Connection, contact_ids: Collection[int]) -> list[Row[Any]]:
    """The contacts ``contact_ids`` as detection reads them."""
    if not contact_ids:
        return []
    query = select(*_PERSON).where(contacts.c.id.in_(sorted(set(contact_ids))))
    return list(connection.execute(query))


def people_by_profile(connection: Connection, stored_urls: Collection[str]) -> list[Row[Any]]:
    """Contacts at an account whose LinkedIn URL is one of ``stored_urls``.

    Served by the partial index ``ix_contacts_linkedin_url`` (migration 0018).
    """
    if not stored_urls:
        return []
    query = select(*_PERSON).where(
        contacts.c.linkedin_url.in_(sorted(stored_urls)), contacts.c.account_id.is_not(None)
    )
    return list(connection.execute(query))


def _named(names: Collection[tuple[str, str]]) -> list[ColumnElement[bool]]:
    """``names`` as conditions; the last name alone first, which SQLite finds by the
    name index (it does not use the index for the pair)."""
    return [
        last_name().in_(sorted({last for last, _first in names})),
        tuple_(last_name(), first_name()).in_(sorted(names)),
    ]


def name_counts(
    connection: Connection, names: Collection[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """How many contacts carry each lower-cased (last, first) name of ``names``.

    Read from the name index alone, so a common name costs index entries, not rows.
    """
    if not names:
        return {}
    query = (
        select(last_name(), first_name(), func.count())
        .where(*_named(names))
        .group_by(last_name(), first_name())
    )
    return {(str(last), str(first)): int(n) for last, first, n in connection.execute(query)}


def people_by_name(connection: Connection, names: Collection[tuple[str, str]]) -> list[Row[Any]]:
    """Contacts at an account whose lower-cased (last, first) name is one of ``names``."""
    if not names:
        return []
    query = select(*_PERSON).where(*_named(names), contacts.c.account_id.is_not(None))
    return list(connection.execute(query))


def accounts_by_domain(connection: Connection, domains: Collection[str]) -> dict[str, int]:
    if not domains:
        return {}
    query = select(accounts.c.domain, accounts.c.id).where(accounts.c.domain.in_(sorted(domains)))
    return {row.domain: int(row.id) for row in connection.execute(query)}


def accounts_by_id(
    connection: Connection, account_ids: Iterable[int | None]
) -> dict[int, Row[Any]]:
    wanted = sorted({a for a in account_ids if a is not None})
    if not wanted:
        return {}
    query = select(accounts.c.id, accounts.c.name, accounts.c.owner_id).where(
        accounts.c.id.in_(wanted)
    )
    return {int(row.id): row for row in list[Row[Any]](connection.execute(query))}


def recorded_moves(connection: Connection, contact_ids: Collection[int]) -> set[tuple[int, int]]:
    """``(contact_id, to_account_id)`` of the moves already recorded for ``contact_ids``."""
    if not contact_ids:
        return set()
    query = select(champion_moves.c.contact_id, champion_moves.c.to_account_id).where(
        champion_moves.c.contact_id.in_(sorted(set(contact_ids)))
    )
    return {(int(r.contact_id), int(r.to_account_id)) for r in connection.execute(query)}


def insert_move(connection: Connection, **values: Any) -> int:
    result = connection.execute(insert(champion_moves).returning(champion_moves.c.id), [values])
    return int(result.scalar_one())


def has_history(connection: Connection, contact_ids: Collection[int]) -> set[int]:
    """Which of ``contact_ids`` have an employment history already."""
    if not contact_ids:
        return set()
    query = (
        select(employment_history.c.contact_id)
        .where(employment_history.c.contact_id.in_(sorted(set(contact_ids))))
        .distinct()
    )
    return {int(row.contact_id) for row in connection.execute(query)}


def insert_history(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(employment_history), list(rows))


def end_current(connection: Connection, contact_id: int, ended_at: datetime) -> int:
    """Close the contact's open employment; how many rows were closed."""
    result = connection.execute(
        update(employment_history)
        .where(
            employment_history.c.contact_id == contact_id,
            employment_history.c.ended_at.is_(None),
        )
        .values(ended_at=ended_at)
    )
    return int(result.rowcount)


def history(connection: Connection, contact_id: int) -> list[Row[Any]]:
    """A contact's employment, oldest first."""
    query = (
        select(employment_history)
        .where(employment_history.c.contact_id == contact_id)
        .order_by(employment_history.c.started_at, employment_history.c.id)
    )
    return list(connection.execute(query))


def move_account(connection: Connection, contact_id: int, account_id: int, now: datetime) -> None:
    connection.execute(
        update(contacts)
        .where(contacts.c.id == contact_id)
        .values(account_id=account_id, updated_at=now)
    )


def champion_facts(
    connection: Connection, contact_ids: Collection[int]
) -> dict[int, dict[str, Any]]:
    """Role, stage, score, open or won opportunities and handovers of ``contact_ids``."""
    wanted = sorted(set(contact_ids))
    if not wanted:
        return {}
    deals = (
        select(opportunities.c.contact_id, func.count().label("n"))
        .where(opportunities.c.contact_id.in_(wanted), opportunities.c.status.in_(("open", "won")))
        .group_by(opportunities.c.contact_id)
        .subquery()
    )
    handed = (
        select(handovers.c.contact_id)
        .where(handovers.c.contact_id.in_(wanted))
        .group_by(handovers.c.contact_id)
        .subquery()
    )
    query = (
        select(
            contacts.c.id,
            contacts.c.decision_role,
            contacts.c.lifecycle_stage,
            contact_scores.c.score,
            func.coalesce(deals.c.n, 0).label("deals"),
            handed.c.contact_id.label("handed"),
        )
        .outerjoin(contact_scores, contact_scores.c.contact_id == contacts.c.id)
        .outerjoin(deals, deals.c.contact_id == contacts.c.id)
        .outerjoin(handed, handed.c.contact_id == contacts.c.id)
        .where(contacts.c.id.in_(wanted))
    )
    return {
        int(row.id): {
            "decision_role": row.decision_role,
            "lifecycle_stage": row.lifecycle_stage,
            "score": None if row.score is None else float(row.score),
            "open_or_won_opportunities": int(row.deals),
            "handed_over": row.handed is not None,
        }
        for row in connection.execute(query)
    }


_old = accounts.alias("old_account")
_new = accounts.alias("new_account")
_person = contacts.alias("person")
_newcomer = contacts.alias("newcomer")


def _listing() -> Any:
    return (
        select(
            champion_moves,
            _person.c.email.label("email"),
            _person.c.first_name,
            _person.c.last_name,
            _newcomer.c.email.label("new_email"),
            _old.c.name.label("from_name"),
            _old.c.owner_id.label("from_owner_id"),
            _new.c.name.label("to_name"),
            _new.c.owner_id.label("to_owner_id"),
        )
        .join(_person, _person.c.id == champion_moves.c.contact_id)
        .outerjoin(_newcomer, _newcomer.c.id == champion_moves.c.new_contact_id)
        .outerjoin(_old, _old.c.id == champion_moves.c.from_account_id)
        .outerjoin(_new, _new.c.id == champion_moves.c.to_account_id)
    )


def _touching_owner(user_id: int) -> ColumnElement[bool]:
    return or_(_old.c.owner_id == user_id, _new.c.owner_id == user_id)


def moves(
    connection: Connection,
    *,
    owner_id: int | None = None,
    contact_id: int | None = None,
    account_id: int | None = None,
    limit: int = 200,
) -> list[Row[Any]]:
    """Recorded moves, newest first; narrowed to an owner's accounts, a person or an account."""
    query = _listing()
    if owner_id is not None:
        query = query.where(_touching_owner(owner_id))
    if contact_id is not None:
        query = query.where(
            or_(
                champion_moves.c.contact_id == contact_id,
                champion_moves.c.new_contact_id == contact_id,
            )
        )
    if account_id is not None:
        query = query.where(
            or_(
                champion_moves.c.from_account_id == account_id,
                champion_moves.c.to_account_id == account_id,
            )
        )
    query = query.order_by(champion_moves.c.detected_at.desc(), champion_moves.c.id.desc())
    return list(connection.execute(query.limit(limit)))


def move_tasks(connection: Connection, contact_ids: Collection[int]) -> list[Row[Any]]:
    """``champion_move`` tasks about ``contact_ids``, with their owner's name, oldest first."""
    if not contact_ids:
        return []
    query = (
        select(tasks, users.c.name.label("owner_name"))
        .outerjoin(users, users.c.id == tasks.c.owner_id)
        .where(tasks.c.source == "champion_move", tasks.c.contact_id.in_(sorted(set(contact_ids))))
        .order_by(tasks.c.id)
    )
    return list(connection.execute(query))
