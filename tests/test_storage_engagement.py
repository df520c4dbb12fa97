"""The engine's stored state: buckets looked up by their whole key."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from lead_world import NOW, build_world, event
from query_plans import plan_of_last_statement
from silverplatter.services.ingest import ingest_events
from silverplatter.services.scoring_models import active_model
from silverplatter.storage.engagement import load_buckets
from silverplatter.storage.engagement_schema import score_buckets


@pytest.mark.storage
def test_stored_buckets_are_read_back_by_key(engine: Engine) -> None:
    with engine.begin() as connection:
        ids = build_world(connection)
        active_model(connection, now=NOW)
        items = [
            {
                **event("page_view", "ceo@acme.fi", days, url="/pricing"),
                "idempotency_key": f"k{days}",
            }
            for days in (1, 2, 9)
        ]
        ingest_events(connection, items, now=NOW)
        stored = connection.execute(
            score_buckets.select().where(score_buckets.c.subject == "c")
        ).all()
        assert stored, "the page views' daily buckets are stored"
        wanted = [(row.subject_id, row.rule, row.bucket_ts) for row in stored]
        absent = (ids["ops@acme.fi"], 0, wanted[0][2])
        found = load_buckets(connection, "c", [*wanted, absent, wanted[0]])
    assert found == {(row.subject_id, row.rule, row.bucket_ts): row.points for row in stored}


@pytest.mark.storage
def test_each_bucket_is_found_through_the_whole_primary_key_on_sqlite(engine: Engine) -> None:
    """``(subject_id, rule, bucket_ts) IN (VALUES …)`` used the subject alone and tested
    every stored bucket: 0.45 s for 300 keys at a million contacts, 0.013 s joined."""
    keys = [(1, 0, 86_400.0), (2, 3, 172_800.0)]
    plan = plan_of_last_statement(engine, lambda c: load_buckets(c, "c", keys))
    if engine.dialect.name == "sqlite":
        assert "(subject=? AND subject_id=? AND rule=? AND bucket_ts=?)" in plan, plan
