"""Benchmark: value tiers and needs segments on the demo world (issue 6, deliverable 2).

On a demo workspace (``--url``, e.g. a copy of a ``silverplatter demo
--contacts 1000000`` database, migrated to the current schema; or the cached
one of ``--contacts N`` built by ``bench/bench_recompute.py``), in one
transaction rolled back at the end, with the demo's own clock, it times:

* the baselines, on the same database: ``SELECT count(*)`` of accounts and of
  contacts;
* previews (nothing changes) of three policies: the demo's thresholds on
  annual revenue, percentiles (5/15/30 %) of annual revenue, and thresholds on
  revenue with us (won deals in 24 months);
* applying the percentile policy, split into its set-based part (the metric,
  the cut-offs, one UPDATE per tier) and the re-qualification of the people
  at the accounts that moved (the lead engine's thresholds depend on the tier);
* assigning needs segments (the demo's three, each a rule with a
  ``content_download`` event condition over a year);
* the pyramid's counts per cell.

Each figure is the median of ``--repeat`` runs after one first run (printed
as "first"); the changing steps run in a savepoint rolled back after each run.

Run:  .venv/bin/python bench/bench_tiers.py --url sqlite:////path/demo.db
      .venv/bin/python bench/bench_tiers.py --contacts 100000 --backend sqlite
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text

from silverplatter.domain.value_tiers import cut_offs, parse_policy, revenue_since
from silverplatter.services.audit import Actor
from silverplatter.services.demo.segmentation import ensure_demo_segmentation
from silverplatter.services.needs_segments import assign_needs_segments
from silverplatter.services.requalify import requalify_accounts
from silverplatter.services.tier_matrix import pyramid
from silverplatter.services.value_tiers import preview_policy
from silverplatter.storage import value_tiers as tier_store
from silverplatter.storage.engine import make_engine, migrate
from silverplatter.storage.schema import workspace

sys.path.insert(0, str(Path(__file__).parent))

ACTOR = Actor(None)
POLICIES: dict[str, dict[str, Any]] = {
    "thresholds on annual revenue (the demo's)": {
        "metric": "annual_revenue",
        "method": "thresholds",
        "bounds": {"gold": 600_000_000, "silver": 40_000_000, "bronze": 4_000_000},
    },
    "percentiles 5/15/30 % of annual revenue": {
        "metric": "annual_revenue",
        "method": "percentiles",
        "bounds": {"gold": 5, "silver": 15, "bronze": 30},
    },
    "thresholds on revenue with us, 24 months": {
        "metric": "revenue_with_us",
        "method": "thresholds",
        "bounds": {"gold": 200_000, "silver": 50_000, "bronze": 1},
    },
}
APPLIED = "percentiles 5/15/30 % of annual revenue"


def timed(action: Callable[[], Any], repeat: int) -> tuple[Any, float, float]:
    """The first run's result and seconds, and the median seconds of ``repeat`` more."""
    started = time.perf_counter()
    result = action()
    first = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return result, first, statistics.median(runs) if runs else first


def in_savepoint(connection: Connection, action: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        savepoint = connection.begin_nested()
        try:
            return action()
        finally:
            savepoint.rollback()

    return run


def world_now(connection: Connection) -> datetime:
    moment: datetime | None = connection.execute(select(workspace.c.demo_started_at)).scalar_one()
    return datetime.now(UTC) if moment is None else moment


def measure(url: str, repeat: int) -> list[dict[str, Any]]:
    engine = make_engine(url)
    migrate(engine)
    figures: list[dict[str, Any]] = []

    def add(what: str, rows: int, first: float, median: float) -> None:
        figures.append({"what": what, "rows": rows, "first": first, "median": median})
        print(f"  {what}: {rows:,} rows, first {first:.3f} s, median {median:.3f} s", flush=True)

    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            now = world_now(connection)
            for name in ("accounts", "contacts"):
                baseline = text(f"SELECT count(*) FROM {name}")  # noqa: S608 - two fixed names
                count, first, median = timed(
                    partial(lambda query: connection.execute(query).scalar_one(), baseline),
                    repeat,
                )
                add(f"baseline: {baseline}", count, first, median)
            ensure_demo_segmentation(connection, now=now)
            for name, document in POLICIES.items():
                tried = parse_policy(document)
                found, first, median = timed(
                    partial(preview_policy, connection, tried, now=now), repeat
                )
                add(f"preview: {name} (accounts moving)", found.moving, first, median)
            policy = parse_policy(POLICIES[APPLIED])

            def move() -> dict[int, tuple[str, str]]:
                since = revenue_since(now, policy.months)
                count = tier_store.stage_metric(connection, policy, since=since, now=now)
                cuts = cut_offs(policy, count, lambda place: tier_store.value_at(connection, place))
                moved = tier_store.move_accounts(connection, cuts, now=now)
                tier_store.drop_staged(connection)
                return moved

            moved, first, median = timed(in_savepoint(connection, move), repeat)
            add(f"apply {APPLIED}: set-based (accounts moved)", len(moved), first, median)

            def move_and_requalify() -> int:
                changed = move()
                done = requalify_accounts(
                    connection, changed, changed_field="account.value_tier", now=now
                )
                return done.contacts

            people, first, median = timed(
                in_savepoint(connection, move_and_requalify), max(1, repeat // 2)
            )
            add(f"apply {APPLIED}: with re-qualification (people)", people, first, median)
            assigned, first, median = timed(
                in_savepoint(
                    connection, lambda: assign_needs_segments(connection, now=now, actor=ACTOR)
                ),
                max(1, repeat // 2),
            )
            add("assign needs segments (accounts moved)", assigned.moved, first, median)
            found, first, median = timed(lambda: pyramid(connection), repeat)
            add("pyramid counts (accounts)", found.accounts, first, median)
        finally:
            transaction.rollback()
    engine.dispose()
    return figures


def table(backend: str, figures: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"| {backend} | what | rows | first run | median |",
        "|---|---|---:|---:|---:|",
    ]
    for figure in figures:
        lines.append(
            f"| {backend} | {figure['what']} | {figure['rows']:,} "
            f"| {figure['first']:,.2f} s | {figure['median']:,.2f} s |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--url", action="append", help="a demo workspace's database URL; repeatable"
    )
    parser.add_argument("--contacts", type=int, help="use (or build) the cached demo of this size")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/silverplatter-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    urls = list(arguments.url or [])
    if arguments.contacts:
        from bench_recompute import demo_workspace

        for backend in arguments.backend or ["sqlite"]:
            urls.append(demo_workspace(arguments.workdir, backend, arguments.contacts))
    if not urls:
        parser.error("give --url or --contacts")
    lines: list[str] = []
    for url in urls:
        backend = url.split(":", 1)[0].split("+", 1)[0]
        print(f"{backend}: {url.rsplit('/', 1)[-1]}", flush=True)
        lines.extend(table(backend, measure(url, arguments.repeat)))
        lines.append("")
    print()
    print("\n".join(lines))
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"finished {finished} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
