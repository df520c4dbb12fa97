"""Benchmark: the lost-lead sections 5–10 and owner activity on a demo workspace.

For each ``--contacts N`` and backend, reuses (or builds) the cached demo
workspace of ``bench/bench_recompute.py`` (``silverplatter demo --contacts N
--seed 1`` under ``--workdir``).  Inside one transaction that is rolled back
at the end, so the workspace stays as it was, it first adds what the demo may
lack, in proportion to its contacts (``--extras``, on by default):

* a social-followers list of 20 % of the contacts' count: half of them
  contacts' e-mails, a quarter new people at the accounts' domains, a quarter
  names only at a known account;
* an NPS survey answered by 5 % of the contacts, scores 0–10;
* "not now, later" campaign answers from 5 % of the contacts over the last 18
  months, half with a date;

then times, at the demo's own moment, the owner-activity statement over every
account and each section with the report's limit (50), for everyone and for
the salesperson owning the most accounts.  The best of ``--repeat`` runs.

Run:  .venv/bin/python bench/bench_mining_more.py [--contacts N ...]
          [--backend sqlite|postgresql ...] [--workdir DIR] [--repeat 3] [--no-extras]
      .venv/bin/python bench/bench_mining_more.py --url URL   # an existing demo workspace
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from silverplatter.services.mining import (
    ghost_accounts,
    later_answers,
    nps,
    quasi_leads,
    repeat_visitors,
    social_followers,
)
from silverplatter.storage.engine import make_engine
from silverplatter.storage.owner_activity import last_owner_activity
from silverplatter.storage.planning_schema import people_list_entries, people_lists
from silverplatter.storage.schema import accounts, contacts, events

sys.path.insert(0, str(Path(__file__).parent))
from bench_recompute import demo_workspace, world_facts

SECTIONS = {
    "repeat_visitors": repeat_visitors.section,
    "social_followers": social_followers.section,
    "later_answers": later_answers.section,
    "ghost_accounts": ghost_accounts.section,
    "nps": nps.section,
    "quasi_leads": quasi_leads.section,
}
LIMIT = 50


def _sample(connection: Connection, count: int, rng: random.Random) -> list[Any]:
    rows = connection.execute(
        select(
            contacts.c.id,
            contacts.c.email,
            contacts.c.first_name,
            contacts.c.last_name,
            contacts.c.account_id,
        ).order_by(contacts.c.id)
    ).all()
    return rng.sample(rows, min(count, len(rows)))


def add_extras(connection: Connection, now: datetime, people: int) -> dict[str, int]:
    """Followers, NPS answers and "later" answers in proportion to ``people`` contacts."""
    rng = random.Random(7)
    domains = connection.execute(
        select(accounts.c.id, accounts.c.domain).where(accounts.c.domain.is_not(None))
    ).all()
    followers = connection.execute(
        insert(people_lists).returning(people_lists.c.id),
        {"name": "Bench followers", "kind": "social_followers", "imported_at": now},
    ).scalar_one()
    survey = connection.execute(
        insert(people_lists).returning(people_lists.c.id),
        {"name": "Bench NPS", "kind": "nps_survey", "imported_at": now},
    ).scalar_one()
    entries: list[dict[str, Any]] = []
    size = people // 5
    known = _sample(connection, size // 2, rng)
    for row in known:
        entries.append({"list_id": followers, "email": row.email, "full_name": row.first_name})
    for index in range(size - len(known)):
        account_id, domain = rng.choice(domains)
        if index % 2:
            email = f"new{index}@{domain}"
            entries.append({"list_id": followers, "email": email, "account_id": account_id})
        else:
            name = f"Bench Person{index}"
            entries.append({"list_id": followers, "full_name": name, "account_id": account_id})
    for row in _sample(connection, people // 20, rng):
        entries.append(
            {
                "list_id": survey,
                "email": row.email,
                "contact_id": row.id,
                "account_id": row.account_id,
                "score": rng.randint(0, 10),
                "answered_at": now - timedelta(days=rng.randint(0, 500)),
            }
        )
    columns = ("email", "full_name", "contact_id", "account_id", "score", "answered_at")
    entries = [{"list_id": e["list_id"], **{c: e.get(c) for c in columns}} for e in entries]
    for start in range(0, len(entries), 5000):
        connection.execute(insert(people_list_entries), entries[start : start + 5000])
    base = int(connection.execute(select(func.max(events.c.key_hash))).scalar() or 0) + 1
    answers = []
    for index, row in enumerate(_sample(connection, people // 20, rng)):
        at = now - timedelta(days=rng.randint(1, 540))
        properties: dict[str, str] = {"campaign": "Bench campaign", "answer": "later"}
        if index % 2:
            properties["later_on"] = (at + timedelta(days=rng.randint(30, 400))).date().isoformat()
        answers.append(
            {
                "key_hash": base + index,
                "idempotency_key": f"bench-later-{index}",
                "type": "campaign_answer",
                "occurred_at": at,
                "contact_id": row.id,
                "account_id": row.account_id,
                "properties": properties,
                "received_at": at,
            }
        )
    for start in range(0, len(answers), 5000):
        connection.execute(insert(events), answers[start : start + 5000])
    return {"followers": size, "nps answers": people // 20, "later answers": len(answers)}


def _best(connection: Connection, work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def _busiest_owner(connection: Connection) -> int | None:
    count = func.count().label("n")
    row = connection.execute(
        select(accounts.c.owner_id, count)
        .where(accounts.c.owner_id.is_not(None))
        .group_by(accounts.c.owner_id)
        .order_by(count.desc())
        .limit(1)
    ).first()
    return None if row is None else int(row.owner_id)


def bench(url: str, runs: int, extras: bool) -> Iterator[tuple[str, float, str]]:
    engine = make_engine(url)
    now, people, _events = world_facts(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        if extras:
            started = time.perf_counter()
            added = add_extras(connection, now, people)
            detail = ", ".join(f"{value:,} {name}" for name, value in added.items())
            yield "adding the extras (not a product path)", time.perf_counter() - started, detail
        owner = _busiest_owner(connection)
        activity = last_owner_activity(now=now)
        seconds, rows = _best(
            connection,
            lambda: connection.execute(
                select(activity.c.account_id, activity.c.last_activity_at)
            ).all(),
            runs,
        )
        yield "owner activity of every account", seconds, f"{len(rows):,} accounts"
        for key, section in SECTIONS.items():
            for label, owner_id in (("everyone", None), (f"owner {owner}", owner)):

                def run(s: Any = section, o: int | None = owner_id) -> Any:
                    return s(connection, now=now, limit=LIMIT, owner_id=o)

                seconds, found = _best(connection, run, runs)
                yield f"{key} ({label})", seconds, f"{found.total:,} candidates"
        transaction.rollback()
    engine.dispose()


def _table(url: str, runs: int, extras: bool) -> None:
    print("| what | seconds | found |\n|---|---:|---|")
    for label, seconds, detail in bench(url, runs, extras):
        print(f"| {label} | {seconds:.2f} | {detail} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--contacts", type=int, action="append", help="repeatable")
    parser.add_argument(
        "--backend", action="append", choices=("sqlite", "postgresql"), help="repeatable"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/silverplatter-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-extras", dest="extras", action="store_false")
    parser.add_argument("--url", action="append", help="time this workspace instead (repeatable)")
    arguments = parser.parse_args()
    for url in arguments.url or []:
        print(f"\n### {url.rsplit('/', 1)[-1]}\n")
        _table(url, arguments.repeat, arguments.extras)
    if arguments.url:
        return
    for contacts_count in arguments.contacts or [100_000]:
        for backend in arguments.backend or ["sqlite", "postgresql"]:
            url = demo_workspace(arguments.workdir, backend, contacts_count)
            runs = 1 if contacts_count >= 200_000 else arguments.repeat
            print(f"\n### {backend}, {contacts_count:,} contacts\n")
            _table(url, runs, arguments.extras)


if __name__ == "__main__":
    main()
