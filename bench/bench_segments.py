"""Benchmark: evaluating a segment on the demo world (issue 6: ≤ 1 s at 1M contacts).

On a demo workspace (``--url``, e.g. a copy of a ``silverplatter demo
--contacts 1000000`` database, or the cached one of ``--contacts N`` built by
``bench/bench_recompute.py``'s ``demo_workspace`` under ``--workdir``),
migrated to the current schema and with the planner's statistics refreshed
as the app does at start-up (``ANALYZE`` on PostgreSQL), the bench makes
dynamic segments through the service in a transaction it rolls back, and
times them with the demo's own clock (the moment it was generated, so "the
last 30 days" holds events):

* the baseline, in the same run on the same database: ``SELECT count(*) FROM
  contacts``;
* the issue's segment — grade at least B, country FI, clicked an e-mail in
  the last 30 days — its count (``count_members``) and its first page of 50
  members (``member_page``);
* two more for comparison: a page-view count (``url`` starting with
  ``/solutions`` at least twice in 90 days) of gold or silver accounts, and
  consent given and not suppressed.

Each figure is the median of ``--repeat`` runs after one warm-up run, whose
time is printed as "first"; "median CPU" is this process's CPU time, which
on SQLite (in this process) is the work itself even on a busy machine.  The
machine's core count is printed with the table.

Run:  .venv/bin/python bench/bench_segments.py --url sqlite:////path/demo.db
      .venv/bin/python bench/bench_segments.py --contacts 100000 --backend sqlite
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text

from silverplatter.services import segments as service
from silverplatter.services.audit import Actor
from silverplatter.storage.engine import make_engine, migrate, refresh_statistics
from silverplatter.storage.schema import workspace

sys.path.insert(0, str(Path(__file__).parent))

TARGET = 1.0
RULES: dict[str, dict[str, Any]] = {
    "grade ≥ B, FI, clicked an e-mail in 30 days": {
        "all": [
            {"field": "contact.grade", "op": "gte", "value": "B"},
            {"field": "contact.country", "op": "equals", "value": "FI"},
            {"event": "email_click", "within_days": 30},
        ]
    },
    "gold or silver, /solutions ≥ 2 views in 90 days": {
        "all": [
            {"field": "account.value_tier", "op": "in", "value": ["gold", "silver"]},
            {
                "event": "page_view",
                "within_days": 90,
                "times": 2,
                "where": [{"property": "url", "op": "starts_with", "value": "/solutions"}],
            },
        ]
    },
    "consent given, not suppressed": {
        "all": [
            {"field": "contact.email_consent", "op": "equals", "value": "given"},
            {"field": "contact.suppressed", "op": "equals", "value": False},
        ]
    },
}


def timed(action: Callable[[], Any], repeat: int) -> tuple[Any, float, float, float]:
    """The result, the first run's seconds, and the median wall and CPU seconds of ``repeat`` more.

    CPU is this process's (SQLite runs in it; PostgreSQL's work is in the server's).
    """
    started = time.perf_counter()
    result = action()
    first = time.perf_counter() - started
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return result, first, statistics.median(walls), statistics.median(cpus)


def world_now(connection: Connection) -> datetime:
    moment = connection.execute(select(workspace.c.demo_started_at)).scalar_one()
    if moment is None:
        return datetime.now(UTC)
    stamp: datetime = moment
    return stamp


def measure(url: str, repeat: int) -> list[dict[str, Any]]:
    engine = make_engine(url)
    migrate(engine)
    # Planner statistics as a running app has them: SQLite's are refreshed at
    # start-up, PostgreSQL's by autovacuum some time after a bulk load.
    refresh_statistics(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    figures: list[dict[str, Any]] = []
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            now = world_now(connection)
            contacts, first, median, cpu = timed(
                lambda: connection.execute(text("SELECT count(*) FROM contacts")).scalar_one(),
                repeat,
            )
            figures.append(
                {
                    "what": "baseline: SELECT count(*) FROM contacts",
                    "rows": contacts,
                    "first": first,
                    "median": median,
                    "cpu": cpu,
                }
            )
            for number, (name, rule) in enumerate(RULES.items()):
                draft = service.draft_of({"slug": f"bench-{number}", "name": name, "rule": rule})
                segment = service.create_segment(connection, draft, actor=Actor(None), now=now)
                for what, action in (
                    (
                        "count",
                        lambda s=segment: service.count_members(
                            connection, s, now=now, store_it=False
                        ),
                    ),
                    (
                        "first page of 50",
                        lambda s=segment: len(
                            service.member_page(connection, s, now=now, limit=50).rows
                        ),
                    ),
                ):
                    rows, first, median, cpu = timed(action, repeat)
                    figures.append(
                        {
                            "what": f"{name}: {what}",
                            "rows": rows,
                            "first": first,
                            "median": median,
                            "cpu": cpu,
                        }
                    )
            figures.append(_before_the_type_index(connection, now, repeat))
        finally:
            transaction.rollback()
    engine.dispose()
    return figures


def _before_the_type_index(connection: Connection, now: datetime, repeat: int) -> dict[str, Any]:
    """The issue's segment counted as it was before ``ix_events_type_time`` (migration 0022).

    SQLite: the event window as a correlated probe of each candidate's events
    (the form a page of members still uses). PostgreSQL: the same statement
    with the index dropped inside a savepoint that is rolled back.
    """
    name, rule = next(iter(RULES.items()))
    if connection.dialect.name == "sqlite":
        statement = service.compiled(connection, rule, now=now, each=True).count()
        rows, first, median, cpu = timed(lambda: connection.execute(statement).scalar_one(), repeat)
    else:
        statement = service.compiled(connection, rule, now=now).count()
        savepoint = connection.begin_nested()
        try:
            connection.exec_driver_sql("DROP INDEX ix_events_type_time")
            rows, first, median, cpu = timed(
                lambda: connection.execute(statement).scalar_one(), repeat
            )
        finally:
            savepoint.rollback()
    return {
        "what": f"{name}: count before migration 0022 (comparison)",
        "rows": rows,
        "first": first,
        "median": median,
        "cpu": cpu,
    }


def table(backend: str, figures: list[dict[str, Any]]) -> list[str]:
    baseline = figures[0]["median"]
    lines = [
        f"| {backend} | what | rows | first run | median | median CPU | × baseline |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for figure in figures:
        ratio = figure["median"] / baseline if baseline else 0.0
        first, median, cpu = (figure[key] * 1000 for key in ("first", "median", "cpu"))
        lines.append(
            f"| {backend} | {figure['what']} | {figure['rows']:,} "
            f"| {first:,.1f} ms | {median:,.1f} ms | {cpu:,.1f} ms | {ratio:,.0f} |"
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
    parser.add_argument("--repeat", type=int, default=5)
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
        figures = measure(url, arguments.repeat)
        lines.extend(table(backend, figures))
        # The target is for its segment: count and first page together.
        wall = figures[1]["median"] + figures[2]["median"]
        cpu = figures[1]["cpu"] + figures[2]["cpu"]
        verdict = "within" if wall <= TARGET else "over"
        lines.append(
            f"\nthe issue's segment, count + first page: {wall:.3f} s wall ({verdict} the "
            f"{TARGET:.0f} s target), {cpu:.3f} s CPU in this process\n"
        )
    print()
    print("\n".join(lines))
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"finished {finished} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
