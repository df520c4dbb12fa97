"""Benchmark: the programmes' tick with a million enrolments (issue 6, deliverable 5).

On a copy of a demo workspace (``--url`` of a ``silverplatter demo`` database:
a SQLite file is copied into ``--workdir``, a PostgreSQL database cloned with
``CREATE DATABASE … TEMPLATE``; or the cached demo of ``--contacts N`` built by
``bench/bench_recompute.py``), migrated, with the planner's statistics
refreshed as the app does, and with the demo's own clock, it times:

* the baselines, on the same database and the same rows: ``SELECT count(*) FROM
  enrolments`` and one set-based ``UPDATE enrolments SET due_at = …`` of every
  row — the least any rescheduling of them all can cost;
* enrolling every contact in one programme (its entry rule takes everyone:
  one INSERT … SELECT);
* the first tick: every enrolment is due; its first step is a branch on
  behaviour (an e-mail click in the last 30 days: counted per batch from the
  event log) whose arms wait 7 or 30 days — find, gather the facts, run each
  enrolment through the pure executor, write its history and its next step;
* a tick when nothing is due (what the periodic task costs most minutes);
* a tick 7 days later: the clickers' next step, an e-mail, queued in the send
  ledger with ``queue_send`` (timed on at most ``--send-batches`` batches).

Each tick runs in batches of ``--batch`` enrolments, one transaction each, as
the worker runs it.  Wall time, and this process's CPU time (SQLite works in
this process; PostgreSQL's work is in the server's).

Run:  .venv/bin/python bench/bench_programmes.py --url sqlite:////path/to/demo-1m.db
      .venv/bin/python bench/bench_programmes.py --contacts 100000 --backend postgresql
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.engine import make_url

from silverplatter.services import programmes as service
from silverplatter.services.audit import Actor
from silverplatter.services.programme_tick import tick
from silverplatter.storage.engine import make_engine, migrate, refresh_statistics
from silverplatter.storage.nurture_schema import email_templates
from silverplatter.storage.schema import workspace

sys.path.insert(0, str(Path(__file__).parent))

ACTOR = Actor(None)
DEFINITION: dict[str, Any] = {
    "entry": {"rule": {"all": []}},
    "goal_stages": ["customer"],
    "steps": [
        {
            "id": "check",
            "type": "branch",
            "label": "Clicked in the last 30 days?",
            "arms": [
                {
                    "label": "Clicked",
                    "when": {"event": "email_click", "within_days": 30},
                    "steps": [{"id": "soon", "type": "wait", "days": 7}],
                },
                {"label": "Not yet", "steps": [{"id": "later", "type": "wait", "days": 30}]},
            ],
        },
        {"id": "mail", "type": "send_email", "template": "bench-mail"},
        {"id": "rest", "type": "wait", "days": 90},
    ],
}


def timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    """The result, wall seconds and this process's CPU seconds of one run."""
    started, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - started, time.process_time() - cpu


def copy_of(url: str, workdir: Path) -> str:
    """A scratch copy of the workspace at ``url`` (the original is never written)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = Path(parsed.database or "")
        workdir.mkdir(parents=True, exist_ok=True)
        target = workdir / f"programmes-{source.stem}.db"
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        print(f"copying {source} ({source.stat().st_size / 2**30:.1f} GiB) …", flush=True)
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    from bench_recompute import _admin

    name = f"{parsed.database}_programmes"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return
    from bench_recompute import _admin

    _admin(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def prepare(engine: Engine) -> datetime:
    migrate(engine)
    refresh_statistics(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE")
        moment = connection.execute(select(workspace.c.demo_started_at)).scalar_one()
        connection.execute(
            insert(email_templates).values(
                slug="bench-mail",
                name="Bench mail",
                subject="Hello {{ contact.first_name | default('there') }}",
                html_body="<p>Hello</p>",
                text_body="Hello",
                version=1,
                created_at=moment,
                updated_at=moment,
            )
        )
    return moment if moment is not None else datetime.now(UTC)


def measure(url: str, batch: int, send_batches: int) -> list[tuple[str, int, float, float]]:
    engine = make_engine(url)
    now = prepare(engine)
    figures: list[tuple[str, int, float, float]] = []

    def note(what: str, rows: int, wall: float, cpu: float) -> None:
        figures.append((what, rows, wall, cpu))
        print(f"  {what}: {rows:,} in {wall:.2f} s", flush=True)

    with engine.begin() as connection:
        draft = service.draft_of({"slug": "bench", "name": "Bench", "definition": DEFINITION})
        made = service.create_programme(connection, draft, actor=ACTOR, now=now)
    enrolled, wall, cpu = timed(lambda: _activate(engine, made.id, now))
    note("enrol every contact (INSERT … SELECT)", enrolled, wall, cpu)
    refresh_statistics(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE enrolments")
    rows, wall, cpu = timed(lambda: _scalar(engine, "SELECT count(*) FROM enrolments"))
    note("baseline: SELECT count(*) FROM enrolments", rows, wall, cpu)
    shift = (
        "UPDATE enrolments SET due_at = due_at + interval '0 seconds'"
        if engine.dialect.name == "postgresql"
        else "UPDATE enrolments SET due_at = due_at"
    )
    rows, wall, cpu = timed(lambda: _execute(engine, shift))
    note("baseline: one UPDATE of every enrolment's due_at", rows, wall, cpu)
    report, wall, cpu = timed(lambda: tick(engine, now=now, batch=batch))
    note(
        f"first tick: branch on clicks, wait 7 or 30 days (batches of {batch:,})",
        report.ran,
        wall,
        cpu,
    )
    report, wall, cpu = timed(lambda: tick(engine, now=now, batch=batch))
    note("tick with nothing due", report.ran, wall, cpu)
    later = now + timedelta(days=7)
    report, wall, cpu = timed(
        lambda: tick(engine, now=later, batch=batch, max_batches=send_batches)
    )
    note(f"tick 7 days on: clickers' e-mails queued ({report.sent:,} sent)", report.ran, wall, cpu)
    engine.dispose()
    return figures


def _activate(engine: Engine, programme_id: int, now: datetime) -> int:
    with engine.begin() as connection:
        return service.activate(connection, programme_id, actor=ACTOR, now=now)


def _scalar(engine: Engine, statement: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(statement)).scalar_one())


def _execute(engine: Engine, statement: str) -> int:
    with engine.begin() as connection:
        return int(connection.execute(text(statement)).rowcount or 0)


def table(backend: str, figures: list[tuple[str, int, float, float]]) -> list[str]:
    lines = [
        f"| {backend} | what | enrolments | wall | CPU here | per second |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for what, rows, wall, cpu in figures:
        rate = f"{rows / wall:,.0f}" if wall and rows else "—"
        lines.append(f"| {backend} | {what} | {rows:,} | {wall:,.2f} s | {cpu:,.2f} s | {rate} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", action="append", help="a demo workspace's URL; repeatable")
    parser.add_argument("--contacts", type=int, help="use (or build) the cached demo of this size")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/silverplatter-bench"))
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--send-batches", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    arguments = parser.parse_args()
    urls = list(arguments.url or [])
    if arguments.contacts:
        from bench_recompute import demo_workspace

        for backend in arguments.backend or ["sqlite"]:
            urls.append(demo_workspace(arguments.workdir, backend, arguments.contacts))
    if not urls:
        parser.error("give --url or --contacts")
    lines: list[str] = []
    for url in urls:
        backend = url.split(":", 1)[0].split("+", 1)[0]
        scratch = copy_of(url, arguments.workdir)
        print(f"{backend}: {scratch.rsplit('/', 1)[-1]}", flush=True)
        try:
            lines.extend(table(backend, measure(scratch, arguments.batch, arguments.send_batches)))
        finally:
            if not arguments.keep:
                drop(scratch)
        lines.append("")
    print()
    print("\n".join(lines))
    finished = datetime.now(UTC).isoformat(timespec="seconds")
    print(f"finished {finished} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
