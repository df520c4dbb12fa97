"""The model, engine and explain commands: exit codes, lines of errors, what they print."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from lead_world import NOW, build_world
from silverplatter.cli import app
from silverplatter.domain.model_file import default_model_text
from silverplatter.services.ingest import ingest_events
from silverplatter.storage.engagement_schema import contact_scores, scoring_models
from silverplatter.storage.engine import make_engine
from silverplatter.storage.schema import contacts
from test_scoring import SCRIPT

runner = CliRunner()

BAD_MODEL = """\
[model]
name = "Broken"

[[engagement.rules]]
event = "page_view"
points = 0

[thresholds.default]
mql = { score = 20 }
sql = { scor = 40 }
"""


def _tuned(tmp_path: Path, name: str = "Tuned") -> Path:
    path = tmp_path / f"{name.lower()}.toml"
    text = default_model_text().replace('name = "B2B default"', f'name = "{name}"')
    path.write_text(text.replace("points = 40", "points = 60"), encoding="utf-8")
    return path


def _workspace_with_world(database_url: str) -> None:
    assert runner.invoke(app, ["init", "--database-url", database_url]).exit_code == 0
    engine = make_engine(database_url)
    with engine.begin() as connection:
        build_world(connection)
        ingest_events(connection, SCRIPT, now=NOW)
    engine.dispose()


def _active_versions(database_url: str) -> list[tuple[int, str]]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(scoring_models.c.version, scoring_models.c.name).where(
                scoring_models.c.active.is_(True)
            )
        ).all()
    engine.dispose()
    return [(row.version, row.name) for row in rows]


def test_validate_a_good_file_without_a_workspace(tmp_path: Path) -> None:
    result = runner.invoke(app, ["model", "validate", str(_tuned(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "valid: Tuned, 6 criteria, 13 rules"


def test_validate_names_file_line_and_field_of_each_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_MODEL, encoding="utf-8")
    result = runner.invoke(app, ["model", "validate", str(bad)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{bad}:6: engagement.rules.0.points: points must not be 0 (leave the rule out instead)",
        f"{bad}:10: thresholds.default.sql.scor: unknown key 'scor'",
    ]
    broken = tmp_path / "syntax.toml"
    broken.write_text('[model]\nname = "x"\nbad = = 1\n', encoding="utf-8")
    result = runner.invoke(app, ["model", "validate", str(broken)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{broken}:3: syntax: ")


def test_activate_an_invalid_file_leaves_the_old_model_active(
    database_url: str, tmp_path: Path
) -> None:
    _workspace_with_world(database_url)
    good = runner.invoke(
        app, ["model", "activate", str(_tuned(tmp_path)), "--database-url", database_url]
    )
    assert good.exit_code == 0, good.output
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_MODEL, encoding="utf-8")
    result = runner.invoke(app, ["model", "activate", str(bad), "--database-url", database_url])
    assert result.exit_code == 1
    assert f"{bad}:6: engagement.rules.0.points" in result.output
    assert _active_versions(database_url) == [(2, "Tuned")]
    shown = runner.invoke(app, ["model", "show", "--database-url", database_url])
    assert shown.exit_code == 0 and 'name = "Tuned"' in shown.output


def test_activate_a_valid_file_recomputes_and_rollback_returns(
    database_url: str, tmp_path: Path
) -> None:
    _workspace_with_world(database_url)  # scoring the events installed version 1
    result = runner.invoke(
        app, ["model", "activate", str(_tuned(tmp_path)), "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    assert "Activated version 2: Tuned" in result.output
    assert "│ contacts      │ 6" in result.output and "│ accounts      │ 4" in result.output
    engine = make_engine(database_url)
    with engine.connect() as connection:
        versions = connection.execute(
            select(contact_scores.c.model_version, func.count()).group_by(
                contact_scores.c.model_version
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in versions] == [(2, 6)]
    history = runner.invoke(app, ["model", "history", "--database-url", database_url])
    assert history.exit_code == 0
    lines = [line for line in history.output.splitlines() if "│ 2 " in line or "│ 1 " in line]
    assert "Tuned" in lines[0] and "yes" in lines[0] and "B2B default" in lines[-1]
    back = runner.invoke(app, ["model", "rollback", "1", "--database-url", database_url])
    assert back.exit_code == 0, back.output
    assert "Version 1 is active again: B2B default" in back.output
    assert _active_versions(database_url) == [(1, "B2B default")]
    missing = runner.invoke(app, ["model", "rollback", "9", "--database-url", database_url])
    assert missing.exit_code == 1 and "no scoring model version 9" in missing.output
    old = runner.invoke(app, ["model", "show", "--version", "2", "--database-url", database_url])
    assert old.exit_code == 0 and "points = 60" in old.output


def test_engine_recompute_prints_its_figures(database_url: str) -> None:
    _workspace_with_world(database_url)
    result = runner.invoke(app, ["engine", "recompute", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Recompute with model version 1" in text
    for figure in ("│ contacts │ 6 │", "│ accounts │ 4 │", "stage changes", "seconds"):
        assert figure in text


def test_explain_prints_grade_score_thresholds_and_next_step(database_url: str) -> None:
    _workspace_with_world(database_url)
    arguments = ["--at", "2026-06-01T12:00:00+00:00", "--database-url", database_url]
    result = runner.invoke(app, ["explain", "ops@acme.fi", *arguments])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Grade A- Score 43.6 Stage sql (engine: sql)" in text
    assert "Score 43.64: points per rule" in text
    assert "7 → cap 5" in text
    assert "seniority Manager is one of C-level │ missing" in text
    assert "Reality check" in text and "8 of 29 touches (Law of 29)" in text
    assert "call within 1 working day: asked for contact, a demo or a quote yesterday" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["explain", "nobody@example.org"], "no contact 'nobody@example.org'"),
        (["explain", "ops@acme.fi", "--at", "next tuesday"], "--at: expected an ISO time"),
    ],
)
def test_explain_refuses_what_it_cannot_explain(
    database_url: str, arguments: list[str], message: str
) -> None:
    _workspace_with_world(database_url)
    result = runner.invoke(app, [*arguments, "--database-url", database_url])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())


def test_recompute_says_what_it_left_queued_and_score_backlog_folds_it(
    database_url: str,
) -> None:
    assert runner.invoke(app, ["init", "--database-url", database_url]).exit_code == 0
    engine = make_engine(database_url)
    with engine.begin() as connection:
        build_world(connection)
        queued = ingest_events(connection, SCRIPT, now=NOW, defer=True)
    engine.dispose()
    recomputed = runner.invoke(app, ["engine", "recompute", "--database-url", database_url])
    assert recomputed.exit_code == 0, recomputed.output
    text = " ".join(recomputed.output.split())
    assert f"{queued.queued} events are waiting in the scoring backlog, left to the" in text
    drained = runner.invoke(app, ["engine", "score-backlog", "--database-url", database_url])
    assert drained.exit_code == 0, drained.output
    text = " ".join(drained.output.split())
    assert f"│ scored │ {queued.queued} │" in text
    again = runner.invoke(app, ["engine", "score-backlog", "--database-url", database_url])
    assert "│ scored │ 0 │" in " ".join(again.output.split())
    before = _scores(database_url)
    assert len(before) == 6 and any(score > 0 for _e, score, _g in before)
    # a recompute now finds nothing queued and the state the scorer left
    again_recomputed = runner.invoke(app, ["engine", "recompute", "--database-url", database_url])
    assert "waiting in the scoring backlog" not in again_recomputed.output
    after = _scores(database_url)
    assert [(e, g) for e, _s, g in after] == [(e, g) for e, _s, g in before]
    assert all(abs(a[1] - b[1]) < 1e-6 for a, b in zip(after, before, strict=True))


def _scores(database_url: str) -> list[tuple[str, float, str]]:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(contacts.c.email, contact_scores.c.score, contact_scores.c.grade)
            .join(contacts, contacts.c.id == contact_scores.c.contact_id)
            .order_by(contacts.c.email)
        ).all()
    engine.dispose()
    return [(row.email, row.score, row.grade) for row in rows]
