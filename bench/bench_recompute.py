"""Benchmark: the lead engine's full recompute against a per-contact loop.

For each ``--contacts N`` and backend, builds (or reuses) a demo workspace of
N contacts (``silverplatter demo --contacts N --seed 1``: about 18 events per
contact, graded and scored as generated), cached under ``--workdir``: a SQLite
file there, and a PostgreSQL database ``silverplatter_bench_demo_<N>`` on
127.0.0.1:5432.  A ``.ready`` marker there names the generator's source
digest; a world from another version of the generator is rebuilt.

Then times ``recompute`` — every grade, score, flag, roll-up, qualification
and stage from the event log, as when a model is activated — each run in its
own transaction, rolled back afterwards so that every run starts from the
same world (the commit is not timed).  Small worlds: the median of
``--repeat`` runs; from 200,000 contacts on, one run.

The baseline, measured in the same run on the same database: the per-contact
loop of Mautic- or Odoo-style scoring code, for a random sample of
``--sample`` contacts — their profiles read a page of 500 at a time, then per
contact one query for its events, grade and score computed in Python with the
same model and the engine's own domain functions (``RuleBook``,
``apply_event``, ``SubjectState``, ``grade``, ``qualify``), and one
INSERT … ON CONFLICT UPDATE of its ``contact_scores`` row — timed and
extrapolated to all N contacts.  It does less than the recompute (no account
roll-up, no BANT look-up, no stage moves), so the speed-up is a lower bound.
The recompute's scores on the sample must equal the baseline's (to 1e-9): the
maximum difference is printed.

Unless ``--no-profile``, the bench also prints the time of each SQL statement
of the last recompute, from SQLAlchemy's ``before_cursor_execute`` and
``after_cursor_execute`` events.

Run:  .venv/bin/python bench/bench_recompute.py [--contacts N ...] [--quick]
          [--backend sqlite|postgresql ...] [--workdir DIR] [--sample 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, select, text
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.domain.engagement import EventFacts
from silverplatter.domain.engagement_state import SubjectState, apply_event
from silverplatter.domain.grades import letter_of
from silverplatter.domain.grading import grade
from silverplatter.domain.readiness import ReadinessFacts, is_silent, qualify
from silverplatter.services.recompute import recompute
from silverplatter.services.scoring_models import active_model
from silverplatter.storage.engagement import PROFILE_COLUMNS, profile_of, sums_document
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.engine import make_engine, migrate
from silverplatter.storage.schema import accounts, contacts, events, workspace

PG_ADMIN_URL = os.environ.get(
    "SILVERPLATTER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SEED = 1
PAGE = 500
BIG = 200_000  # from this size on, one run instead of the median of --repeat


# ---------------------------------------------------------------- workspaces


def _run_demo(url: str, contacts: int, log: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("silverplatter")),
        "demo",
        "--contacts",
        str(contacts),
        "--seed",
        str(SEED),
        "--database-url",
        url,
    ]
    began = time.perf_counter()
    with log.open("w") as handle:
        subprocess.run(command, check=True, stdout=handle, stderr=subprocess.STDOUT)
    print(f"  built in {time.perf_counter() - began:,.0f} s", flush=True)


def _admin(statement: str) -> None:
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


def generator_fingerprint() -> str:
    """A digest of the demo generator's sources: a cached world is reused only if it matches."""
    import silverplatter.services.demo as demo

    digest = hashlib.sha256()
    for path in sorted(Path(demo.__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def demo_workspace(workdir: Path, backend: str, contacts: int) -> str:
    """The URL of a cached demo workspace of ``contacts`` contacts; built if missing.

    A workspace counts as built only when its ``.ready`` marker exists, written
    after ``silverplatter demo`` finished, and names the current generator, so
    an interrupted build, or one by another version of the generator, is redone.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    marker = workdir / f"{backend}-demo-{contacts}.ready"
    fingerprint = generator_fingerprint()
    if marker.exists():
        try:
            cached = json.loads(marker.read_text())
        except ValueError:
            cached = {}
        if cached.get("generator") == fingerprint:
            return str(cached["url"])
    print(f"building the {backend} demo workspace of {contacts:,} contacts …", flush=True)
    marker.unlink(missing_ok=True)
    if backend == "sqlite":
        path = workdir / f"demo-{contacts}.db"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        name = f"silverplatter_bench_demo_{contacts}"
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    _run_demo(url, contacts, workdir / f"{backend}-demo-{contacts}.log")
    if backend == "postgresql":
        # A workspace in use has been through autovacuum: its pages are marked
        # visible and its rows' hint bits set. A fresh load is not, and its first
        # readers set them (the queue page took 42 ms against 23 ms after VACUUM).
        vacuumer = make_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with vacuumer.connect() as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")
        finally:
            vacuumer.dispose()
    marker.write_text(json.dumps({"url": url, "generator": fingerprint}) + "\n")
    return url


def world_facts(engine: Engine) -> tuple[datetime, int, int]:
    """The demo's generation time (the recompute's ``now``), contacts and events."""
    with engine.connect() as connection:
        started = connection.execute(select(workspace.c.demo_started_at)).scalar_one()
        people = connection.execute(text("SELECT count(*) FROM contacts")).scalar_one()
        logged = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    return started, int(people), int(logged)


# ---------------------------------------------------------------- profile


@dataclass
class StatementProfile:
    """Seconds per SQL statement while ``recording`` is on."""

    recording: bool = False
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, connection: Any, _cursor: Any, _statement: Any, *_rest: Any) -> None:
        connection.info.setdefault("bench_began", []).append(time.perf_counter())

    def _after(self, connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        began = connection.info["bench_began"].pop()
        if self.recording:
            label = label_of(statement)
            self.seconds[label] += time.perf_counter() - began
            self.calls[label] += 1

    @contextmanager
    def record(self) -> Iterator[None]:
        self.seconds.clear()
        self.calls.clear()
        self.recording = True
        try:
            yield
        finally:
            self.recording = False


def label_of(statement: str) -> str:
    """A short name for a statement: its verb and the table it writes or reads first."""
    flat = " ".join(statement.split())
    found = re.match(
        r"(CREATE TEMPORARY TABLE \w+|INSERT INTO \w+|UPDATE \w+|DELETE FROM \w+)", flat
    )
    if found:
        return found.group(1)
    found = re.match(r"SELECT .*? FROM (\w+)", flat)
    if found:
        return f"SELECT … FROM {found.group(1)}"  # noqa: S608 - a label, not a query
    return flat[:60]


# ---------------------------------------------------------------- recompute


@dataclass
class RecomputeRuns:
    seconds: list[float] = field(default_factory=list)
    contacts: int = 0
    accounts: int = 0
    stage_changes: int = 0
    sample_scores: dict[int, tuple[float, int]] = field(default_factory=dict)
    profile: list[tuple[str, int, float]] = field(default_factory=list)


def scores_of(connection: Connection, ids: list[int]) -> dict[int, tuple[float, int]]:
    found: dict[int, tuple[float, int]] = {}
    for start in range(0, len(ids), PAGE):
        statement = select(
            contact_scores.c.contact_id, contact_scores.c.score, contact_scores.c.grade_level
        ).where(contact_scores.c.contact_id.in_(ids[start : start + PAGE]))
        for row in connection.execute(statement):
            found[row.contact_id] = (row.score, row.grade_level)
    return found


def time_recompute(
    engine: Engine, profile: StatementProfile, now: datetime, repeat: int, sample: list[int]
) -> RecomputeRuns:
    """Time ``repeat`` recomputes, each in a transaction that is rolled back afterwards."""
    runs = RecomputeRuns()
    for number in range(repeat):
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                with profile.record():
                    began = time.perf_counter()
                    result = recompute(connection, now=now)
                    runs.seconds.append(time.perf_counter() - began)
                runs.profile = sorted(
                    ((label, profile.calls[label], s) for label, s in profile.seconds.items()),
                    key=lambda item: -item[2],
                )
                runs.sample_scores = scores_of(connection, sample)
                runs.contacts, runs.accounts = result.contacts, result.accounts
                runs.stage_changes = result.stage_changes
            finally:
                transaction.rollback()
        print(f"  recompute {number + 1}/{repeat}: {runs.seconds[-1]:.2f} s", flush=True)
    return runs


# ---------------------------------------------------------------- baseline


def baseline(
    engine: Engine, now: datetime, sample: list[int]
) -> tuple[float, dict[int, tuple[float, int]]]:
    """Seconds for the per-contact loop over ``sample``, and its (score, grade level)s."""
    at = now.timestamp()
    computed: dict[int, tuple[float, int]] = {}
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            version = active_model(connection, now=now)  # installs the default, as recompute does
            model, book = version.model, version.book
            window = model.silence.within_days if model.silence else None
            flag_days = model.engagement.flag_days
            profiles = select(*PROFILE_COLUMNS).select_from(
                contacts.outerjoin(accounts, accounts.c.id == contacts.c.account_id)
            )
            history = select(
                events.c.type, events.c.occurred_at, events.c.channel, events.c.properties
            )
            insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert
            upsert = insert(contact_scores)
            upsert = upsert.on_conflict_do_update(
                index_elements=["contact_id"],
                set_={
                    c.name: upsert.excluded[c.name]
                    for c in contact_scores.c
                    if c.name != "contact_id"
                },
            )
            began = time.perf_counter()
            for start in range(0, len(sample), PAGE):
                page = connection.execute(
                    profiles.where(contacts.c.id.in_(sample[start : start + PAGE]))
                ).all()
                for row in page:
                    level = grade(model.grading, profile_of(row)).level
                    state = SubjectState()
                    for item in connection.execute(history.where(events.c.contact_id == row.id)):
                        facts = EventFacts(
                            item.type, item.occurred_at.timestamp(), item.channel, item.properties
                        )
                        apply_event(
                            state, book, "contact", facts, silence_window_days=window, now=at
                        )
                    score = state.score_at(at)
                    readiness = qualify(
                        model,
                        ReadinessFacts(
                            tier=row.account_value_tier or "unclassified",
                            grade_level=level,
                            score=score,
                            flags=state.active_flags(at, flag_days),
                            engaged=state.engaged,
                            touches=state.touches,
                            seniority=row.seniority,
                            decision_role=row.decision_role,
                            engaged_contacts_at_account=0,
                            roles_covered_at_account=0,
                            account_score=0.0,
                            bant_complete=False,
                        ),
                    )
                    silent = is_silent(
                        model,
                        level,
                        state.touches_within(at, window or 0.0),
                        state.last_engaged_at,
                        at,
                    )
                    connection.execute(
                        upsert,
                        {
                            "contact_id": row.id,
                            "model_version": version.version,
                            "grade_level": level,
                            "grade": letter_of(level),
                            "score": score,
                            "evaluated_at": now,
                            "sums": sums_document(state),
                            "flags": dict(sorted(state.flags.items())),
                            "engaged": state.engaged,
                            "last_engaged_ts": state.last_engaged_at,
                            "touches": state.touches,
                            "recent_touches": [
                                [t, n] for t, n in sorted(state.recent_touches.items())
                            ],
                            "silent": silent,
                            "qualification": readiness.qualification,
                            "needs_qualification": readiness.needs_qualification,
                        },
                    )
                    computed[row.id] = (score, level)
            seconds = time.perf_counter() - began
        finally:
            transaction.rollback()
    return seconds, computed


# ---------------------------------------------------------------- driver


def measure(
    workdir: Path, backend: str, size: int, sample_size: int, repeat: int, show_profile: bool
) -> dict[str, Any]:
    url = demo_workspace(workdir, backend, size)
    engine = make_engine(url)
    migrate(engine)  # a workspace cached by an older checkout gets the current schema
    profile = StatementProfile()
    profile.attach(engine)
    now, people, logged = world_facts(engine)
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute(select(contacts.c.id).order_by(contacts.c.id))]
    sample = sorted(random.Random(SEED).sample(ids, min(sample_size, len(ids))))
    del ids
    runs = time_recompute(engine, profile, now, 1 if size >= BIG else repeat, sample)
    loop_seconds, computed = baseline(engine, now, sample)
    engine.dispose()
    differences = [abs(runs.sample_scores[cid][0] - computed[cid][0]) for cid in sample]
    grades_equal = sum(runs.sample_scores[cid][1] == computed[cid][1] for cid in sample)
    seconds = statistics.median(runs.seconds)
    extrapolated = loop_seconds / len(sample) * people
    marks = {
        "backend": "SQLite" if backend == "sqlite" else "PostgreSQL",
        "contacts": people,
        "events": logged,
        "accounts": runs.accounts,
        "stage_changes": runs.stage_changes,
        "seconds": seconds,
        "each": runs.seconds,
        "runs": len(runs.seconds),
        "sample": len(sample),
        "loop_seconds": loop_seconds,
        "baseline": extrapolated,
        "max_difference": max(differences),
        "grades_equal": grades_equal,
        "profile": runs.profile,
    }
    print(
        f"  baseline: {len(sample):,} contacts in {loop_seconds:.2f} s "
        f"→ {extrapolated:,.0f} s for {people:,}; max |score difference| on the sample "
        f"{max(differences):.2e} ({'within' if max(differences) <= 1e-9 else 'NOT within'} "
        f"1e-9), grades equal {grades_equal:,}/{len(sample):,}",
        flush=True,
    )
    if show_profile:
        last = runs.seconds[-1]
        print(
            f"\n  statements of the last recompute ({marks['backend']}, {people:,} "
            f"contacts, {last:.2f} s):"
        )
        print("  | statement | calls | seconds | share |")
        print("  |---|---:|---:|---:|")
        total = sum(seconds for _label, _calls, seconds in runs.profile)
        for label, calls, spent in runs.profile[:12]:
            print(f"  | `{label}` | {calls} | {spent:.2f} | {spent / last:.0%} |")
        print(f"  | all statements | | {total:.2f} | {total / last:.0%} |\n", flush=True)
    return marks


def row(marks: dict[str, Any], cores: int | None) -> str:
    people, seconds = marks["contacts"], marks["seconds"]
    return (
        f"| {marks['backend']} | {people:,} | {marks['events']:,} | {marks['runs']} "
        f"| {seconds:.2f} | {people / seconds:,.0f} | {marks['events'] / seconds:,.0f} "
        f"| {marks['stage_changes']:,} | {marks['sample']:,} | {marks['loop_seconds']:.2f} "
        f"| {marks['baseline']:,.0f} | {marks['baseline'] / seconds:,.1f}× "
        f"| {marks['max_difference']:.1e} | {cores} |"
    )


HEADER = (
    "| backend | contacts | events | runs | recompute s | contacts/s | events/s "
    "| stage moves | sample | loop s (sample) | loop s (extrapolated) | speed-up "
    "| max score diff | cores |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--contacts", type=int, action="append", help="repeatable")
    parser.add_argument("--quick", action="store_true", help="5,000 contacts only")
    parser.add_argument(
        "--backend", action="append", choices=["sqlite", "postgresql"], help="repeatable"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/silverplatter-bench"))
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    arguments = parser.parse_args()
    sizes = [5_000] if arguments.quick else arguments.contacts or [100_000, 1_000_000]
    backends = arguments.backend or ["sqlite", "postgresql"]
    cores = os.cpu_count()
    rows: list[str] = []
    figures: list[dict[str, Any]] = []
    for size in sizes:
        for backend in backends:
            print(f"{backend}, {size:,} contacts:", flush=True)
            marks = measure(
                arguments.workdir,
                backend,
                size,
                arguments.sample,
                arguments.repeat,
                arguments.profile,
            )
            figures.append(marks)
            rows.append(row(marks, cores))
            print(HEADER.splitlines()[0])
            print(rows[-1], flush=True)
    print()
    print(HEADER)
    for line in rows:
        print(line)
    if arguments.json:
        arguments.json.write_text(json.dumps({"cores": cores, "runs": figures}, indent=2))
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"\nfinished {finished} on {cores} cores")


if __name__ == "__main__":
    main()
