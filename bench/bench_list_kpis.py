"""Benchmark: the list KPIs and the privacy requests on a demo workspace.

For each ``--contacts N`` and backend, reuses (or builds) the cached demo
workspace of ``bench/bench_recompute.py`` (``silverplatter demo --contacts N
--seed 1`` under ``--workdir``), then times, at the demo's own moment:

* each statement of ``storage/list_kpis.py`` over 12 months (and the first
  touches of the current month, as the dashboard asks for them);
* ``list_kpis`` (the ``/lists`` page and its API), ``list_summary`` (the
  dashboard's card) and, for comparison, ``dashboard_figures``;
* ``export_person`` and ``erase_person`` of the contact with the most events,
  the erasure rolled back so the workspace stays as it was.

Small worlds: the best of ``--repeat`` runs; from 200,000 contacts on, one.

Run:  .venv/bin/python bench/bench_list_kpis.py [--contacts N ...]
          [--backend sqlite|postgresql ...] [--workdir DIR] [--repeat 3]
      .venv/bin/python bench/bench_list_kpis.py --url URL   # an existing demo workspace
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from silverplatter.domain.dashboard import days_before, last_months
from silverplatter.services.audit import Actor
from silverplatter.services.dashboard import dashboard_figures
from silverplatter.services.list_kpis import list_kpis, list_summary
from silverplatter.services.privacy import erase_person, export_person
from silverplatter.storage import list_kpis as store
from silverplatter.storage.engine import make_engine
from silverplatter.storage.schema import events

sys.path.insert(0, str(Path(__file__).parent))
from bench_recompute import demo_workspace, world_facts


def _best(engine: Engine, work: Callable[[Connection], Any], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        with engine.connect() as connection:
            started = time.perf_counter()
            work(connection)
            best = min(best, time.perf_counter() - started)
    return best


def _busiest_contact(engine: Engine) -> int:
    with engine.connect() as connection:
        count = func.count().label("n")
        row = connection.execute(
            select(events.c.contact_id, count)
            .where(events.c.contact_id.is_not(None))
            .group_by(events.c.contact_id)
            .order_by(count.desc())
            .limit(1)
        ).one()
    return int(row.contact_id)


def bench(url: str, runs: int) -> Iterator[tuple[str, float]]:
    engine = make_engine(url)
    now, _contacts, _events = world_facts(engine)
    year = [(month.start, month.end) for month in last_months(now, 12)]
    this_month = year[-1:]
    timings = [
        ("new addresses by source, 12 months", lambda c: store.new_by_source(c, year)),
        ("first form submissions, 12 months", lambda c: store.first_submissions(c, year)),
        ("leavers, 12 months", lambda c: store.leavers(c, year)),
        (
            "list size and quality (the engine's last reactions)",
            lambda c: store.list_state(
                c, engaged_since=days_before(now, 90), reactions_scored=True
            ),
        ),
        (
            "list size and quality (from the event log)",
            lambda c: store.list_state(
                c, engaged_since=days_before(now, 90), reactions_scored=False
            ),
        ),
        ("owned/bought traffic, 12 months", lambda c: store.traffic(c, year)),
        ("first touches, 12 months", lambda c: store.first_touches(c, year)),
        ("first touches, this month", lambda c: store.first_touches(c, this_month)),
        ("list_kpis (/lists, 12 months)", lambda c: list_kpis(c, now=now, months=12)),
        ("list_summary (dashboard card)", lambda c: list_summary(c, now=now)),
        ("dashboard_figures (for comparison)", lambda c: dashboard_figures(c, now=now)),
    ]
    for label, work in timings:
        yield label, _best(engine, work, runs)
    busiest = _busiest_contact(engine)
    yield (
        f"export_person (contact {busiest})",
        _best(engine, lambda c: export_person(c, busiest), runs),
    )
    with engine.connect() as connection:
        transaction = connection.begin()
        started = time.perf_counter()
        erase_person(connection, busiest, actor=Actor(None, "bench"), now=now)
        yield f"erase_person (contact {busiest})", time.perf_counter() - started
        transaction.rollback()
    engine.dispose()


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
        print("| what | seconds |\n|---|---:|")
        for label, seconds in bench(url, arguments.repeat):
            print(f"| {label} | {seconds:.2f} |", flush=True)
    if arguments.url:
        return
    for contacts in arguments.contacts or [100_000]:
        for backend in arguments.backend or ["sqlite", "postgresql"]:
            url = demo_workspace(arguments.workdir, backend, contacts)
            runs = 1 if contacts >= 200_000 else arguments.repeat
            print(f"\n### {backend}, {contacts:,} contacts\n")
            print("| what | seconds |\n|---|---:|")
            for label, seconds in bench(url, runs):
                print(f"| {label} | {seconds:.2f} |", flush=True)


if __name__ == "__main__":
    main()
