"""``silverplatter serve --workers N``: several web processes, one of them running the
background work (the scorer, the task queue), every accepted view stored and scored once."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from ports import free_port
from silverplatter.domain.records import ContactFields
from silverplatter.services.recompute import recompute
from silverplatter.services.records import upsert_contacts
from silverplatter.services.scoring_backlog import backlog_size
from silverplatter.services.stitching import stitch_visitor
from silverplatter.services.workspace import init_workspace
from silverplatter.settings import Settings
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import contacts, events
from silverplatter.web.app import create_app
from silverplatter.web.capture.tracking import ahead_of
from silverplatter.web.serving import BackgroundLease

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
KNOWN = "known0visitor0of0anna"
ANONYMOUS_VIEWS = 240
KNOWN_VIEWS = 12
SENDERS = 6


def test_one_process_at_a_time_holds_the_lease(tmp_path: Path) -> None:
    path = tmp_path / "serve.lease"
    first, second = BackgroundLease(path), BackgroundLease(path)
    assert first.take() is True
    assert second.take() is False
    assert (first.held, second.held) == (True, False)
    first.release()
    assert second.take() is True
    assert first.take() is False
    second.release()
    assert second.held is False


def _scorer_running() -> bool:
    return any(thread.name == "backlog-scorer" for thread in threading.enumerate())


def test_a_process_without_the_background_work_starts_no_scorer(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    with TestClient(create_app(settings, background=False)) as client:
        assert client.get("/healthz").status_code == 200
        assert not _scorer_running()
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert _scorer_running()


def test_the_served_app_answers_tracking_first_and_passes_the_rest_on(
    engine: Engine, database_url: str
) -> None:
    init_workspace(engine, name="Seller Oy", now=datetime.now(UTC))
    application = create_app(Settings(database_url=database_url, tracking_rate_limit=0), engine)
    view = {"visitor_id": "served0visitor", "id": "v-1", "url": "https://www.seller.example/"}
    with TestClient(ahead_of(application), headers={"User-Agent": BROWSER}) as client:
        stored = client.post("/capture/t", content=json.dumps(view))
        refused = client.post("/capture/t", content=json.dumps({**view, "url": "nowhere"}))
        health = client.get("/healthz")
    assert (stored.status_code, stored.headers["access-control-allow-origin"]) == (204, "*")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "url"
    assert (health.status_code, health.headers["x-frame-options"]) == (200, "DENY")
    with engine.connect() as connection:
        assert connection.execute(select(events.c.visitor_id)).scalars().all() == ["served0visitor"]


def _serve(
    database_url: str, port: int, log: Path, temporary: Path | None = None
) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).with_name("silverplatter")),
        "serve",
        "--database-url",
        database_url,
        "--port",
        str(port),
        "--workers",
        "2",
        "--no-access-log",
    ]
    environment = {
        **os.environ,
        "SILVERPLATTER_SECRET_KEY": "test-serve-workers",
        "SILVERPLATTER_TRACKING_RATE_LIMIT": "0",
        "SILVERPLATTER_SMTP_URL": "",
        "SILVERPLATTER_REDIS_URL": "",
    }
    if temporary is not None:
        environment["TMPDIR"] = str(temporary)
    with log.open("wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment)
    deadline = time.monotonic() + 180
    while log.read_text().count("Application startup complete") < 2:
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError(f"the server did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return server


def _send(port: int, visitor: str, views: range, answers: list[int]) -> None:
    """One keep-alive connection sending one view per request, as the snippet does."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for n in views:
            body = json.dumps(
                {
                    "visitor_id": visitor,
                    "id": f"view-{n}",
                    "url": f"https://www.seller.example/pricing?page={n}",
                    "ts": int(datetime.now(UTC).timestamp() * 1000),
                }
            )
            connection.request(
                "POST",
                "/capture/t",
                body=body,
                headers={"Content-Type": "text/plain", "User-Agent": BROWSER},
            )
            response = connection.getresponse()
            response.read()
            answers.append(response.status)
    finally:
        connection.close()


def _until(condition: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("not reached in time")
        time.sleep(0.2)


def test_two_workers_store_every_view_and_score_each_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    init_workspace(engine, name="Seller Oy", now=now)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="anna@buyer.fi")], now=now)
        anna = connection.execute(
            select(contacts.c.id).where(contacts.c.email_key == "anna@buyer.fi")
        ).scalar_one()
        stitch_visitor(connection, visitor_id=KNOWN, contact_id=anna, now=now)
    port, log = free_port(), tmp_path / "serve.log"
    server = _serve(database_url, port, log)
    answers: list[int] = []
    try:
        per_sender = ANONYMOUS_VIEWS // SENDERS
        senders = [
            threading.Thread(
                target=_send,
                args=(port, f"anonymous{n:04d}", range(per_sender), answers),
            )
            for n in range(SENDERS)
        ]
        senders.append(
            threading.Thread(target=_send, args=(port, KNOWN, range(KNOWN_VIEWS), answers))
        )
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()

        def scored() -> bool:
            with engine.connect() as connection:
                return backlog_size(connection) == 0

        _until(scored)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    output = log.read_text()
    assert answers == [204] * (ANONYMOUS_VIEWS + KNOWN_VIEWS)
    assert output.count("Application startup complete") == 2
    assert output.count("runs the background work") == 1
    with engine.connect() as connection:
        stored = connection.execute(
            select(events.c.contact_id, func.count()).group_by(events.c.contact_id)
        ).all()
    assert sorted(stored, key=lambda row: row[0] or 0) == [
        (None, ANONYMOUS_VIEWS),
        (anna, KNOWN_VIEWS),
    ]
    # Each of Anna's views was folded into her score once: the scorer's result is
    # what a recompute from the event log gives at the same moment (rolled back).
    of_anna = select(contact_scores.c.score, contact_scores.c.evaluated_at).where(
        contact_scores.c.contact_id == anna
    )
    with engine.connect() as connection:
        score, evaluated_at = connection.execute(of_anna).one()
        recompute(connection, now=evaluated_at)
        recomputed = connection.execute(of_anna).one()
        connection.rollback()
    assert score > 100  # twelve pricing views
    assert (round(score, 6), recomputed.evaluated_at) == (round(recomputed.score, 6), evaluated_at)


def _sign_in_attempt(port: int) -> int:
    """One failed sign-in on a new connection (any of the processes may take it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = "email=nobody%40seller.example&password=wrong&csrf_token=same"
        connection.request(
            "POST",
            "/login",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "sp_login_csrf=same",
                "Connection": "close",
            },
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_two_workers_count_sign_in_attempts_together(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    """Ten attempts a minute from one address in all, whichever process takes each."""
    init_workspace(engine, name="Seller Oy", now=datetime.now(UTC))
    port, log, temporary = free_port(), tmp_path / "serve.log", tmp_path / "temporary"
    temporary.mkdir()
    server = _serve(database_url, port, log, temporary)
    try:
        answers = [_sign_in_attempt(port) for _ in range(14)]
        # the lease and the limits are in a directory only the server's user may enter
        (folder,) = temporary.iterdir()
        modes = (folder.stat().st_mode & 0o777, sorted(p.name for p in folder.iterdir()))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert [answer == 429 for answer in answers] == [False] * 10 + [True] * 4
    assert modes[0] == 0o700
    assert {"serve.lease", "rate-limits.sqlite"} <= set(modes[1])
    assert list(temporary.iterdir()) == []  # removed when the server stopped
    assert (
        len({int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log.read_text())})
        == 2
    )
