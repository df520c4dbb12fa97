"""A small fixed history for planning: contacts, their stage moves and deals.

Measured over the 12 months before ``NOW`` (2026-03-02 09:00 UTC):

- new address → MQL: 40 contacts created 2025-06-01; 11 reach MQL after
  10 (×5), 20 (×5) and 30 days (one handed over straight as SQL) → 11 of 40,
  median 20 days.
- MQL → SQL: those 11, five older contacts reaching MQL 2025-04-01 and two
  reaching it 2026-03-01 → 18 trials; 7 reach SQL after 30, 30, 30, 0, 40, 40
  and 0.75 days → 7 of 18, median 30.
- SQL → opportunity: those 7; two open a deal after 14 and 28 days → 2 of 7,
  median 21.
- opportunity → won: four deals closed in the window, three won after 61, 75
  and 60 days for 20 000, 30 000 and 40 000 → 3 of 4, median 61, 30 000 on
  average.  A deal closed before the window and an open one are left out.

Arrivals per month: April 2025 5 MQLs; May 2 SQLs; June 10 MQLs; July 1 MQL and
4 SQLs; March 2026 (the current month) 2 MQLs and 1 SQL.  A contact counts in the
month it *first* reached a stage: sent back to MQL in August and handed over again
in September, it is no new MQL or SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import accounts, contacts, opportunities

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
YOUNG = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
OLD = datetime(2024, 12, 1, 9, 0, tzinfo=UTC)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def build_planning_world(engine: Engine) -> None:
    contact_rows: list[dict[str, Any]] = []
    for number in range(1, 49):
        created = YOUNG if number <= 40 else OLD
        if number == 46:
            created = _at("2024-01-01 09:00")
        contact_rows.append(
            {
                "id": number,
                "email": f"c{number}@buyer.example",
                "email_key": f"c{number}@buyer.example",
                "created_at": created,
                "updated_at": created,
            }
        )
    moves: list[tuple[int, str, str, datetime]] = []
    for number in range(1, 6):
        moves.append((number, "lead", "mql", YOUNG + timedelta(days=10)))
    for number in range(6, 11):
        moves.append((number, "lead", "mql", YOUNG + timedelta(days=20)))
    moves.append((11, "lead", "sql", YOUNG + timedelta(days=30)))
    for number in (1, 2, 3):
        moves.append((number, "mql", "sql", YOUNG + timedelta(days=40)))
    moves.append((2, "sql", "mql", _at("2025-08-01 09:00")))  # sent back: no new MQL
    moves.append((2, "mql", "sql", _at("2025-09-01 09:00")))  # handed over again: no new SQL
    moves.append((1, "sql", "opportunity", YOUNG + timedelta(days=54)))
    for number in range(41, 46):
        moves.append((number, "lead", "mql", _at("2025-04-01 09:00")))
    for number in (41, 42):
        moves.append((number, "mql", "sql", _at("2025-05-11 09:00")))
    moves.append((41, "sql", "opportunity", _at("2025-06-08 09:00")))
    moves.append((41, "opportunity", "customer", _at("2025-09-01 09:00")))
    moves.append((46, "lead", "mql", _at("2024-02-01 09:00")))  # before the window
    moves.append((46, "mql", "sql", _at("2024-03-01 09:00")))
    moves.append((47, "lead", "mql", _at("2026-03-01 12:00")))
    moves.append((47, "mql", "sql", _at("2026-03-02 06:00")))
    moves.append((48, "lead", "mql", _at("2026-03-01 12:00")))
    deals = [
        ("won", 20_000, "2025-05-01 09:00", "2025-07-01 09:00"),
        ("won", 30_000, "2025-06-01 09:00", "2025-08-15 09:00"),
        ("lost", 90_000, "2025-04-01 09:00", "2025-06-01 09:00"),
        ("lost", 10_000, "2024-10-01 09:00", "2025-01-01 09:00"),
        ("open", 50_000, "2025-11-01 09:00", None),
        ("won", 40_000, "2025-12-03 09:00", "2026-02-01 09:00"),
    ]
    with engine.begin() as connection:
        connection.execute(insert(contacts), contact_rows)
        connection.execute(
            insert(stage_transitions),
            [
                {
                    "contact_id": contact,
                    "from_stage": before,
                    "to_stage": after,
                    "transition": "test",
                    "actor": "user",
                    "reason": "history",
                    "occurred_at": when,
                }
                for contact, before, after, when in moves
            ],
        )
        connection.execute(
            insert(accounts), [{"id": 1, "name": "Buyer Oy", "created_at": OLD, "updated_at": OLD}]
        )
        connection.execute(
            insert(opportunities),
            [
                {
                    "account_id": 1,
                    "name": f"Deal {index}",
                    "amount": amount,
                    "stage": status,
                    "status": status,
                    "created_at": _at(created),
                    "closed_at": None if closed is None else _at(closed),
                    "updated_at": _at(created),
                }
                for index, (status, amount, created, closed) in enumerate(deals, start=1)
            ],
        )
