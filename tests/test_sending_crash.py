"""Acceptance: a worker killed with SIGKILL in the middle of a 5,000-message send and
started again delivers every message exactly once (counted at a real SMTP server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, func, insert, select

from nurture_world import NOW, SENDER, add_template
from silverplatter.domain.mail_message import message_id_for
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.nurture_schema import mail_sends
from silverplatter.storage.schema import contacts
from sink_world import sink_server

MESSAGES = 5_000


def _world(engine: Engine) -> int:
    init_workspace(engine, name="Seller Oy", now=NOW)
    template = add_template(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(contacts),
            [
                {
                    "email": f"person{n}@buyer{n % 7}.example",
                    "email_key": f"person{n}@buyer{n % 7}.example",
                    "first_name": f"P{n}",
                    "custom": {},
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(MESSAGES)
            ],
        )
        # The ledger as a broadcast's expansion leaves it (queue_send row by row is slower).
        connection.execute(
            insert(mail_sends),
            [
                {
                    "dedupe_key": f"crash:{contact_id}",
                    "template_id": template,
                    "contact_id": int(contact_id),
                    "to_domain": f"buyer{(int(contact_id) - 1) % 7}.example",
                    "status": "queued",
                    "attempts": 0,
                    "not_before": NOW,
                    "created_at": NOW,
                }
                for contact_id in connection.execute(select(contacts.c.id)).scalars()
            ],
        )
    return template


def _worker(
    database_url: str, port: int, log: Path, output: IO[bytes], claim_timeout: int
) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "SILVERPLATTER_DATABASE_URL": database_url,
        "SILVERPLATTER_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "SILVERPLATTER_MAIL_FROM": SENDER,
        "SILVERPLATTER_TASK_QUEUE_PATH": str(log.with_suffix(".tasks.db")),
        "SILVERPLATTER_SEND_CLAIM_TIMEOUT": str(claim_timeout),
        "SILVERPLATTER_REDIS_URL": "",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "silverplatter", "worker"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=output,
    )


def _statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            str(status): int(count)
            for status, count in connection.execute(
                select(mail_sends.c.status, func.count()).group_by(mail_sends.c.status)
            )
        }


def test_killed_worker_restarted_sends_each_message_exactly_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    _world(engine)
    log = tmp_path / "worker.log"
    print(f"world made in {time.monotonic() - started:.1f} s")
    with sink_server() as sink, log.open("ab") as output:
        first = _worker(database_url, sink.port, log, output, claim_timeout=600)
        try:
            reached = sink.wait_for(MESSAGES // 4, timeout=90)
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
        time.sleep(0.3)  # what the kernel flushed for the dead process arrives
        before = _statuses(engine)
        received_before = sink.received
        assert reached >= MESSAGES // 4 and received_before < MESSAGES, (before, received_before)
        print(f"killed at {time.monotonic() - started:.1f} s")
        second = _worker(database_url, sink.port, log, output, claim_timeout=0)
        try:
            deadline = time.monotonic() + 120
            while _statuses(engine).get("sent", 0) < MESSAGES and time.monotonic() < deadline:
                time.sleep(0.1)
            sink.wait_for(MESSAGES, timeout=5)
        finally:
            second.send_signal(signal.SIGINT)
            try:
                second.wait(timeout=10)
            except subprocess.TimeoutExpired:
                second.kill()
                second.wait()
        time.sleep(0.2)
        assert _statuses(engine) == {"sent": MESSAGES}
        with engine.connect() as connection:
            keys = list(connection.execute(select(mail_sends.c.dedupe_key)).scalars())
        expected = {message_id_for(key, SENDER) for key in keys}
        missing = expected - set(sink.message_ids)
        assert not missing, (
            f"{len(missing)} messages the ledger calls sent never reached the server "
            f"(killed after {received_before}; ledger then {before})"
        )
        assert set(sink.message_ids) == expected
        assert max(sink.message_ids.values()) == 1
        assert sink.received == MESSAGES
        assert len(sink.recipients) == MESSAGES and max(sink.recipients.values()) == 1
        print(f"done at {time.monotonic() - started:.1f} s")
        print(f"killed after {received_before} of {MESSAGES}; ledger then {before}")
