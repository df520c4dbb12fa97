"""Keeping each account's buying window up to date from what is known about it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection

from silverplatter.domain.buying_window import BuyingWindow, WindowRules, infer_buying_window
from silverplatter.storage import buying_windows as store
from silverplatter.storage.rows import IN_CHUNK


def refresh_buying_windows(
    connection: Connection,
    *,
    today: date,
    now: datetime,
    account_ids: Iterable[int] | None = None,
    rules: WindowRules | None = None,
) -> int:
    """Infer and store the buying window of every account (or of ``account_ids``).

    Facts are read a chunk of accounts at a time.  A window set by hand is
    kept; an inferred window whose facts are gone (or went stale) is removed.
    Returns how many accounts have an inferred window now.
    """
    chosen = (
        store.accounts_with_window_facts(connection)
        if account_ids is None
        else sorted(set(account_ids))
    )
    written = 0
    for start in range(0, len(chosen), IN_CHUNK):
        chunk = chosen[start : start + IN_CHUNK]
        manual = store.manually_set(connection, chunk)
        chunk = [account_id for account_id in chunk if account_id not in manual]
        if not chunk:
            continue
        windows: dict[int, BuyingWindow] = {}
        for account_id, facts in store.window_facts(connection, chunk).items():
            window = infer_buying_window(facts, today=today, rules=rules)
            if window is not None:
                windows[account_id] = window
        store.delete_inferred_windows(connection, [a for a in chunk if a not in windows])
        store.upsert_windows(connection, windows, now=now)
        written += len(windows)
    return written


def set_buying_window(
    connection: Connection,
    account_id: int,
    *,
    opens_on: date,
    closes_on: date,
    basis: str,
    now: datetime,
) -> BuyingWindow:
    """Record a window a person knows (source ``manual``); refreshes leave it alone."""
    if closes_on < opens_on:
        raise ValueError(f"closes_on: {closes_on} is before opens_on {opens_on}")
    if not basis.strip():
        raise ValueError("basis: say how the window is known")
    window = BuyingWindow(opens_on, closes_on, "manual", 1.0, basis.strip())
    store.upsert_windows(connection, {account_id: window}, now=now, replace_manual=True)
    return window


def buying_window_for(connection: Connection, account_id: int) -> BuyingWindow | None:
    """The account's stored buying window, if it has one."""
    return store.window_of(connection, account_id)


__all__ = ["buying_window_for", "refresh_buying_windows", "set_buying_window"]
