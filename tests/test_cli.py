"""The command line: exit codes, summaries and errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from silverplatter import __version__
from silverplatter.cli import app

runner = CliRunner()

CONTACTS = (
    "email;first_name;account_domain;created_at\n"
    "anna@nordtek.fi;Anna;nordtek.fi;31.01.2026\n"
    "not-an-email;Bo;vasa.se;01.02.2026\n"
)


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"silverplatter {__version__}"


def test_init_import_export_round_trip(database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(CONTACTS, encoding="utf-8")
    assert runner.invoke(app, ["init", "--database-url", database_url]).exit_code == 0
    first = runner.invoke(app, ["import", "contacts", str(source), "--database-url", database_url])
    assert first.exit_code == 0, first.output
    assert "│ created   │ 1 │" in first.output
    assert "│ rejected  │ 1 │" in first.output
    rejects = tmp_path / "contacts.rejects.csv"
    assert "not-an-email" in rejects.read_text(encoding="utf-8")
    again = runner.invoke(app, ["import", "contacts", str(source), "--database-url", database_url])
    assert "│ created   │ 0 │" in again.output and "│ updated   │ 0 │" in again.output
    exported = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["export", "contacts", str(exported), "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    assert "anna@nordtek.fi" in exported.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["import", "people", "{file}"], "object type must be one of accounts, contacts"),
        (["import", "contacts", "{file}", "--preset", "pipedrive"], "pipedrive"),
        (["import", "contacts", "{file}", "--date-order", "dym"], "--date-order must be"),
        (["export", "deals", "{out}"], "object type must be one of"),
    ],
)
def test_bad_arguments_exit_non_zero_with_a_reason(
    database_url: str, tmp_path: Path, arguments: list[str], message: str
) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(CONTACTS, encoding="utf-8")
    runner.invoke(app, ["init", "--database-url", database_url])
    filled = [a.format(file=source, out=tmp_path / "x.csv") for a in arguments]
    result = runner.invoke(app, [*filled, "--database-url", database_url])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


def test_commands_refuse_a_database_without_workspace(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    result = runner.invoke(
        app, ["export", "contacts", str(tmp_path / "x.csv"), "--database-url", url]
    )
    assert result.exit_code == 1
    assert "run `silverplatter init` first" in " ".join(result.output.split())


def test_config_never_prints_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILVERPLATTER_SECRET_KEY", "very-secret-value")
    monkeypatch.setenv("SILVERPLATTER_DATABASE_URL", "postgresql://app:hunter2@db/sp")
    from silverplatter.settings import get_settings

    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["config"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0
    assert "very-secret-value" not in result.output and "hunter2" not in result.output
    assert "postgresql://app:***@db/sp" in result.output
