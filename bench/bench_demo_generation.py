"""Benchmark: the CPU time of generating the demo world alone, without a database.

Runs ``DemoWorld(...).batches()`` in this process and converts every batch to
its stored form, as the helper process does, and prints the rows made and the
CPU seconds taken.  CPU time, unlike wall time, stays comparable on a machine
shared with other work.  To compare with an earlier generator, run the same
script against that commit's sources:

    git archive <commit> src | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before/src .venv/bin/python bench/bench_demo_generation.py --contacts 100000
    .venv/bin/python bench/bench_demo_generation.py --contacts 100000
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()

    from silverplatter.services.demo.plans import NextIds
    from silverplatter.services.demo.stored import StoredValues
    from silverplatter.services.demo.world import DemoWorld

    stored = StoredValues("sqlite")
    world = DemoWorld(
        seed=arguments.seed,
        now=int(NOW.timestamp()),
        contacts=arguments.contacts,
        next_ids=NextIds(),
    )
    began_cpu, began = time.process_time(), time.perf_counter()
    rows = 0
    for batch in world.batches():
        rows += sum(len(table_rows) for _, table_rows in stored(batch.tables()))
    cpu, wall = time.process_time() - began_cpu, time.perf_counter() - began
    print(f"{arguments.contacts:,} contacts: {rows:,} rows, {cpu:.2f} s CPU, {wall:.2f} s wall")


if __name__ == "__main__":
    main()
