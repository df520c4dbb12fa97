"""Programmes that enrolled many over 30 days ago and produced (almost) no MQLs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from mining_world import NOW, at, contact, enrol, moved, programme
from silverplatter.services.mining.barren_programmes import section
from web_world import seed_users


def _world(engine: Engine) -> dict[str, int]:
    ids = dict(seed_users(engine))
    with engine.begin() as c:
        people = [contact(c, f"P{n}", f"Person{n}") for n in range(230)]
        quiet = ids["quiet"] = programme(c, "quiet", "Quiet welcome")
        busy = programme(c, "busy", "Busy refinery")
        young = programme(c, "young", "Young series")
        little = programme(c, "little", "Little one", status="paused")
        draft = programme(c, "draft", "Draft one", status="draft")
        big = ids["big"] = programme(c, "big", "Big newsletter", status="paused")
        for person in people[:25]:
            enrol(c, quiet, person, at(2025, 9, 1))
        # Reached MQL before entering: does not count for the programme.
        moved(c, people[0], "mql", at(2025, 8, 1))
        for person in people[25:45]:
            enrol(c, busy, person, at(2025, 9, 1))
        moved(c, people[25], "sql", at(2025, 10, 1))
        for person in people[45:70]:
            enrol(c, young, person, NOW - timedelta(days=10))
        for person in people[70:80]:
            enrol(c, little, person, at(2025, 9, 1))
        for person in people[80:105]:
            enrol(c, draft, person, at(2025, 9, 1))
        for person in people[105:230]:
            enrol(c, big, person, at(2025, 6, 1))
        moved(c, people[105], "mql", at(2025, 7, 1))  # 1 of 125: under 1 %
    return ids


def test_barren_programmes_most_enrolments_first(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert found.actions == ("task",) and found.total == 2
    assert [c.reason for c in found.candidates] == [
        "Programme 'Big newsletter' enrolled 125 contacts over 30 days ago; 1 reached MQL "
        "after entering (0.8 %)",
        "Programme 'Quiet welcome' enrolled 25 contacts over 30 days ago; 0 reached MQL after "
        "entering (0.0 %)",
    ]
    assert found.candidates[0].figures == {
        "programme": "Big newsletter",
        "programme_id": ids["big"],
        "status": "paused",
        "enrolled": 125,
        "reached_mql": 1,
        "share_pct": 0.8,
    }
    assert found.candidates[1].contact_id is None and found.candidates[1].account_id is None
    with engine.connect() as connection:
        for_sales = section(connection, now=NOW, limit=10, owner_id=ids["sales"])
    assert for_sales.total == 2  # programmes are nobody's records: everyone sees them
