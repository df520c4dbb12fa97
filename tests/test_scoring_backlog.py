"""Deferred scoring: events the API accepts are scored moments later, the same as at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from silverplatter.domain.records import ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute import recompute
from silverplatter.services.records import upsert_contacts
from silverplatter.services.scoring_backlog import BacklogScorer, backlog_size, score_backlog
from silverplatter.services.workspace import init_workspace
from silverplatter.storage import recompute_sql
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import contacts
from silverplatter.storage.scoring_backlog import try_scorer_lock

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


def test_the_scorer_waits_while_a_recompute_runs(engine: Engine) -> None:
    """On PostgreSQL the recompute holds the scorer's lock until it commits."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the lock is PostgreSQL's")
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="a@buyer.fi")], now=NOW)
        ingest_events(connection, _events("a@buyer.fi"), now=NOW, defer=True)
    with engine.connect() as recomputing, recomputing.begin():
        recompute(recomputing, now=NOW)
        with engine.begin() as connection:
            assert score_backlog(connection, now=NOW).busy
    with engine.begin() as connection:
        run = score_backlog(connection, now=NOW)
        assert (run.busy, run.scored) == (False, 5)
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
            during = ingest_events(connection, _events("b@buyer.fi"), now=NOW)
            assert (during.accepted, during.queued, during.stage_changes) == (5, 5, 0)
    with engine.begin() as connection:
        assert score_backlog(connection, now=NOW).scored == 5
    assert _state(engine, "b@buyer.fi") == _state(engine, "a@buyer.fi")
    with engine.begin() as connection:  # with no recompute running, in line again
        later = {**_events("a@buyer.fi")[0], "occurred_at": NOW.isoformat()}
        again = ingest_events(connection, [later], now=NOW)
        assert (again.accepted, again.queued) == (1, 0)


def test_folds_in_line_go_on_beside_the_backlog_scorer(engine: Engine) -> None:
    """Only a recompute sends folds in line to the backlog; the scorer at work does not."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the scorer's lock is PostgreSQL's")
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="a@buyer.fi")], now=NOW)
    with engine.connect() as scoring, scoring.begin():
        assert try_scorer_lock(scoring)
        with engine.begin() as connection:
            in_line = ingest_events(connection, _events("a@buyer.fi"), now=NOW)
            assert (in_line.accepted, in_line.queued) == (5, 0)
    assert round(_state(engine, "a@buyer.fi")[0], 2) == 38.85
