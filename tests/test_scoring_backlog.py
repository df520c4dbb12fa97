"""Deferred scoring: events the API accepts are scored moments later, the same as at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from silverplatter.domain.records import ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.records import upsert_contacts
from silverplatter.services.scoring_backlog import BacklogScorer, backlog_size, score_backlog
from silverplatter.services.workspace import init_workspace
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
