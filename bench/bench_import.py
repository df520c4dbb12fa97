"""Benchmark: importing a large contacts CSV.

Generates a contacts file (1,000,000 rows by default, streamed to a temporary
directory), imports it into a fresh SQLite workspace (and, with
``--postgres``, a fresh PostgreSQL database that is dropped afterwards) and
prints a Markdown table with

* rows/s over the first 10 % and the last 10 % of the file (must stay flat),
* rows/s over the whole import,
* peak resident memory of the process, and memory after the first and the
  last 10 %,
* as a baseline, rows/s of Python's ``csv`` module only reading the same file.

Run:  .venv/bin/python bench/bench_import.py [--rows N] [--postgres]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text

from silverplatter.services.importing import import_csv
from silverplatter.storage.engine import make_engine, migrate

PG_ADMIN_URL = os.environ.get(
    "SILVERPLATTER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
FIRST_NAMES = ["Anna", "Bo", "Chen", "Dana", "Eero", "Fatima", "Gustav", "Hanna", "Ilkka", "Juha"]
LAST_NAMES = ["Virtanen", "Lindqvist", "Korhonen", "Nieminen", "Müller", "Smith", "Öberg"]
TITLES = ["CFO", "Marketing Manager", "Head of Production", "CIO", "Buyer", "CEO"]
COUNTRIES = ["FI", "SE", "DE", "Norway", "Denmark", "United Kingdom"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A contacts file of ``rows`` rows, about 20 contacts per company."""
    chooser = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "email",
                "first_name",
                "last_name",
                "title",
                "phone",
                "country",
                "account_name",
                "account_domain",
                "created_at",
            ]
        )
        for number in range(rows):
            company = number // 20
            writer.writerow(
                [
                    f"person{number}@company{company}.example",
                    chooser.choice(FIRST_NAMES),
                    chooser.choice(LAST_NAMES),
                    chooser.choice(TITLES),
                    f"+358 40 {number % 10_000_000:07d}",
                    chooser.choice(COUNTRIES),
                    f"Company {company} Oy",
                    f"company{company}.example",
                    f"{1 + number % 28:02d}.{1 + number % 12:02d}.2024",
                ]
            )


def rss_kib() -> int:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def csv_baseline(path: Path) -> float:
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    return count / (time.perf_counter() - started)


@dataclass
class Timeline:
    """``(seconds, bytes_done, rss_kib)`` at every progress report."""

    started: float = field(default_factory=time.perf_counter)
    points: list[tuple[float, int, int]] = field(default_factory=list)

    def __call__(self, done: int, total: int) -> None:
        self.points.append((time.perf_counter() - self.started, done, rss_kib()))

    def at(self, fraction: float, total: int) -> tuple[float, int]:
        """Time and memory when ``fraction`` of the bytes were done."""
        for seconds, done, rss in self.points:
            if done >= fraction * total:
                return seconds, rss
        seconds, _done, rss = self.points[-1]
        return seconds, rss


@dataclass
class Result:
    backend: str
    rows: int
    seconds: float
    first: float
    last: float
    rss_first: int
    rss_last: int
    peak: int
    created: int


def run_import(engine: Engine, backend: str, path: Path, rows: int, batch_size: int) -> Result:
    size = path.stat().st_size
    timeline = Timeline()
    summary = import_csv(
        engine,
        path,
        "contacts",
        now=datetime.now(UTC),
        batch_size=batch_size,
        progress=timeline,
    )
    seconds = time.perf_counter() - timeline.started
    t10, rss10 = timeline.at(0.1, size)
    t90, _rss90 = timeline.at(0.9, size)
    _end, rss_end = timeline.at(1.0, size)
    window = rows * 0.1
    return Result(
        backend=backend,
        rows=summary.rows_read,
        seconds=seconds,
        first=window / t10,
        last=window / max(seconds - t90, 1e-9),
        rss_first=rss10,
        rss_last=rss_end,
        peak=peak_rss_kib(),
        created=summary.created,
    )


@contextmanager
def postgres_database() -> Iterator[str]:
    from sqlalchemy.engine import make_url

    name = f"silverplatter_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true", help="also import into PostgreSQL")
    options = parser.parse_args()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="silverplatter-bench-") as folder:
        path = Path(folder) / "contacts.csv"
        generate(path, options.rows)
        baseline = csv_baseline(path)
        engine = make_engine(f"sqlite:///{folder}/workspace.db")
        migrate(engine)
        results.append(run_import(engine, "SQLite", path, options.rows, options.batch_size))
        engine.dispose()
        if options.postgres:
            with postgres_database() as url:
                engine = make_engine(url)
                migrate(engine)
                results.append(
                    run_import(engine, "PostgreSQL", path, options.rows, options.batch_size)
                )
                engine.dispose()
        size_mib = path.stat().st_size / 2**20
    print(
        f"CSV import of {options.rows:,} contacts ({size_mib:.0f} MiB), batch size "
        f"{options.batch_size}, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n"
    )
    print(
        "| backend | rows/s 0–10 % | rows/s 90–100 % | rows/s overall | seconds "
        "| RSS at 10 % | RSS at end | peak RSS | csv-only rows/s | import / csv-only |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        overall = result.rows / result.seconds
        print(
            f"| {result.backend} | {result.first:,.0f} | {result.last:,.0f} | {overall:,.0f} "
            f"| {result.seconds:,.1f} | {result.rss_first / 1024:,.0f} MiB "
            f"| {result.rss_last / 1024:,.0f} MiB | {result.peak / 1024:,.0f} MiB "
            f"| {baseline:,.0f} | {overall / baseline:.3f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
