"""``silverplatter plan measure`` and ``plan create`` on the fixed planning history."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from planning_world import NOW, build_planning_world
from silverplatter import cli
from silverplatter.cli import app
from silverplatter.services.planning import active_plan

runner = CliRunner()


def _flat(output: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐━─╇┳┻╍┼├┤┬┴]", " ", output)).strip()


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_now", lambda: NOW)
    monkeypatch.setattr(cli.console, "width", 160)


def test_measure_prints_the_rates_with_their_trials(engine: Engine, database_url: str) -> None:
    build_planning_world(engine)
    result = runner.invoke(app, ["plan", "measure", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "The funnel from 2025-03-02 to 2026-03-02" in out
    assert "New address → MQL 11 of 40 27.5% 19.5%–37.3% 20.0" in out
    assert "SQL → opportunity 2 of 7 28.6% 12.5%–52.8% 21.0 thin: set your own" in out
    assert "3 deals won, 30,000.00 on average" in out


def test_create_computes_saves_and_activates(engine: Engine, database_url: str) -> None:
    build_planning_world(engine)
    args = ["plan", "create", "--database-url", database_url, "--name", "H2 growth"]
    args += ["--starts-on", "2026-06", "--periods", "3", "--target", "60000", "--activate"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "2026-02 lead-in 0 0 0 24 88" in out
    assert "10 SQLs and 24 MQLs a month (active: the service level)" in out
    with engine.connect() as connection:
        found = active_plan(connection)
    assert found is not None and found.name == "H2 growth"

    hand = [*args[:5], "By hand", *args[6:-1], "--rate", "mql_to_sql=50", "--days", "mql_to_sql=10"]
    result = runner.invoke(app, hand)
    assert result.exit_code == 0, result.output
    assert "10 SQLs and 19 MQLs a month (saved, not active)" in _flat(result.output)


def test_create_names_each_bad_field(engine: Engine, database_url: str) -> None:
    args = ["plan", "create", "--database-url", database_url, "--name", "Empty"]
    args += ["--starts-on", "2026-13", "--target", "60000"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "error: starts_on: expected a month as YYYY-MM, not '2026-13'" in _flat(result.output)
    bad = runner.invoke(app, [*args[:-3], "2026-06", "--target", "1", "--rate", "nope=5"])
    assert bad.exit_code == 2
    assert "expected STEP=VALUE" in _flat(bad.output)
