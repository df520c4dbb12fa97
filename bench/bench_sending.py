"""Benchmark: nurture mail throughput to a local SMTP sink (issue 6, deliverable 3).

For each ``--recipients N`` it makes a fresh SQLite workspace (or uses
``--database-url``) with N contacts at 50 accounts and a newsletter template
with personalisation (first name, account name with fallbacks), two tracked
links, the unsubscribe link and the open pixel, queues N sends in the ledger
(as a broadcast's expansion leaves them), then runs ``--workers`` worker
processes at once (each ``deliver_due``, the exactly-once hand-over with
``--connections`` SMTP connections per commit, claiming its own rows) against
``--sinks`` counting sink processes on one port (``SO_REUSEPORT``): the
bench's own sink (``bench/smtp_sink.py``, which offers PIPELINING), or with
``--aiosmtpd`` aiosmtpd's ``SMTP`` with a handler that only counts — the
server the tests use, which does not offer PIPELINING — on asyncio's event
loop or, ``--loop uvloop``, on uvloop's.  Reported: messages per second
(wall), the workers' CPU seconds per 1,000 messages, each worker's peak RSS
(``VmHWM``), the sinks' CPU per 1,000, what the sinks took, and the load
average.

Baselines in the same run, against the same sink:
* **sink alone**: a bare-socket client that sends one fixed, pre-built
  message over ``--connections`` connections (no database, no rendering, no
  exactly-once) — what the sink can absorb: ``smtp_sink.blast`` pipelines to
  the bench's sink, ``smtp_sink.blast_one_at_a_time`` waits for each reply
  (aiosmtpd), each connection going on as soon as its own reply comes;
* **raw smtplib**: ``smtplib`` ``sendmail`` of the same message over one
  connection, the baseline of the earlier runs.

Run:  .venv/bin/python bench/bench_sending.py --recipients 100000 --aiosmtpd
      .venv/bin/python bench/bench_sending.py --recipients 100000 --aiosmtpd --loop uvloop
      .venv/bin/python bench/bench_sending.py --recipients 100000 --workers 2
      .venv/bin/python bench/bench_sending.py --recipients 2000 --baseline 2000   (quick)
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ports import free_port
from smtp_sink import blast, blast_one_at_a_time

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SENDER = "Seller Oy <news@seller.example>"
PUBLIC_URL = "https://app.seller.example"
HTML = (
    "<html><body><h1>Hello {{ contact.first_name | default('there') }}</h1>"
    "<p>This week at {{ account.name | default('your company') }}'s peers: three ways to "
    "shorten the buying cycle, and what the Law of 29 says about touches.</p>"
    '<p><a href="https://seller.example/guide?utm_source=newsletter">Read the guide</a></p>'
    '<p><a href="https://seller.example/webinar">Join the webinar</a></p>'
    '<p>Not for you? <a href="{{ unsubscribe_url }}">Unsubscribe</a>.</p></body></html>'
)
BASELINE_MESSAGE = (
    b"From: news@seller.example\r\nTo: person@buyer.example\r\nSubject: News\r\n"
    b"Message-ID: <fixed@seller.example>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + b"Hello there, the news.\r\n" * 40
)


# ------------------------------------------------------------------ the sinks


def run_aiosmtpd_sink(port: int, loop_kind: str) -> None:
    """aiosmtpd's ``SMTP`` with a handler that only counts, on 127.0.0.1:``port`` (shared
    with other sink processes, ``SO_REUSEPORT``), on asyncio's own event loop or uvloop's;
    on SIGTERM it prints how many messages it took."""
    import asyncio
    import signal

    from aiosmtpd.smtp import SMTP

    class Counter:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Counter.received += 1
            return "250 OK"

    if loop_kind == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(256)
    handler = Counter()
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, hostname="sink.example", loop=loop), sock=listener)
    )
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        print(Counter.received, flush=True)


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the sink did not start")


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU the processes ``pids`` have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _load() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


# ------------------------------------------------------------------ the workspace


def make_world(url: str, recipients: int) -> None:
    from sqlalchemy import insert, select

    from silverplatter.services.workspace import init_workspace
    from silverplatter.storage.engine import make_engine
    from silverplatter.storage.nurture_schema import email_templates, mail_sends
    from silverplatter.storage.schema import accounts, contacts

    engine = make_engine(url)
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.begin() as connection:
        connection.execute(
            insert(accounts),
            [
                {
                    "name": f"Buyer {n} Oy",
                    "domain": f"buyer{n}.example",
                    "value_tier": "unclassified",
                    "status": "prospect",
                    "custom": {},
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(50)
            ],
        )
        account_ids = list(connection.execute(select(accounts.c.id)).scalars())
        template = connection.execute(
            insert(email_templates)
            .values(
                slug="newsletter",
                name="Newsletter",
                subject="News for {{ contact.first_name | default('you') }}",
                html_body=HTML,
                text_body="",
                version=1,
                created_at=NOW,
                updated_at=NOW,
            )
            .returning(email_templates.c.id)
        ).scalar_one()
    chunk = 20_000
    for start in range(0, recipients, chunk):
        with engine.begin() as connection:
            rows = [
                {
                    "email": f"person{n}@buyer{n % 50}.example",
                    "email_key": f"person{n}@buyer{n % 50}.example",
                    "first_name": None if n % 10 == 0 else f"Person{n}",
                    "account_id": account_ids[n % 50],
                    "custom": {},
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(start, min(start + chunk, recipients))
            ]
            connection.execute(insert(contacts), rows)
    with engine.begin() as connection:
        ids = list(connection.execute(select(contacts.c.id, contacts.c.email)).all())
    for start in range(0, len(ids), chunk):
        with engine.begin() as connection:
            connection.execute(
                insert(mail_sends),
                [
                    {
                        "dedupe_key": f"broadcast:1:{contact_id}",
                        "template_id": template,
                        "contact_id": contact_id,
                        "to_domain": email.rsplit("@", 1)[1],
                        "status": "queued",
                        "attempts": 0,
                        "not_before": NOW,
                        "created_at": NOW,
                    }
                    for contact_id, email in ids[start : start + chunk]
                ],
            )
    engine.dispose()


# ------------------------------------------------------------------ the worker process


def run_worker(url: str, port: int, connections: int, start_at: float) -> None:
    from silverplatter.jobs import worker_engine
    from silverplatter.services.mail_composer import Composer, Links
    from silverplatter.services.mail_handover import Pool
    from silverplatter.services.sending import Delivery, deliver_due
    from silverplatter.services.signing import Signer
    from silverplatter.services.smtp import SmtpTarget

    engine = worker_engine(url)
    delivery = Delivery(
        engine,
        Pool(SmtpTarget("127.0.0.1", port), size=connections, timeout=30),
        Composer(Links(Signer("bench key " * 5), PUBLIC_URL), sender=SENDER, workspace="Seller"),
        lambda: NOW,
    )
    # Every worker starts at the same moment, after its imports.
    time.sleep(max(0.0, start_at - time.time()))
    started, cpu = time.perf_counter(), time.process_time()
    report = deliver_due(delivery, limit=10**9)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finished = time.time()
    delivery.pool.close()
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent that
    # built the world, while VmHWM is this process's own high-water mark.
    peak_kb = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmHWM:")
    )
    print(
        json.dumps(
            {
                "sent": report.sent,
                "failed": report.failed + report.retried,
                "commits": report.commits,
                "seconds": elapsed,
                "finished": finished,
                "cpu": cpu,
                "peak_mb": peak_kb / 1024,
            }
        )
    )


def run_workers(url: str, port: int, connections: int, workers: int) -> list[dict[str, Any]]:
    """``workers`` worker processes started together; each one's report."""
    start_at = time.time() + 3.0 + 0.5 * workers
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                url,
                str(port),
                str(connections),
                str(start_at),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    results = []
    for process in processes:
        output, _ = process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"a worker failed with exit code {process.returncode}")
        results.append(json.loads(output.strip().splitlines()[-1]))
    for result in results:
        result["started"] = start_at
    return results


# ------------------------------------------------------------------ the baselines


def smtplib_baseline(port: int, count: int) -> float:
    client = smtplib.SMTP("127.0.0.1", port)
    client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[union-attr]
    started = time.perf_counter()
    for n in range(count):
        client.sendmail("news@seller.example", [f"person{n}@buyer.example"], BASELINE_MESSAGE)
    elapsed = time.perf_counter() - started
    client.quit()
    return count / elapsed


def _sinks(options: argparse.Namespace, port: int) -> list[subprocess.Popen[str]]:
    if options.aiosmtpd:
        command = [sys.executable, __file__, "--sink", str(port), options.loop]
    else:
        command = [sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(port)]
    return [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(options.sinks)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, action="append")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sinks", type=int, default=1, help="sink processes on one port")
    parser.add_argument("--aiosmtpd", action="store_true", help="aiosmtpd sinks instead")
    parser.add_argument(
        "--loop", choices=("asyncio", "uvloop"), default="asyncio", help="the aiosmtpd sinks' loop"
    )
    parser.add_argument("--baseline", type=int, default=20000, help="messages per baseline")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sink", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.sink:
        run_aiosmtpd_sink(int(options.sink[0]), options.sink[1])
        return
    if options.worker:
        url, port, connections, start_at = options.worker
        run_worker(url, int(port), int(connections), float(start_at))
        return
    port = free_port()
    sinks = _sinks(options, port)
    pids = [sink.pid for sink in sinks]
    kind = (
        f"{options.sinks} aiosmtpd process(es) on {options.loop}"
        if options.aiosmtpd
        else f"{options.sinks} asyncio sink process(es)"
    )
    print(f"{os.cpu_count()} cores; sink: {kind}; {_load()}")
    try:
        _wait_for_port(port)
        count = options.baseline
        cpu = _cpu_seconds(pids)
        # aiosmtpd does not offer PIPELINING: its bare client waits for each reply.
        client = blast_one_at_a_time if options.aiosmtpd else blast
        rate = client(port, BASELINE_MESSAGE, count, options.connections)
        sink_cpu = _cpu_seconds(pids) - cpu
        print(
            f"baseline, sink alone: bare client ({client.__name__}), fixed message, "
            f"{options.connections} connections: {rate:,.0f} msg/s, sink CPU "
            f"{1000 * sink_cpu / count:.2f} s per 1,000 ({count:,} messages)"
        )
        count = min(options.baseline, 5000)
        print(
            f"baseline, raw smtplib, fixed message, one connection: "
            f"{smtplib_baseline(port, count):,.0f} msg/s ({count:,} messages)"
        )
        for recipients in options.recipients or [100_000]:
            with tempfile.TemporaryDirectory() as folder:
                url = options.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
                started = time.perf_counter()
                make_world(url, recipients)
                print(f"{recipients:,} recipients queued in {time.perf_counter() - started:.1f} s")
                print(f"  before sending: {_load()}")
                cpu = _cpu_seconds(pids)
                results = run_workers(url, port, options.connections, options.workers)
                sink_cpu = _cpu_seconds(pids) - cpu
                sent = sum(result["sent"] for result in results)
                wall = max(result["finished"] for result in results) - results[0]["started"]
                worker_cpu = sum(result["cpu"] for result in results)
                peaks = " / ".join(f"{result['peak_mb']:.0f}" for result in results)
                print(
                    f"sending {recipients:,} with {options.workers} worker(s) x "
                    f"{options.connections} connections: {sent / wall:,.0f} msg/s, "
                    f"worker CPU {1000 * worker_cpu / max(sent, 1):.2f} s per 1,000, "
                    f"sink CPU {1000 * sink_cpu / max(sent, 1):.2f} s per 1,000, "
                    f"peak RSS {peaks} MB, "
                    f"{sum(r['commits'] for r in results):,} commits, "
                    f"{sum(r['failed'] for r in results)} not sent"
                )
                for n, result in enumerate(results, 1):
                    print(
                        f"  worker {n}: {result['sent']:,} sent in {result['seconds']:.1f} s, "
                        f"CPU {result['cpu']:.1f} s"
                    )
                print(f"  after sending: {_load()}")
    finally:
        received = 0
        for sink in sinks:
            sink.terminate()
            output, _ = sink.communicate()
            received += int(output.strip() or 0)
        print(f"the sinks took {received:,} messages in all")


if __name__ == "__main__":
    main()
