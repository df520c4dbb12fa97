"""Benchmark: worry profiles on a demo world (issue 9, deliverable 2).

On a demo workspace (``--url``, e.g. ``silverplatter demo --contacts 100000
--database-url sqlite:////tmp/w100k.db``, migrated to the current schema), in
one transaction rolled back at the end, it times:

* the demo's worries and tags made (``services/demo/research.py``) when the
  workspace has none yet;
* the full recompute of every worry profile from the event log
  (``recompute_worry_profiles``), ``--repeat`` times, and of one worry (what
  a tag added in the web app starts in the background);
* the incremental fold of synthetic batches of page views of tagged and
  untagged pages for random contacts (``fold_worry_events``, what every
  scored batch runs), each in a savepoint rolled back: a worst case, every
  view of another person, most of them on tagged pages.

Run:  .venv/bin/python bench/bench_worries.py --url sqlite:////tmp/w100k.db
      .venv/bin/python bench/bench_worries.py --url postgresql+psycopg://postgres@127.0.0.1/w100k
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from silverplatter.services.demo.content import BLOG_PAGES, CONTENT
from silverplatter.services.demo.research import ensure_demo_research
from silverplatter.services.worries import list_worries
from silverplatter.services.worry_profiles import fold_worry_events, recompute_worry_profiles
from silverplatter.storage.engine import make_engine
from silverplatter.storage.events import NewEvent
from silverplatter.storage.schema import contacts, events


def _timed(run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a demo workspace")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, action="append", default=None)
    options = parser.parse_args()
    batches = options.batch or [500, 5000]
    engine = make_engine(options.url)
    now = datetime.now(UTC)
    rng = random.Random(1)
    with engine.connect() as connection, connection.begin() as outer:
        people = connection.execute(select(func.count()).select_from(contacts)).scalar_one()
        logged = connection.execute(select(func.count()).select_from(events)).scalar_one()
        print(f"{connection.dialect.name}: {people:,} contacts, {logged:,} events")
        if not list_worries(connection):
            made = _timed(lambda: ensure_demo_research(connection, now=now))
            print(f"demo worries, grid and Kano made (with a recompute) in {made:.1f} s")
        times = []
        for _ in range(options.repeat):
            times.append(_timed(lambda: recompute_worry_profiles(connection, now=now)))
        done = recompute_worry_profiles(connection, now=now)
        print(
            f"full recompute: {done.worries} worries, {done.keys} keys, {done.contacts:,} values; "
            f"median {statistics.median(times):.1f} s ({', '.join(f'{t:.1f}' for t in times)})"
        )
        one = list_worries(connection)[0]
        single = _timed(lambda: recompute_worry_profiles(connection, now=now, worry_ids=[one.id]))
        print(f"one worry ({one.slug}): {single:.1f} s")
        ids = list(connection.execute(select(contacts.c.id)).scalars())
        urls = [p.url for p in BLOG_PAGES] + [p.url for p in CONTENT] + ["/pricing", "/about"]
        for size in batches:
            batch = [
                NewEvent(
                    idempotency_key=f"bench-{size}-{n}",
                    type="page_view",
                    occurred_at=now - timedelta(hours=rng.random() * 500),
                    contact_id=rng.choice(ids),
                    visitor_id=None,
                    account_id=None,
                    channel="web",
                    traffic="owned",
                    properties={"url": rng.choice(urls)},
                    received_at=now,
                )
                for n in range(size)
            ]
            folds = []
            for _ in range(options.repeat):
                savepoint = connection.begin_nested()
                folds.append(_timed(lambda b=batch: fold_worry_events(connection, b, now=now)))
                savepoint.rollback()
            median = statistics.median(folds)
            print(f"fold {size:,} page views: {median:.3f} s ({median / size * 1e6:.0f} µs each)")
        outer.rollback()
    engine.dispose()


if __name__ == "__main__":
    main()
