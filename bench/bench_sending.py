"""Benchmark: nurture mail throughput to a local SMTP sink (issue 6, deliverable 3).

For each ``--recipients N`` it makes a fresh SQLite workspace (or uses
``--database-url``) with N contacts at 50 accounts and a newsletter template
with personalisation (first name, account name with fallbacks), two tracked
links, the unsubscribe link and the open pixel, queues N sends in the ledger
(as a broadcast's expansion leaves them), then runs ONE worker process
(``deliver_due``, the exactly-once hand-over with ``--connections`` SMTP
connections per commit) against an aiosmtpd sink in another process that only
counts what it accepts.  Reported: messages per second (wall), the worker's CPU
seconds per 1,000 messages, and the worker's peak RSS.

Baseline in the same run: plain ``smtplib`` ``sendmail`` of one fixed,
pre-built message over one connection to the same sink (no database, no
rendering, no exactly-once), for ``--baseline`` messages.

Run:  .venv/bin/python bench/bench_sending.py --recipients 100000
      .venv/bin/python bench/bench_sending.py --recipients 2000 --baseline 2000   (quick)
"""

from __future__ import annotations

import argparse
import json
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


# ------------------------------------------------------------------ the sink process


def run_sink(port: int) -> None:
    from aiosmtpd.controller import Controller

    class Counter:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Counter.received += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the sink did not start")


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


def run_worker(url: str, port: int, connections: int) -> None:
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
    started, cpu = time.perf_counter(), time.process_time()
    report = deliver_due(delivery, limit=10**9)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
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
                "cpu": cpu,
                "peak_mb": peak_kb / 1024,
            }
        )
    )


# ------------------------------------------------------------------ the baseline


def baseline(port: int, count: int) -> float:
    message = (
        b"From: news@seller.example\r\nTo: person@buyer.example\r\nSubject: News\r\n"
        b"Message-ID: <fixed@seller.example>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + b"Hello there, the news.\r\n" * 40
    )
    client = smtplib.SMTP("127.0.0.1", port)
    client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[union-attr]
    started = time.perf_counter()
    for n in range(count):
        client.sendmail("news@seller.example", [f"person{n}@buyer.example"], message)
    elapsed = time.perf_counter() - started
    client.quit()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, action="append")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--baseline", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.sink:
        run_sink(options.sink)
        return
    if options.worker:
        url, port, connections = options.worker
        run_worker(url, int(port), int(connections))
        return
    port = free_port()
    sink = subprocess.Popen([sys.executable, __file__, "--sink", str(port)])
    try:
        _wait_for_port(port)
        print(
            f"baseline: raw smtplib, one fixed message, one connection: "
            f"{baseline(port, options.baseline):,.0f} msg/s ({options.baseline:,} messages)"
        )
        for recipients in options.recipients or [100_000]:
            with tempfile.TemporaryDirectory() as folder:
                url = options.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
                started = time.perf_counter()
                make_world(url, recipients)
                print(f"{recipients:,} recipients queued in {time.perf_counter() - started:.1f} s")
                worker = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        url,
                        str(port),
                        str(options.connections),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                result = json.loads(worker.stdout.strip().splitlines()[-1])
                print(
                    f"sending {recipients:,} with {options.connections} connections: "
                    f"{result['sent'] / result['seconds']:,.0f} msg/s, "
                    f"{1000 * result['cpu'] / max(result['sent'], 1):.2f} CPU s per 1,000, "
                    f"peak RSS {result['peak_mb']:.0f} MB, {result['commits']:,} commits, "
                    f"{result['failed']} not sent"
                )
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    main()
