"""Load generators for bench_tracking.py: wrk with tracking_load.lua, or asyncio streams.

Both send the same requests (tracking_load.lua says which) over keep-alive
HTTP/1.1 connections for a fixed time and return a ``Phase``: responses by
kind, latency percentiles, the server's CPU (the process and its children,
read from ``/proc``; on PostgreSQL also that of the backends serving the
workspace's database) and the generator's own CPU.  wrk is written in C and
takes a fraction of the CPU a Python generator does on the two shared cores;
the Python one is the fallback where wrk is not installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
PAGES = ("/", "/pricing", "/blog/crm-basics", "/solutions/erp", "/customers", "/demo")
QUERIES = ("", "", "", "?utm_source=google&utm_medium=cpc&gclid=Cj0", "?utm_source=newsletter")
SCRIPT = Path(__file__).with_name("tracking_load.lua")


@dataclass
class Phase:
    """One endpoint loaded for a while: what came back and what it cost."""

    name: str
    mode: str  # "healthz", "preflight" or the views per POST
    ok: int = 0  # responses with the expected status
    failed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    p50: float = 0.0  # seconds
    p95: float = 0.0
    p99: float = 0.0
    server_cpu: float = 0.0  # seconds, the server's processes together
    database_cpu: float = 0.0  # seconds, PostgreSQL's backends for the workspace
    generator_cpu: float = 0.0

    @property
    def views_per_request(self) -> int:
        return int(self.mode) if self.mode.isdigit() else 0

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def per_request(self, cpu: float) -> float:
        return cpu / self.ok if self.ok else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def server_cpu(root: int, database: str | None = None) -> tuple[float, dict[int, float]]:
    """CPU seconds (user and system) of a process with all its descendants, and of each
    PostgreSQL backend serving ``database`` (their title names it), from ``/proc``."""
    parents: dict[int, list[int]] = {}
    spent: dict[int, int] = {}
    backends: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, fields = (entry / "stat").read_text().rsplit(")", 1)
            title = (entry / "cmdline").read_bytes() if database and "(postgres" in name else b""
        except OSError:  # gone meanwhile
            continue
        values = fields.split()
        pid, used = int(entry.name), int(values[11]) + int(values[12])
        parents.setdefault(int(values[1]), []).append(pid)
        spent[pid] = used
        if database and f" {database} ".encode() in title:
            backends[pid] = used / tick
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += spent.get(pid, 0)
        todo.extend(parents.get(pid, []))
    return total / tick, backends


def _backends_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """What the backends alive at the end spent meanwhile (one that ended took its count)."""
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_wrk(
    server: int,
    port: int,
    phase: Phase,
    seconds: float,
    connections: int,
    threads: int,
    run: str,
    database: str | None = None,
) -> Phase:
    """wrk for ``seconds``; its CPU is read from the finished child's resource usage."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        phase.mode,
        run,
    ]
    (cpu, backends), generator = server_cpu(server, database), _children_cpu()
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    phase.generator_cpu = _children_cpu() - generator
    after, backends_after = server_cpu(server, database)
    phase.server_cpu = after - cpu
    phase.database_cpu = _backends_spent(backends, backends_after)
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    phase.seconds = summary["microseconds"] / 1e6
    phase.ok = summary["requests"] - summary["status_errors"]
    if summary["status_errors"]:
        phase.failed["status >= 400"] = summary["status_errors"]
    if summary["socket_errors"]:
        phase.failed["socket"] = summary["socket_errors"]
    phase.p50, phase.p95, phase.p99 = (summary[p] / 1e6 for p in ("p50", "p95", "p99"))
    return phase


# ---- the Python generator (asyncio streams) ----


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


def _maker(mode: str) -> tuple[Any, int]:
    """The request maker of a phase and the status that means accepted."""
    if mode == "healthz":
        request = _request("GET", "/healthz")
        return (lambda _rng: request), 200
    if mode == "preflight":
        request = _request("OPTIONS", "/capture/t")
        return (lambda _rng: request), 204
    views = int(mode)
    if views == 1:
        return (lambda rng: _request("POST", "/capture/t", json.dumps(_view(rng)).encode())), 204

    def many(rng: random.Random) -> bytes:
        body = json.dumps({"views": [_view(rng) for _ in range(views)]}).encode()
        return _request("POST", "/capture/t", body)

    return many, 204


async def _load(
    server: int,
    port: int,
    phase: Phase,
    seconds: float,
    connections: int,
    run: str,
    database: str | None,
) -> None:
    make, ok = _maker(phase.mode)
    stop = time.perf_counter() + seconds
    latencies: list[float] = []

    async def worker(number: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        rng = random.Random(f"{run}/{phase.mode}/{number}")
        try:
            while time.perf_counter() < stop:
                request = make(rng)
                began = time.perf_counter()
                status = await _exchange(reader, writer, request)
                if status == ok:
                    latencies.append(time.perf_counter() - began)
                else:
                    phase.failed[str(status)] = phase.failed.get(str(status), 0) + 1
        finally:
            writer.close()

    began, generator = time.perf_counter(), time.process_time()
    cpu, backends = server_cpu(server, database)
    await asyncio.gather(*(worker(n) for n in range(connections)))
    phase.seconds = time.perf_counter() - began
    phase.generator_cpu = time.process_time() - generator
    after, backends_after = server_cpu(server, database)
    phase.server_cpu = after - cpu
    phase.database_cpu = _backends_spent(backends, backends_after)
    latencies.sort()
    phase.ok = len(latencies)
    if latencies:
        at = [
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] for q in (0.5, 0.95, 0.99)
        ]
        phase.p50, phase.p95, phase.p99 = at


def run_python(
    server: int,
    port: int,
    phase: Phase,
    seconds: float,
    connections: int,
    run: str,
    database: str | None = None,
) -> Phase:
    """The asyncio generator in this process, on uvloop when it is installed."""
    work = _load(server, port, phase, seconds, connections, run, database)
    try:
        import uvloop
    except ImportError:
        asyncio.run(work)
    else:
        uvloop.run(work)
    return phase
