"""The recompute's set-based stage moves: the rows they lock, and in which order."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, select

from row_locks import assert_writes_in_id_order
from silverplatter.domain.records import ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.recompute_stages import apply_stage_moves
from silverplatter.services.records import upsert_contacts
from silverplatter.services.scoring_models import active_model
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import contacts
from test_scoring_backlog import NOW, _events


def test_stage_moves_lock_their_contacts_in_id_order(engine: Engine) -> None:
    """Contact 2 is held elsewhere; the moves must already hold 1 while they wait for 2.

    Both rows of contact 1 (its contact and its scores) lie after contact 2's,
    so a plan reading the tables in their order would wait for 2 first.  (The
    probe asks for the same lock as the moves: the transitions' foreign keys
    already hold both contacts in a weaker one.)
    """
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole database")
    init_workspace(engine, name="Seller", now=NOW)
    people = [
        ContactFields(email=email, title="CFO", seniority="c_level")
        for email in ("one@buyer.fi", "two@buyer.fi")
    ]
    with engine.begin() as connection:
        upsert_contacts(connection, people, now=NOW)
        for person in people:
            ingest_events(connection, _events(person.email), now=NOW)
        connection.exec_driver_sql("UPDATE contacts SET lifecycle_stage = 'subscriber'")
        connection.exec_driver_sql("UPDATE contacts SET title = 'CFO' WHERE id = 1")
        connection.exec_driver_sql(
            "UPDATE contact_scores SET touches = touches WHERE contact_id = 1"
        )
        goals = connection.execute(
            select(contact_scores.c.qualification).order_by(contact_scores.c.contact_id)
        ).scalars()
        assert [goal for goal in goals if goal != "subscriber"] != []
    moved: list[int] = []

    def move(connection: Connection) -> None:
        version = active_model(connection, now=NOW)
        moved.append(apply_stage_moves(connection, version, now=NOW))

    assert_writes_in_id_order(engine, move, strength="NO KEY UPDATE")
    assert moved == [2]
    with engine.connect() as connection:
        stages = connection.execute(
            select(contacts.c.lifecycle_stage).order_by(contacts.c.id)
        ).scalars()
        assert "subscriber" not in list(stages)
