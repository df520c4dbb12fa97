"""Tasks: created with checked ids, listed by owner and due date, closed once, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.audit import Actor
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.services.tasks import (
    TaskError,
    TaskFields,
    complete_task,
    create_task,
    create_tasks,
    open_tasks,
    open_tasks_about,
    tasks_about,
)
from silverplatter.services.users import create_user
from silverplatter.storage.access_schema import audit_log

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _world(engine: Engine) -> tuple[int, int, int, int]:
    with engine.begin() as connection:
        sales = create_user(
            connection,
            email="sam@example.com",
            name="Sam Sales",
            role="sales",
            password=None,
            now=NOW,
            actor=Actor(None),
        ).id
        marketing = create_user(
            connection,
            email="mia@example.com",
            name="Mia Marketing",
            role="marketing",
            password=None,
            now=NOW,
            actor=Actor(None),
        ).id
        account = upsert_accounts(
            connection, [AccountFields(name="Acme", domain="acme.example")], now=NOW
        ).ids[0]
        contact = upsert_contacts(
            connection, [ContactFields(email="ann@acme.example")], now=NOW
        ).ids[0]
    assert account is not None and contact is not None
    return sales, marketing, account, contact


def test_tasks_are_listed_by_owner_soonest_first_and_closed_once(engine: Engine) -> None:
    sales, marketing, account, contact = _world(engine)
    with engine.begin() as connection:
        later = create_task(
            connection,
            TaskFields(
                title="Call Ann", contact_id=contact, owner_id=sales, due_on=date(2026, 3, 9)
            ),
            actor=Actor(marketing),
            now=NOW,
        )
        undated, sooner = create_tasks(
            connection,
            [
                TaskFields(title="Review Acme", account_id=account, owner_id=sales),
                TaskFields(
                    title="Reopen the Acme deal",
                    account_id=account,
                    owner_id=sales,
                    due_on=date(2026, 3, 3),
                    source="mining:closed_lost",
                ),
            ],
            actor=Actor(marketing),
            now=NOW,
        )
        mine = create_task(connection, TaskFields(title="Plan Q2"), actor=Actor(marketing), now=NOW)
    with engine.begin() as connection:
        listed = open_tasks(connection, owner_id=sales)
        assert [task.id for task in listed] == [sooner, later, undated]
        assert listed[0].source == "mining:closed_lost"
        assert listed[0].account_name == "Acme"
        assert listed[1].contact_email == "ann@acme.example"
        assert listed[1].owner_name == "Sam Sales"
        assert [task.id for task in open_tasks(connection)] == [sooner, later, undated, mine]
        assert open_tasks(connection, owner_id=marketing)[0].owner_id == marketing
        with pytest.raises(TaskError, match="task_id: no task"):
            complete_task(connection, later, actor=Actor(marketing), now=NOW, own_only=True)
        done = complete_task(connection, later, actor=Actor(sales), now=NOW, own_only=True)
        assert (done.status, done.done_at) == ("done", NOW)
        again = complete_task(connection, later, actor=Actor(sales), now=NOW, own_only=True)
        assert again.done_at == NOW
        assert [task.id for task in open_tasks(connection, owner_id=sales)] == [sooner, undated]
        assert [task.id for task in tasks_about(connection, account_id=account)] == [
            sooner,
            undated,
        ]
        assert [task.id for task in tasks_about(connection, contact_id=contact)] == [later]
        actions = connection.execute(select(audit_log.c.action).order_by(audit_log.c.id))
        assert [row[0] for row in actions][-5:] == [
            "task.created",
            "task.created",
            "task.created",
            "task.created",
            "task.done",
        ]


def test_a_bad_id_is_refused_naming_its_field_and_nothing_is_written(engine: Engine) -> None:
    sales, marketing, account, contact = _world(engine)
    with engine.begin() as connection:
        with pytest.raises(TaskError, match="owner_id: no owner 999"):
            create_tasks(
                connection,
                [
                    TaskFields(title="Fine", contact_id=contact, owner_id=sales),
                    TaskFields(title="Bad", account_id=account, owner_id=999),
                ],
                actor=Actor(marketing),
                now=NOW,
            )
        with pytest.raises(TaskError, match="contact_id: no contact 4242"):
            create_task(
                connection, TaskFields(title="x", contact_id=4242), actor=Actor(sales), now=NOW
            )
        with pytest.raises(TaskError, match="owner_id: a task made from the command line"):
            create_task(connection, TaskFields(title="x"), actor=Actor(None), now=NOW)
        assert open_tasks(connection) == []
    with pytest.raises(ValidationError, match="title"):
        TaskFields(title="")
    with pytest.raises(ValidationError, match="source"):
        TaskFields(title="x", source="Mining Report")


def test_an_old_open_task_shows_behind_fifty_newer_done_ones(engine: Engine) -> None:
    sales, marketing, account, _contact = _world(engine)
    with engine.begin() as connection:
        old = create_task(
            connection,
            TaskFields(title="Call back in spring", account_id=account, owner_id=sales),
            actor=Actor(marketing),
            now=NOW,
        )
        newer = create_tasks(
            connection,
            [TaskFields(title=f"Done {n}", account_id=account, owner_id=sales) for n in range(55)],
            actor=Actor(marketing),
            now=NOW,
        )
        for task_id in newer:
            complete_task(connection, task_id, actor=Actor(sales), now=NOW, own_only=True)
        assert [task.id for task in open_tasks_about(connection, account_id=account)] == [old]
        assert len(tasks_about(connection, account_id=account)) == 50
