"""NPS: matched promoters and detractors of the last twelve months, detractors first."""

from __future__ import annotations

from sqlalchemy import Engine

from lost_lead_world import NOW, account, at, contact, entry, people_list, user
from silverplatter.services.mining.nps import section


def _world(engine: Engine) -> dict[str, int]:
    with engine.begin() as c:
        sam, sue = user(c, "Sam Sales"), user(c, "Sue Sales")
        acme = account(c, "Acme Oy", owner=sam)
        beta = account(c, "Beta", owner=sue)
        ann = contact(c, "ann@acme.example", account_id=acme, first="Ann", last="Alder")
        cy = contact(c, "cy@x.example", first="Cy", owner=sue)
        dee = contact(c, "dee@x.example")
        eve = contact(c, "eve@x.example")
        fay = contact(c, "fay@acme.example", account_id=acme, first="Fay")
        q1 = people_list(c, "NPS Q1", "nps_survey", at(2026, 2, 1))
        entry(c, q1, contact_id=ann, account_id=acme, score=9, comment="Great support",
              answered_at=at(2026, 1, 15))  # fmt: skip
        entry(c, q1, account_id=beta, full_name="Bo B", score=3, comment="Too slow",
              answered_at=at(2026, 1, 16))  # fmt: skip
        entry(c, q1, contact_id=cy, score=0)  # no date: the list's import counts
        entry(c, q1, contact_id=dee, score=7, answered_at=at(2026, 1, 20))  # a passive
        entry(c, q1, contact_id=eve, score=10, answered_at=at(2025, 1, 1))  # too old
        entry(c, q1, full_name="Unknown", score=2, answered_at=at(2026, 1, 20))  # unmatched
        q2 = people_list(c, "NPS Q2", "nps_survey", at(2026, 2, 20))
        entry(c, q2, contact_id=ann, account_id=acme, score=10, answered_at=at(2026, 2, 18))
        entry(c, q2, contact_id=fay, account_id=acme, score=6, answered_at=at(2026, 2, 19))
    return {"sam": sam, "sue": sue, "acme": acme, "beta": beta, "ann": ann, "cy": cy, "fay": fay}


def test_detractors_first_then_promoters_with_their_scores_and_comments(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert (found.key, found.total) == ("nps", 4)
    assert [
        (c.contact_id, c.contact_name, c.account_id, c.owner_id, c.reason, c.figures)
        for c in found.candidates
    ] == [
        (
            ids["cy"],
            "Cy",
            None,
            ids["sue"],
            "Detractor, at risk: scored 0/10 in NPS Q1 on 2026-02-01",
            {
                "score": 0,
                "category": "detractor",
                "list": "NPS Q1",
                "answered_on": "2026-02-01",
                "respondent": "unnamed",
            },
        ),
        (
            None,
            None,
            ids["beta"],
            ids["sue"],
            "Detractor, at risk: scored 3/10 in NPS Q1 on 2026-01-16: “Too slow”",
            {
                "score": 3,
                "category": "detractor",
                "list": "NPS Q1",
                "answered_on": "2026-01-16",
                "respondent": "Bo B",
                "comment": "Too slow",
            },
        ),
        (
            ids["fay"],
            "Fay",
            ids["acme"],
            ids["sam"],
            "Detractor, at risk: scored 6/10 in NPS Q2 on 2026-02-19",
            {
                "score": 6,
                "category": "detractor",
                "list": "NPS Q2",
                "answered_on": "2026-02-19",
                "respondent": "unnamed",
            },
        ),
        (
            ids["ann"],
            "Ann Alder",
            ids["acme"],
            ids["sam"],
            "Promoter, a reference and cross-sell candidate: scored 10/10 in NPS Q2 on 2026-02-18",
            {
                "score": 10,
                "category": "promoter",
                "list": "NPS Q2",
                "answered_on": "2026-02-18",
                "respondent": "unnamed",
            },
        ),
    ]


def test_a_salesperson_sees_respondents_of_their_contacts_and_accounts(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        sams = section(connection, now=NOW, limit=10, owner_id=ids["sam"])
        sues = section(connection, now=NOW, limit=1, owner_id=ids["sue"])
    assert ([c.contact_id for c in sams.candidates], sams.total) == ([ids["fay"], ids["ann"]], 2)
    assert ([c.contact_id for c in sues.candidates], sues.total) == ([ids["cy"]], 2)
