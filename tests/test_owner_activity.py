"""Owner activity: only the current owner's own deeds about the account count, up to now."""

from __future__ import annotations

from sqlalchemy import Engine, select

from lost_lead_world import (
    NOW,
    account,
    at,
    contact,
    handover,
    meeting,
    opportunity,
    stage_move,
    task,
    user,
)
from silverplatter.services.owner_activity import OwnerActivity, last_owner_activity
from silverplatter.storage.owner_activity import last_owner_activity as activity_subquery


def _world(engine: Engine) -> dict[str, int]:
    with engine.begin() as c:
        sam, sue = user(c, "Sam Sales"), user(c, "Sue Sales")
        a = account(c, "Alpha", owner=sam)
        meeting(c, a, sam, at(2026, 1, 10))
        meeting(c, a, sue, at(2026, 2, 20))  # a colleague's meeting
        meeting(c, a, sam, at(2026, 4, 1))  # booked ahead: not yet
        b = account(c, "Beta", owner=sam)
        opportunity(c, b, sam, at(2025, 5, 1), at(2025, 6, 1))
        b1 = contact(c, "b1@beta.example", account_id=b)
        stage_move(c, b1, at(2025, 7, 1), user_id=sam)
        stage_move(c, b1, at(2025, 12, 1), user_id=None)  # the engine's move
        cc = account(c, "Gamma", owner=sue)
        c1 = contact(c, "c1@gamma.example", account_id=cc)
        handover(
            c,
            c1,
            account_id=cc,
            owner=sue,
            handed_over_at=at(2025, 10, 30),
            due_at=at(2025, 11, 6),
            acted_at=at(2025, 11, 3),
            acted_by=sue,
            outcome="accepted",
        )
        task(c, owner=sue, created=at(2025, 12, 1), done_at=at(2025, 12, 24), contact_id=c1)
        d = account(c, "Delta", owner=sue)
        task(c, owner=sue, created=at(2025, 8, 1), done_at=at(2025, 8, 8), account_id=d)
        task(c, owner=sue, created=at(2026, 2, 1), account_id=d)  # still open
        d1 = contact(c, "d1@delta.example", account_id=d)
        handover(
            c,
            d1,
            account_id=d,
            owner=sam,
            handed_over_at=at(2025, 9, 1),
            due_at=at(2025, 9, 8),
            acted_at=at(2025, 9, 9),
            acted_by=sam,  # not Delta's owner
            outcome="accepted",
        )
        e = account(c, "Epsilon")  # nobody owns it
        meeting(c, e, sam, at(2026, 2, 1))
    return {"sam": sam, "sue": sue, "a": a, "b": b, "c": cc, "d": d, "e": e}


def test_the_latest_deed_of_the_current_owner_per_account(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = last_owner_activity(
            connection, [ids[key] for key in ("a", "b", "c", "d", "e")], now=NOW
        )
    assert found == {
        ids["a"]: OwnerActivity(ids["a"], "meeting", at(2026, 1, 10)),
        ids["b"]: OwnerActivity(ids["b"], "stage_move", at(2025, 7, 1)),
        ids["c"]: OwnerActivity(ids["c"], "task", at(2025, 12, 24)),
        ids["d"]: OwnerActivity(ids["d"], "task", at(2025, 8, 8)),
    }
    assert found[ids["c"]].words == "a task closed on 2025-12-24"


def test_the_set_based_statement_agrees_and_filters_by_owner(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        everyone = activity_subquery(now=NOW)
        rows = connection.execute(
            select(everyone.c.account_id, everyone.c.last_activity_at).order_by(
                everyone.c.account_id
            )
        ).all()
        sue = activity_subquery(now=NOW, owner_id=ids["sue"])
        sues = connection.execute(select(sue.c.account_id).order_by(sue.c.account_id)).all()
    assert [tuple(row) for row in rows] == [
        (ids["a"], at(2026, 1, 10)),
        (ids["b"], at(2025, 7, 1)),
        (ids["c"], at(2025, 12, 24)),
        (ids["d"], at(2025, 8, 8)),
    ]
    assert [row[0] for row in sues] == [ids["c"], ids["d"]]
