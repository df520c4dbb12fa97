"""The task queue's periodic tick runs the programmes: due steps run and their mail is
queued in the send ledger (the queue runs its tasks inline here)."""

from __future__ import annotations

from sqlalchemy import Engine

from programme_world import ACTOR, NOW, build, event, sends
from silverplatter.jobs import make_queue
from silverplatter.services import programmes as service
from silverplatter.settings import Settings
from web_world import Clock


def test_the_periodic_tick_runs_due_programme_steps(engine: Engine, database_url: str) -> None:
    ids = build(engine)
    with engine.begin() as connection:
        made = service.create_from_built_in(
            connection, "welcome", slug="welcome", name=None, parameters={}, actor=ACTOR, now=NOW
        )
        service.activate(connection, made.id, actor=ACTOR, now=NOW)
    event(engine, ids["eve"], "form_submit", NOW, form="guide")
    clock = Clock(NOW)
    queue = make_queue(Settings(database_url=database_url), engine, clock=clock, immediate=True)
    queue.tasks["tick"]()
    assert sends(engine) == [("2026-03-02", "welcome", "welcome")]
    clock.advance(days=2)
    queue.tasks["run_programmes"]()
    assert [row[1] for row in sends(engine)] == ["welcome", "welcome-2"]
