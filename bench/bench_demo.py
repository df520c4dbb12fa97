"""Benchmark: generating the demo world (``generate_demo``) at a given size.

Each ``--contacts N`` runs in a fresh child process (so peak RSS is that run's
own) into a fresh temporary SQLite file, or into ``--database-url`` (an empty
database), and with ``--postgres`` also into a new PostgreSQL database
``silverplatter_bench_<random>`` on 127.0.0.1:5432, dropped afterwards.
Prints one Markdown table row per run: contacts, events, seconds, contacts/s,
events/s, peak RSS of the writing process and of the generating helper process
(from 20,000 contacts on, the world is generated in a helper on a second core)
and the machine's core count.

The baseline, measured in the same run on the same machine: raw ``sqlite3``
executemany of the same number of minimal event rows (id, type, time,
contact) into a bare table without indexes, timing only the database's part.
``ratio`` is the demo's events/s divided by that raw rate: the share of bare
insert speed left after generating a realistic world and keeping its indexes.

Run:  .venv/bin/python bench/bench_demo.py --contacts 100000 [--contacts 1000000] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

PG_ADMIN_URL = os.environ.get(
    "SILVERPLATTER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 11, 1, tzinfo=UTC)
SEED = 1
BASELINE_BATCH = 20_000


def run_one(url: str, contacts: int) -> dict[str, float]:
    """Generate into ``url`` in this process and measure it (the child's side)."""
    from silverplatter.services.demo import generate_demo
    from silverplatter.storage.engine import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    began = time.perf_counter()
    summary = generate_demo(engine, contacts=contacts, seed=SEED, now=NOW)
    seconds = time.perf_counter() - began
    engine.dispose()
    return {
        "contacts": summary.contacts,
        "events": summary.events,
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # the generating helper process, when the world was big enough to use one
        "helper_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def measure(url: str, contacts: int) -> dict[str, float]:
    """Run one generation in a child process and return its measurements."""
    command = [sys.executable, __file__, "--child", url, "--contacts", str(contacts)]
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def raw_baseline(directory: Path, count: int) -> float:
    """Events/s of raw sqlite3 executemany of minimal rows into a bare table."""
    import sqlite3  # here, not at the top: the package must start SQLite first

    database = sqlite3.connect(directory / "baseline.db")
    database.execute("PRAGMA journal_mode = WAL")
    database.execute("PRAGMA synchronous = NORMAL")
    database.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, type TEXT NOT NULL, "
        "occurred_at TEXT NOT NULL, contact_id INTEGER)"
    )
    elapsed = 0.0
    for start in range(0, count, BASELINE_BATCH):
        rows = [
            (n + 1, "page_view", "2026-01-01 12:00:00.000000", n // 20 + 1)
            for n in range(start, min(start + BASELINE_BATCH, count))
        ]
        began = time.perf_counter()  # only the database's part is timed
        database.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", rows)
        database.commit()
        elapsed += time.perf_counter() - began
    database.close()
    return count / elapsed


def row(backend: str, marks: dict[str, float], raw: float, cores: int | None) -> str:
    seconds = marks["seconds"]
    events_per_second = marks["events"] / seconds
    return (
        f"| {backend} | {int(marks['contacts']):,} | {int(marks['events']):,} | {seconds:.1f} "
        f"| {marks['contacts'] / seconds:,.0f} | {events_per_second:,.0f} "
        f"| {marks['peak_rss_mb']:.0f} / {marks['helper_rss_mb']:.0f} | {raw:,.0f} "
        f"| {events_per_second / raw:.2f} | {cores} |"
    )


def postgres_database() -> tuple[str, str]:
    from silverplatter.storage.engine import make_engine

    name = f"silverplatter_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(name: str) -> None:
    from silverplatter.storage.engine import make_engine

    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--contacts", type=int, action="append", help="repeatable")
    parser.add_argument("--database-url", help="an empty database to use instead of SQLite")
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    sizes = arguments.contacts or [100_000]
    if arguments.child:
        print(json.dumps(run_one(arguments.child, sizes[0])))
        return
    cores = os.cpu_count()
    print(
        "| backend | contacts | events | seconds | contacts/s | events/s "
        "| peak RSS MB (writer / generator) | raw sqlite3 events/s | ratio | cores |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for contacts in sizes:
        with tempfile.TemporaryDirectory(prefix="silverplatter-bench-") as folder:
            directory = Path(folder)
            if arguments.database_url:
                backend, url = "given database", arguments.database_url
            else:
                backend, url = "SQLite", f"sqlite:///{directory / 'demo.db'}"
            marks = measure(url, contacts)
            raw = raw_baseline(directory, int(marks["events"]))
            print(row(backend, marks, raw, cores), flush=True)
            if arguments.postgres:
                name, pg_url = postgres_database()
                try:
                    print(row("PostgreSQL", measure(pg_url, contacts), raw, cores), flush=True)
                finally:
                    drop_postgres_database(name)


if __name__ == "__main__":
    main()
