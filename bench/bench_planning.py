"""Benchmark: planning — measuring the funnel, the service-level dashboard's figures and
the planning page — on a demo workspace.

The demo (``bench/bench_recompute.py``'s cached ``demo_workspace``) records its
stage moves only at the moment it was generated, so it has no funnel history to
measure.  A throw-away copy of it (a file copy on SQLite, ``CREATE DATABASE …
TEMPLATE`` on PostgreSQL) is given one: every tenth contact becomes an MQL at a
random time in the 14 months before the demo's moment, 40 % of those an SQL 5–60
days later, 30 % of the SQLs an opportunity 3–40 days after that (seed 1).  A plan
is created and activated.  Then, at the demo's moment, it times:

* the baseline ``SELECT count(*) FROM stage_transitions`` (one scan of the table);
* ``measure`` (the four rates and durations over 12 months);
* ``sla_dashboard`` (actual MQLs and SQLs per month for 12 months, projections);
* ``GET /planning`` (the page: dashboard, measurement, plans, two charts) and
  ``GET /planning.pdf``, in-process, signed in as the demo's marketing user.

Small worlds: the best of ``--repeat`` runs; from 200,000 contacts on, one.
Target (issue): ≤ 5 s per report at 1M contacts on SQLite and PostgreSQL.

Run:  .venv/bin/python bench/bench_planning.py [--contacts N ...]
          [--backend sqlite|postgresql ...] [--workdir DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, insert, select, text
from sqlalchemy.exc import OperationalError

from silverplatter.services.audit import Actor
from silverplatter.services.demo.logins import DEMO_PASSWORD, ensure_demo_logins
from silverplatter.services.planning import activate_plan, create_plan
from silverplatter.services.planning_history import lookback_start, measure
from silverplatter.services.planning_sla import sla_dashboard
from silverplatter.settings import Settings
from silverplatter.storage import marketing_plans as store
from silverplatter.storage.engine import make_engine
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import contacts
from silverplatter.web.app import create_app

sys.path.insert(0, str(Path(__file__).parent))
from bench_recompute import PG_ADMIN_URL, demo_workspace, world_facts

MARKETING = "marketing@demo.silverplatter.example"
BATCH = 10_000


def _copy(source_url: str, backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        source = Path(source_url.removeprefix("sqlite:///"))
        target = workdir / f"planning-{source.name}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        import sqlite3  # here, not at the top: the package must start SQLite first

        # The backup API copies a consistent snapshot, the write-ahead log included.
        with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
            reading.backup(writing)
        return f"sqlite:///{target}"
    name = f"silverplatter_bench_planning_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    template = source_url.rsplit("/", 1)[1]
    try:
        # A template must have no other sessions; another benchmark may be reading it.
        for attempt in range(20):
            try:
                with admin.connect() as connection:
                    connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
                break
            except OperationalError:
                if attempt == 19:
                    raise
                print("  the demo is in use; waiting to copy it …", flush=True)
                time.sleep(15)
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop(url: str, backend: str) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)
        return
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def give_history(engine: Engine, now: datetime) -> dict[str, int]:
    """A funnel history over the 14 months before ``now``; how many moves of each kind."""
    rng = random.Random(1)
    span = 14 * 30 * 86_400
    counts = {"mql": 0, "sql": 0, "opportunity": 0}
    rows: list[dict[str, Any]] = []
    with engine.begin() as connection:
        ids = connection.execute(select(contacts.c.id).order_by(contacts.c.id)).scalars().all()

        def move(contact: int, before: str, after: str, when: datetime) -> None:
            rows.append(
                {
                    "contact_id": contact,
                    "from_stage": before,
                    "to_stage": after,
                    "transition": "bench_history",
                    "actor": "rule",
                    "reason": "benchmark history",
                    "occurred_at": when,
                }
            )
            counts[after] += 1
            if len(rows) >= BATCH:
                connection.execute(insert(stage_transitions), rows)
                rows.clear()

        for contact in ids[::10]:
            mql = now - timedelta(seconds=rng.randrange(span))
            move(contact, "lead", "mql", mql)
            if rng.random() < 0.4:
                sql = mql + timedelta(days=rng.uniform(5, 60))
                if sql < now:
                    move(contact, "mql", "sql", sql)
                    if rng.random() < 0.3:
                        opportunity = sql + timedelta(days=rng.uniform(3, 40))
                        if opportunity < now:
                            move(contact, "sql", "opportunity", opportunity)
        if rows:
            connection.execute(insert(stage_transitions), rows)
    return counts


def _timed(work: Callable[[], Any], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def bench(url: str, runs: int) -> list[tuple[str, float]]:
    engine = make_engine(url)
    now, people, _events = world_facts(engine)
    started = time.perf_counter()
    moves = give_history(engine, now)
    print(
        f"  history: {moves['mql']:,} MQLs, {moves['sql']:,} SQLs, "
        f"{moves['opportunity']:,} opportunities in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    actor = Actor(None, "benchmark")
    with engine.begin() as connection:
        ensure_demo_logins(connection, now=now)
        plan = create_plan(
            connection,
            {"name": "Benchmark", "starts_on": f"{now:%Y-%m}", "periods": "12", "target": "500000"},
            actor=actor,
            now=now,
        )
        activate_plan(connection, plan.id, actor=actor, now=now)
        total = connection.execute(text("SELECT count(*) FROM stage_transitions")).scalar_one()
    print(f"  {people:,} contacts, {int(total):,} stage moves; SLA {plan.sla_sqls_per_month} SQLs")

    def count() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM stage_transitions")).scalar_one()

    def scan() -> None:
        with engine.connect() as connection:
            connection.execute(
                text("SELECT count(*) FROM stage_transitions WHERE to_stage = 'sql'")
            ).scalar_one()

    def measured() -> None:
        with engine.connect() as connection:
            measure(connection, now=now)

    since = lookback_start(now, 12)

    def statement(work: Callable[[Connection], Any]) -> Callable[[], None]:
        def run() -> None:
            with engine.connect() as connection:
                work(connection)

        return run

    def dashboard() -> None:
        with engine.connect() as connection:
            sla_dashboard(connection, now=now)

    application = create_app(Settings(database_url=url), engine, clock=lambda: now)
    client = TestClient(application)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    signed = client.post(
        "/login",
        data={"email": MARKETING, "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text

    def health() -> None:
        assert client.get("/healthz").status_code == 200

    def page_html() -> None:
        answer = client.get("/planning", headers={"Accept": "text/html"})
        assert answer.status_code == 200 and "SQLs per month" in answer.text

    def page_pdf() -> None:
        answer = client.get("/planning.pdf")
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF")

    results = [
        ("baseline: SELECT count(*) FROM stage_transitions", _timed(count, runs)),
        ("baseline: … WHERE to_stage = 'sql' (reads every row)", _timed(scan, runs)),
        (
            "  its statement: first reaches per contact",
            _timed(statement(lambda c: store.stage_reaches(c, since, now)), runs),
        ),
        (
            "  its statement: new addresses",
            _timed(statement(lambda c: store.contacts_created(c, since, now)), runs),
        ),
        (
            "  its statement: closed deals",
            _timed(statement(lambda c: store.closed_opportunities(c, since, now)), runs),
        ),
        ("measure: four rates and durations, 12 months", _timed(measured, runs)),
        ("sla_dashboard: MQLs and SQLs per month, projections", _timed(dashboard, runs)),
        ("baseline: GET /healthz (the framework and SELECT 1)", _timed(health, runs)),
        ("GET /planning (the page)", _timed(page_html, runs)),
        ("GET /planning.pdf", _timed(page_pdf, runs)),
    ]
    client.close()
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, nargs="+", default=[100_000])
    parser.add_argument(
        "--backend", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite"]
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/silverplatter-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--url",
        help="copy this demo workspace instead of the cached one (one --contacts, one --backend)",
    )
    arguments = parser.parse_args()
    rows: list[tuple[str, int, str, float]] = []
    for contacts_count in arguments.contacts:
        for backend in arguments.backend:
            source = arguments.url or demo_workspace(arguments.workdir, backend, contacts_count)
            runs = arguments.repeat if contacts_count < 200_000 else 1
            print(f"{backend}, {contacts_count:,} contacts: copying the demo …", flush=True)
            url = _copy(source, backend, arguments.workdir)
            try:
                for name, seconds in bench(url, runs):
                    print(f"  {name}: {seconds * 1000:.1f} ms", flush=True)
                    rows.append((backend, contacts_count, name, seconds))
            finally:
                _drop(url, backend)
    print("\n| backend | contacts | what | ms |\n|---|---:|---|---:|")
    for backend, count, name, seconds in rows:
        print(f"| {backend} | {count:,} | {name} | {seconds * 1000:.1f} |")


if __name__ == "__main__":
    main()
