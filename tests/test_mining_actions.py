"""The report's one-click actions: assign to an owner, enrol in a programme, give a task;
checked before anything is written, refusals naming the field, sales on its own only."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select

from mining_world import NOW, account, contact, programme
from silverplatter.services.audit import Actor
from silverplatter.services.mining.actions import (
    ActionError,
    Assign,
    Enrol,
    GiveTask,
    Target,
    assign,
    enrol,
    give_tasks,
)
from silverplatter.services.tasks import open_tasks
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.nurture_schema import enrolments
from silverplatter.storage.schema import accounts, contacts
from web_world import seed_users


def _world(engine: Engine) -> dict[str, int]:
    ids = dict(seed_users(engine))
    with engine.begin() as c:
        ids["ghost"] = account(c, "Ghost Oy")
        ids["mine"] = account(c, "Mine Oy", owner_id=ids["sales"])
        ids["ann"] = contact(c, "Ann", "Ghost", account_id=ids["ghost"])
        ids["bob"] = contact(c, "Bob", "Mine", account_id=ids["mine"])
        ids["cai"] = contact(c, "Cai", "Own", owner_id=ids["admin"])
        ids["live"] = programme(c, "live", "Lead refinery")
        ids["draft"] = programme(c, "draft", "Draft", status="draft")
    return ids


def test_assign_gives_contacts_or_else_accounts_and_is_audited(engine: Engine) -> None:
    ids = _world(engine)
    with engine.begin() as c:
        changed = assign(
            c,
            Assign(
                section="ghost_accounts",
                owner_id=ids["marketing"],
                targets=[
                    Target(account_id=ids["ghost"]),
                    Target(contact_id=ids["bob"], account_id=ids["mine"]),
                    Target(account_id=ids["ghost"]),
                ],
            ),
            actor=Actor(ids["admin"]),
            now=NOW,
        )
    assert changed == 2
    with engine.connect() as c:
        owners = dict(c.execute(select(accounts.c.name, accounts.c.owner_id)).all())
        bob = c.execute(select(contacts.c.owner_id).where(contacts.c.id == ids["bob"])).scalar()
        entry = c.execute(select(audit_log).where(audit_log.c.action == "mining.assigned")).one()
    assert owners == {"Ghost Oy": ids["marketing"], "Mine Oy": ids["sales"]}
    assert bob == ids["marketing"]
    assert entry.subject == "mining:ghost_accounts"
    assert entry.details == {
        "owner_id": ids["marketing"],
        "contact_ids": [ids["bob"]],
        "account_ids": [ids["ghost"]],
        "changed": 2,
    }


def test_enrol_uses_the_programmes_enrolment_once_per_contact(engine: Engine) -> None:
    ids = _world(engine)
    action = Enrol(
        section="met_decision_makers",
        programme_id=ids["live"],
        targets=[Target(contact_id=ids["ann"]), Target(contact_id=ids["bob"])],
    )
    with engine.begin() as c:
        assert enrol(c, action, actor=Actor(ids["marketing"]), now=NOW) == 2
        assert enrol(c, action, actor=Actor(ids["marketing"]), now=NOW) == 0
    with engine.connect() as c:
        entered = c.execute(select(enrolments.c.contact_id, enrolments.c.step)).all()
    assert sorted(entered) == sorted([(ids["ann"], "pause"), (ids["bob"], "pause")])


def test_tasks_go_to_the_chosen_owner_else_the_records_owner(engine: Engine) -> None:
    ids = _world(engine)
    with engine.begin() as c:
        made = give_tasks(
            c,
            GiveTask(
                section="closed_lost",
                title="Reopen the deal",
                due_on="2026-04-01",
                targets=[
                    Target(contact_id=ids["bob"], account_id=ids["mine"]),
                    Target(contact_id=ids["cai"]),
                    Target(account_id=ids["ghost"]),
                ],
            ),
            actor=Actor(ids["marketing"]),
            now=NOW,
        )
    assert len(made) == 3
    with engine.connect() as c:
        tasks = {t.id: t for t in open_tasks(c)}
    assert [(tasks[i].owner_id, tasks[i].source) for i in made] == [
        (ids["sales"], "mining:closed_lost"),
        (ids["admin"], "mining:closed_lost"),
        (ids["marketing"], "mining:closed_lost"),
    ]
    assert tasks[made[0]].due_on.isoformat() == "2026-04-01"  # type: ignore[union-attr]


def test_refusals_name_the_field_and_write_nothing(engine: Engine) -> None:
    ids = _world(engine)
    actor = Actor(ids["sales"])
    cases = [
        (
            assign,
            Assign(section="nps", owner_id=999, targets=[Target(account_id=ids["mine"])]),
            "owner_id",
        ),
        (
            assign,
            Assign(section="nps", owner_id=ids["sales"], targets=[Target(contact_id=12345)]),
            "targets[0].contact_id",
        ),
        (
            give_tasks,
            GiveTask(
                section="closed_lost",
                title="Call",
                targets=[Target(account_id=ids["mine"]), Target(account_id=ids["ghost"])],
            ),
            "targets[1]",
        ),
        (
            enrol,
            Enrol(
                section="nps", programme_id=ids["draft"], targets=[Target(contact_id=ids["bob"])]
            ),
            "programme_id",
        ),
        (
            enrol,
            Enrol(
                section="nps", programme_id=ids["live"], targets=[Target(account_id=ids["mine"])]
            ),
            "targets[0].contact_id",
        ),
        (
            assign,
            Assign(section="barren_programmes", owner_id=ids["sales"], targets=[Target()]),
            "targets[0]",
        ),
    ]
    for function, action, field in cases:
        with pytest.raises(ActionError) as refused, engine.begin() as c:
            function(c, action, actor=actor, now=NOW, own_only=ids["sales"])  # type: ignore[operator]
        assert refused.value.field == field, refused.value
    with engine.connect() as c:
        assert open_tasks(c) == []
        assert c.execute(select(enrolments)).first() is None
    with pytest.raises(ValidationError, match="section"):
        Assign(section="everything", owner_id=1, targets=[Target(account_id=1)])
    with pytest.raises(ValidationError, match="targets"):
        GiveTask(section="nps", title="Call", targets=[])
