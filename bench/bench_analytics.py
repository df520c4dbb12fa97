"""Benchmark: the funnel and journey analytics and cost per MQL/SQL on a demo workspace.

For each ``--contacts N`` and backend, reuses (or builds) the cached demo
workspace of ``bench/bench_recompute.py`` (``silverplatter demo --contacts N
--seed 1`` under ``--workdir``), then times each report as the pages ask for
it (every contact, all time, as marketing sees them):

* ``funnel_report`` by each grouping (cohort, source, channel, tier, segment,
  form): reach and exits, then the stays (a window over ``stage_transitions``);
* ``journey_report`` (every contact's path as an ordered window aggregate);
* ``cost_report`` (first MQL/SQL moment per contact by first-touch channel);
* the funnel by tier and the journeys as the workspace's first salesperson
  sees them (their own records only);
* the same-run baselines: ``SELECT count(*)`` of ``stage_transitions``, a
  ``GROUP BY contact_id`` over it (the least any report reading the history
  must do) and every contact grouped by its account's tier (the least a
  report grouping every contact must do).

Small worlds: the best of ``--repeat`` runs; from 200,000 contacts on, one.

Run:  .venv/bin/python bench/bench_analytics.py [--contacts N ...]
          [--backend sqlite|postgresql ...] [--workdir DIR] [--repeat 3]
      .venv/bin/python bench/bench_analytics.py --url URL   # an existing demo workspace
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

from silverplatter.domain.funnel import GROUPINGS
from silverplatter.services.channel_costs import cost_report
from silverplatter.services.funnel import funnel_report, journey_report
from silverplatter.storage.engine import make_engine

sys.path.insert(0, str(Path(__file__).parent))
from bench_recompute import demo_workspace


def _best(engine: Engine, work: Callable[[Connection], Any], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        with engine.connect() as connection:
            started = time.perf_counter()
            work(connection)
            best = min(best, time.perf_counter() - started)
    return best


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        people = connection.execute(text("SELECT count(*) FROM contacts")).scalar_one()
        moves = connection.execute(text("SELECT count(*) FROM stage_transitions")).scalar_one()
    return int(people), int(moves)


def _seller(engine: Engine) -> int | None:
    """The first salesperson of the workspace, whose own records are a quarter of the demo's."""
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT id FROM users WHERE role = 'sales' ORDER BY id LIMIT 1")
        ).scalar()
    return None if found is None else int(found)


def _report(grouping: str) -> Callable[[Connection], Any]:
    return lambda connection: funnel_report(connection, grouping, role="marketing")


def bench(url: str, runs: int) -> Iterator[tuple[str, float]]:
    engine = make_engine(url)
    timings: list[tuple[str, Callable[[Connection], Any]]] = [
        (
            "baseline: SELECT count(*) FROM stage_transitions",
            lambda c: c.execute(text("SELECT count(*) FROM stage_transitions")).scalar_one(),
        ),
        (
            "baseline: GROUP BY contact_id over stage_transitions",
            lambda c: c.execute(
                text(
                    "SELECT count(*) FROM (SELECT contact_id, max(occurred_at) "
                    "FROM stage_transitions GROUP BY contact_id) AS per_contact"
                )
            ).scalar_one(),
        ),
        (
            "baseline: every contact grouped by its account's tier",
            lambda c: c.execute(
                text(
                    "SELECT a.value_tier, count(*) FROM contacts c "
                    "LEFT JOIN accounts a ON a.id = c.account_id GROUP BY a.value_tier"
                )
            ).all(),
        ),
    ]
    timings += [(f"funnel by {grouping}", _report(grouping)) for grouping in GROUPINGS]
    timings += [
        ("journeys (top paths, edges, flows)", lambda c: journey_report(c, role="marketing")),
        ("cost per MQL/SQL", lambda c: cost_report(c, role="marketing")),
    ]
    seller = _seller(engine)
    if seller is not None:
        timings += [
            (
                "funnel by tier, as a salesperson (own records)",
                lambda c: funnel_report(c, "tier", role="sales", user_id=seller),
            ),
            (
                "journeys, as a salesperson (own records)",
                lambda c: journey_report(c, role="sales", user_id=seller),
            ),
        ]
    for label, work in timings:
        yield label, _best(engine, work, runs)
    engine.dispose()


def _table(url: str, runs: int) -> None:
    engine = make_engine(url)
    people, moves = _counts(engine)
    engine.dispose()
    print(f"{people:,} contacts, {moves:,} stage moves\n")
    print("| what | seconds |\n|---|---:|")
    for label, seconds in bench(url, runs):
        print(f"| {label} | {seconds:.2f} |", flush=True)


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
        _table(url, arguments.repeat)
    if arguments.url:
        return
    for contacts in arguments.contacts or [100_000]:
        for backend in arguments.backend or ["sqlite", "postgresql"]:
            url = demo_workspace(arguments.workdir, backend, contacts)
            runs = 1 if contacts >= 200_000 else arguments.repeat
            print(f"\n### {backend}, {contacts:,} contacts\n")
            _table(url, runs)


if __name__ == "__main__":
    main()
