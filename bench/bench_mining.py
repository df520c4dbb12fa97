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
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from silverplatter.services.dashboard import dashboard_figures
from silverplatter.services.mining.report import DEFAULT_LIMIT, build_report, one_section
from silverplatter.storage.engine import make_engine
from silverplatter.storage.schema import accounts, users

sys.path.insert(0, str(Path(__file__).parent))
from bench_recompute import demo_workspace, world_facts

MINE = ("cross_sell", "closed_lost", "barren_programmes", "met_decision_makers")


def _best(engine: Engine, work: Callable[[Connection], Any], runs: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        with engine.connect() as connection:
            started = time.perf_counter()
            result = work(connection)
            best = min(best, time.perf_counter() - started)
    return best, result


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
    for owner, who in ((None, "everyone"), (seller, f"seller {seller}")):
        for key in MINE:
            one = partial(one_section, key=key, now=now, limit=DEFAULT_LIMIT, owner_id=owner)
            seconds, found = _best(engine, one, runs)
            yield f"{key}, {who}", seconds, f"{found.total} candidates"
        whole = partial(build_report, now=now, limit=DEFAULT_LIMIT, owner_id=owner)
        seconds, report = _best(engine, whole, runs)
        missing = f"; missing: {', '.join(report.missing)}" if report.missing else ""
        yield f"whole report, {who}", seconds, f"{len(report.sections)} sections{missing}"
    seconds, _ = _best(engine, lambda c: dashboard_figures(c, now=now), runs)
    yield "baseline: dashboard_figures", seconds, ""
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
    for contacts in arguments.contacts or [100_000]:
        for backend in arguments.backend or ["sqlite", "postgresql"]:
            url = demo_workspace(arguments.workdir, backend, contacts)
            runs = 1 if contacts >= 200_000 else arguments.repeat
            print(f"\n### {backend}, {contacts:,} contacts\n")
            _table(bench(url, runs))


if __name__ == "__main__":
    main()
