"""Benchmark: writing the probabilities of a batch scoring run (``write_predictions``).

On the cached demo workspace of ``--contacts`` contacts on ``--backend``
(``bench/bench_recompute.py`` builds it under ``--workdir``) or an existing
workspace (``--database-url``), ``--rows`` probabilities — one per contact, each with three
contributions as the model stores them — are written in one transaction that
is rolled back, so every run starts from the same table.  Baseline in the same
run: the same upsert through SQLAlchemy's ``insert … on_conflict_do_update``
with one parameter set per row (an executemany), on the first ``--sample``
rows, extrapolated.  Prints rows/s of both, the ratio, and the machine's cores.

Run:  .venv/bin/python bench/bench_prediction_write.py [--contacts 1000000]
          [--backend postgresql|sqlite] [--database-url URL] [--rows 1000000]
          [--sample 100000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.storage.engine import make_engine
from silverplatter.storage.predictive import write_predictions
from silverplatter.storage.predictive_schema import contact_predictions, predictive_models
from silverplatter.storage.schema import contacts

sys.path.insert(0, str(Path(__file__).parent))
from bench_recompute import demo_workspace

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LABELS = ("Pages viewed, 90 days", "Grade", "Seniority: C-level", "Days since last visit")


def _rows(connection: Connection, count: int) -> list[tuple[int, float, list[Any]]]:
    ids = connection.execute(select(contacts.c.id).order_by(contacts.c.id).limit(count))
    rng = random.Random(0)
    return [
        (
            contact_id,
            rng.random(),
            [[label, round(rng.uniform(-1, 1), 4)] for label in rng.sample(LABELS, 3)],
        )
        for contact_id in ids.scalars()
    ]


def _model(connection: Connection) -> int:
    statement = insert(predictive_models).values(
        outcome="sql",
        horizon_days=90,
        cutoff=NOW,
        algorithm="bench",
        parameters={},
        features=[],
        metrics={},
        model=b"",
        created_at=NOW,
        active=False,
    )
    return int(connection.execute(statement.returning(predictive_models.c.id)).scalar_one())


def _executemany(connection: Connection, model_id: int, rows: list[Any]) -> None:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(contact_predictions)
    statement = statement.on_conflict_do_update(
        index_elements=["contact_id"],
        set_={
            name: statement.excluded[name]
            for name in ("model_id", "probability", "contributions", "scored_at")
        },
    )
    connection.execute(
        statement,
        [
            {
                "contact_id": contact_id,
                "model_id": model_id,
                "probability": probability,
                "contributions": reasons,
                "scored_at": NOW,
            }
            for contact_id, probability, reasons in rows
        ],
    )


def _timed(engine: Any, rows: list[Any], write: Any) -> float:
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            model_id = _model(connection)
            started = time.perf_counter()
            write(connection, model_id, rows)
            elapsed = time.perf_counter() - started
            stored = connection.execute(select(func.count()).select_from(contact_predictions))
            assert stored.scalar_one() >= len(rows)
        finally:
            transaction.rollback()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/silverplatter-bench"))
    parser.add_argument("--database-url")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    url = args.database_url or demo_workspace(args.workdir, args.backend, args.contacts)
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = _rows(connection, args.rows)
    sample = rows[: args.sample]
    backend = engine.dialect.name
    print(f"{backend}: {len(rows):,} rows (baseline on {len(sample):,}), cores {os.cpu_count()}")
    print("| run | write_predictions s | rows/s | executemany s (extrapolated) | ratio |")
    print("|---:|---:|---:|---:|---:|")
    for run in range(1, args.repeat + 1):
        ours = _timed(engine, rows, lambda c, m, r: write_predictions(c, m, r, now=NOW))
        theirs = _timed(engine, sample, _executemany) * len(rows) / max(1, len(sample))
        print(
            f"| {run} | {ours:.2f} | {len(rows) / ours:,.0f} | {theirs:.2f} | "
            f"{theirs / ours:.1f}× |"
        )
    engine.dispose()


if __name__ == "__main__":
    main()
