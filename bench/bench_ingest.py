"""Benchmark: ingesting events through the ingestion service in batches.

Creates a fresh workspace with 100,000 contacts at 12,500 accounts, then
streams ``--events`` page views, email opens/clicks and form submissions
(generated on the fly, never held in memory) through ``ingest_events`` in
batches, one transaction per batch.  ``--scoring`` says what the lead engine
does with them: ``off`` (the default; storing is what this measures, as a
bulk load that a recompute follows), ``deferred`` (queued in the scoring
backlog, as the HTTP endpoint does) or ``inline`` (folded into the scores in
the batch's transaction; the engine's own figures are in
``bench/bench_engine.py``).  Prints a Markdown table with events/s
over the first and the last 10 % (must stay flat), over the whole run, and
peak RSS.  The baseline, measured in the same run on the same machine: raw
``sqlite3`` executemany of already-prepared rows into an identical events
table (same indexes), for the same number of events on SQLite, i.e. the
ceiling with no validation, no idempotency check and no contact lookup, for
the same contacts, accounts and times.

Run:  .venv/bin/python bench/bench_ingest.py [--events N] [--batch B] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from silverplatter.domain.records import ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.records import upsert_contacts
from silverplatter.storage.engine import make_engine, migrate
from silverplatter.storage.events import key_hash

PG_ADMIN_URL = os.environ.get(
    "SILVERPLATTER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CONTACTS = 100_000
NOW = datetime(2026, 11, 1, tzinfo=UTC)
START = NOW - timedelta(days=730)
KINDS = ("page_view", "page_view", "page_view", "email_open", "email_click", "form_submit")


def email(n: int) -> str:
    return f"person{n}@company{n // 8}.example"


def events(count: int) -> Iterator[dict[str, Any]]:
    """A deterministic stream of events spread over two years and 100k contacts."""
    step = 730 * 86400 / max(count, 1)
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        person = (n * 7919) % CONTACTS
        item: dict[str, Any] = {
            "type": kind,
            "occurred_at": (START + timedelta(seconds=n * step)).isoformat(),
            "email": email(person),
            "channel": "email" if kind.startswith("email") else "web",
            "traffic": "owned",
            "properties": {"url": f"/guides/{n % 40}"} if kind == "page_view" else {},
        }
        if kind == "form_submit":
            item["properties"] = {"cta": "soft" if n % 5 else "hard", "form": "guide"}
        yield item


def batches(count: int, size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in events(count):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(engine: Engine) -> None:
    migrate(engine)
    with engine.begin() as connection:
        for start in range(0, CONTACTS, 10_000):
            upsert_contacts(
                connection,
                [
                    ContactFields(email=email(n), account_domain=f"company{n // 8}.example")
                    for n in range(start, start + 10_000)
                ],
                now=NOW,
            )


#: How the lead engine meets the ingested events (``--scoring``).
SCORING = {
    "off": {"score": False},  # the bulk path: a recompute follows
    "deferred": {"score": True, "defer": True},  # the HTTP path: queued in the scoring backlog
    "inline": {"score": True},  # folded into the scores within the batch's transaction
}


def run_service(engine: Engine, count: int, size: int, scoring: str = "off") -> dict[str, float]:
    """Ingest the stream; rates over the first and last tenth come from batch timings."""
    timeline: list[tuple[int, float]] = [(0, time.perf_counter())]
    for batch in batches(count, size):
        with engine.begin() as connection:
            result = ingest_events(connection, batch, now=NOW, **SCORING[scoring])
        if result.errors or result.accepted != len(batch):
            raise SystemExit(f"unexpected result: {result.accepted} accepted, {result.errors[:3]}")
        timeline.append((timeline[-1][0] + len(batch), time.perf_counter()))
    return rates(timeline, count)


def rates(timeline: list[tuple[int, float]], count: int) -> dict[str, float]:
    tenth = max(count // 10, 1)
    first = next(point for point in timeline if point[0] >= tenth)
    last_from = next(point for point in reversed(timeline) if point[0] <= count - tenth)
    begin, end = timeline[0], timeline[-1]
    return {
        "first": first[0] / (first[1] - begin[1]),
        "last": (end[0] - last_from[0]) / (end[1] - last_from[1]),
        "overall": end[0] / (end[1] - begin[1]),
        "seconds": end[1] - begin[1],
    }


def raw_baseline(directory: Path, count: int, size: int) -> float:
    """Raw sqlite3 executemany of prepared rows into an identical, migrated table."""
    path = directory / "baseline.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO contacts (id, email, email_key, custom, created_at, updated_at) "
                "VALUES (1, 'a@b.example', 'a@b.example', '{}', '2026-01-01 00:00:00', "
                "'2026-01-01 00:00:00')"
            )
        )
    engine.dispose()
    import sqlite3  # here, not at the top: the package must start SQLite (sqlite_library.py)

    database = sqlite3.connect(path)  # foreign keys off: the same ids, no contacts needed
    database.execute("PRAGMA journal_mode = WAL")
    database.execute("PRAGMA synchronous = NORMAL")
    database.execute("PRAGMA cache_size = -131072")
    statement = (
        "INSERT INTO events (key_hash, idempotency_key, type, occurred_at, contact_id, "
        "visitor_id, account_id, channel, traffic, properties, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    step = 730 * 86400 / max(count, 1)
    elapsed = 0.0
    for start in range(0, count, size):
        rows = []
        for n in range(start, min(start + size, count)):
            person = (n * 7919) % CONTACTS
            moment = START + timedelta(seconds=n * step)
            rows.append(
                (
                    key_hash(f"k{n}"),
                    f"k{n}",
                    KINDS[n % len(KINDS)],
                    moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
                    person + 1,
                    None,
                    person // 8 + 1,
                    "web",
                    "owned",
                    '{"url":"/guides/1"}',
                    "2026-11-01 00:00:00",
                )
            )
        began = time.perf_counter()  # only the database's part is timed
        database.executemany(statement, rows)
        database.commit()
        elapsed += time.perf_counter() - began
    database.close()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument(
        "--scoring",
        choices=sorted(SCORING),
        default="off",
        help="off: storing only (default); deferred: also queued for the scorer, as over "
        "HTTP; inline: the engine folds each batch in its transaction",
    )
    arguments = parser.parse_args()
    cores = os.cpu_count()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="silverplatter-bench-") as folder:
        directory = Path(folder)
        baseline = raw_baseline(directory, arguments.events, arguments.batch)
        engine = make_engine(f"sqlite:///{directory / 'ingest.db'}")
        prepare(engine)
        sqlite_marks = run_service(engine, arguments.events, arguments.batch, arguments.scoring)
        engine.dispose()
        rows.append(report("SQLite", arguments, sqlite_marks, baseline, cores))
        print(rows[-1], flush=True)
    if arguments.postgres:
        name = f"silverplatter_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            engine = make_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
            prepare(engine)
            marks = run_service(engine, arguments.events, arguments.batch, arguments.scoring)
            engine.dispose()
            rows.append(report("PostgreSQL", arguments, marks, baseline, cores))
            print(rows[-1], flush=True)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print()
    print(
        "| backend | scoring | events | batch | first 10 % ev/s | last 10 % ev/s | overall ev/s "
        "| seconds | raw sqlite3 ev/s | ratio | peak RSS MB | cores |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row)


def report(
    backend: str,
    arguments: argparse.Namespace,
    marks: dict[str, float],
    baseline: float,
    cores: int | None,
) -> str:
    return (
        f"| {backend} | {arguments.scoring} | {arguments.events:,} | {arguments.batch:,} "
        f"| {marks['first']:,.0f} "
        f"| {marks['last']:,.0f} | {marks['overall']:,.0f} | {marks['seconds']:,.0f} "
        f"| {baseline:,.0f} | {marks['overall'] / baseline:.2f} | {peak_rss_mb():,.0f} | {cores} |"
    )


if __name__ == "__main__":
    main()
