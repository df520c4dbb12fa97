"""Benchmark: what looking for champion moves costs a contacts import, per batch.

Generates the demo world (``--demo-contacts``, 100,000 by default) once into a
temporary SQLite file (and, with ``--postgres``, into a PostgreSQL database
that is copied with ``CREATE DATABASE … TEMPLATE``), copies it, and imports
the same CSV of ``--rows`` contacts (100,000 by default) into each copy: once
without detection and once with it, in the same run.  Prints a Markdown table
row per backend: rows/s without and with detection, the ratio, the extra
milliseconds per batch, and the moves and tasks the detecting import raised.

The file is made of
* 0.5 % demo people with a LinkedIn profile, at a new address at another demo
  account with the same profile (moves by LinkedIn);
* 0.5 % demo people without a profile, at a new address at another demo
  account under the same name (moves by name and the new domain, unless the
  name is ambiguous or too common);
* the rest new people at new companies, with names drawn from a short list,
  so that the name look-up meets common names on every batch.

Run:  .venv/bin/python bench/bench_champion_moves.py [--rows N] [--demo-contacts N] [--postgres]
      [--demo-file /tmp/demo-100k.db]   (reuses a demo file of a previous run)
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from silverplatter.services.demo import generate_demo
from silverplatter.services.importing import import_csv
from silverplatter.storage.engine import make_engine, migrate
from silverplatter.storage.planning_schema import champion_moves, tasks
from silverplatter.storage.schema import accounts, contacts

PG_ADMIN_URL = os.environ.get(
    "SILVERPLATTER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 11, 1, tzinfo=UTC)
SEED = 1
FIRST_NAMES = ["Anna", "Mikko", "Laura", "Jussi", "Sara", "Erik", "Maria", "Johan", "Eva", "Lars"]
LAST_NAMES = ["Virtanen", "Korhonen", "Nieminen", "Andersson", "Johansson", "Müller", "Smith"]
HEADER = [
    "email",
    "first_name",
    "last_name",
    "title",
    "linkedin_url",
    "account_name",
    "account_domain",
    "created_at",
]


def write_file(engine: Engine, path: Path, rows: int) -> tuple[int, int]:
    """The import file; returns how many rows move a demo person by profile and by name."""
    chooser = random.Random(7)
    with engine.connect() as connection:
        domains = [
            (r.name, r.domain)
            for r in connection.execute(
                select(accounts.c.name, accounts.c.domain).where(accounts.c.domain.is_not(None))
            )
        ]
        people = list(
            connection.execute(
                select(
                    contacts.c.first_name,
                    contacts.c.last_name,
                    contacts.c.linkedin_url,
                    contacts.c.email,
                ).where(contacts.c.account_id.is_not(None))
            )
        )
    with_profile = [p for p in people if p.linkedin_url]
    without = [p for p in people if not p.linkedin_url and p.first_name and p.last_name]
    moved = rows // 200
    by_profile = chooser.sample(with_profile, min(moved, len(with_profile)))
    by_name = chooser.sample(without, min(moved, len(without)))
    movers = {chooser.randrange(rows): ("profile", p) for p in by_profile}
    for person in by_name:
        movers.setdefault(chooser.randrange(rows), ("name", person))
    counts = {"profile": 0, "name": 0}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            created = "2026-10-15T09:00:00Z"
            if number in movers:
                kind, person = movers[number]
                old_domain = person.email.rsplit("@", 1)[1]
                name, domain = chooser.choice(domains)
                while domain == old_domain:
                    name, domain = chooser.choice(domains)
                counts[kind] += 1
                writer.writerow(
                    [
                        f"moved{number}@{domain}",
                        person.first_name,
                        person.last_name,
                        "Head of Purchasing",
                        person.linkedin_url if kind == "profile" else "",
                        name,
                        domain,
                        created,
                    ]
                )
                continue
            company = number // 20
            writer.writerow(
                [
                    f"person{number}@newco{company}.example",
                    chooser.choice(FIRST_NAMES),
                    chooser.choice(LAST_NAMES),
                    "Buyer",
                    "",
                    f"Newco {company} Oy",
                    f"newco{company}.example",
                    created,
                ]
            )
    return counts["profile"], counts["name"]


def timed_import(engine: Engine, path: Path, detect: bool, batch_size: int) -> tuple[float, int]:
    began = time.perf_counter()
    summary = import_csv(
        engine,
        path,
        "contacts",
        now=NOW,
        batch_size=batch_size,
        rejects_path=path.with_suffix(f".{int(detect)}.rejects.csv"),
        detect_champion_moves=detect,
    )
    return time.perf_counter() - began, summary.rows_read


def counts(engine: Engine) -> tuple[int, int, dict[str, int]]:
    with engine.connect() as connection:
        moves = connection.execute(select(func.count()).select_from(champion_moves)).scalar_one()
        given = connection.execute(select(func.count()).select_from(tasks)).scalar_one()
        kinds: dict[str, int] = dict(
            connection.execute(
                select(champion_moves.c.matched_by, func.count()).group_by(
                    champion_moves.c.matched_by
                )
            ).all()
        )
    return int(moves), int(given), {str(k): int(v) for k, v in kinds.items()}


def row(backend: str, plain: Engine, detecting: Engine, path: Path, batch_size: int) -> str:
    seconds_plain, read = timed_import(plain, path, False, batch_size)
    seconds_detect, _read = timed_import(detecting, path, True, batch_size)
    moves, given, kinds = counts(detecting)
    batches = -(-read // batch_size)
    extra_ms = (seconds_detect - seconds_plain) / batches * 1000
    return (
        f"| {backend} | {read:,} | {read / seconds_plain:,.0f} | {read / seconds_detect:,.0f} "
        f"| {seconds_plain / seconds_detect:.2f} | {extra_ms:,.0f} | {moves:,} "
        f"({kinds.get('linkedin', 0):,} / {kinds.get('name_domain', 0):,}) | {given:,} |"
    )


@contextmanager
def postgres_copies(source_url: str) -> Iterator[tuple[str, str]]:
    """Two copies of the PostgreSQL database at ``source_url``."""
    from sqlalchemy.engine import make_url

    source = make_url(source_url).database
    names = [f"silverplatter_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    try:
        yield tuple(  # type: ignore[misc]
            make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
            for name in names
        )
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--demo-contacts", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument(
        "--demo-file", type=Path, help="reuse this SQLite demo file (made here when missing)"
    )
    options = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory(prefix="silverplatter-bench-") as folder:
        base = Path(folder)
        demo = options.demo_file or base / "demo.db"
        engine = make_engine(f"sqlite:///{demo}")
        if not demo.exists() or options.demo_file is None:
            migrate(engine)
            began = time.perf_counter()
            generate_demo(engine, contacts=options.demo_contacts, seed=SEED, now=NOW)
            seconds = time.perf_counter() - began
            print(f"demo of {options.demo_contacts:,} contacts in {seconds:.0f} s", flush=True)
        path = base / "contacts.csv"
        by_profile, by_name = write_file(engine, path, options.rows)
        engine.dispose()
        for copy in ("plain.db", "detecting.db"):
            shutil.copyfile(demo, base / copy)
        plain = make_engine(f"sqlite:///{base / 'plain.db'}")
        detecting = make_engine(f"sqlite:///{base / 'detecting.db'}")
        lines.append(row("SQLite", plain, detecting, path, options.batch_size))
        plain.dispose()
        detecting.dispose()
        if options.postgres:
            with postgres_database() as url:
                engine = make_engine(url)
                migrate(engine)
                generate_demo(engine, contacts=options.demo_contacts, seed=SEED, now=NOW)
                engine.dispose()
                with postgres_copies(url) as (plain_url, detecting_url):
                    plain = make_engine(plain_url)
                    detecting = make_engine(detecting_url)
                    lines.append(row("PostgreSQL", plain, detecting, path, options.batch_size))
                    plain.dispose()
                    detecting.dispose()
    print(
        f"\nImporting {options.rows:,} contacts into a {options.demo_contacts:,}-contact demo "
        f"workspace, batch size {options.batch_size}; the file moves {by_profile:,} demo people "
        f"by LinkedIn profile and {by_name:,} by name; {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}\n"
    )
    print(
        "| backend | rows | rows/s without detection | rows/s with detection | ratio "
        "| extra ms per batch | moves (LinkedIn / name) | tasks |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
