"""A programme's definition: checked with errors at their paths, canonical JSON, the order
steps run in, where contacts go when steps are removed, and the built-in templates."""

from __future__ import annotations

from typing import Any

import pytest

from silverplatter.domain.document_checks import DocumentInvalid
from silverplatter.domain.programme_conditions import (
    ContactFacts,
    describe,
    evaluate,
    parse_condition,
)
from silverplatter.domain.programme_outline import (
    definition_document,
    next_surviving,
    templates_used,
)
from silverplatter.domain.programme_templates import (
    BUILT_INS,
    built_in_definition,
    ramp_offsets,
)
from silverplatter.domain.programmes import parse_definition

BRANCHY: dict[str, Any] = {
    "entry": {"segment": "warm-leads"},
    "goal_stages": ["sql"],
    "steps": [
        {"id": "hello", "type": "send_email", "template": "welcome"},
        {"id": "pause", "type": "wait", "days": 2},
        {
            "id": "check",
            "type": "branch",
            "arms": [
                {
                    "label": "Clicked",
                    "when": {"event": "email_click", "within_days": 30},
                    "steps": [
                        {"id": "tell", "type": "notify_owner", "message": "Call them"},
                        {"id": "hot", "type": "add_to_segment", "segment": "hot"},
                    ],
                },
                {"steps": [{"id": "again", "type": "send_email", "template": "nudge"}]},
            ],
        },
        {"id": "bye", "type": "send_email", "template": "bye"},
    ],
}


def _errors(document: Any) -> list[tuple[str, str]]:
    with pytest.raises(DocumentInvalid) as caught:
        parse_definition(document)
    return [(error.field, error.message) for error in caught.value.errors]


def test_a_definition_reads_back_as_the_same_canonical_document() -> None:
    definition = parse_definition(BRANCHY)
    document = definition_document(definition)
    assert document == BRANCHY
    assert parse_definition(document) == definition
    assert definition.ids() == ["hello", "pause", "check", "tell", "hot", "again", "bye"]
    assert templates_used(definition) == [
        ("steps[0].template", "welcome"),
        ("steps[2].arms[1].steps[0].template", "nudge"),
        ("steps[3].template", "bye"),
    ]


def test_steps_run_in_order_and_an_arm_carries_on_after_its_branch() -> None:
    definition = parse_definition(BRANCHY)
    assert [definition.successor(s) for s in definition.ids()] == [
        "pause",
        "check",
        "bye",
        "hot",
        "bye",
        "bye",
        None,
    ]


def test_every_bad_part_is_named_by_its_path() -> None:
    document = {
        "entry": {"event": "Form Submit"},
        "goal_stages": ["sql", "won"],
        "steps": [
            {"id": "Hello", "type": "send_email", "template": "welcome"},
            {"id": "pause", "type": "wait"},
            {"id": "both", "type": "wait", "days": 1, "until": {"months": -3}},
            {"id": "move", "type": "change_stage", "to": "won"},
            {
                "id": "check",
                "type": "branch",
                "arms": [
                    {"steps": []},
                    {"when": {"event": "email_click", "within_days": 0}, "steps": [{"id": "x"}]},
                ],
            },
            {"id": "teleport", "type": "beam"},
        ],
    }
    assert _errors(document) == [
        ("entry.event", "does not have the expected form (^[a-z][a-z0-9_]{1,59}$)"),
        (
            "goal_stages[1]",
            "must be one of subscriber, lead, mql, sql, sal, opportunity, "
            "customer, recycled, disqualified",
        ),
        (
            "steps[0].id",
            "must be a short id: a lowercase letter, then up to 39 letters, digits or -",
        ),
        ("steps[1]", "give a duration (months, weeks, days, hours) or until, not both"),
        ("steps[2]", "give a duration (months, weeks, days, hours) or until, not both"),
        (
            "steps[3].to",
            "must be one of subscriber, lead, mql, sql, sal, opportunity, customer, "
            "recycled, disqualified",
        ),
        ("steps[4].arms[0].when", "only the last arm may go without a condition"),
        ("steps[4].arms[1].when.within_days", "must be 1 to 3650 days"),
        (
            "steps[4].arms[1].steps[0].type",
            "must be one of send_email, wait, branch, "
            "notify_owner, change_stage, add_to_segment, remove_from_segment, suppress, go_to, end",
        ),
        (
            "steps[5].type",
            "must be one of send_email, wait, branch, notify_owner, change_stage, "
            "add_to_segment, remove_from_segment, suppress, go_to, end",
        ),
    ]


def test_step_ids_are_unique_and_jumps_go_back_through_a_wait() -> None:
    document = {
        "entry": {"segment": "all"},
        "steps": [
            {"id": "a", "type": "send_email", "template": "t"},
            {"id": "a", "type": "send_email", "template": "t"},
        ],
    }
    assert _errors(document) == [("steps[1].id", "'a' is used by steps[0] too")]
    document["steps"] = [
        {"id": "a", "type": "send_email", "template": "t"},
        {"id": "b", "type": "go_to", "step": "a"},
        {"id": "c", "type": "go_to", "step": "d"},
        {"id": "d", "type": "go_to", "step": "nowhere"},
    ]
    assert _errors(document) == [
        ("steps[1].step", "the steps it repeats need a wait, or the programme would loop at once"),
        ("steps[2].step", "must name an earlier step in the same list or an enclosing one"),
        ("steps[3].step", "there is no step 'nowhere'"),
    ]


def test_an_entry_is_exactly_one_of_segment_rule_or_event() -> None:
    steps = [{"id": "a", "type": "end"}]
    assert _errors({"entry": {}, "steps": steps}) == [
        ("entry", "give exactly one of segment, rule or event")
    ]
    assert _errors({"entry": {"segment": "a", "event": "b"}, "steps": steps}) == [
        ("entry", "give exactly one of segment, rule or event")
    ]
    assert _errors({"entry": {"segment": "ok"}, "steps": []}) == [
        ("steps", "must have at least one step")
    ]


def test_removed_steps_send_contacts_to_the_next_step_that_survives() -> None:
    old = parse_definition(BRANCHY)
    kept = [step for step in BRANCHY["steps"] if step["id"] not in ("pause", "check")]
    new = parse_definition({**BRANCHY, "steps": kept})
    assert {s: next_surviving(old, new, s) for s in old.ids()} == {
        "hello": "hello",
        "pause": "bye",
        "check": "bye",
        "tell": "bye",
        "hot": "bye",
        "again": "bye",
        "bye": "bye",
    }
    last = parse_definition({**BRANCHY, "steps": BRANCHY["steps"][:2]})
    assert next_surviving(old, last, "bye") is None
    assert next_surviving(old, last, "tell") is None


def test_conditions_read_the_facts() -> None:
    errors: list[Any] = []
    condition = parse_condition(
        {
            "all": [
                {"event": ["email_open", "email_click"], "within_days": 30, "times": 2},
                {"field": "grade", "op": "gte", "value": "b"},
                {"not": {"field": "stage", "op": "in", "value": ["sql", "customer"]}},
                {"any": [{"segment": "gold"}, {"field": "score", "op": "gte", "value": 50}]},
            ]
        },
        "when",
        errors,
    )
    assert errors == [] and condition is not None
    key = (("email_click", "email_open"), 30)
    facts = ContactFacts(1, stage="mql", score=10.0, grade_level=7, segments=frozenset({"gold"}))
    assert evaluate(condition, facts.__class__(**{**_fields(facts), "event_counts": {key: 2}}))
    assert not evaluate(condition, facts)  # no events
    b_minus = _fields(facts) | {"event_counts": {key: 2}, "grade_level": 6}
    assert not evaluate(condition, ContactFacts(**b_minus))  # C+ is below the B band
    assert describe(condition) == (
        "(email click or email open at least 2 times in the last 30 days and grade at least B "
        "and not stage is one of sql, customer and (in segment gold or score at least 50))"
    )


def _fields(facts: ContactFacts) -> dict[str, Any]:
    return {name: getattr(facts, name) for name in facts.__slots__}


def test_bad_conditions_are_named_by_their_path() -> None:
    errors: list[Any] = []
    for document in (
        {"field": "mood", "op": "equals", "value": 1},
        {"field": "score", "op": "in", "value": 1},
        {"field": "grade", "op": "gte", "value": "Z"},
        {"event": "email_click"},
        {"any": []},
        {"segment": "Not A Slug"},
    ):
        assert parse_condition(document, "when", errors) is None
    assert [(e.field, e.message) for e in errors] == [
        ("when.field", "must be one of score, grade, stage"),
        ("when.op", "score takes gte, gt, lte, lt"),
        ("when.value", "must be a grade: F, D-, D, D+, C-, C, C+, B-, B, B+, A-, A, A+"),
        ("when.within_days", "must be 1 to 3650 days"),
        ("when.any", "must be a non-empty list of conditions"),
        ("when.segment", "must be a segment's slug"),
    ]


def test_the_ramp_builds_up_to_a_peak_before_the_deal_months() -> None:
    assert ramp_offsets(24, 4) == [-24, -21, -18, -15, -12, -10, -8, -6, -5]
    assert ramp_offsets(12, 3) == [-12, -10, -8, -6, -5, -4]


@pytest.mark.parametrize("key", sorted(BUILT_INS))
def test_each_built_in_makes_a_valid_definition(key: str) -> None:
    definition = parse_definition(built_in_definition(key, {}))
    assert definition.steps


def test_built_in_parameters_are_checked_by_name() -> None:
    with pytest.raises(DocumentInvalid) as caught:
        built_in_definition("buying_window_clock", {"lead_months": "4", "ramp_templates": "A B"})
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("parameters.lead_months", "must be at least 6"),
        (
            "parameters.ramp_templates[0]",
            "does not have the expected form (^[a-z0-9][a-z0-9-]{0,99}$)",
        ),
    ]
    with pytest.raises(DocumentInvalid) as caught:
        built_in_definition("lead_refinery", {"touches_per_year": 5})
    assert str(caught.value) == "parameters.touches_per_year: must be 1, 2, 3, 4, 6 or 12"
    welcome = built_in_definition(
        "welcome",
        {"form": "guide", "follow_up_templates": "one, two", "entry_event": "form_submit"},
    )
    assert welcome["entry"] == {"event": "form_submit", "properties": {"form": "guide"}}
    assert [s.get("template") for s in welcome["steps"][:3]] == ["welcome", None, "one"]
