"""Benchmark: the lost-lead report — sections 1–4 and the whole report — on a demo workspace.

For each ``--contacts N`` and backend, reuses (or builds) the cached demo
workspace of ``bench/bench_recompute.py`` (``silverplatter demo --contacts N
--seed 1`` under ``--workdir``), then times, at the demo's own moment and
with the page's limit (50 candidates per section):

* each of ``cross_sell``, ``closed_lost``, ``barren_programmes`` and
  ``met_decision_makers``, for everyone and for the salesperson who owns the
  most accounts (sales sees its own candidates only);
* ``build_report``: the ten sections in order (sections whose module is
  missing are named), for everyone and for that salesperson;
* as a same-run baseline, ``dashboard_figures`` (the dashboard's numbers).

The demo has no nurture programmes, so first, inside one transaction rolled
back at the end (the workspace stays as it was), one active programme enrols
a tenth of the contacts 60 days before the demo's moment — enough for
``barren_programmes`` to read real volumes.  Each section of the whole report
is timed too (the report's ``timer``).

Small worlds: the best of ``--repeat`` runs; from 200,000 contacts on, one.
Target: a whole report in at most 5 s at 1,000,000 contacts.

Run:  .venv/bin/python bench/bench_mining.py [--contacts N ...]
          [--backend sqlite|postgresql ...] [--workdir DIR] [--repeat 3]
      .venv/bin/python bench/bench_mining.py --url URL   # an existing demo workspace
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, literal, select

from silverplatter.services.dashboard import dashboard_figures
from silverplatter.services.mining.report import (
    DEFAULT_LIMIT,
    SIDE_BY_SIDE,
    build_report,
    one_section,
    report_side_by_side,
)
from silverplatter.storage.engine import make_engine
from silverplatter.storage.nurture_schema import enrolments, programmes
from silverplatter.storage.schema import accounts, contacts, users
from silverplatter.storage.types import UtcDateTime

sys.path.insert(0, str(Path(__file__).parent))
from bench_recompute import demo_workspace, world_facts

MINE = ("cross_sell", "closed_lost", "barren_programmes", "met_decision_makers")


def _best(
    connection: Connection, work: Callable[[Connection], Any], runs: int
) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work(connection)
        best = min(best, time.perf_counter() - started)
    return best, result


def _programme_extras(connection: Connection, now: datetime) -> int:
    """One active programme enrolling every tenth contact 60 days ago; how many."""
    definition = {
        "entry": {"event": "webinar_attended"},
        "steps": [{"id": "pause", "type": "wait", "days": 365}, {"id": "end", "type": "end"}],
    }
    programme_id = connection.execute(
        insert(programmes)
        .values(
            slug="bench-barren",
            name="Bench newsletter",
            status="active",
            definition=definition,
            version=1,
            created_at=now,
            updated_at=now,
        )
        .returning(programmes.c.id)
    ).scalar_one()
    members = select(
        literal(programme_id),
        contacts.c.id,
        literal("active"),
        literal("pause"),
        literal(1),
        literal(now - timedelta(days=60), UtcDateTime),
    ).where(contacts.c.id % 10 == 0)
    connection.execute(
        insert(enrolments).from_select(
            ["programme_id", "contact_id", "status", "step", "programme_version", "entered_at"],
            members,
        )
    )
    counted = select(func.count()).where(enrolments.c.programme_id == programme_id)
    return int(connection.execute(counted).scalar_one())


def _busiest_seller(engine: Engine) -> int:
    with engine.connect() as connection:
        count = func.count().label("n")
        row = connection.execute(
            select(accounts.c.owner_id, count)
            .join(users, users.c.id == accounts.c.owner_id)
            .where(users.c.role == "sales")
            .group_by(accounts.c.owner_id)
            .order_by(count.desc(), accounts.c.owner_id)
            .limit(1)
        ).one()
    return int(row.owner_id)


def bench(url: str, runs: int) -> Iterator[tuple[str, float, str]]:
    engine = make_engine(url)
    now, _contacts, _events = world_facts(engine)
    seller = _busiest_seller(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        enrolled = _programme_extras(connection, now)
        yield "(extras: contacts enrolled in one programme)", 0.0, f"{enrolled:,}"
        for owner, who in ((None, "everyone"), (seller, f"seller {seller}")):
            for key in MINE:
                one = partial(one_section, key=key, now=now, limit=DEFAULT_LIMIT, owner_id=owner)
                seconds, found = _best(connection, one, runs)
                yield f"{key}, {who}", seconds, f"{found.total} candidates"
            parts: dict[str, float] = {}

            def heard(key: str, seconds: float, parts: dict[str, float] = parts) -> None:
                parts[key] = min(seconds, parts.get(key, seconds))

            whole = partial(build_report, now=now, limit=DEFAULT_LIMIT, owner_id=owner, timer=heard)
            seconds, report = _best(connection, whole, runs)
            missing = f"; missing: {', '.join(report.missing)}" if report.missing else ""
            yield f"whole report, {who}", seconds, f"{len(report.sections)} sections{missing}"
            for key, part in parts.items():
                yield f"… of which {key}", part, ""
        seconds, _ = _best(connection, lambda c: dashboard_figures(c, now=now), runs)
        yield "baseline: dashboard_figures", seconds, ""
        transaction.rollback()
    # As the page reads it: the sections side by side, each in a connection of its
    # own (so without the rolled-back programme above).
    for workers in (1, SIDE_BY_SIDE):
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            report_side_by_side(engine, now=now, limit=DEFAULT_LIMIT, workers=workers)
            best = min(best, time.perf_counter() - started)
        yield f"whole report as the page reads it, {workers} at a time", best, ""
    engine.dispose()


def _table(rows: Iterator[tuple[str, float, str]]) -> None:
    print("| what | seconds | found |\n|---|---:|---|")
    for label, seconds, note in rows:
        print(f"| {label} | {seconds:.2f} | {note} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--contacts", type=int, action="append", help="repeatable")
    parser.add_argument(
        "--backend", action="append", choices=("sqlite", "postgresql"), help="repeatable"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/silverplatter-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--url", action="append", help="time this workspace instead (repeatable)")
    arguments = parser.parse_args()
    for url in arguments.url or []:
        print(f"\n### {url.rsplit('/', 1)[-1]}\n")
        _table(bench(url, arguments.repeat))
    if arguments.url:
        return
    for size in arguments.contacts or [100_000]:
        for backend in arguments.backend or ["sqlite", "postgresql"]:
            url = demo_workspace(arguments.workdir, backend, size)
            runs = 1 if size >= 200_000 else arguments.repeat
            print(f"\n### {backend}, {size:,} contacts\n")
            _table(bench(url, runs))


if __name__ == "__main__":
    main()
