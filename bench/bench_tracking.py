"""Benchmark: the tracking endpoint over HTTP, and stitching a visitor's earlier views.

A fresh workspace (``--backend``, with ``--history`` anonymous page views
already stored so the event log is not empty) is served by ``silverplatter
serve --workers N --no-access-log`` in its own processes on 127.0.0.1, with
the per-address rate limit off (``SILVERPLATTER_TRACKING_RATE_LIMIT=0``),
once for each ``--workers`` given (1 and 2 by default).  A load generator —
wrk with ``tracking_load.lua`` when it is installed (``apt-get install wrk``:
C, a fraction of the CPU), else asyncio streams in this process — then sends,
each for ``--seconds`` over ``--connections`` keep-alive connections:

* ``GET /healthz`` — the baseline: the framework, ``SELECT 1``, the schema
  revision and the backlog's size;
* ``OPTIONS /capture/t`` — the HTTP server and the endpoint's dispatch alone
  (a CORS preflight: no body, no database);
* ``POST /capture/t`` with one page view per request, as the snippet sends it
  (a real browser's user agent, ``text/plain``, a new view id and visitor);
* ``POST /capture/t`` with ``{"views": [...]}`` of ``--batch`` views (what the
  endpoint takes from a batching client; the snippet sends one view a page).

Every 204 means the view was committed (the endpoint answers after its group
commit), so page views/s accepted is the count of 204s × views per request
÷ time; after each server stops the stored views are counted to check that
none is missing.  The server's CPU is that of its processes together (from
``/proc``), the generator's is its own; the load average is read before and
after each server's run.

Stitching: in-process, for a visitor with ``--stitch`` anonymous views (1,000
and 10,000 by default) on top of the stored history, the time of
``stitch_visitor`` in its transaction (one UPDATE, the backlog insert, the
commit) and of scoring the stitched views from the backlog.

Run:  .venv/bin/python bench/bench_tracking.py [--backend sqlite|postgresql]
          [--workers 1 --workers 2] [--generator auto|wrk|python] [--access-log]
          [--seconds 20] [--connections 64] [--batch 10] [--history 200000]
          [--stitch 1000 --stitch 10000] [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from ports import free_port
from silverplatter.domain.records import ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.records import upsert_contacts
from silverplatter.services.scoring_backlog import score_backlog
from silverplatter.services.stitching import stitch_visitor
from silverplatter.services.workspace import init_workspace
from silverplatter.storage import visitors as visitor_store
from silverplatter.storage.engine import make_engine, migrate
from tracking_load import PAGES, Phase, run_python, run_wrk, wrk_available

PG_ADMIN_URL = os.environ.get(
    "SILVERPLATTER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class ServerRun:
    """One server (``--workers`` processes) under each phase's load."""

    workers: int
    phases: list[Phase] = field(default_factory=list)
    load_before: float = 0.0
    load_after: float = 0.0
    stored: int = 0  # page views stored by this run


# ---- the workspace ----


def _workspace(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        path = workdir / "tracking.db"
        return f"sqlite:///{path}"
    name = f"silverplatter_bench_tracking_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop(url: str, backend: str) -> None:
    if backend != "postgresql":
        return
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = url.rsplit("/", 1)[1]
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _views(
    count: int, now: datetime, visitor: str | None = None, first: int = 0
) -> list[dict[str, Any]]:
    """Page views ``first`` … ``first + count - 1`` spread over the last 30 days."""
    start = now - timedelta(days=30)
    step = 30 * 86400 / max(count, 1)
    return [
        {
            "type": "page_view",
            "occurred_at": (start + timedelta(seconds=(n - first) * step)).isoformat(),
            "visitor_id": visitor or f"history{n % 20000:05d}xxxxxxxx",
            "channel": "organic_search",
            "traffic": "owned",
            "properties": {"url": PAGES[n % len(PAGES)]},
            "idempotency_key": f"{visitor or 'history'}-{n}",
        }
        for n in range(first, first + count)
    ]


def _prepare(url: str, history: int, now: datetime) -> None:
    engine = make_engine(url)
    migrate(engine)
    init_workspace(engine, name="Benchmark", now=now)
    for first in range(0, history, 20_000):
        with engine.begin() as connection:
            batch = _views(min(20_000, history - first), now, first=first)
            ingest_events(connection, batch, now=now, score=False)
            # as the endpoint would have: the history's visitors are known
            sightings = [
                (view["visitor_id"], datetime.fromisoformat(view["occurred_at"])) for view in batch
            ]
            visitor_store.seen(connection, sightings)
    if engine.dialect.name == "postgresql":
        # A workspace this size has had autovacuum's statistics for long; a
        # fresh bench database has none, and the first server's upserts and
        # key look-ups would be planned for empty tables.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()


# ---- the server and the load ----


def _serve(
    url: str, port: int, workers: int, access_log: bool, log: Path
) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).with_name("silverplatter")),
        "serve",
        "--database-url",
        url,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--access-log" if access_log else "--no-access-log",
    ]
    environment = {
        **os.environ,
        "SILVERPLATTER_SECRET_KEY": "benchmark",
        "SILVERPLATTER_TRACKING_RATE_LIMIT": "0",
    }
    with log.open("w") as handle:
        server = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=environment)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if _answers(port) and _started(log) == workers:
            return server
        time.sleep(0.5)
    server.kill()
    raise RuntimeError(f"the server did not start; see {log}")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _started(log: Path) -> int:
    """Server processes whose app has started (uvicorn says so for each)."""
    return log.read_text(errors="replace").count("Application startup complete")


PHASES = (
    ("`GET /healthz` (baseline)", "healthz"),
    ("`OPTIONS /capture/t` (HTTP and dispatch only)", "preflight"),
    ("`POST /capture/t`, 1 view per request", "1"),
)


def _measure(
    server: int, port: int, arguments: argparse.Namespace, run: str, database: str | None
) -> list[Phase]:
    phases = [Phase(name, mode) for name, mode in PHASES]
    phases.append(
        Phase(f"`POST /capture/t`, {arguments.batch} views per request", str(arguments.batch))
    )
    seconds, connections = arguments.seconds, arguments.connections
    for phase in phases:
        if arguments.generator == "wrk":
            threads = arguments.wrk_threads
            run_wrk(server, port, phase, seconds, connections, threads, run, database)
        else:
            run_python(server, port, phase, seconds, connections, run, database)
    return phases


def _serve_and_load(
    url: str, workers: int, arguments: argparse.Namespace, workdir: Path
) -> ServerRun:
    before = _stored_views(url)
    port = free_port()
    result = ServerRun(workers)
    server = _serve(url, port, workers, arguments.access_log, workdir / f"server-{workers}.log")
    try:
        time.sleep(2)  # the processes settle (statistics, the scorer's first round)
        result.load_before = os.getloadavg()[0]
        run = f"w{workers}-{uuid.uuid4().hex[:8]}"
        database = url.rsplit("/", 1)[1] if arguments.backend == "postgresql" else None
        result.phases = _measure(server.pid, port, arguments, run, database)
        result.load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=60)
    result.stored = _stored_views(url) - before
    return result


def _stored_views(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM events WHERE type = 'page_view'")
        ).scalar_one()
    engine.dispose()
    return int(count)


# ---- stitching ----


def _stitching(url: str, sizes: list[int], now: datetime) -> list[tuple[int, int, float, float]]:
    engine: Engine = make_engine(url)
    results = []
    for size in sizes:
        visitor = f"stitch{size:08d}abcdef"
        email = f"stitched{size}@buyer.example"
        with engine.begin() as connection:
            upsert_contacts(connection, [ContactFields(email=email, title="CFO")], now=now)
            contact_id = int(
                connection.execute(
                    text("SELECT id FROM contacts WHERE email_key = :e"), {"e": email}
                ).scalar_one()
            )
            ingest_events(connection, _views(size, now, visitor), now=now, score=False)
        began = time.perf_counter()
        with engine.begin() as connection:
            stitched = stitch_visitor(
                connection, visitor_id=visitor, contact_id=contact_id, now=now
            )
        stitch_seconds = time.perf_counter() - began
        began = time.perf_counter()
        scored = 0
        while True:
            with engine.begin() as connection:
                run = score_backlog(connection, now=now)
            if run.scored == 0:
                break
            scored += run.scored
        score_seconds = time.perf_counter() - began
        assert stitched == size, (stitched, size)
        results.append((size, stitched, stitch_seconds, score_seconds))
    engine.dispose()
    return results


def _report(
    arguments: argparse.Namespace,
    runs: list[ServerRun],
    stitching: list[tuple[int, int, float, float]],
) -> None:
    generator = "wrk (C, tracking_load.lua)" if arguments.generator == "wrk" else "Python asyncio"
    print(
        f"\n{arguments.backend}, {os.cpu_count()} cores shared by the server, the load generator "
        f"and other work; generator: {generator}; {arguments.connections} connections, "
        f"{arguments.seconds:g} s each, {arguments.history:,} views stored before, access log "
        f"{'on' if arguments.access_log else 'off'}\n"
    )
    print(
        "| workers | endpoint | requests/s | page views/s | p50 ms | p95 ms | p99 ms "
        "| server CPU per request | generator CPU per request | load before → after |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    postgres = arguments.backend == "postgresql"
    for run in runs:
        for phase in run.phases:
            views = phase.views_per_request
            cpu = f"{phase.per_request(phase.server_cpu) * 1e6:,.0f} µs"
            if postgres:  # the app's processes + PostgreSQL's backends for the workspace
                cpu += f" + {phase.per_request(phase.database_cpu) * 1e6:,.0f} µs"
            print(
                f"| {run.workers} | {phase.name} | {phase.rate:,.0f} "
                f"| {f'{phase.rate * views:,.0f}' if views else ''} "
                f"| {phase.p50 * 1000:,.1f} | {phase.p95 * 1000:,.1f} | {phase.p99 * 1000:,.1f} "
                f"| {cpu} "
                f"| {phase.per_request(phase.generator_cpu) * 1e6:,.0f} µs "
                f"| {run.load_before:.1f} → {run.load_after:.1f} |"
            )
            if phase.failed:
                print(f"|  | failures | {phase.failed} |")
    for run in runs:
        accepted = sum(phase.ok * phase.views_per_request for phase in run.phases)
        whole = "all there" if run.stored >= accepted else "MISSING SOME"
        print(
            f"\n{run.workers} worker(s): accepted {accepted:,} views; stored {run.stored:,} new "
            f"({whole})"
        )
    print(
        "\n| anonymous views stitched | stitch (one transaction) | scoring them from the backlog |"
    )
    print("|---:|---:|---:|")
    for size, stitched, stitch_seconds, score_seconds in stitching:
        took = f"{stitch_seconds * 1000:,.0f} ms | {score_seconds:,.2f} s"
        print(f"| {stitched:,} of {size:,} | {took} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, action="append", help="server processes")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--access-log", action="store_true", help="serve with the access log")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--stitch", type=int, action="append")
    parser.add_argument("--quick", action="store_true", help="3 s each, a small history")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.seconds, arguments.history = 3.0, 2_000
    if arguments.generator == "auto":
        arguments.generator = "wrk" if wrk_available() else "python"
    sizes = arguments.stitch or [1_000, 10_000]
    now = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="silverplatter-bench-tracking-"))
    url = _workspace(arguments.backend, workdir)
    try:
        _prepare(url, arguments.history, now)
        runs = [
            _serve_and_load(url, workers, arguments, workdir)
            for workers in arguments.workers or [1, 2]
        ]
        stitching = _stitching(url, sizes, datetime.now(UTC))
        _report(arguments, runs, stitching)
    finally:
        _drop(url, arguments.backend)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
