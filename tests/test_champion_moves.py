"""Champion moves on both backends: detection by LinkedIn and by name, a move marked by
hand, a look-alike left alone, histories, both owners' tasks, idempotence, imports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from champion_world import NOW, T0, T1, World, build
from silverplatter.domain.records import ContactFields
from silverplatter.services.audit import Actor
from silverplatter.services.champion_moves import MoveError, detect_moves, mark_move
from silverplatter.services.champion_moves_view import (
    MoveTask,
    MoveView,
    account_moves,
    contact_employment,
    moves_csv,
    recent_moves,
)
from silverplatter.services.importing import import_csv
from silverplatter.services.ingest import ingest_events
from silverplatter.services.records import upsert_contacts
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.planning_schema import champion_moves, employment_history, tasks
from silverplatter.storage.schema import contacts


def _detect_all(engine: Engine, world: World) -> list[Any]:
    with engine.begin() as connection:
        return detect_moves(connection, list(world.contacts.values()), now=NOW)


def _moves(engine: Engine) -> list[tuple[Any, ...]]:
    query = select(
        champion_moves.c.contact_id,
        champion_moves.c.new_contact_id,
        champion_moves.c.from_account_id,
        champion_moves.c.to_account_id,
        champion_moves.c.matched_by,
        champion_moves.c.detected_at,
        champion_moves.c.recorded_by,
    ).order_by(champion_moves.c.id)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _history(engine: Engine) -> list[tuple[Any, ...]]:
    h = employment_history.c
    query = select(
        h.contact_id, h.account_id, h.account_name, h.email, h.title, h.started_at, h.ended_at
    ).order_by(h.contact_id, h.id)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _tasks(engine: Engine) -> list[tuple[Any, ...]]:
    t = tasks.c
    query = select(t.title, t.contact_id, t.account_id, t.owner_id, t.due_on, t.source).order_by(
        t.id
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _mark_pia(engine: Engine, world: World) -> None:
    with engine.begin() as connection:
        mark_move(
            connection,
            world.contacts["pia"],
            world.accounts["third"],
            actor=Actor(world.users["mia"], "10.0.0.1"),
            now=NOW,
        )


def test_moves_are_recorded_once_with_histories_and_both_owners_tasks(engine: Engine) -> None:
    world = build(engine)
    c, a, u = world.contacts, world.accounts, world.users
    recorded = _detect_all(engine, world)
    assert [(m.contact_id, m.matched_by, m.champion, m.unalerted) for m in recorded] == [
        (c["jane"], "linkedin", ("decision role decision maker",), ()),
        (c["matti"], "name_domain", (), ()),
    ]
    _mark_pia(engine, world)

    assert _moves(engine) == [
        (c["jane"], c["jane2"], a["old"], a["new"], "linkedin", NOW, None),
        (c["matti"], c["matti2"], a["old"], a["third"], "name_domain", NOW, None),
        (c["pia"], None, a["old"], a["third"], "user", NOW, u["mia"]),
    ]
    assert _history(engine) == [
        (c["jane"], a["old"], "Old Oy", "jane@old.example", "CFO", T0, T1),
        (c["jane"], a["new"], "New AB", "jd@new.example", "CEO", T1, None),
        (c["matti"], a["old"], "Old Oy", "matti@old.example", "Buyer", T0, T1),
        (c["matti"], a["third"], "Third GmbH", "matti.meikalainen@third.example", None, T1, None),
        (c["pia"], a["old"], "Old Oy", "pia@old.example", None, T0, NOW),
        (c["pia"], a["third"], "Third GmbH", "pia@old.example", None, NOW, None),
        (c["jane2"], a["new"], "New AB", "jd@new.example", "CEO", T1, None),
        (c["matti2"], a["third"], "Third GmbH", "matti.meikalainen@third.example", None, T1, None),
    ]
    champion_due, plain_due = date(2026, 3, 4), date(2026, 3, 16)
    assert _tasks(engine) == [
        ("risk: Jane Doe left Old Oy for New AB", c["jane"], a["old"], u["sam"], champion_due,
         "champion_move"),
        ("opening: Jane Doe joined New AB from Old Oy, who knew us at Old Oy", c["jane2"],
         a["new"], u["olle"], champion_due, "champion_move"),
        ("risk: Matti Meikalainen left Old Oy for Third GmbH", c["matti"], a["old"], u["sam"],
         plain_due, "champion_move"),
        ("opening: Matti Meikalainen joined Third GmbH from Old Oy, who knew us at Old Oy",
         c["matti2"], a["third"], u["mia"], plain_due, "champion_move"),
        ("risk: Pia Virta left Old Oy for Third GmbH", c["pia"], a["old"], u["sam"],
         champion_due, "champion_move"),
    ]  # fmt: skip
    with engine.connect() as connection:
        pia_account = connection.execute(
            select(contacts.c.account_id).where(contacts.c.id == c["pia"])
        ).scalar_one()
        marked = connection.execute(
            select(audit_log.c.subject, audit_log.c.user_id, audit_log.c.details).where(
                audit_log.c.action == "champion_move.marked"
            )
        ).all()
    assert pia_account == a["third"]
    assert [tuple(row) for row in marked] == [
        (
            f"contact {c['pia']}",
            u["mia"],
            {"from_account_id": a["old"], "to_account_id": a["third"]},
        )
    ]

    before = (_moves(engine), _history(engine), _tasks(engine))
    assert _detect_all(engine, world) == []
    assert (_moves(engine), _history(engine), _tasks(engine)) == before


def test_the_pages_read_moves_with_tasks_champions_and_who_was_not_alerted(
    engine: Engine,
) -> None:
    world = build(engine)
    c, a, u = world.contacts, world.accounts, world.users
    _detect_all(engine, world)
    _mark_pia(engine, world)
    with engine.connect() as connection:
        everyone = recent_moves(connection)
        olle = recent_moves(connection, owner_id=u["olle"])
        jane = contact_employment(connection, c["jane"])
        jane2 = contact_employment(connection, c["jane2"])
        left, joined = account_moves(connection, a["third"])
    assert [(m.name, m.from_name, m.to_name, m.match_words, m.champion) for m in everyone] == [
        ("Pia Virta", "Old Oy", "Third GmbH", "marked by hand", ("decision role champion",)),
        ("Matti Meikalainen", "Old Oy", "Third GmbH", "same name, new e-mail domain", ()),
        (
            "Jane Doe",
            "Old Oy",
            "New AB",
            "same LinkedIn profile",
            ("decision role decision maker",),
        ),
    ]
    assert [m.unalerted for m in everyone] == [("Third GmbH",), (), ()]
    assert [[(t.owner_name, t.status) for t in m.tasks] for m in everyone] == [
        [("Sam Sales", "open")],
        [("Sam Sales", "open"), ("Mia Marketing", "open")],
        [("Sam Sales", "open"), ("Olle Owner", "open")],
    ]
    assert [m.name for m in olle] == ["Jane Doe"]
    assert [(j.account_name, j.started_at, j.ended_at) for j in jane.jobs] == [
        ("Old Oy", T0, T1),
        ("New AB", T1, None),
    ]
    assert [m.id for m in jane.moves] == [m.id for m in jane2.moves] == [everyone[2].id]
    assert (left, [m.name for m in joined]) == ([], ["Pia Virta", "Matti Meikalainen"])
    assert moves_csv(everyone[2:]).splitlines() == [
        "detected_at,name,email,new_email,from_account,to_account,matched_by,champion,tasks,"
        "nobody_alerted_at",
        "2026-03-02T09:00:00+00:00,Jane Doe,jane@old.example,jd@new.example,Old Oy,New AB,"
        "linkedin,decision role decision maker,"
        '"risk: Jane Doe left Old Oy for New AB (Sam Sales, open); opening: Jane Doe joined '
        'New AB from Old Oy, who knew us at Old Oy (Olle Owner, open)",',
    ]


def test_the_csv_writes_cells_a_spreadsheet_would_run_as_text() -> None:
    move = MoveView(
        id=1,
        contact_id=2,
        name='=HYPERLINK("http://x","y")',
        email="eve@old.example",
        new_contact_id=None,
        new_email=None,
        from_account_id=3,
        from_name="+1-2",
        to_account_id=4,
        to_name="-3",
        matched_by="manual",
        detected_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        champion=("@SUM(A1)",),
        tasks=(MoveTask(5, "-1 day", None, "open", None),),
        unalerted=(),
    )
    assert moves_csv([move]).splitlines()[1] == (
        '2026-03-02T09:00:00+00:00,"\'=HYPERLINK(""http://x"",""y"")",'
        "eve@old.example,,'+1-2,-3,manual,'@SUM(A1),\"'-1 day (nobody, open)\","
    )


@pytest.mark.parametrize(
    ("contact", "account", "field", "message"),
    [
        ("pia", "old", "to_account_id", "the contact already works at Old Oy"),
        ("jane", "new", "to_account_id", "the move to New AB is already recorded"),
        ("pia", "missing", "to_account_id", "no account 999"),
        ("missing", "new", "contact_id", "no contact 999"),
    ],
)
def test_a_move_by_hand_is_refused_naming_the_field(
    engine: Engine, contact: str, account: str, field: str, message: str
) -> None:
    world = build(engine)
    _detect_all(engine, world)
    with engine.begin() as connection, pytest.raises(MoveError) as refused:
        mark_move(
            connection,
            world.contacts.get(contact, 999),
            world.accounts.get(account, 999),
            actor=Actor(world.users["mia"]),
            now=NOW,
        )
    assert (refused.value.field, refused.value.message) == (field, message)


def _csv(path: Path) -> Path:
    path.write_text(
        "email,first_name,last_name,title,linkedin_url,account_domain,created_at\n"
        "jd@new.example,J.,Doe,CEO,linkedin.com/in/JANE-DOE,new.example,2026-02-02T09:00:00Z\n"
        "someone@new.example,Some,One,,,new.example,2026-02-02T09:00:00Z\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("detect", [True, False])
def test_importing_a_moved_person_raises_the_move(
    engine: Engine, tmp_path: Path, detect: bool
) -> None:
    world = build(engine, with_new_people=False)
    assert _detect_all(engine, world) == []
    summary = import_csv(
        engine, _csv(tmp_path / "people.csv"), "contacts", now=NOW, detect_champion_moves=detect
    )
    assert (summary.created, summary.rejected) == (2, 0)
    with engine.connect() as connection:
        jane2 = connection.execute(
            select(contacts.c.id).where(contacts.c.email_key == "jd@new.example")
        ).scalar_one()
        task_count = connection.execute(select(func.count()).select_from(tasks)).scalar_one()
    c, a = world.contacts, world.accounts
    if detect:
        assert _moves(engine) == [(c["jane"], jane2, a["old"], a["new"], "linkedin", NOW, None)]
        assert task_count == 2
    else:
        assert (_moves(engine), task_count) == ([], 0)


def test_a_name_too_common_in_the_workspace_moves_nobody(engine: Engine) -> None:
    world = build(engine, with_new_people=False)
    with engine.begin() as connection:
        namesakes = [
            ContactFields(
                email=f"pia.virta{n}@old.example",
                first_name="Pia",
                last_name="Virta",
                account_domain="old.example",
                created_at=T0,
            )
            for n in range(5)
        ]
        upsert_contacts(connection, namesakes, now=T0)
        newcomer = ContactFields(
            email="pia.virta@new.example",
            first_name="Pia",
            last_name="Virta",
            account_domain="new.example",
            created_at=T1,
        )
        new_id = upsert_contacts(connection, [newcomer], now=T1).ids[0]
        assert new_id is not None
        # Seven records named Pia Virta, all at Old Oy: too common to tell who moved.
        assert detect_moves(connection, [new_id], now=NOW) == []
    assert _moves(engine) == [] and world.contacts["pia"] > 0


def test_a_form_submitter_known_at_another_account_raises_the_move(engine: Engine) -> None:
    world = build(engine, with_new_people=False)
    submission = {
        "type": "form_submit",
        "occurred_at": NOW.isoformat(),
        "email": "jd@new.example",
        "contact": {
            "first_name": "J.",
            "last_name": "Doe",
            "linkedin_url": "http://LinkedIn.com/in/Jane-Doe/",
            "account_domain": "new.example",
        },
        "properties": {"form": "pricing"},
    }
    for _ in range(2):  # the same person submitting again raises nothing new
        with engine.begin() as connection:
            result = ingest_events(connection, [submission], now=NOW, score=False)
        assert result.errors == []
    with engine.connect() as connection:
        jane2 = connection.execute(
            select(contacts.c.id).where(contacts.c.email_key == "jd@new.example")
        ).scalar_one()
        task_count = connection.execute(select(func.count()).select_from(tasks)).scalar_one()
    c, a = world.contacts, world.accounts
    assert _moves(engine) == [(c["jane"], jane2, a["old"], a["new"], "linkedin", NOW, None)]
    assert task_count == 2
