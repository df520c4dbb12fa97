"""``silverplatter programmes tick`` and ``list`` on a workspace with a live programme."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from typer.testing import CliRunner

from programme_world import ACTOR, NOW, build, sends
from silverplatter.cli import app
from silverplatter.services import programmes as service

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
