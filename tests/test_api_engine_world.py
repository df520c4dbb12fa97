"""The fixed world of the engine API's tests: the lead world with a sales team, served.

Users: 1 Admin User, 2 Marketing User, 3 Sales User (all can sign in), 4 Sofia
Sales (cannot).  Acme (gold) is Sales User's account, Pohja (silver) Sofia's.

The script of ``sales_world`` makes ops@acme SQL (hard CTA a day before
:data:`NOW`) and director@pohja SQL (hard CTA at midnight); buyer@kauppa and
solo@example.org are made SQL by hand.  All four are handed over at
:data:`NOW`: ops and director to their accounts' owners, buyer and solo by
round robin to Sales User.  The app's clock stands at :data:`TUESDAY`, when
the gold handover (due Tuesday noon) is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import Engine, func, select, update

from lead_world import NOW, build_world
from sales_world import SCRIPT
from silverplatter.services.handover import hand_over_new_sqls
from silverplatter.services.ingest import ingest_events
from silverplatter.services.lifecycle import transition
from silverplatter.storage.schema import accounts, contacts, events
from silverplatter.storage.users import create_user
from web_world import Clock, seed_users, web_app

TUESDAY = datetime(2026, 6, 2, 15, 0, tzinfo=UTC)
ADMIN, MARKETING, SALES, SOFIA = 1, 2, 3, 4
JSON = {"Accept": "application/json"}


@dataclass
class World:
    app: FastAPI
    engine: Engine
    ids: dict[str, int]


def build(engine: Engine, database_url: str) -> World:
    seed_users(engine, now=NOW - timedelta(days=500))
    with engine.begin() as connection:
        ids = build_world(connection)
        create_user(
            connection,
            email="sofia@seller.example",
            name="Sofia Sales",
            role="sales",
            now=NOW - timedelta(days=500),
        )
        for domain, owner in (("acme.fi", SALES), ("pohja.fi", SOFIA)):
            connection.execute(
                update(accounts).where(accounts.c.domain == domain).values(owner_id=owner)
            )
        assert ingest_events(connection, SCRIPT, now=NOW).errors == []
        for email in ("buyer@kauppa.se", "solo@example.org"):
            transition(
                connection, ids[email], "sql", reason="met at a fair", now=NOW, has_hard_cta=True
            )
        hand_over_new_sqls(connection, now=NOW)
    return World(web_app(engine, database_url, Clock(TUESDAY)), engine, ids)


def count_events(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def count_contacts(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(contacts)).scalar_one())
