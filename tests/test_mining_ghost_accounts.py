"""Ghost accounts: a departed owner, or six months and more without the owner's attention."""

from __future__ import annotations

from sqlalchemy import Engine

from lost_lead_world import NOW, account, at, meeting, task, user
from silverplatter.services.mining.ghost_accounts import section


def _world(engine: Engine) -> dict[str, int]:
    with engine.begin() as c:
        sam = user(c, "Sam Sales")
        lee = user(c, "Lee Left", active=False, deactivated_at=at(2026, 1, 15))
        alpha = account(c, "Alpha", owner=sam)
        meeting(c, alpha, sam, at(2025, 8, 1))
        beta = account(c, "Beta", owner=sam)  # never touched since 2024-01-01
        gamma = account(c, "Gamma", owner=sam)
        task(c, owner=sam, created=at(2025, 11, 1), done_at=at(2025, 12, 1), account_id=gamma)
        delta = account(c, "Delta", owner=lee)
        meeting(c, delta, lee, at(2026, 1, 10))
        account(c, "Epsilon", owner=sam, created_at=at(2025, 12, 1))  # new: not a ghost yet
        account(c, "Rival", owner=sam, status="competitor")
        account(c, "Eta")  # nobody owns it: unassigned, not a ghost
    return {"sam": sam, "lee": lee, "alpha": alpha, "beta": beta, "delta": delta}


def test_ghost_accounts_departed_owners_first_then_the_longest_quiet(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert found.key == "ghost_accounts"
    assert found.actions == ("assign", "task")
    assert found.total == 3
    assert [(c.account_id, c.owner_id, c.reason, c.figures) for c in found.candidates] == [
        (
            ids["delta"],
            ids["lee"],
            "Owner Lee Left has left (deactivated on 2026-01-15); last: a meeting on 2026-01-10",
            {
                "months_quiet": 1,
                "last_owner_activity": "2026-01-10",
                "last_activity_kind": "meeting",
                "owner_active": "no",
            },
        ),
        (
            ids["beta"],
            ids["sam"],
            "Sam Sales has done nothing about it for 26 months — cold for 12+ months "
            "(nothing on record since the account was created on 2024-01-01)",
            {
                "months_quiet": 26,
                "last_owner_activity": "never",
                "last_activity_kind": "none",
                "owner_active": "yes",
            },
        ),
        (
            ids["alpha"],
            ids["sam"],
            "Sam Sales has done nothing about it for 7 months (last: a meeting on 2025-08-01)",
            {
                "months_quiet": 7,
                "last_owner_activity": "2025-08-01",
                "last_activity_kind": "meeting",
                "owner_active": "yes",
            },
        ),
    ]


def test_a_salesperson_sees_their_own_ghosts_and_the_limit_keeps_the_total(
    engine: Engine,
) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        sams = section(connection, now=NOW, limit=10, owner_id=ids["sam"])
        first = section(connection, now=NOW, limit=1)
    assert ([c.account_id for c in sams.candidates], sams.total) == ([ids["beta"], ids["alpha"]], 2)
    assert ([c.account_id for c in first.candidates], first.total) == ([ids["delta"]], 3)
