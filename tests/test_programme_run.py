"""Running due steps, purely: waits by duration and by buying window, branches, loops,
actions, and the exits checked before anything runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from silverplatter.domain.programme_conditions import ContactFacts
from silverplatter.domain.programme_run import (
    SegmentAction,
    SendAction,
    StageAction,
    SuppressAction,
    advance,
    event_keys,
    segments_read,
)
from silverplatter.domain.programme_templates import built_in_definition
from silverplatter.domain.programmes import Definition, parse_definition

NOW = datetime(2026, 1, 31, 10, 30, tzinfo=UTC)
FACTS = ContactFacts(7, stage="lead", owner_id=3, window_opens=date(2026, 7, 15))


def _definition(*steps: dict[str, Any], goal: tuple[str, ...] = ()) -> Definition:
    return parse_definition(
        {"entry": {"segment": "all"}, "goal_stages": list(goal), "steps": list(steps)}
    )


def _send(step_id: str) -> dict[str, Any]:
    return {"id": step_id, "type": "send_email", "template": step_id}


def test_a_duration_wait_counts_calendar_months_from_now() -> None:
    definition = _definition(
        _send("a"), {"id": "w", "type": "wait", "months": 1, "days": 1, "hours": 2}, _send("b")
    )
    result = advance(definition, "a", FACTS, NOW)
    assert (result.status, result.step, result.due_at) == (
        "active",
        "b",
        datetime(2026, 3, 1, 12, 30, tzinfo=UTC),  # 31 January + 1 month = 28 February
    )
    assert result.actions == (SendAction("a", "a"),)
    assert [(r.step, r.action) for r in result.records] == [("a", "sent"), ("w", "waiting")]
    done = advance(definition, "b", FACTS, result.due_at or NOW)
    assert (done.status, done.step, done.due_at, done.exit_reason) == (
        "completed",
        None,
        None,
        "finished",
    )


def test_a_window_wait_waits_for_the_day_at_its_hour() -> None:
    definition = _definition(
        {"id": "w", "type": "wait", "until": {"months": -6, "days": 1}, "at_hour": 8}, _send("b")
    )
    early = advance(definition, "w", FACTS, datetime(2026, 1, 15, tzinfo=UTC))
    assert (early.step, early.due_at) == ("b", datetime(2026, 1, 16, 8, tzinfo=UTC))
    # The same day after 08:00: on at once.
    late = advance(definition, "w", FACTS, datetime(2026, 1, 16, 9, tzinfo=UTC))
    assert late.status == "completed" and late.actions == (SendAction("b", "b"),)
    closes = _definition({"id": "w", "type": "wait", "until": {"edge": "closes"}}, _send("b"))
    unknown = advance(closes, "w", FACTS, NOW)  # the window's close is not known
    assert (unknown.status, unknown.exit_reason) == ("exited", "no buying window")


def test_a_passed_window_day_goes_on_or_skips_to_the_next_wait() -> None:
    steps = [
        {"id": "w1", "type": "wait", "until": {"months": -12}, "if_passed": "skip"},
        _send("s1"),
        {"id": "w2", "type": "wait", "until": {"months": -9}, "if_passed": "skip"},
        _send("s2"),
        {"id": "w3", "type": "wait", "until": {"months": -3}},
        _send("s3"),
    ]
    result = advance(_definition(*steps), "w1", FACTS, NOW)
    assert (result.step, result.due_at) == ("s3", datetime(2026, 4, 15, 9, tzinfo=UTC))
    assert result.actions == ()
    assert [(r.step, r.action, r.detail) for r in result.records] == [
        ("w1", "skipped", {"passed": "2025-07-15", "to": "w2"}),
        ("w2", "skipped", {"passed": "2025-10-15", "to": "w3"}),
        ("w3", "waiting", {"until": "2026-04-15T09:00:00+00:00"}),
    ]
    steps[0]["if_passed"] = "continue"
    result = advance(_definition(*steps), "w1", FACTS, NOW)
    assert result.actions == (SendAction("s1", "s1"),)
    no_window = ContactFacts(7)
    steps[0]["if_no_window"] = "continue"
    result = advance(_definition(*steps), "w1", no_window, NOW)
    assert [r.action for r in result.records][:2] == ["no_window", "sent"]


def test_a_branch_takes_the_first_arm_that_holds() -> None:
    definition = _definition(
        {
            "id": "b",
            "type": "branch",
            "arms": [
                {
                    "label": "Hot",
                    "when": {"field": "score", "op": "gte", "value": 50},
                    "steps": [_send("hot")],
                },
                {
                    "label": "Clicked",
                    "when": {"event": "email_click", "within_days": 7},
                    "steps": [_send("warm")],
                },
            ],
        },
        _send("after"),
    )
    clicked = ContactFacts(7, score=10, event_counts={(("email_click",), 7): 1})
    assert [a.template for a in advance(definition, "b", clicked, NOW).actions] == [  # type: ignore[union-attr]
        "warm",
        "after",
    ]
    hot = ContactFacts(7, score=50, event_counts={(("email_click",), 7): 1})
    result = advance(definition, "b", hot, NOW)
    assert [a.template for a in result.actions] == ["hot", "after"]  # type: ignore[union-attr]
    assert result.records[0].detail == {"arm": 0, "label": "Hot"}
    cold = advance(definition, "b", ContactFacts(7), NOW)
    assert [a.template for a in cold.actions] == ["after"]  # type: ignore[union-attr]
    assert cold.records[0].detail == {"arm": None, "label": "no arm"}
    assert event_keys(definition) == {(("email_click",), 7)}


def test_actions_change_the_facts_later_steps_read() -> None:
    definition = _definition(
        {"id": "join", "type": "add_to_segment", "segment": "nurtured"},
        {"id": "move", "type": "change_stage", "to": "recycled", "reason": "not now"},
        {
            "id": "b",
            "type": "branch",
            "arms": [
                {
                    "when": {
                        "all": [
                            {"segment": "nurtured"},
                            {"field": "stage", "op": "equals", "value": "recycled"},
                        ]
                    },
                    "steps": [{"id": "tell", "type": "notify_owner", "message": "Recycled"}],
                },
                {"steps": [_send("never")]},
            ],
        },
    )
    result = advance(definition, "join", FACTS, NOW)
    assert result.actions == (
        SegmentAction("join", "nurtured", True),
        StageAction("move", "recycled", "not now"),
    )
    assert result.records[-2].detail == {"message": "Recycled", "owner_id": 3}
    assert segments_read(definition) == {"nurtured"}


def test_the_address_on_the_list_and_the_goal_end_the_enrolment_first() -> None:
    definition = _definition(_send("a"), goal=("sql", "customer"))
    gone = advance(definition, "a", ContactFacts(7, suppressed="unsubscribed"), NOW)
    assert (gone.status, gone.exit_reason, gone.actions) == ("exited", "unsubscribed", ())
    bounced = advance(definition, "a", ContactFacts(7, suppressed="hard_bounce"), NOW)
    assert bounced.exit_reason == "suppressed: hard_bounce"
    won = advance(definition, "a", ContactFacts(7, stage="customer"), NOW)
    assert (won.status, won.exit_reason) == ("exited", "goal: customer")
    moved = _definition({"id": "m", "type": "change_stage", "to": "sql"}, _send("a"), goal=("sql",))
    result = advance(moved, "m", FACTS, NOW)
    assert (result.status, result.exit_reason) == ("exited", "goal: sql")
    assert result.actions == (StageAction("m", "sql", "programme step m"),)


def test_suppress_and_end_finish_the_enrolment() -> None:
    definition = _definition({"id": "x", "type": "suppress"}, _send("never"))
    result = advance(definition, "x", FACTS, NOW)
    assert (result.status, result.actions) == (
        "exited",
        (SuppressAction("x", "programme step x"),),
    )
    ended = advance(_definition({"id": "e", "type": "end"}, _send("never")), "e", FACTS, NOW)
    assert (ended.status, ended.exit_reason, ended.actions) == ("completed", "ended", ())


def test_a_last_wait_keeps_the_enrolment_until_it_ends() -> None:
    definition = _definition(_send("a"), {"id": "w", "type": "wait", "days": 30})
    result = advance(definition, "a", FACTS, NOW)
    assert (result.status, result.step, result.due_at) == (
        "active",
        None,
        datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
    )
    assert advance(definition, None, FACTS, NOW).status == "completed"


def test_the_refinery_repeats_its_year() -> None:
    definition = parse_definition(built_in_definition("lead_refinery", {"touches_per_year": 2}))
    moment, step, templates = NOW, definition.first, []
    for _ in range(5):
        result = advance(definition, step, FACTS, moment)
        templates += [a.template for a in result.actions]  # type: ignore[union-attr]
        assert result.status == "active" and result.due_at is not None
        step, moment = result.step, result.due_at
    assert templates == ["refinery-1", "refinery-2", "refinery-1", "refinery-2", "refinery-1"]
    assert moment == datetime(2028, 7, 31, 10, 30, tzinfo=UTC)
