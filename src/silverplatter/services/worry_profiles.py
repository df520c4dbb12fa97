"""Worry profiles: kept up to date as events are scored, rebuilt from the event log, read.

* ``fold_worry_events`` is called by the lead engine for every batch it
  scores (``services/scoring.score_events``, so in-line ingest, the scoring
  backlog and stitched visits alike): the batch's matches are found by the
  tag rules (``domain/worry_profile.TagBook``), the kept values of the
  contacts concerned are read with one statement, folded in — O(1) per
  match — and written back with one; their accounts are rolled up again
  with one more.
* ``recompute_worry_profiles`` rebuilds them set-based from the whole event
  log (``storage/worry_profiles.py``) — all worries, or the few whose tags
  changed — and gives the same values (tested).
* ``contact_worries_at`` / ``account_worries_at`` / ``talking_points`` read
  them faded to a moment, strongest first.

The half-life is the installation's ``SILVERPLATTER_WORRY_HALF_LIFE_DAYS``
(90 days unless set) unless a caller passes its own.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row

from silverplatter.domain.worry_profile import (
    TALKING_POINTS,
    ProfileLine,
    TagBook,
    WorryTag,
    WorryValue,
    check_half_life,
    fold,
    half_life_seconds,
    ranked,
    shifted,
)
from silverplatter.settings import get_settings
from silverplatter.storage import worries as worry_store
from silverplatter.storage import worry_profiles as store
from silverplatter.storage.events import NewEvent


def half_life(days: float | None = None) -> float:
    """The half-life in days: ``days`` when given, else the installation's setting."""
    return check_half_life(days if days is not None else get_settings().worry_half_life_days)


def tag_book(connection: Connection, worry_ids: Iterable[int] | None = None) -> TagBook:
    """The workspace's tags (of some worries only, with ``worry_ids``) ready to match."""
    wanted = None if worry_ids is None else set(worry_ids)
    return TagBook(
        WorryTag(row.worry_id, row.target_kind, row.target, float(row.weight))
        for row in worry_store.tag_rows(connection)
        if wanted is None or row.worry_id in wanted
    )


@dataclass(frozen=True, slots=True)
class Folded:
    matches: int
    contacts: int
    accounts: int


def fold_worry_events(
    connection: Connection,
    events: Sequence[NewEvent],
    *,
    now: datetime,
    half_life_days: float | None = None,
    book: TagBook | None = None,
) -> Folded:
    """Add a batch of newly scored events to the profiles of the contacts who read them."""
    if not events:
        return Folded(0, 0, 0)
    tags = book if book is not None else tag_book(connection)
    if not tags:
        return Folded(0, 0, 0)
    days = half_life(half_life_days)
    reads: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for event in events:
        if event.contact_id is None:
            continue
        for worry_id, weight in tags.worries_of(event.type, event.properties).items():
            reads[(event.contact_id, worry_id)].append((event.occurred_at.timestamp(), weight))
    if not reads:
        return Folded(0, 0, 0)
    contact_ids = {cid for cid, _wid in reads}
    kept = {
        (row.contact_id, row.worry_id): _value(row)
        for row in store.contact_rows(connection, contact_ids)
    }
    account_of = store.account_of(connection, contact_ids)
    totals = {
        (row.account_id, row.worry_id): _value(row)
        for row in store.account_rows(
            connection, set(account_of.values()), {wid for _cid, wid in reads}
        )
    }
    people, firms = [], {}
    for (cid, wid), found in reads.items():
        before = kept.get((cid, wid))
        folded = fold(before, found, days)
        assert folded is not None
        people.append(_row("contact_id", cid, wid, folded))
        aid = account_of.get(cid)
        if aid is not None:
            # The account's sum moves by what this person's value moved.
            totals[(aid, wid)] = shifted(totals.get((aid, wid)), before, folded, days)
            firms[(aid, wid)] = _row("account_id", aid, wid, totals[(aid, wid)])
    store.save_contact_values(connection, people)
    store.save_account_values(connection, list(firms.values()))
    accounts = {aid for aid, _wid in firms}
    return Folded(sum(len(found) for found in reads.values()), len(contact_ids), len(accounts))


def _value(row: Row[Any]) -> WorryValue:
    return WorryValue(row.value, row.at)


def _row(key: str, subject: int, worry_id: int, value: WorryValue) -> dict[str, Any]:
    return {
        key: subject,
        "worry_id": worry_id,
        "value": value.value,
        "valid_at": datetime.fromtimestamp(value.valid_at, UTC),
    }


@dataclass(frozen=True, slots=True)
class Recomputed:
    worries: int
    keys: int
    contacts: int
    seconds: float


def recompute_worry_profiles(
    connection: Connection,
    *,
    now: datetime,
    worry_ids: Iterable[int] | None = None,
    half_life_days: float | None = None,
) -> Recomputed:
    """Rebuild the profiles (of some worries, or all) from the whole event log, set-based."""
    started = time.perf_counter()
    days = half_life(half_life_days)
    wanted = None if worry_ids is None else sorted(set(worry_ids))
    book = tag_book(connection, wanted)
    store.clear_contact_values(connection, wanted)
    matched: list[tuple[str, str, int, float]] = []
    written = 0
    if book:
        columns = store.read_columns({tag.kind for tag in book.tags})
        store.build_reads(connection, columns)
        for kind, key in store.distinct_keys(connection, columns):
            best: dict[int, float] = {}
            for tag in book.matching(kind, key):
                best[tag.worry_id] = max(best.get(tag.worry_id, 0.0), tag.weight)
            matched.extend((kind, key, wid, weight) for wid, weight in best.items())
        store.write_keys(connection, matched)
        store.write_contact_values(connection, columns, half_life_seconds(days))
        store.drop_temporary(connection)
        written = store.count_contact_values(connection, wanted)
    store.roll_up_accounts(connection, half_life_seconds(days), worry_ids=wanted)
    worries = len({tag.worry_id for tag in book.tags})
    return Recomputed(worries, len(matched), written, round(time.perf_counter() - started, 3))


# ---------------------------------------------------------------- reading


def profile_counts(connection: Connection) -> dict[int, tuple[int, int]]:
    """worry id → how many contacts and accounts hold a value of it (faded or not)."""
    return store.worry_figures(connection)


def _lines(rows: Iterable[Row[Any]], at: float, days: float) -> dict[int, list[ProfileLine]]:
    found: dict[int, list[ProfileLine]] = defaultdict(list)
    for row in rows:
        kept = WorryValue(row.value, row.valid_at.timestamp())
        found[row.subject_id].append(
            ProfileLine(
                worry_id=row.worry_id,
                slug=row.slug,
                name=row.name,
                talking_point=row.talking_point,
                value=kept.at(at, days),
                last_read_at=kept.valid_at,
            )
        )
    return found


def contact_worries_at(
    connection: Connection,
    contact_id: int,
    *,
    now: datetime,
    half_life_days: float | None = None,
    least: float = 0.0,
) -> list[ProfileLine]:
    """A contact's worries faded to ``now``, strongest first."""
    days = half_life(half_life_days)
    rows = store.profile_rows(connection, contact_ids=[contact_id])
    return ranked(_lines(rows, now.timestamp(), days).get(contact_id, []), least=least)


def account_worries_at(
    connection: Connection,
    account_id: int,
    *,
    now: datetime,
    half_life_days: float | None = None,
    least: float = 0.0,
) -> list[ProfileLine]:
    """An account's worries (its contacts' together) faded to ``now``, strongest first."""
    days = half_life(half_life_days)
    rows = store.profile_rows(connection, account_id=account_id)
    return ranked(_lines(rows, now.timestamp(), days).get(account_id, []), least=least)


def talking_points(
    connection: Connection,
    contact_ids: Iterable[int],
    *,
    now: datetime,
    limit: int = TALKING_POINTS,
    half_life_days: float | None = None,
) -> dict[int, list[ProfileLine]]:
    """Each contact's strongest worries now (at most ``limit``), for the sales queue."""
    days = half_life(half_life_days)
    rows = store.profile_rows(connection, contact_ids=contact_ids)
    lines = _lines(rows, now.timestamp(), days)
    return {cid: ranked(found, limit=limit) for cid, found in lines.items() if ranked(found)}


__all__ = [
    "Folded",
    "Recomputed",
    "account_worries_at",
    "contact_worries_at",
    "fold_worry_events",
    "half_life",
    "profile_counts",
    "recompute_worry_profiles",
    "tag_book",
    "talking_points",
]
