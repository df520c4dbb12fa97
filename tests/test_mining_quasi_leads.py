"""Quasi-leads: the handover's overdue rule, presented as lost leads, most overdue first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from lost_lead_world import NOW, account, at, contact, handover, user
from silverplatter.services.mining.quasi_leads import section


def _world(engine: Engine) -> dict[str, int]:
    with engine.begin() as c:
        sam, sue = user(c, "Sam Sales"), user(c, "Sue Sales")
        alpha = account(c, "Alpha", owner=sam)
        quinn = contact(
            c, "quinn@alpha.example", account_id=alpha, first="Quinn", last="Quill", stage="sql"
        )
        handover(
            c,
            quinn,
            account_id=alpha,
            owner=sam,
            handed_over_at=at(2026, 2, 20, 9),
            due_at=at(2026, 2, 27, 9),
        )
        gold = contact(c, "gil@gold.example", first="Gil", stage="sql")
        handover(
            c,
            gold,
            account_id=None,
            owner=sue,
            tier="gold",
            handed_over_at=at(2026, 2, 2),
            due_at=at(2026, 2, 9),
            alerted_at=at(2026, 2, 10),
        )
        early = contact(c, "early@x.example", stage="sql")
        handover(c, early, account_id=None, owner=sam, handed_over_at=NOW, due_at=at(2026, 3, 5))
        moved = contact(c, "moved@x.example", stage="sal")  # left SQL: no longer a quasi-lead
        handover(
            c,
            moved,
            account_id=None,
            owner=sam,
            handed_over_at=at(2026, 2, 1),
            due_at=at(2026, 2, 6),
        )
        done = contact(c, "done@x.example", stage="sql")
        handover(
            c,
            done,
            account_id=None,
            owner=sam,
            handed_over_at=at(2026, 2, 1),
            due_at=at(2026, 2, 6),
            acted_at=at(2026, 2, 3),
            acted_by=sam,
            outcome="accepted",
        )
        nobody = contact(c, "nobody@x.example", stage="sql")
        handover(
            c,
            nobody,
            account_id=None,
            owner=None,
            handed_over_at=at(2026, 2, 23),
            due_at=at(2026, 3, 1),
        )
    return {"sam": sam, "sue": sue, "alpha": alpha, "quinn": quinn, "gold": gold, "nobody": nobody}


def test_quasi_leads_most_overdue_first(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert found.key == "quasi_leads"
    assert found.total == 3
    assert [
        (
            c.contact_id,
            c.contact_name,
            c.account_id,
            c.owner_id,
            c.suggested_on,
            c.reason,
            c.figures,
        )
        for c in found.candidates
    ] == [
        (
            ids["gold"],
            "Gil",
            None,
            ids["sue"],
            date(2026, 2, 9),
            "Handed over to Sue Sales on 2026-02-02, due 2026-02-09; "
            "untouched 21 days past the service level",
            {
                "days_overdue": 21,
                "tier": "gold",
                "handed_over_on": "2026-02-02",
                "due_on": "2026-02-09",
                "alerted": "yes",
            },
        ),
        (
            ids["quinn"],
            "Quinn Quill",
            ids["alpha"],
            ids["sam"],
            date(2026, 2, 27),
            "Handed over to Sam Sales on 2026-02-20, due 2026-02-27; "
            "untouched 3 days past the service level",
            {
                "days_overdue": 3,
                "tier": "unclassified",
                "handed_over_on": "2026-02-20",
                "due_on": "2026-02-27",
                "alerted": "no",
            },
        ),
        (
            ids["nobody"],
            "nobody@x.example",
            None,
            None,
            date(2026, 3, 1),
            "Handed over to nobody (no salesperson was available) on 2026-02-23, due 2026-03-01; "
            "untouched 1 day past the service level",
            {
                "days_overdue": 1,
                "tier": "unclassified",
                "handed_over_on": "2026-02-23",
                "due_on": "2026-03-01",
                "alerted": "no",
            },
        ),
    ]


def test_a_salesperson_sees_the_handovers_given_to_them(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        sams = section(connection, now=NOW, limit=10, owner_id=ids["sam"])
        first = section(connection, now=NOW, limit=1)
    assert ([c.contact_id for c in sams.candidates], sams.total) == ([ids["quinn"]], 1)
    assert ([c.contact_id for c in first.candidates], first.total) == ([ids["gold"]], 3)
