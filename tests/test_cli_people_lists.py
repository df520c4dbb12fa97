"""``silverplatter people-lists import`` / ``list`` / ``delete``."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from lost_lead_world import account, contact
from silverplatter.cli import app

runner = CliRunner()


def _flat(output: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐━─╇┳┻╍┼├┤┬┴]", " ", output)).strip()


def test_import_list_and_delete_a_survey(engine: Engine, database_url: str, tmp_path: Path) -> None:
    with engine.begin() as c:
        acme = account(c, "Acme", domain="acme.example")
        contact(c, "ann@acme.example", account_id=acme)
    path = tmp_path / "nps.csv"
    path.write_text("email;score;comment;channel\nann@acme.example;9;Great\nbo@acme.example;4;\n")
    result = runner.invoke(
        app,
        [
            "people-lists",
            "import",
            str(path),
            "--kind",
            "nps_survey",
            "--name",
            "NPS Q1",
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert _flat(result.stdout) == (
        "People list 1: NPS Q1 (nps_survey) people 2 matched to contacts 1 "
        "matched to accounts 2 Columns left out: channel"
    )
    listed = runner.invoke(app, ["people-lists", "list", "--database-url", database_url])
    assert _flat(listed.stdout) == (
        "People lists id name kind people contacts accounts unmatched 1 NPS Q1 nps_survey 2 1 2 0"
    )
    deleted = runner.invoke(app, ["people-lists", "delete", "1", "--database-url", database_url])
    assert deleted.exit_code == 0 and "Deleted people list 1" in deleted.stdout


def test_a_bad_row_is_named_and_nothing_is_imported(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "nps.csv"
    path.write_text("email,score\nann@acme.example,9\nbo@acme.example,ten\n")
    result = runner.invoke(
        app,
        [
            "people-lists",
            "import",
            str(path),
            "--kind",
            "nps_survey",
            "--name",
            "Q1",
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 1
    assert "row 3, score: expected a whole number from 0 to 10, got 'ten'" in _flat(result.stderr)
    listed = runner.invoke(app, ["people-lists", "list", "--database-url", database_url])
    assert _flat(listed.stdout) == ("People lists id name kind people contacts accounts unmatched")
