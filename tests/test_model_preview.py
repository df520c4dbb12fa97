"""Checking a model file in readable words; previewing its activation, with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from lead_world import NOW
from model_world import BROKEN, CHANGED, DEFAULT, build_scored_world, moves, row_counts, states
from silverplatter.services.audit import Actor
from silverplatter.services.model_preview import (
    Move,
    SourceError,
    SourceInvalid,
    check_source,
    preview_source,
    preview_version,
)
from silverplatter.services.model_versions import (
    DiffLine,
    activate_source,
    roll_back,
    source_diff,
    version_history,
)
from silverplatter.storage.access_schema import audit_log
from web_world import seed_users


def test_errors_name_line_and_field_in_readable_words() -> None:
    assert check_source(DEFAULT) == []
    [error] = check_source(BROKEN)
    assert error == SourceError(69, "engagement.rules[1].points", "expected a number")
    assert str(error) == "line 69, engagement.rules[1].points: expected a number"
    several = DEFAULT.replace('start = "D"', 'start = "Q"').replace(
        "half_life_days = 45", "half_life_days = -4\nbogus = 1"
    )
    assert [str(error) for error in check_source(several)] == [
        "line 13, grading.start: expected a grade such as A+, B or D-, got 'Q'",
        "line 56, engagement.half_life_days: expected a number greater than 0",
        "line 57, engagement.bogus: unknown key 'bogus'",
    ]
    [syntax] = check_source(DEFAULT.replace("[grading]", "[grading\n"))
    assert syntax == SourceError(
        12, "TOML syntax", "expected ']' at the end of a table declaration"
    )


def test_preview_equals_what_activation_then_does(engine: Engine) -> None:
    build_scored_world(engine)
    preview = preview_source(engine, CHANGED, now=NOW)
    assert preview.active_version == 1
    assert preview.contacts == 6
    assert preview.stage_moves == (
        Move("lead", "mql", 1),
        Move("lead", "sql", 1),
        Move("mql", "lead", 1),
    )
    assert preview.grade_moves == (Move("B", "B+", 1), Move("D+", "C-", 1))
    assert (preview.stage_changes, preview.grade_changes, preview.handovers) == (3, 2, 1)

    with engine.connect() as connection:
        before = states(connection)
    counts = row_counts(engine)
    with engine.begin() as connection:
        result = activate_source(connection, CHANGED, now=NOW, actor=Actor(None))
        after = states(connection)
    assert result.stage_changes == preview.stage_changes
    assert moves(before, after, 0) == {
        (m.origin, m.target): m.contacts for m in preview.stage_moves
    }
    assert moves(before, after, 1) == {
        (m.origin, m.target): m.contacts for m in preview.grade_moves
    }
    grown = row_counts(engine)
    assert grown["handovers"] - counts["handovers"] == preview.handovers


def test_preview_writes_nothing(engine: Engine) -> None:
    build_scored_world(engine)
    counts = row_counts(engine)
    with engine.connect() as connection:
        before = states(connection)
    preview_source(engine, CHANGED, now=NOW)
    preview_version(engine, 1, now=NOW)
    assert row_counts(engine) == counts
    with engine.connect() as connection:
        assert states(connection) == before
        assert [entry.version for entry in version_history(connection)] == [1]


def test_an_invalid_file_is_refused_before_anything_runs(engine: Engine) -> None:
    build_scored_world(engine)
    counts = row_counts(engine)
    with pytest.raises(SourceInvalid) as caught:
        preview_source(engine, BROKEN, now=NOW)
    assert [error.line for error in caught.value.errors] == [69]
    with pytest.raises(SourceInvalid), engine.begin() as connection:
        activate_source(connection, BROKEN, now=NOW, actor=Actor(None))
    assert row_counts(engine) == counts


def test_activation_and_rollback_are_audited_with_the_user(engine: Engine) -> None:
    users = seed_users(engine, NOW)
    build_scored_world(engine)
    marketer = Actor(users["marketing"], "192.0.2.7")
    with engine.begin() as connection:
        activate_source(connection, CHANGED, now=NOW, actor=marketer)
    assert preview_version(engine, 1, now=NOW).stage_moves == (
        Move("lead", "mql", 1),
        Move("mql", "lead", 1),
        Move("sql", "lead", 1),
    )
    with engine.begin() as connection:
        result = roll_back(connection, 1, now=NOW, actor=Actor(users["admin"]))
    assert (result.model_version, result.stage_changes) == (1, 3)
    with engine.connect() as connection:
        entries = connection.execute(
            select(audit_log)
            .where(audit_log.c.action == "model.activated")
            .order_by(audit_log.c.id)
        ).all()
        history = version_history(connection)
    assert [(e.user_id, e.subject, e.ip_address) for e in entries] == [
        (users["marketing"], "scoring model version 2", "192.0.2.7"),
        (users["admin"], "scoring model version 1", None),
    ]
    assert entries[0].details == {
        "version": 2,
        "rollback": False,
        "contacts": 6,
        "stage_changes": 3,
    }
    assert entries[1].details["rollback"] is True
    assert [(h.version, h.active, h.created_by, h.activated_by) for h in history] == [
        (2, False, "Marketing User", "Marketing User"),
        (1, True, None, "Admin User"),
    ]


def test_the_diff_lists_changed_lines_with_their_numbers() -> None:
    old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
    new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"
    assert source_diff(old, new, context=1) == [
        DiffLine("same", 1, 1, "a"),
        DiffLine("removed", 2, None, "b"),
        DiffLine("added", None, 2, "B"),
        DiffLine("same", 3, 3, "c"),
        DiffLine("gap", None, None, "…"),
        DiffLine("same", 10, 10, "j"),
        DiffLine("added", None, 11, "k"),
    ]
    assert source_diff(DEFAULT, DEFAULT) == []
