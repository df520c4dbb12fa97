"""The task queue end to end: the web app's embedded worker (a SQLite queue file) and a
Redis queue each start a broadcast sent now and deliver it to a real SMTP server."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from mail_world import smtp_server
from nurture_world import PUBLIC_URL, add_template, ledger, seed_world
from silverplatter.jobs import EmbeddedWorker, make_queue, queue_path
from silverplatter.services import broadcasts
from silverplatter.services.audit import Actor
from silverplatter.services.segments import SegmentDraft, create_segment
from silverplatter.settings import Settings
from silverplatter.web.app import create_app
from web_world import NOW, Clock, seed_users, signed_in

RULE = {"all": [{"field": "contact.email_domain", "op": "equals", "value": "buyer.example"}]}
REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _broadcast(engine: Engine) -> int:
    seed_world(engine)
    seed_users(engine)
    template = add_template(engine)
    with engine.begin() as connection:
        segment = create_segment(
            connection,
            SegmentDraft(slug="buyers", name="Buyers", rule=RULE),
            actor=Actor(None),
            now=NOW,
        ).id
        return broadcasts.create_broadcast(
            connection, name="Now", template_id=template, segment_id=segment, user_id=None, now=NOW
        ).id


def test_queue_path_beside_the_workspace(tmp_path: Path) -> None:
    assert (
        queue_path(Settings(database_url=f"sqlite:///{tmp_path}/sp.db")) == tmp_path / "sp.tasks.db"
    )
    assert queue_path(Settings(database_url="postgresql://db/sp")) == Path("silverplatter.tasks.db")
    assert queue_path(Settings(task_queue_path="/var/q.db")) == Path("/var/q.db")


def test_the_web_app_delivers_a_broadcast_sent_now(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    broadcast = _broadcast(engine)
    with smtp_server() as inbox:
        settings = Settings(
            database_url=database_url,
            public_url=PUBLIC_URL,
            smtp_url=f"smtp://127.0.0.1:{inbox.port}",
            task_queue_path=str(tmp_path / "tasks.db"),
            redis_url=None,
        )
        application = create_app(settings, engine, clock=Clock())
        with TestClient(application):
            client = signed_in(application, "marketing")
            answer = client.post(
                f"/api/v1/broadcasts/{broadcast}/schedule",
                json={},
                headers={"X-CSRF-Token": client.csrf},
            )
            assert answer.status_code == 200, answer.text
            inbox.wait_for(2, timeout=20)
    assert sorted(message["To"] for message in inbox.messages) == [
        "lea@buyer.example",
        "olli@buyer.example",
    ]
    assert [row["status"] for row in ledger(engine)] == ["sent", "sent"]


def test_a_redis_queue_worker_delivers(engine: Engine, database_url: str) -> None:
    if not _redis_up():
        # Under CI the service is required: a missing Redis fails instead of skipping.
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Redis is required under CI=true and is not answering on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    broadcast = _broadcast(engine)
    with engine.begin() as connection:
        broadcasts.schedule(connection, broadcast, at=None, now=NOW)
    with smtp_server() as inbox:
        settings = Settings(
            database_url=database_url,
            public_url=PUBLIC_URL,
            smtp_url=f"smtp://127.0.0.1:{inbox.port}",
            redis_url=REDIS_URL,
        )
        queue = make_queue(settings, engine, clock=Clock())
        worker = EmbeddedWorker(queue)
        worker.start()
        try:
            inbox.wait_for(2, timeout=20)
        finally:
            worker.stop()
            redis.Redis.from_url(REDIS_URL).flushdb()
    assert len(inbox.messages) == 2
    assert [row["status"] for row in ledger(engine)] == ["sent", "sent"]
