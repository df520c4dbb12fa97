"""``silverplatter figures refresh`` counts the snapshots and names a wrong kind."""

from __future__ import annotations

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from silverplatter.cli import app
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.snapshot_schema import figure_snapshots
from test_dashboard import NOW

runner = CliRunner()


def test_refresh_counts_every_kind_or_the_ones_asked_for(engine: Engine, database_url: str) -> None:
    init_workspace(engine, name="Seller Oy", now=NOW)
    result = runner.invoke(app, ["figures", "refresh", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for name in ("dashboard", "list_summary", "list_kpis:12"):
        assert f"{name} │" in text
    with engine.connect() as connection:
        names = connection.execute(select(figure_snapshots.c.name).order_by("name")).scalars()
        assert list(names) == ["dashboard", "list_kpis:12", "list_summary"]
    one = runner.invoke(
        app, ["figures", "refresh", "--kind", "list_kpis:6", "--database-url", database_url]
    )
    assert one.exit_code == 0, one.output
    assert "list_kpis:6 │" in " ".join(one.output.split())
    wrong = runner.invoke(
        app, ["figures", "refresh", "--kind", "funnel", "--database-url", database_url]
    )
    assert wrong.exit_code != 0
    assert "no figures called 'funnel'" in " ".join(wrong.output.split())
