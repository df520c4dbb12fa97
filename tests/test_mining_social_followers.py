"""Social followers: list entries that match no contact now, those at known accounts first."""

from __future__ import annotations

from sqlalchemy import Engine

from lost_lead_world import NOW, account, at, contact, entry, people_list, user
from silverplatter.services.mining.social_followers import section


def _world(engine: Engine) -> dict[str, int]:
    with engine.begin() as c:
        sam = user(c, "Sam Sales")
        acme = account(c, "Acme Oy", owner=sam, domain="acme.example")
        beta = account(c, "Beta")
        # Ann and Lee became contacts after the import (the import tied the
        # entries of people known then): they match by e-mail, name and profile now.
        ann = contact(
            c,
            "ann@acme.example",
            account_id=acme,
            first="Ann",
            last="Alder",
            updated_at=at(2026, 2, 10),
        )
        contact(
            c,
            "lee@x.example",
            linkedin_url="https://www.linkedin.com/in/lee-l",
            updated_at=at(2026, 2, 10),
        )
        followers = people_list(c, "LinkedIn followers", "social_followers", at(2026, 2, 1))
        entry(c, followers, email="Ann@acme.example", full_name="Ann A", account_id=acme)
        entry(c, followers, linkedin_url="https://www.linkedin.com/in/lee-l")
        entry(c, followers, full_name=" ann alder", account_id=acme)  # the same name at Acme
        max_ = entry(
            c, followers, full_name="Max Moor", company="Acme Oy", handle="@max", account_id=acme
        )
        nia = entry(c, followers, full_name="Nia N", company="Nimbus")
        zed = entry(c, followers, handle="@zed")
        entry(c, followers, email="ann@acme.example", contact_id=ann, account_id=acme)
        ola = entry(c, followers, full_name="Ola O", account_id=beta)
        survey = people_list(c, "NPS", "nps_survey", at(2026, 2, 1))
        entry(c, survey, full_name="Not A Follower", score=5)
    return {"sam": sam, "acme": acme, "beta": beta, "max": max_, "nia": nia, "zed": zed, "ola": ola}


def test_followers_who_are_not_contacts_at_known_accounts_first(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        found = section(connection, now=NOW, limit=10)
    assert (found.key, found.total, found.actions) == ("social_followers", 4, ("assign", "task"))
    assert [
        (
            c.contact_id,
            c.contact_name,
            c.account_id,
            c.account_name,
            c.owner_id,
            c.reason,
            c.figures,
        )
        for c in found.candidates
    ] == [
        (
            None,
            "Max Moor",
            ids["acme"],
            "Acme Oy",
            ids["sam"],
            "Follows us (LinkedIn followers) but is not a contact yet; works at Acme Oy, "
            "owned by Sam Sales",
            {"list": "LinkedIn followers", "company": "Acme Oy", "handle": "@max"},
        ),
        (
            None,
            "Ola O",
            ids["beta"],
            "Beta",
            None,
            "Follows us (LinkedIn followers) but is not a contact yet; works at Beta, "
            "which nobody owns",
            {"list": "LinkedIn followers"},
        ),
        (
            None,
            "Nia N",
            None,
            "Nimbus",
            None,
            "Follows us (LinkedIn followers) but is not a contact yet; works at Nimbus "
            "(not an account yet)",
            {"list": "LinkedIn followers", "company": "Nimbus"},
        ),
        (
            None,
            "@zed",
            None,
            None,
            None,
            "Follows us (LinkedIn followers) but is not a contact yet",
            {"list": "LinkedIn followers", "handle": "@zed"},
        ),
    ]


def test_a_salesperson_sees_followers_at_their_accounts(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        sams = section(connection, now=NOW, limit=10, owner_id=ids["sam"])
        first = section(connection, now=NOW, limit=1)
    assert ([c.contact_name for c in sams.candidates], sams.total) == (["Max Moor"], 1)
    assert ([c.contact_name for c in first.candidates], first.total) == (["Max Moor"], 4)
