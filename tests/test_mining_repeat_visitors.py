"""Repeat visitors: page views on three or more UTC days in 30 days, and nobody attending."""

from __future__ import annotations

from sqlalchemy import Engine

from lost_lead_world import NOW, account, at, contact, event, meeting, user
from query_plans import plan_of_last_statement
from silverplatter.services.mining.repeat_visitors import section


def _world(engine: Engine) -> dict[str, int]:
    with engine.begin() as c:
        sam, sue = user(c, "Sam Sales"), user(c, "Sue Sales")
        alpha = account(c, "Alpha", owner=sam)
        a1 = contact(c, "ann@alpha.example", account_id=alpha, first="Ann", last="Alder")
        a2 = contact(c, "bo@alpha.example", account_id=alpha)
        for when in (at(2026, 2, 10), at(2026, 2, 11, 9), at(2026, 2, 11, 15)):
            event(c, "page_view", when, contact_id=a1, account_id=alpha)
        event(c, "page_view", at(2026, 2, 20), contact_id=a2, account_id=alpha)
        event(c, "email_open", at(2026, 2, 21), contact_id=a2, account_id=alpha)
        meeting(c, alpha, sam, at(2025, 12, 1))  # before the 30 days
        beta = account(c, "Beta", owner=sam)
        for day in (1, 2, 3, 4):
            event(c, "page_view", at(2026, 2, day), visitor_id="v1", account_id=beta)
        gamma = account(c, "Gamma", owner=sue)
        for day in (5, 6, 7):
            event(c, "page_view", at(2026, 2, day), visitor_id="v2", account_id=gamma)
        meeting(c, gamma, sue, at(2026, 2, 15))  # attended: not listed
        delta = account(c, "Delta")
        d1 = contact(c, "dan@delta.example", account_id=delta, first="Dan")
        for when in (at(2026, 2, 25, 23), at(2026, 2, 26, 0), at(2026, 2, 27)):
            event(c, "page_view", when, contact_id=d1, account_id=delta)
        rival = account(c, "Rival", owner=sam, status="competitor")
        for day in (1, 2, 3, 4, 5):
            event(c, "page_view", at(2026, 2, day), visitor_id="v3", account_id=rival)
        zeta = account(c, "Zeta", owner=sam)
        for when in (at(2026, 1, 30), at(2026, 2, 1), at(2026, 2, 2)):  # one day too early
            event(c, "page_view", when, visitor_id="v4", account_id=zeta)
    return {
        "sam": sam,
        "sue": sue,
        "alpha": alpha,
        "a1": a1,
        "beta": beta,
        "delta": delta,
        "d1": d1,
    }


def test_repeat_visitors_nobody_follows_up(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert found.key == "repeat_visitors"
    assert found.total == 3
    assert [
        (
            c.account_id,
            c.contact_id,
            c.contact_name,
            c.owner_id,
            c.owner_name,
            c.reason,
            c.figures,
        )
        for c in found.candidates
    ] == [
        (
            ids["beta"],
            None,
            None,
            ids["sam"],
            "Sam Sales",
            "Visited the site on 4 days in the last 30 days (4 page views, 0 known people); "
            "Sam Sales has done nothing about it yet",
            {
                "visit_days": 4,
                "page_views": 4,
                "known_people": 0,
                "last_visit": "2026-02-04",
                "last_owner_activity": "never",
            },
        ),
        (
            ids["alpha"],
            ids["a1"],
            "Ann Alder",
            ids["sam"],
            "Sam Sales",
            "Visited the site on 3 days in the last 30 days (4 page views, 2 known people); "
            "Sam Sales has done nothing about it since 2025-12-01",
            {
                "visit_days": 3,
                "page_views": 4,
                "known_people": 2,
                "last_visit": "2026-02-20",
                "last_owner_activity": "2025-12-01",
            },
        ),
        (
            ids["delta"],
            ids["d1"],
            "Dan",
            None,
            None,
            "Visited the site on 3 days in the last 30 days (3 page views, 1 known person); "
            "nobody owns the account",
            {
                "visit_days": 3,
                "page_views": 3,
                "known_people": 1,
                "last_visit": "2026-02-27",
                "last_owner_activity": "never",
            },
        ),
    ]


def test_the_limit_keeps_the_total_and_sales_sees_its_own(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        first = section(connection, now=NOW, limit=1)
        sams = section(connection, now=NOW, limit=10, owner_id=ids["sam"])
        sues = section(connection, now=NOW, limit=10, owner_id=ids["sue"])
    assert ([c.account_id for c in first.candidates], first.total) == ([ids["beta"]], 3)
    assert ([c.account_id for c in sams.candidates], sams.total) == ([ids["beta"], ids["alpha"]], 2)
    assert (sues.candidates, sues.total) == ([], 0)


def test_the_visits_are_counted_from_the_page_view_index(engine: Engine) -> None:
    """Visit days come from ``ix_events_account_page_views``, not a read of the whole log."""
    plan = plan_of_last_statement(engine, lambda c: section(c, now=NOW, limit=50))
    assert "ix_events_account_page_views" in plan, plan
