"""Benchmark: the tracking endpoint over HTTP, and stitching a visitor's earlier views.

A fresh workspace (``--backend``, with ``--history`` anonymous page views
already stored so the event log is not empty) is served by ``silverplatter
serve`` in its own process on 127.0.0.1, with the per-address rate limit
off (``SILVERPLATTER_TRACKING_RATE_LIMIT=0``).  A load generator in this
process — asyncio streams with keep-alive HTTP/1.1 connections, lighter on
the shared CPU than an HTTP client library — then requests, each for
``--seconds`` seconds over ``--concurrency`` connections:

* ``GET /healthz`` — the baseline: the framework and one ``SELECT 1``;
* ``POST /capture/t`` with one page view per request, as the snippet sends it
  (a real browser's user agent, ``text/plain``, a new view id each time);
* ``POST /capture/t`` with ``{"views": [...]}`` of ``--batch`` views.

Every 204 means the view was committed (the endpoint answers after its group
commit), so page views/s accepted is the count of 204s × views per request
÷ time; the benchmark then counts the stored views to check none is missing.

Stitching: in-process, for a visitor with ``--stitch`` anonymous views (1,000
and 10,000 by default) on top of the stored history, the time of
``stitch_visitor`` in its transaction (one UPDATE, the backlog insert, the
commit) and of scoring the stitched views from the backlog.

Run:  .venv/bin/python bench/bench_tracking.py [--backend sqlite|postgresql]
          [--seconds 20] [--concurrency 64] [--batch 10] [--history 200000]
          [--stitch 1000 --stitch 10000] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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
from silverplatter.storage.engine import make_engine, migrate

PG_ADMIN_URL = os.environ.get(
    "SILVERPLATTER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
PAGES = ("/", "/pricing", "/blog/crm-basics", "/solutions/erp", "/customers", "/demo")
QUERIES = ("", "", "", "?utm_source=google&utm_medium=cpc&gclid=Cj0", "?utm_source=newsletter")


@dataclass
class Timings:
    name: str
    views_per_request: int = 0
    seconds: list[float] = field(default_factory=list)
    failures: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0
    server_cpu: float = 0.0  # seconds of the server process's CPU during the run

    @property
    def cpu_per_request(self) -> float:
        return self.server_cpu / len(self.seconds) if self.seconds else 0.0

    def quantile(self, share: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    @property
    def rate(self) -> float:
        return len(self.seconds) / self.elapsed if self.elapsed else 0.0


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
    engine.dispose()


# ---- the server and the load ----


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).with_name("silverplatter")),
        "serve",
        "--database-url",
        url,
        "--port",
        str(port),
    ]
    environment = {
        **os.environ,
        "SILVERPLATTER_SECRET_KEY": "benchmark",
        "SILVERPLATTER_TRACKING_RATE_LIMIT": "0",
    }
    with log.open("w") as handle:
        server = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=environment)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the server did not start; see {log}")


def _request(method: str, path: str, body: bytes = b"") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {BROWSER}\r\nAccept: */*\r\n"
    )
    if method == "POST":
        head += f"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode("ascii") + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    writer.write(request)
    status = int((await reader.readuntil(b"\r\n")).split(b" ", 2)[1])
    length = 0
    while True:
        line = await reader.readuntil(b"\r\n")
        if line == b"\r\n":
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and all its threads (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _load(
    server: int, port: int, timing: Timings, seconds: float, concurrency: int, make: Any, ok: int
) -> None:
    stop = time.perf_counter() + seconds

    async def worker(number: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        rng = random.Random(f"{timing.name}/{number}")
        try:
            while time.perf_counter() < stop:
                request = make(rng)
                began = time.perf_counter()
                status = await _exchange(reader, writer, request)
                if status == ok:
                    timing.seconds.append(time.perf_counter() - began)
                else:
                    timing.failures[status] = timing.failures.get(status, 0) + 1
        finally:
            writer.close()

    began, cpu = time.perf_counter(), _cpu_seconds(server)
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    timing.elapsed = time.perf_counter() - began
    timing.server_cpu = _cpu_seconds(server) - cpu


def _view(rng: random.Random) -> dict[str, Any]:
    page = rng.choice(PAGES) + rng.choice(QUERIES)
    return {
        "visitor_id": f"{rng.getrandbits(64):016x}{rng.randrange(50_000):08d}",
        "id": uuid.UUID(int=rng.getrandbits(128)).hex,
        "ts": int(time.time() * 1000),
        "url": f"https://www.seller.example{page}",
        "title": "Seller — the page",
        "referrer": rng.choice(("", "https://www.google.com/", "https://www.linkedin.com/")),
    }


async def _measure(server: int, port: int, arguments: argparse.Namespace) -> list[Timings]:
    seconds, concurrency, batch = arguments.seconds, arguments.concurrency, arguments.batch
    healthz = Timings("`GET /healthz` (baseline)")
    await _load(
        server, port, healthz, seconds, concurrency, lambda _rng: _request("GET", "/healthz"), 200
    )
    single = Timings("`POST /capture/t`, 1 view per request", 1)

    def one(rng: random.Random) -> bytes:
        return _request("POST", "/capture/t", json.dumps(_view(rng)).encode())

    await _load(server, port, single, seconds, concurrency, one, 204)
    grouped = Timings(f"`POST /capture/t`, {batch} views per request", batch)

    def many(rng: random.Random) -> bytes:
        body = json.dumps({"views": [_view(rng) for _ in range(batch)]}).encode()
        return _request("POST", "/capture/t", body)

    await _load(server, port, grouped, seconds, concurrency, many, 204)
    return [healthz, single, grouped]


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
    results: list[Timings],
    stored: int,
    stitching: list[tuple[int, int, float, float]],
    load: float,
) -> None:
    baseline = results[0].quantile(0.99) or 1e-9
    print(
        f"\n{arguments.backend}, {os.cpu_count()} cores (server and load generator share them; "
        f"load average {load:.1f} before the run), {arguments.concurrency} connections, "
        f"{arguments.seconds:.0f} s each, {arguments.history:,} views stored before\n"
    )
    print(
        "| endpoint | requests/s | page views/s | p50 ms | p95 ms | p99 ms | p99 × baseline "
        "| server CPU per request |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for timing in results:
        views = f"{timing.rate * timing.views_per_request:,.0f}" if timing.views_per_request else ""
        print(
            f"| {timing.name} | {timing.rate:,.0f} | {views} "
            f"| {timing.quantile(0.5) * 1000:,.1f} | {timing.quantile(0.95) * 1000:,.1f} "
            f"| {timing.quantile(0.99) * 1000:,.1f} | {timing.quantile(0.99) / baseline:,.1f} "
            f"| {timing.cpu_per_request * 1e6:,.0f} µs |"
        )
        if timing.failures:
            print(f"|  failures | {timing.failures} |")
    accepted = sum(len(t.seconds) * t.views_per_request for t in results)
    print(
        f"\naccepted {accepted:,} views; stored {stored - arguments.history:,} new "
        f"({'all there' if stored - arguments.history >= accepted else 'MISSING SOME'})"
    )
    print(
        "\n| anonymous views stitched | stitch (one transaction) | scoring them from the backlog |"
    )
    print("|---:|---:|---:|")
    for size, stitched, stitch_seconds, score_seconds in stitching:
        took = f"{stitch_seconds * 1000:,.0f} ms | {score_seconds:,.2f} s"
        print(f"| {stitched:,} of {size:,} | {took} |")


def _run(work: Any) -> Any:
    """Run the load on uvloop when it is installed (it is, with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    return uvloop.run(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--stitch", type=int, action="append")
    parser.add_argument("--quick", action="store_true", help="3 s each, a small history")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.seconds, arguments.history = 3.0, 2_000
    sizes = arguments.stitch or [1_000, 10_000]
    now = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="silverplatter-bench-tracking-"))
    url = _workspace(arguments.backend, workdir)
    server = None
    try:
        _prepare(url, arguments.history, now)
        port = free_port()
        server = _serve(url, port, workdir / "server.log")
        load = os.getloadavg()[0]
        results = _run(_measure(server.pid, port, arguments))
        server.terminate()
        server.wait(timeout=30)
        server = None
        stored = _stored_views(url)
        stitching = _stitching(url, sizes, datetime.now(UTC))
        _report(arguments, results, stored, stitching, load)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        _drop(url, arguments.backend)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
