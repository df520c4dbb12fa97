"""Deferred scoring: events the API accepts are scored moments later, the same as at once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

from silverplatter.domain.records import ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute import recompute
from silverplatter.services.records import upsert_contacts
from silverplatter.services.scoring_backlog import (
    BacklogRun,
    BacklogScorer,
    backlog_size,
    score_backlog,
)
from silverplatter.services.workspace import init_workspace
from silverplatter.storage import recompute_sql
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import contacts

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _events(email: str) -> list[dict[str, Any]]:
    start = NOW - timedelta(days=20)
    kinds = ["page_view", "email_open", "email_click", "content_download", "form_submit"]
    return [
        {
            "type": kind,
            "occurred_at": (start + timedelta(days=3 * n)).isoformat(),
            "email": email,
            "channel": "web",
            "traffic": "owned",
            "properties": {"url": "https://seller.example/pricing", "cta": "hard"}
            if kind == "form_submit"
            else {"url": "https://seller.example/blog/1"},
        }
        for n, kind in enumerate(kinds)
    ]


def _state(engine: Engine, email: str) -> tuple[Any, ...]:
    with engine.connect() as connection:
        row = connection.execute(
            select(
                contact_scores.c.score,
                contact_scores.c.grade,
                contact_scores.c.touches,
                contact_scores.c.qualification,
                contacts.c.lifecycle_stage,
            )
            .join(contacts, contacts.c.id == contact_scores.c.contact_id)
            .where(contacts.c.email_key == email)
        ).one()
    return tuple(row)


def test_deferred_scoring_equals_scoring_at_once(engine: Engine) -> None:
    init_workspace(engine, name="Seller", now=NOW)
    people = [
        ContactFields(email=email, title="CFO", seniority="c_level")
        for email in ("now@buyer.fi", "later@buyer.fi")
    ]
    with engine.begin() as connection:
        upsert_contacts(connection, people, now=NOW)
        ingest_events(connection, _events("now@buyer.fi"), now=NOW)
        deferred = ingest_events(connection, _events("later@buyer.fi"), now=NOW, defer=True)
        assert (deferred.accepted, backlog_size(connection)) == (5, 5)
    with engine.begin() as connection:
        first = score_backlog(connection, now=NOW, limit=3)
        second = score_backlog(connection, now=NOW)
        third = score_backlog(connection, now=NOW)
        assert (first.scored, second.scored, third.scored) == (3, 2, 0)
        assert backlog_size(connection) == 0
    at_once = _state(engine, "now@buyer.fi")
    assert round(at_once[0], 2) == 38.85
    assert _state(engine, "later@buyer.fi") == at_once


def test_resending_a_deferred_batch_queues_nothing_new(engine: Engine) -> None:
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="a@buyer.fi")], now=NOW)
        ingest_events(connection, _events("a@buyer.fi"), now=NOW, defer=True)
    with engine.begin() as connection:
        again = ingest_events(connection, _events("a@buyer.fi"), now=NOW, defer=True)
        assert (again.accepted, again.duplicates, backlog_size(connection)) == (0, 5, 5)


def test_the_scorer_thread_drains_the_backlog(engine: Engine) -> None:
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="a@buyer.fi")], now=NOW)
        ingest_events(connection, _events("a@buyer.fi"), now=NOW, defer=True)
    scorer = BacklogScorer(engine, lambda: NOW)
    scorer.start()
    try:
        scorer.wake()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if backlog_size(connection) == 0:
                    break
            time.sleep(0.05)
    finally:
        scorer.stop()
    with engine.connect() as connection:
        assert backlog_size(connection) == 0
    assert round(_state(engine, "a@buyer.fi")[0], 2) == 38.85


@pytest.mark.parametrize("few", [20_000, 2], ids=["not-in", "anti-join"])
def test_a_recompute_leaves_queued_events_to_the_scorer(
    engine: Engine, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events still queued when the model is recomputed are counted once, not twice.

    Both ways of leaving them out: a short backlog as a list, a long one by an anti-join.
    """
    monkeypatch.setattr(recompute_sql, "FEW_QUEUED", few)
    init_workspace(engine, name="Seller", now=NOW)
    people = [
        ContactFields(email=email, title="CFO", seniority="c_level")
        for email in ("now@buyer.fi", "queued@buyer.fi")
    ]
    with engine.begin() as connection:
        upsert_contacts(connection, people, now=NOW)
        ingest_events(connection, _events("now@buyer.fi"), now=NOW)
        ingest_events(connection, _events("queued@buyer.fi"), now=NOW, defer=True)
    with engine.begin() as connection:
        recompute(connection, now=NOW)
    # the recompute left the queued events out: the scorer folds them in next
    with engine.connect() as connection:
        assert backlog_size(connection) == 5
    assert _state(engine, "queued@buyer.fi")[0] == 0.0
    with engine.begin() as connection:
        assert score_backlog(connection, now=NOW).scored == 5
    at_once = _state(engine, "now@buyer.fi")
    assert round(at_once[0], 2) == 38.85
    assert _state(engine, "queued@buyer.fi") == at_once


def _within_seconds(connection: Connection) -> None:
    """Fail rather than hang when this transaction waits for a lock (a regression)."""
    connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")


def test_the_scorer_waits_while_a_recompute_runs(engine: Engine) -> None:
    """On PostgreSQL the recompute holds the scorer's lock until it commits."""
    if engine.dialect.name != "postgresql":
        pytest.skip("on SQLite the lock is the write lock: the scorer would wait 10 s")
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="a@buyer.fi")], now=NOW)
        ingest_events(connection, _events("a@buyer.fi"), now=NOW, defer=True)
    with engine.connect() as recomputing, recomputing.begin():
        recompute(recomputing, now=NOW)
        with engine.begin() as connection:
            _within_seconds(connection)
            assert score_backlog(connection, now=NOW).busy
    with engine.begin() as connection:
        run = score_backlog(connection, now=NOW)
        assert (run.busy, run.scored) == (False, 5)
    assert round(_state(engine, "a@buyer.fi")[0], 2) == 38.85


def test_a_recompute_waits_for_a_scorer_at_work(engine: Engine) -> None:
    """Events the scorer has folded but not yet committed are counted once, not lost."""
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="a@buyer.fi")], now=NOW)
        ingest_events(connection, _events("a@buyer.fi"), now=NOW, defer=True)
    finished = threading.Event()
    failures: list[BaseException] = []

    def recompute_now() -> None:
        try:
            with engine.begin() as connection:
                recompute(connection, now=NOW)
        except BaseException as error:  # reported below
            failures.append(error)
        finished.set()

    with engine.connect() as scoring:
        with scoring.begin():
            assert score_backlog(scoring, now=NOW).scored == 5
            worker = threading.Thread(target=recompute_now)
            worker.start()
            assert not finished.wait(0.5)  # it waits for the scorer's commit
        worker.join(timeout=60)
    assert finished.is_set() and not failures, failures
    with engine.connect() as connection:
        assert backlog_size(connection) == 0
    assert round(_state(engine, "a@buyer.fi")[0], 2) == 38.85


def test_a_second_scorer_finds_the_backlog_busy(engine: Engine) -> None:
    """Two scorers (a web server's and the CLI's) never fold the same events twice."""
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="a@buyer.fi")], now=NOW)
        ingest_events(connection, _events("a@buyer.fi"), now=NOW, defer=True)
    with engine.connect() as first, first.begin():
        assert score_backlog(first, now=NOW).scored == 5
        with engine.connect() as second, second.begin():
            if engine.dialect.name == "sqlite":
                second.exec_driver_sql("PRAGMA busy_timeout = 200")
            else:
                _within_seconds(second)
            assert score_backlog(second, now=NOW).busy
            if engine.dialect.name == "sqlite":
                second.exec_driver_sql("PRAGMA busy_timeout = 10000")
    with engine.begin() as connection:
        assert score_backlog(connection, now=NOW) == BacklogRun(0, 0)
    assert round(_state(engine, "a@buyer.fi")[0], 2) == 38.85


def test_events_scored_in_line_during_a_recompute_wait_for_the_scorer(engine: Engine) -> None:
    """On PostgreSQL a fold in line meanwhile would be overwritten by the recompute: queued."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: nothing folds during a recompute")
    init_workspace(engine, name="Seller", now=NOW)
    people = [ContactFields(email=e, title="CFO") for e in ("a@buyer.fi", "b@buyer.fi")]
    with engine.begin() as connection:
        upsert_contacts(connection, people, now=NOW)
        ingest_events(connection, _events("a@buyer.fi"), now=NOW)
    with engine.connect() as recomputing, recomputing.begin():
        recompute(recomputing, now=NOW)
        with engine.begin() as connection:
            _within_seconds(connection)
            during = ingest_events(connection, _events("b@buyer.fi"), now=NOW)
            assert (during.accepted, during.queued, during.stage_changes) == (5, 5, 0)
    with engine.begin() as connection:
        assert score_backlog(connection, now=NOW).scored == 5
    assert _state(engine, "b@buyer.fi") == _state(engine, "a@buyer.fi")
    with engine.begin() as connection:  # with no recompute running, in line again
        later = {**_events("a@buyer.fi")[0], "occurred_at": NOW.isoformat()}
        again = ingest_events(connection, [later], now=NOW)
        assert (again.accepted, again.queued) == (1, 0)


def test_folds_in_line_queue_while_the_scorer_works(engine: Engine) -> None:
    """Folding beside the scorer, one would overwrite the other's state: queued instead."""
    if engine.dialect.name != "postgresql":
        pytest.skip("on SQLite the scorer holds the write lock: a fold in line waits")
    init_workspace(engine, name="Seller", now=NOW)
    people = [ContactFields(email=e) for e in ("a@buyer.fi", "b@buyer.fi")]
    with engine.begin() as connection:
        upsert_contacts(connection, people, now=NOW)
        ingest_events(connection, _events("a@buyer.fi")[:2], now=NOW, defer=True)
    with engine.connect() as scoring, scoring.begin():
        assert score_backlog(scoring, now=NOW).scored == 2
        with engine.begin() as connection:
            _within_seconds(connection)
            in_line = ingest_events(connection, _events("a@buyer.fi")[2:], now=NOW)
            assert (in_line.accepted, in_line.queued) == (3, 3)
    with engine.begin() as connection:
        assert score_backlog(connection, now=NOW).scored == 3
        ingest_events(connection, _events("b@buyer.fi"), now=NOW)  # in line, all at once
    assert round(_state(engine, "a@buyer.fi")[0], 2) == 38.85
    assert _state(engine, "a@buyer.fi") == _state(engine, "b@buyer.fi")
