"""Champion moves: recognising a person at a new account and alerting both owners.

``detect_moves`` runs after contacts were created or changed (an import
batch, the API): for each, it looks for the earlier record of the same person
at another account (``domain/champion_moves.py`` has the rules), records the
move once (``champion_moves`` is unique per person and destination, so
running detection again changes nothing), keeps the person's employment
history, and gives the old account's owner a *risk* task and the new
account's owner an *opening* task.  ``mark_move`` does the same for a move a
user knows of.

The owner alerted on each side is the account's owner, else the owner of the
person's record there, else nobody (the pages say so).  A champion's move is
due in two days, a plain move in two weeks.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.champion_moves import (
    CROWDED,
    MATCH_WORDS,
    ChampionFacts,
    MatchedBy,
    PersonRecord,
    champion_reasons,
    display_name,
    due_on,
    email_domain,
    find_match,
    linkedin_key,
    linkedin_stored_forms,
    name_key,
    name_lookup_forms,
    opening_title,
    risk_title,
)
from silverplatter.services.audit import Actor, record
from silverplatter.services.tasks import TaskFields, create_tasks
from silverplatter.storage import employment as store

#: Detection run by an import or the system, not by a signed-in user.
SYSTEM = Actor(None)


class MoveError(ValueError):
    """A move that cannot be recorded: ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class RecordedMove:
    """A move just recorded, with the tasks it gave."""

    id: int
    contact_id: int
    new_contact_id: int | None
    from_account_id: int | None
    to_account_id: int
    matched_by: str
    champion: tuple[str, ...]
    task_ids: tuple[int, ...]
    #: The sides ("old", "new") that had nobody to alert.
    unalerted: tuple[str, ...]


def _person(row: Row[Any]) -> PersonRecord:
    return PersonRecord(
        contact_id=int(row.id),
        account_id=row.account_id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        linkedin_url=row.linkedin_url,
        created_at=row.created_at,
    )


def _lookups(batch: Sequence[Row[Any]]) -> tuple[set[str], set[tuple[str, str]], set[str]]:
    """The stored LinkedIn URLs, lower-cased names and e-mail domains to look up."""
    urls: set[str] = set()
    names: set[tuple[str, str]] = set()
    domains: set[str] = set()
    for row in batch:
        slug = linkedin_key(row.linkedin_url)
        if slug is not None:
            urls.update(linkedin_stored_forms(slug))
        if name_key(row.first_name, row.last_name) is not None:
            for last in name_lookup_forms(row.last_name):
                for first in name_lookup_forms(row.first_name):
                    names.add((last, first))
        domain = email_domain(row.email)
        if domain is not None:
            domains.add(domain)
    return urls, names, domains


def _keys(person: PersonRecord) -> list[tuple[str, object]]:
    """What a record can be matched by: its profile and its name, each tagged."""
    keys: list[tuple[str, object]] = []
    if (profile := person.profile) is not None:
        keys.append(("profile", profile))
    if (name := person.name) is not None:
        keys.append(("name", name))
    return keys


def _crowded(counts: dict[tuple[str, str], int]) -> frozenset[tuple[str, str]]:
    """The names (folded) with more records than ``CROWDED``: too common to match by."""
    found = set()
    for (last, first), count in counts.items():
        key = name_key(first, last)
        if count > CROWDED and key is not None:
            found.add(key)
    return frozenset(found)


def detect_moves(
    connection: Connection,
    contact_ids: Collection[int],
    *,
    now: datetime,
    actor: Actor = SYSTEM,
) -> list[RecordedMove]:
    """Record the moves of the people among ``contact_ids`` (new or changed records)."""
    batch = [row for row in store.people(connection, contact_ids) if row.account_id is not None]
    if not batch:
        return []
    urls, names, domains = _lookups(batch)
    counts = store.name_counts(connection, names)
    crowded = _crowded(counts)
    rare = [pair for pair, count in counts.items() if count <= CROWDED]
    by_name = store.people_by_name(connection, rare)
    pool: dict[int, Row[Any]] = {int(row.id): row for row in batch}
    for row in (*store.people_by_profile(connection, urls), *by_name):
        pool.setdefault(int(row.id), row)
    records = {contact_id: _person(row) for contact_id, row in pool.items()}
    by_key: dict[tuple[str, object], list[PersonRecord]] = {}
    for person in records.values():
        for key in _keys(person):
            by_key.setdefault(key, []).append(person)
    domain_accounts = store.accounts_by_domain(connection, domains)
    matches = []
    for row in sorted(batch, key=lambda r: (r.created_at, r.id)):
        person = records[int(row.id)]
        keys = [k for k in _keys(person) if k[1] not in crowded]
        related = {c.contact_id: c for key in keys for c in by_key.get(key, ())}
        if len(related) < 2:
            continue  # nobody else shares a profile or a (not too common) name
        found = find_match(
            person, related.values(), domain_accounts=domain_accounts, crowded_names=crowded
        )
        if found is not None:
            matches.append(found)
    if not matches:
        return []
    earlier_ids = {m.earlier.contact_id for m in matches}
    done = store.recorded_moves(connection, earlier_ids)
    facts = store.champion_facts(connection, earlier_ids)
    written: list[tuple[RecordedMove, list[TaskFields]]] = []
    for found in matches:
        assert found.later.account_id is not None
        pair = (found.earlier.contact_id, found.later.account_id)
        if pair in done:
            continue
        done.add(pair)
        written.append(
            _record(
                connection,
                pool[found.earlier.contact_id],
                pool[found.later.contact_id],
                found.later.account_id,
                found.matched_by,
                facts=facts.get(found.earlier.contact_id, {}),
                moved_at=found.later.created_at,
                actor=actor,
                now=now,
            )
        )
    return _with_tasks(connection, written, actor=actor, now=now)


def _with_tasks(
    connection: Connection,
    written: Sequence[tuple[RecordedMove, list[TaskFields]]],
    *,
    actor: Actor,
    now: datetime,
) -> list[RecordedMove]:
    """Give all the moves' tasks in one go; the moves with their task ids."""
    ids = iter(
        create_tasks(
            connection, [f for _m, fields in written for f in fields], actor=actor, now=now
        )
    )
    return [
        replace(move, task_ids=tuple(next(ids) for _field in fields)) for move, fields in written
    ]


def mark_move(
    connection: Connection, contact_id: int, to_account_id: int, *, actor: Actor, now: datetime
) -> RecordedMove:
    """A user says the person now works at ``to_account_id``: record it and move the contact."""
    found = store.people(connection, [contact_id])
    if not found:
        raise MoveError("contact_id", f"no contact {contact_id}")
    person = found[0]
    target = store.accounts_by_id(connection, [to_account_id]).get(to_account_id)
    if target is None:
        raise MoveError("to_account_id", f"no account {to_account_id}")
    if person.account_id is None:
        raise MoveError("contact_id", "the contact has no account to move from")
    if person.account_id == to_account_id:
        raise MoveError("to_account_id", f"the contact already works at {target.name}")
    if (contact_id, to_account_id) in store.recorded_moves(connection, [contact_id]):
        raise MoveError("to_account_id", f"the move to {target.name} is already recorded")
    facts = store.champion_facts(connection, [contact_id]).get(contact_id, {})
    written = _record(
        connection,
        person,
        None,
        to_account_id,
        "user",
        facts=facts,
        moved_at=now,
        actor=actor,
        now=now,
    )
    moved = _with_tasks(connection, [written], actor=actor, now=now)[0]
    store.move_account(connection, contact_id, to_account_id, now)
    record(
        connection,
        "champion_move.marked",
        f"contact {contact_id}",
        actor=actor,
        now=now,
        details={"from_account_id": person.account_id, "to_account_id": to_account_id},
    )
    return moved


def _history_row(
    row: Row[Any], account_id: int, account_name: str, started_at: datetime
) -> dict[str, Any]:
    return {
        "contact_id": int(row.id),
        "account_id": account_id,
        "account_name": account_name[:300],
        "email": row.email,
        "title": row.title,
        "started_at": started_at,
        "ended_at": None,
    }


def _record(
    connection: Connection,
    earlier: Row[Any],
    later: Row[Any] | None,
    to_account_id: int,
    matched_by: MatchedBy,
    *,
    facts: dict[str, Any],
    moved_at: datetime,
    actor: Actor,
    now: datetime,
) -> tuple[RecordedMove, list[TaskFields]]:
    """Write one move (the row, both histories); the owners' tasks to give."""
    from_account_id: int = earlier.account_id
    named = store.accounts_by_id(connection, [from_account_id, to_account_id])
    old, new = named[from_account_id], named[to_account_id]
    move_id = store.insert_move(
        connection,
        contact_id=int(earlier.id),
        new_contact_id=None if later is None else int(later.id),
        from_account_id=from_account_id,
        to_account_id=to_account_id,
        matched_by=matched_by,
        detected_at=now,
        recorded_by=actor.user_id,
    )
    with_history = store.has_history(
        connection, [int(earlier.id), *([] if later is None else [int(later.id)])]
    )
    first_rows = []
    if int(earlier.id) not in with_history:
        first_rows.append(_history_row(earlier, from_account_id, old.name, earlier.created_at))
    store.insert_history(connection, first_rows)
    store.end_current(connection, int(earlier.id), moved_at)
    newcomer = later if later is not None else earlier
    now_at = _history_row(newcomer, to_account_id, new.name, moved_at)
    rows = [{**now_at, "contact_id": int(earlier.id)}]
    if later is not None and int(later.id) not in with_history:
        rows.append(_history_row(later, to_account_id, new.name, later.created_at))
    store.insert_history(connection, rows)

    reasons = champion_reasons(ChampionFacts(**facts))
    name = display_name(earlier.first_name, earlier.last_name, earlier.email)
    due = due_on(bool(reasons), now.date())
    how = MATCH_WORDS[matched_by]
    notes = (
        f"Champion: {', '.join(reasons)}. Recognised by {how}."
        if reasons
        else f"Recognised by {how}."
    )
    sides = (
        ("old", old.owner_id or earlier.owner_id, int(earlier.id), from_account_id,
         risk_title(name, old.name, new.name)),
        ("new", new.owner_id or (later.owner_id if later is not None else None),
         int(newcomer.id), to_account_id, opening_title(name, old.name, new.name)),
    )  # fmt: skip
    fields = [
        TaskFields(
            title=title,
            notes=notes,
            contact_id=contact,
            account_id=account,
            owner_id=owner,
            due_on=due,
            source="champion_move",
        )
        for _side, owner, contact, account, title in sides
        if owner is not None
    ]
    move = RecordedMove(
        id=move_id,
        contact_id=int(earlier.id),
        new_contact_id=None if later is None else int(later.id),
        from_account_id=from_account_id,
        to_account_id=to_account_id,
        matched_by=matched_by,
        champion=reasons,
        task_ids=(),
        unalerted=tuple(side for side, owner, *_rest in sides if owner is None),
    )
    return move, fields


__all__ = ["SYSTEM", "MoveError", "RecordedMove", "detect_moves", "mark_move"]
