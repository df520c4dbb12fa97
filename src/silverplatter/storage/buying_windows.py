"""Statements for buying windows: the facts they are inferred from, and the windows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Insert, delete, select, union
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.domain.buying_window import (
    AccountFacts,
    BuyingWindow,
    InstalledSolution,
    SupplierContract,
)
from silverplatter.storage.lifecycle import latest_qualifications
from silverplatter.storage.lifecycle_schema import buying_windows, qualifications
from silverplatter.storage.schema import contacts, installed_solutions, supplier_contracts


def accounts_with_window_facts(connection: Connection) -> list[int]:
    """Accounts with a fact a window can be inferred from, or an inferred window to revisit."""
    q = latest_qualifications()
    query = union(
        select(supplier_contracts.c.account_id).where(supplier_contracts.c.end_date.is_not(None)),
        select(installed_solutions.c.account_id).where(
            installed_solutions.c.go_live_date.is_not(None)
        ),
        select(contacts.c.account_id)
        .join(q, q.c.contact_id == contacts.c.id)
        .where(contacts.c.account_id.is_not(None))
        .where((q.c.timeline.is_not(None)) | (q.c.contract_end.is_not(None))),
        select(buying_windows.c.account_id).where(buying_windows.c.source != "manual"),
    )
    return sorted(int(account_id) for account_id in connection.execute(query).scalars())


def window_facts(connection: Connection, account_ids: Sequence[int]) -> dict[int, AccountFacts]:
    """The facts of each of ``account_ids`` (keep them under a few hundred per call)."""
    timelines: dict[int, list[date]] = defaultdict(list)
    contracts: dict[int, list[SupplierContract]] = defaultdict(list)
    solutions: dict[int, list[InstalledSolution]] = defaultdict(list)
    people = select(contacts.c.id).where(contacts.c.account_id.in_(account_ids))
    q = latest_qualifications(qualifications.c.contact_id.in_(people))
    for row in connection.execute(
        select(contacts.c.account_id, q.c.timeline, q.c.contract_end)
        .add_columns(q.c.current_supplier, q.c.satisfaction)
        .join(q, q.c.contact_id == contacts.c.id)
        .order_by(q.c.id)
    ):
        if row.timeline is not None:
            timelines[row.account_id].append(row.timeline)
        if row.contract_end is not None:
            contracts[row.account_id].append(
                SupplierContract(row.current_supplier, row.contract_end, None, row.satisfaction)
            )
    s = supplier_contracts.c
    for row in connection.execute(
        select(s.account_id, s.supplier, s.end_date, s.category, s.satisfaction)
        .where(s.account_id.in_(account_ids), s.end_date.is_not(None))
        .order_by(s.id)
    ):
        contracts[row.account_id].append(
            SupplierContract(row.supplier, row.end_date, row.category, row.satisfaction)
        )
    i = installed_solutions.c
    for row in connection.execute(
        select(i.account_id, i.category, i.go_live_date, i.vendor, i.product)
        .add_columns(i.typical_lifetime_years)
        .where(i.account_id.in_(account_ids), i.go_live_date.is_not(None))
        .order_by(i.id)
    ):
        solutions[row.account_id].append(
            InstalledSolution(
                row.category, row.go_live_date, row.vendor, row.product, row.typical_lifetime_years
            )
        )
    return {
        account_id: AccountFacts(
            tuple(timelines[account_id]),
            tuple(contracts[account_id]),
            tuple(solutions[account_id]),
        )
        for account_id in account_ids
    }


def _upsert(connection: Connection) -> Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(buying_windows)
    return sqlite.insert(buying_windows)


def upsert_windows(
    connection: Connection,
    windows: Mapping[int, BuyingWindow],
    *,
    now: datetime,
    replace_manual: bool = False,
) -> None:
    """Write each account's window; a manual one stays unless ``replace_manual``."""
    if not windows:
        return
    statement: Any = _upsert(connection)
    changed = ("opens_on", "closes_on", "source", "confidence", "basis", "computed_at")
    statement = statement.on_conflict_do_update(
        index_elements=[buying_windows.c.account_id],
        set_={name: statement.excluded[name] for name in changed},
        where=None if replace_manual else buying_windows.c.source != "manual",
    )
    connection.execute(
        statement,
        [
            {
                "account_id": account_id,
                "opens_on": window.opens_on,
                "closes_on": window.closes_on,
                "source": window.source,
                "confidence": window.confidence,
                "basis": window.basis,
                "computed_at": now,
            }
            for account_id, window in sorted(windows.items())
        ],
    )


def manually_set(connection: Connection, account_ids: Sequence[int]) -> set[int]:
    """Those of ``account_ids`` whose window a person set."""
    w = buying_windows.c
    query = select(w.account_id).where(w.account_id.in_(account_ids), w.source == "manual")
    return {int(account_id) for account_id in connection.execute(query).scalars()}


def delete_inferred_windows(connection: Connection, account_ids: Sequence[int]) -> None:
    if account_ids:
        connection.execute(
            delete(buying_windows).where(
                buying_windows.c.account_id.in_(account_ids), buying_windows.c.source != "manual"
            )
        )


def window_of(connection: Connection, account_id: int) -> BuyingWindow | None:
    w = buying_windows.c
    row = connection.execute(
        select(w.opens_on, w.closes_on, w.source, w.confidence, w.basis).where(
            w.account_id == account_id
        )
    ).first()
    return BuyingWindow(*row) if row is not None else None
