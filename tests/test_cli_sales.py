"""The sales commands: the queue and the handover check, on the fixed world."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from sales_world import build_sales_world
from silverplatter import cli
from silverplatter.cli import app
from silverplatter.storage.engine import make_engine

runner = CliRunner()
TUESDAY = datetime(2026, 6, 2, 15, 0, tzinfo=UTC)


def _words(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def workspace(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The sales world in an initialised workspace, seen on Tuesday 2 June 2026 at 15:00."""
    assert runner.invoke(app, ["init", "--database-url", database_url]).exit_code == 0
    engine = make_engine(database_url)
    with engine.begin() as connection:
        build_sales_world(connection, with_ceo=True)
    engine.dispose()
    monkeypatch.setattr(cli, "_now", lambda: TUESDAY)
    monkeypatch.setattr(cli.console, "_width", 220)
    yield database_url


def test_queue_shows_the_ranked_cards(workspace: str) -> None:
    result = runner.invoke(app, ["queue", "--database-url", workspace])
    assert result.exit_code == 0, result.output
    text = result.output
    order = [text.index(email) for email in ("ops@acme.fi", "ceo@acme.fi", "director@pohja.fi")]
    assert order == sorted(order)
    for expected in (
        "Sales queue",
        "Acme Machinery Oy",
        "overdue 1 d",
        "asked for contact 2 days ago",
        "Overdue by 1 day: call today, then accept, recycle or disqualify",
        "owner: Sofia Sales",
        "43.6",
    ):
        assert expected in text
    assert "solo@example.org" in text


def test_queue_of_one_owner_with_a_limit(workspace: str) -> None:
    owner = ["--owner", "Sami@silverplatter.test", "--limit", "1"]
    result = runner.invoke(app, ["queue", *owner, "--database-url", workspace])
    assert result.exit_code == 0, result.output
    assert "director@pohja.fi" in result.output
    assert "ops@acme.fi" not in result.output and "buyer@kauppa.se" not in result.output


def test_queue_refuses_an_unknown_owner(workspace: str) -> None:
    result = runner.invoke(
        app, ["queue", "--owner", "nobody@example.org", "--database-url", workspace]
    )
    assert result.exit_code == 1
    assert "--owner: no user with the email 'nobody@example.org'" in _words(result.output)


def test_handover_check_alerts_each_quasi_lead_once(workspace: str) -> None:
    first = runner.invoke(app, ["handover", "check", "--database-url", workspace])
    assert first.exit_code == 0, first.output
    text = _words(first.output)
    assert "Handed over 0 new SQLs." in text
    assert "Quasi-leads: 2 new alerts" in text
    assert "ops@acme.fi" in text and "ceo@acme.fi" in text
    assert "director@pohja.fi" not in text
    assert "aino@silverplatter.test" in text
    again = runner.invoke(app, ["handover", "check", "--database-url", workspace])
    assert again.exit_code == 0, again.output
    assert "No new quasi-leads." in again.output


def test_an_empty_queue(database_url: str) -> None:
    assert runner.invoke(app, ["init", "--database-url", database_url]).exit_code == 0
    result = runner.invoke(app, ["queue", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "The sales queue is empty." in result.output
