"""Benchmark: the lead engine's incremental path, per event.

Two parts, each printing a Markdown table:

(a) **In process** — the pure domain, no database.  A stream of ``--events``
    realistic events (the demo's mix: e-mails sent, opened and clicked, page
    views of its pages with their URLs, soft and hard form submissions,
    downloads, webinars, meetings, the odd unsubscribe) over ``--people``
    contacts at accounts of the demo's sizes (about 8 people each), in time
    order.  Each event is timed with ``time.perf_counter_ns`` from receipt to
    decision, three ways: the fold alone (``apply_event`` into the contact's
    in-memory ``SubjectState``: the baseline); the fold, the contact's score,
    the account roll-up (``roll_up``), the contact's readiness (``qualify``,
    ``is_silent``) and the lifecycle move it calls for
    (``automatic_change``); and what ``services/scoring.score_events`` does:
    the same, plus readiness and moves for everyone else at the account when
    the roll-up figures the thresholds read have moved.  Reports
    events/s and p50/p99/max latency.

(b) **End to end** — ``ingest_events(..., score=True)`` against
    ``score=False`` on a copy of the cached demo workspace of ``--contacts``
    contacts (``bench/bench_recompute.py`` builds it under ``--workdir``) on
    SQLite and PostgreSQL, scored once by a full recompute beforehand, in
    batches of ``--batch`` events, one transaction per batch.  Events/s of
    both, the engine's cost per event (the difference) and p50/p99 batch
    latency.

Targets (issue): ≥ 20k events/s and p99 ≤ 1 ms per event in process.

Run:  .venv/bin/python bench/bench_engine.py [--quick] [--events 200000] [--people 20000]
          [--contacts 100000] [--e2e-events 50000] [--batch 500] [--backend ...]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from silverplatter.domain.account_rollup import Member, roll_up, rollup_keys_read, threshold_view
from silverplatter.domain.engagement import EventFacts, RuleBook
from silverplatter.domain.engagement_state import SubjectState, apply_event
from silverplatter.domain.grading import grade
from silverplatter.domain.model_file import default_model_text, parse_model
from silverplatter.domain.readiness import ReadinessFacts, is_silent, qualify
from silverplatter.services.demo.content import CONTENT, FORMS, INTENT_PAGES, LANDING_PAGES
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute import recompute
from silverplatter.services.stage_moves import automatic_change
from silverplatter.storage.engine import make_engine, migrate
from silverplatter.storage.schema import contacts

sys.path.insert(0, str(Path(__file__).parent))
from bench_recompute import PG_ADMIN_URL, demo_workspace, world_facts

DAY = 86_400.0

# The demo's event mix (share of a 5,000-contact demo's events, per cent).
MIX = {
    "email_sent": 45.0,
    "page_view": 33.0,
    "email_open": 9.5,
    "form_submit": 4.0,
    "content_download": 2.6,
    "email_click": 2.3,
    "webinar_registered": 1.6,
    "webinar_attended": 0.9,
    "meeting_held": 0.6,
    "email_unsubscribe": 0.16,
}
FORM_MIX = {
    "guide_download": 66.0,
    "newsletter": 19.0,
    "webinar_registration": 10.0,
    "contact_request": 2.1,
    "quote_request": 1.2,
    "demo_request": 1.0,
}
CHANNEL = {"meeting_held": "sales", "webinar_attended": "event"}
SENIORITY = ("C-level", "VP", "Director", "Manager", "Specialist", "Specialist")
ROLES = ("decision_maker", "economic_buyer", "influencer", "user", "user", "champion", "gatekeeper")
INDUSTRIES = ("Industrial machinery", "Metal products", "Electronics", "Retail", "Logistics")
COUNTRIES = ("FI", "SE", "NO", "DK", "DE", "GB")
DEPARTMENTS = ("Executive management", "Operations", "Production", "Finance", "IT", "Sales")
TIERS = ("gold", "silver", "silver", "bronze", "bronze", "bronze", "unclassified", "unclassified")


@dataclass(frozen=True, slots=True)
class Happening:
    """One generated event: who (a person number), what, when, properties."""

    person: int
    type: str
    moment: float
    channel: str
    properties: dict[str, Any]


def stream(count: int, people: int, start: float, days: float, seed: int) -> Iterator[Happening]:
    """``count`` events in time order over ``days`` days from ``start``, busier people first."""
    rng = random.Random(seed)
    types, weights = list(MIX), list(MIX.values())
    forms, form_weights = list(FORM_MIX), list(FORM_MIX.values())
    step = days * DAY / count
    for number in range(count):
        kind = rng.choices(types, weights)[0]
        person = int(people * rng.random() ** 1.5)  # some people are much busier than others
        properties: dict[str, Any]
        if kind == "page_view":
            page = rng.choice(INTENT_PAGES) if rng.random() < 0.025 else rng.choice(LANDING_PAGES)
            properties = {"url": page.url}
        elif kind == "form_submit":
            form = rng.choices(forms, form_weights)[0]
            properties = {"cta": FORMS[form].cta, "form": form, "content_id": None}
        elif kind in ("email_sent", "email_open"):
            properties = {"campaign_id": f"newsletter-{number % 24}", "campaign": "Newsletter"}
        elif kind == "email_click":
            piece = rng.choice(CONTENT)
            properties = {"campaign_id": f"newsletter-{number % 24}", "url": piece.url}
        elif kind == "content_download":
            piece = rng.choice(CONTENT)
            properties = {"content_id": piece.id, "title": piece.title, "topic": piece.worry}
        elif kind.startswith("webinar"):
            properties = {"webinar_id": f"webinar-{number % 12:02d}", "topic": "compliance"}
        elif kind == "meeting_held":
            properties = {"meeting_id": number, "subject": "Account review"}
        else:
            properties = {"reason": "unsubscribe link"}
        channel = CHANNEL.get(kind, "email" if kind.startswith("email") else "organic_search")
        yield Happening(person, kind, start + number * step, channel, properties)


# ---------------------------------------------------------------- (a) in process


@dataclass
class Person:
    account: int | None
    grade_level: int
    seniority: str
    role: str
    stage: str = "subscriber"


def world(people: int, seed: int) -> tuple[list[Person], dict[int, list[int]], dict[int, str]]:
    """People at accounts of 1–15 (about 8 on average); a twentieth without an account."""
    rng = random.Random(seed)
    model = parse_model(default_model_text())
    persons: list[Person] = []
    members: dict[int, list[int]] = {}
    tiers: dict[int, str] = {}
    account = 0
    while len(persons) < people:
        size = min(rng.randint(1, 15), people - len(persons))
        account += 1
        tiers[account] = rng.choice(TIERS)
        industry, revenue = rng.choice(INDUSTRIES), rng.choice((5e6, 20e6, 80e6, 300e6))
        for _ in range(size):
            at_account = rng.random() > 0.05
            profile = {
                "account.industry": industry if at_account else None,
                "account.annual_revenue": revenue if at_account else None,
                "account.employees": rng.choice((40, 250, 1200, 8000)) if at_account else None,
                "contact.seniority": rng.choice(SENIORITY),
                "contact.department": rng.choice(DEPARTMENTS),
                "contact.country": rng.choice(COUNTRIES),
            }
            person = Person(
                account if at_account else None,
                grade(model.grading, profile).level,
                profile["contact.seniority"],
                rng.choice(ROLES),
            )
            if person.account is not None:
                members.setdefault(account, []).append(len(persons))
            persons.append(person)
    return persons, members, tiers


def _rollup(
    model: Any,
    own: SubjectState,
    group: list[int],
    persons: list[Person],
    scores: dict[int, float],
    at: float,
) -> Any:
    members = [Member(scores[m], persons[m].role) for m in group]
    return roll_up(model, own.score_at(at), members)


def in_process(count: int, people: int, seed: int, *, readiness: str) -> dict[str, float]:
    """Fold ``count`` events, deciding each one's consequences as far as ``readiness`` says.

    ``none``: the fold only; ``contact``: the contact's score, its account's
    roll-up and the contact's readiness and lifecycle move; ``account``: the
    readiness and move of everyone at the account when the roll-up figures the
    thresholds read have moved, as ``score_events`` does.
    """
    model = parse_model(default_model_text())
    book = RuleBook(model)
    window = model.silence.within_days if model.silence else None
    flag_days = model.engagement.flag_days
    persons, members, tiers = world(people, seed)
    keys = rollup_keys_read(model)
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    events = [
        (h.person, EventFacts(h.type, h.moment, h.channel, h.properties))
        for h in stream(count, people, start, 90.0, seed)
    ]
    states = [SubjectState() for _ in persons]
    account_states = {account: SubjectState() for account in tiers}
    latencies = [0] * len(events)
    clock = time.perf_counter_ns
    moves = qualified = 0
    began = time.perf_counter()
    for number, (person, facts) in enumerate(events):
        tick = clock()
        at = facts.occurred_at
        state = states[person]
        account = persons[person].account
        group = members[account] if account is not None else [person]
        scores: dict[int, float] = {}
        view_before: tuple[float, ...] = ()
        if readiness == "account":
            # As the engine does: the scores of everyone at the account once, before
            # the fold; afterwards only the folded contact's score is new.
            scores = {m: states[m].score_at(at) for m in group}
            if account is not None:
                before = _rollup(model, account_states[account], group, persons, scores, at)
                view_before = threshold_view(before, keys)
        apply_event(state, book, "contact", facts, silence_window_days=window, now=at)
        if readiness != "none":
            if readiness == "account":
                scores[person] = state.score_at(at)
            else:
                scores = {m: states[m].score_at(at) for m in group}
            rollup = (
                _rollup(model, account_states[account], group, persons, scores, at)
                if account is not None
                else None
            )
            tier = tiers[account] if account is not None else "unclassified"
            # As the engine does: the others at the account only when the roll-up
            # figures the thresholds read have moved.
            everyone = (
                readiness == "account"
                and rollup is not None
                and threshold_view(rollup, keys) != view_before
            )
            for member in group if everyone else (person,):
                who, its = persons[member], states[member]
                result = qualify(
                    model,
                    ReadinessFacts(
                        tier=tier,
                        grade_level=who.grade_level,
                        score=scores[member],
                        flags=its.active_flags(at, flag_days),
                        engaged=its.engaged,
                        touches=its.touches,
                        seniority=who.seniority,
                        decision_role=who.role,
                        engaged_contacts_at_account=rollup.engaged_contacts if rollup else 0,
                        roles_covered_at_account=len(rollup.roles_covered) if rollup else 0,
                        account_score=rollup.score if rollup else 0.0,
                        bant_complete=False,
                    ),
                )
                is_silent(
                    model,
                    who.grade_level,
                    its.touches_within(at, window or 0.0),
                    its.last_engaged_at,
                    at,
                )
                change = automatic_change(member, who.stage, result)
                qualified += 1
                if change is not None:
                    who.stage = change.to_stage
                    moves += 1
        latencies[number] = clock() - tick
    seconds = time.perf_counter() - began
    latencies.sort()
    return {
        "events": len(events),
        "people": people,
        "accounts": len(tiers),
        "seconds": seconds,
        "rate": len(events) / seconds,
        "p50": latencies[len(latencies) // 2] / 1e3,
        "p99": latencies[int(len(latencies) * 0.99)] / 1e3,
        "max": latencies[-1] / 1e3,
        "moves": moves,
        "qualified": qualified / len(events),
    }


# ---------------------------------------------------------------- (b) end to end


def copy_workspace(url: str, backend: str, workdir: Path, name: str) -> str:
    """A throw-away copy of a workspace (file copy, or CREATE DATABASE … TEMPLATE)."""
    if backend == "sqlite":
        target = workdir / f"{name}.db"
        shutil.copyfile(url.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}"
    template = url.rsplit("/", 1)[1]
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_workspace(url: str, backend: str) -> None:
    if backend == "sqlite":
        path = url.removeprefix("sqlite:///")
        for leftover in (path, f"{path}-wal", f"{path}-shm"):
            Path(leftover).unlink(missing_ok=True)
        return
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = url.rsplit("/", 1)[1]
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def batches(
    emails: list[str], count: int, size: int, start: datetime, seed: int
) -> Iterator[tuple[datetime, list[dict[str, Any]]]]:
    """Batches of ingestable events for existing contacts, each with its receipt time."""
    happenings = list(stream(count, len(emails), start.timestamp(), 1.0, seed))
    for first in range(0, count, size):
        chunk = happenings[first : first + size]
        received = datetime.fromtimestamp(chunk[-1].moment + 1, start.tzinfo)
        yield (
            received,
            [
                {
                    "type": h.type,
                    "occurred_at": datetime.fromtimestamp(h.moment, start.tzinfo).isoformat(),
                    "email": emails[h.person],
                    "channel": h.channel,
                    "traffic": "owned",
                    "properties": h.properties,
                }
                for h in chunk
            ],
        )


def ingest_run(
    url: str, emails: list[str], arguments: argparse.Namespace, now: datetime, *, score: bool
) -> dict[str, float]:
    engine = make_engine(url)
    timings: list[float] = []
    moved = 0
    began = time.perf_counter()
    start = now + timedelta(minutes=1)
    for received, batch in batches(emails, arguments.e2e_events, arguments.batch, start, 7):
        tick = time.perf_counter()
        with engine.begin() as connection:
            result = ingest_events(connection, batch, now=received, score=score)
        timings.append(time.perf_counter() - tick)
        if result.errors or result.accepted != len(batch):
            raise SystemExit(f"unexpected: {result.accepted} accepted, {result.errors[:3]}")
        moved += result.stage_changes
    seconds = time.perf_counter() - began
    engine.dispose()
    timings.sort()
    return {
        "rate": arguments.e2e_events / seconds,
        "seconds": seconds,
        "p50": statistics.median(timings) * 1e3,
        "p99": timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1e3,
        "moves": moved,
    }


def end_to_end(backend: str, arguments: argparse.Namespace) -> dict[str, Any]:
    cached = demo_workspace(arguments.workdir, backend, arguments.contacts)
    upgrade = make_engine(cached)
    migrate(upgrade)  # a workspace cached by an older checkout gets the current schema
    upgrade.dispose()
    label = f"silverplatter_bench_engine_{uuid.uuid4().hex[:8]}"
    scored = copy_workspace(cached, backend, arguments.workdir, f"{label}_a")
    plain = ""
    try:
        engine = make_engine(scored)
        now, people, _logged = world_facts(engine)
        began = time.perf_counter()
        with engine.begin() as connection:
            recompute(connection, now=now)
        prepared = time.perf_counter() - began
        with engine.connect() as connection:
            emails = list(connection.execute(select(contacts.c.email).order_by(contacts.c.id)))
        engine.dispose()
        plain = copy_workspace(scored, backend, arguments.workdir, f"{label}_b")
        print(f"  {backend}: workspace copied and recomputed ({prepared:.1f} s)", flush=True)
        addresses = [row[0] for row in emails]
        rng = random.Random(3)
        rng.shuffle(addresses)  # busy people anywhere in the workspace, not the first accounts
        without = ingest_run(plain, addresses, arguments, now, score=False)
        print(f"  {backend}: score=False {without['rate']:,.0f} ev/s", flush=True)
        with_engine = ingest_run(scored, addresses, arguments, now, score=True)
        print(f"  {backend}: score=True {with_engine['rate']:,.0f} ev/s", flush=True)
    finally:
        drop_workspace(scored, backend)
        if plain:
            drop_workspace(plain, backend)
    return {"people": people, "without": without, "with": with_engine}


# ---------------------------------------------------------------- driver


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check it runs")
    parser.add_argument("--events", type=int, default=200_000, help="in-process stream")
    parser.add_argument("--people", type=int, default=20_000, help="in-process contacts")
    parser.add_argument("--contacts", type=int, default=100_000, help="end-to-end workspace")
    parser.add_argument("--e2e-events", type=int, default=50_000, help="per mode and backend")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--backend", action="append", choices=["sqlite", "postgresql"], help="repeatable"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/silverplatter-bench"))
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.events, arguments.people = 20_000, 2_000
        arguments.contacts, arguments.e2e_events = 5_000, 5_000
    cores = os.cpu_count()

    paths = {
        "fold only (`apply_event`)": "none",
        "fold + the contact's readiness": "contact",
        "fold + readiness, the account's others when the roll-up moved": "account",
    }
    marks = {
        name: in_process(arguments.events, arguments.people, 11, readiness=mode)
        for name, mode in paths.items()
    }
    sample = marks["fold + the contact's readiness"]
    print(
        f"\n(a) in process: {sample['events']:,} events, {sample['people']:,} contacts "
        f"at {sample['accounts']:,} accounts\n"
    )
    print(
        "| path | contacts qualified per event | events/s | p50 µs | p99 µs | max µs "
        "| seconds | stage moves | cores |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, figures in marks.items():
        print(
            f"| {name} | {figures['qualified']:.1f} | {figures['rate']:,.0f} "
            f"| {figures['p50']:.1f} | {figures['p99']:.1f} | {figures['max']:,.0f} "
            f"| {figures['seconds']:.2f} | {figures['moves']:,.0f} | {cores} |"
        )
    print()
    for name, figures in list(marks.items())[1:]:
        met = figures["rate"] >= 20_000 and figures["p99"] <= 1_000
        print(f"{name}: target ≥ 20,000 events/s and p99 ≤ 1 ms {'met' if met else 'NOT met'}")
    sys.stdout.flush()

    rows = []
    for backend in arguments.backend or ["sqlite", "postgresql"]:
        marks = end_to_end(backend, arguments)
        without, with_engine = marks["without"], marks["with"]
        cost = (1 / with_engine["rate"] - 1 / without["rate"]) * 1e6
        rows.append(
            f"| {'SQLite' if backend == 'sqlite' else 'PostgreSQL'} | {marks['people']:,} "
            f"| {arguments.e2e_events:,} | {arguments.batch} | {without['rate']:,.0f} "
            f"| {with_engine['rate']:,.0f} | {with_engine['rate'] / without['rate']:.2f} "
            f"| {cost:,.0f} | {without['p50']:.0f} / {without['p99']:.0f} "
            f"| {with_engine['p50']:.0f} / {with_engine['p99']:.0f} "
            f"| {with_engine['moves']:,} | {cores} |"
        )
    print("\n(b) end to end through ingest_events, one transaction per batch\n")
    print(
        "| backend | contacts | events | batch | score=False ev/s | score=True ev/s | ratio "
        "| engine µs/event | batch ms p50 / p99 (False) | batch ms p50 / p99 (True) "
        "| stage moves | cores |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for line in rows:
        print(line)


if __name__ == "__main__":
    main()
