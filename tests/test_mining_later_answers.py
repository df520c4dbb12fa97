"""Later answers: the last answer was "later", later has come, and nothing happened since."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine

from lost_lead_world import NOW, account, at, contact, event, opportunity, stage_move, user
from query_plans import plan_of_last_statement
from silverplatter.services.mining.later_answers import section


def _answer(c: Connection, contact_id: int, when: Any, answer: str, **extra: str) -> None:
    event(c, "campaign_answer", when, contact_id=contact_id, properties={"answer": answer, **extra})


def _world(engine: Engine) -> dict[str, int]:
    with engine.begin() as c:
        sam, sue = user(c, "Sam Sales"), user(c, "Sue Sales")
        alpha = account(c, "Alpha", owner=sue)
        ann = contact(c, "ann@alpha.example", account_id=alpha, first="Ann", owner=sam)
        _answer(c, ann, at(2025, 10, 1), "later", later_on="2026-02-15", campaign="Spring webinar")
        bo = contact(c, "bo@alpha.example", account_id=alpha, first="Bo", last="Birch")
        _answer(c, bo, at(2025, 8, 1), "later")
        soon = contact(c, "soon@x.example")
        _answer(c, soon, at(2025, 10, 1), "later")  # six months end in April
        june = contact(c, "june@x.example")
        _answer(c, june, at(2025, 10, 1), "later", later_on="2026-06-01")
        again = contact(c, "again@x.example")
        _answer(c, again, at(2025, 5, 1), "later")
        _answer(c, again, at(2025, 7, 1), "no")  # the newer answer counts
        sql = contact(c, "sql@x.example")
        _answer(c, sql, at(2025, 5, 1), "later", later_on="2025-12-01")
        stage_move(c, sql, at(2025, 11, 1), user_id=None, from_stage="mql", to_stage="sql")
        deal = contact(c, "deal@x.example", account_id=alpha)
        _answer(c, deal, at(2025, 6, 1), "later")
        opportunity(c, alpha, sue, at(2025, 10, 1), contact_id=deal)
        yes = contact(c, "yes@x.example")
        _answer(c, yes, at(2025, 1, 1), "yes")
        cy = contact(c, "cy@x.example", first="Cy")
        _answer(c, cy, at(2025, 6, 1), "later", later_on="", campaign="Newsletter poll")
        stage_move(c, cy, at(2025, 10, 1), user_id=None, to_stage="mql")  # not re-engaged
    return {"sam": sam, "sue": sue, "alpha": alpha, "ann": ann, "bo": bo, "cy": cy}


def test_due_later_answers_oldest_first(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert found.key == "later_answers"
    assert found.total == 3
    assert [
        (
            c.contact_id,
            c.contact_name,
            c.account_id,
            c.owner_id,
            c.owner_name,
            c.suggested_on,
            c.reason,
            c.figures,
        )
        for c in found.candidates
    ] == [
        (
            ids["cy"],
            "Cy",
            None,
            None,
            None,
            date(2025, 12, 1),
            "Answered “not now, later” to Newsletter poll on 2025-06-01; named no date, "
            "and 6 months have passed",
            {
                "campaign": "Newsletter poll",
                "answered_on": "2025-06-01",
                "later_on": "2025-12-01",
                "date_named": "no",
            },
        ),
        (
            ids["bo"],
            "Bo Birch",
            ids["alpha"],
            ids["sue"],
            "Sue Sales",
            date(2026, 2, 1),
            "Answered “not now, later” to a campaign on 2025-08-01; named no date, "
            "and 6 months have passed",
            {
                "campaign": "a campaign",
                "answered_on": "2025-08-01",
                "later_on": "2026-02-01",
                "date_named": "no",
            },
        ),
        (
            ids["ann"],
            "Ann",
            ids["alpha"],
            ids["sam"],
            "Sam Sales",
            date(2026, 2, 15),
            "Answered “not now, later” to Spring webinar on 2025-10-01; "
            "they asked to hear from us on 2026-02-15",
            {
                "campaign": "Spring webinar",
                "answered_on": "2025-10-01",
                "later_on": "2026-02-15",
                "date_named": "yes",
            },
        ),
    ]


def test_sales_sees_the_answers_of_its_own_contacts_and_accounts(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        sams = section(connection, now=NOW, limit=10, owner_id=ids["sam"])
        sues = section(connection, now=NOW, limit=1, owner_id=ids["sue"])
    assert ([c.contact_id for c in sams.candidates], sams.total) == ([ids["ann"]], 1)
    assert ([c.contact_id for c in sues.candidates], sues.total) == ([ids["bo"]], 2)


def test_the_answers_are_read_from_their_own_index(engine: Engine) -> None:
    """The due answers come from ``ix_events_campaign_answers``, not a read of the whole log."""
    plan = plan_of_last_statement(engine, lambda c: section(c, now=NOW, limit=50))
    assert "ix_events_campaign_answers" in plan, plan
