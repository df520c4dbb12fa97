"""Benchmark: the dashboard's and the list KPIs' figures counted live against served
from their snapshot (``services/figure_snapshots.py``).

For each workspace (``--url``, repeatable) counts every default kind of figures
once (what the background refresh costs: the live count a page would wait
for without snapshots), stores the snapshots, then serves each from its
snapshot ``--repeat`` times and reports the best (what a page pays: one row
read and decoded).  Baseline in the same run: ``SELECT max(id) FROM contacts``,
the size probe that decides between live and snapshot.

Run:  .venv/bin/python bench/bench_figures.py --url sqlite:////path/demo.db [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from silverplatter.services.figure_snapshots import DEFAULT_KINDS, Kind, refresh, serve
from silverplatter.storage.engine import make_engine
from silverplatter.storage.figure_snapshots import contacts_high_water
from silverplatter.storage.schema import workspace


def _best(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def _probe(engine: Engine) -> int:
    with engine.connect() as connection:
        return contacts_high_water(connection)


def _served(engine: Engine, kind: Kind[Any], now: datetime) -> object:
    with engine.connect() as connection:
        found = serve(connection, kind, now=now, live_up_to=0)
    assert found.figures is not None
    return found.figures


def bench(url: str, repeat: int) -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        started = connection.execute(select(workspace.c.demo_started_at)).scalar()
    now = started if isinstance(started, datetime) else datetime.now(UTC)
    size = _probe(engine)
    probe = _best(repeat, lambda: _probe(engine))
    print(f"\n### {url.rsplit('/', 1)[-1]}: {size:,} contacts, {os.cpu_count()} cores\n")
    print(f"baseline, the size probe `max(contacts.id)`: {probe * 1000:.2f} ms\n")
    print("| figures | counted live, s | served from snapshot, ms | live ÷ served |")
    print("|---|---:|---:|---:|")
    for kind in DEFAULT_KINDS:
        counted = refresh(engine, kind, now=now)
        best = _best(repeat, lambda kind=kind: _served(engine, kind, now))  # type: ignore[misc]
        print(
            f"| {kind.name} | {counted:.2f} | {best * 1000:.1f} | {counted / best:,.0f} |",
            flush=True,
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="repeatable")
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    for url in arguments.url:
        bench(url, arguments.repeat)


if __name__ == "__main__":
    main()
