"""``silverplatter programmes tick`` and ``list`` on a workspace with a live programme."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Engine, delete, insert, select
from typer.testing import CliRunner

from programme_world import ACTOR, NOW, build, sends
from silverplatter.cli import app
from silverplatter.services import programmes as service
from silverplatter.storage.lifecycle_schema import buying_windows
from silverplatter.storage.schema import supplier_contracts

runner = CliRunner()


def _flat(output: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐━─╇┳┻╍┼├┤┬┴]", " ", output)).strip()


def test_the_tick_command_enrols_and_runs_due_steps(engine: Engine, database_url: str) -> None:
    ids = build(engine)
    with engine.begin() as connection:
        draft = service.draft_of(
            {
                "slug": "hello",
                "name": "Hello",
                "definition": {
                    "entry": {
                        "rule": {
                            "field": "contact.lifecycle_stage",
                            "op": "equals",
                            "value": "lead",
                        }
                    },
                    "steps": [{"id": "hi", "type": "send_email", "template": "welcome"}],
                },
            }
        )
        made = service.create_programme(connection, draft, actor=ACTOR, now=NOW)
        assert service.activate(connection, made.id, actor=ACTOR, now=NOW) == 2
        connection.exec_driver_sql(
            f"UPDATE contacts SET lifecycle_stage = 'lead' WHERE id = {ids['eve']}"
        )
    result = runner.invoke(app, ["programmes", "tick", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert _flat(result.output) == (
        "hello: 1 entered Programme tick ran 3 sent 3 tasks 0 completed 3 exited 0 failed 0"
    )
    assert len(sends(engine)) == 3
    listed = runner.invoke(app, ["programmes", "list", "--database-url", database_url])
    assert _flat(listed.output) == (
        f"Programmes id slug status version active paused completed exited "
        f"{made.id} hello active 1 0 0 3 0"
    )


def test_windows_refresh_infers_each_accounts_buying_window(
    engine: Engine, database_url: str
) -> None:
    ids = build(engine)
    with engine.begin() as connection:
        connection.execute(delete(buying_windows))
        connection.execute(
            insert(supplier_contracts).values(
                account_id=ids["tampere-steel"],
                category="ERP",
                supplier="Old Systems Oy",
                end_date=date(2027, 6, 30),
                satisfaction=4,
                created_at=NOW,
            )
        )
    result = runner.invoke(app, ["windows", "refresh", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert _flat(result.output) == "1 accounts have an inferred buying window"
    with engine.connect() as connection:
        window = connection.execute(select(buying_windows)).one()
    assert (window.account_id, window.opens_on, window.closes_on, window.source) == (
        ids["tampere-steel"],
        date(2026, 12, 30),
        date(2027, 6, 30),
        "contract_end",
    )
