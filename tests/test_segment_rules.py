"""The segment rule language: what it accepts, its canonical form, and exact errors by path."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from silverplatter.domain.properties import PropertyDefinition
from silverplatter.domain.segment_fields import OPERATORS, field_catalogue
from silverplatter.domain.segment_rules import (
    EVERYONE,
    Condition,
    EventCondition,
    RuleInvalid,
    fields_used,
    months_ahead,
    parse_rule,
    parse_rule_text,
    rule_document,
    segment_slugs,
    since,
)

FIELDS = field_catalogue(
    [
        PropertyDefinition("contact", "budget", "Budget", "number"),
        PropertyDefinition("contact", "topics", "Topics", "choice", ("erp", "cloud"), True),
        PropertyDefinition("account", "renewal", "Renewal", "date"),
        PropertyDefinition("account", "tier_name", "Tier name", "choice", ("Key", "Other")),
    ]
)


def errors(document: Any) -> list[tuple[str, str]]:
    with pytest.raises(RuleInvalid) as caught:
        parse_rule(document, FIELDS)
    return [(error.path, error.message) for error in caught.value.errors]


def test_a_rule_comes_back_in_canonical_form() -> None:
    document = {
        "all": [
            {"field": "contact.country", "op": "in", "value": ["finland", "SE", "fi"]},
            {"field": "contact.grade", "op": "gte", "value": " b "},
            {"field": "contact.seniority", "op": "equals", "value": "c-level"},
            {"field": "account.employees", "op": "between", "value": ["10", 250.5]},
            {"field": "contact.created_at", "op": "after", "value": "2026-01-31"},
            {"field": "contact.custom.topics", "op": "contains", "value": "ERP"},
            {"field": "account.custom.renewal", "op": "within_next_days", "value": "90"},
            {"field": "account.custom.tier_name", "op": "equals", "value": "key"},
            {"field": "contact.suppressed", "op": "equals", "value": "false"},
            {"any": [{"not": {"field": "segment", "op": "member_of", "value": "leavers"}}]},
            {
                "event": "page_view",
                "within_days": 90,
                "times": 2,
                "where": [{"property": "path", "op": "starts_with", "value": " /pricing "}],
            },
        ]
    }
    rule = parse_rule(document, FIELDS)
    assert rule_document(rule) == {
        "all": [
            {"field": "contact.country", "op": "in", "value": ["FI", "SE"]},
            {"field": "contact.grade", "op": "gte", "value": "B"},
            {"field": "contact.seniority", "op": "equals", "value": "C-level"},
            {"field": "account.employees", "op": "between", "value": [10, 250.5]},
            {"field": "contact.created_at", "op": "after", "value": "2026-01-31"},
            {"field": "contact.custom.topics", "op": "contains", "value": "erp"},
            {"field": "account.custom.renewal", "op": "within_next_days", "value": 90},
            {"field": "account.custom.tier_name", "op": "equals", "value": "Key"},
            {"field": "contact.suppressed", "op": "equals", "value": False},
            {"any": [{"not": {"field": "segment", "op": "member_of", "value": "leavers"}}]},
            {
                "event": "page_view",
                "within_days": 90,
                "op": "gte",
                "times": 2,
                "where": [{"property": "path", "op": "starts_with", "value": "/pricing"}],
            },
        ]
    }
    assert parse_rule(rule_document(rule), FIELDS) == rule
    assert segment_slugs(rule) == {"leavers"}
    assert "contact.custom.topics" in fields_used(rule)
    created = next(item for item in rule.all if isinstance(item, Condition) and item.op == "after")
    assert created.value == date(2026, 1, 31)
    assert parse_rule(EVERYONE) == parse_rule({"all": []})


def test_event_conditions_default_to_at_least_once() -> None:
    rule = parse_rule({"event": "email_click", "within_days": 30, "channel": "email"})
    assert rule == EventCondition(event="email_click", within_days=30, channel="email")
    assert (rule.op, rule.times) == ("gte", 1)


def test_shapes_are_checked_with_their_paths() -> None:
    assert errors([1]) == [("rule", "expected an object: a group (all, any, not) or a condition")]
    assert errors({"any": []}) == [("rule.any", "an 'any' group needs at least one condition")]
    assert errors({"all": {"field": "x"}}) == [
        ("rule.all", "expected a list of conditions and groups")
    ]
    assert errors({"all": [], "any": []}) == [
        ("rule", "a group has one key (all); unexpected: any")
    ]
    assert errors({"all": [{"op": "equals"}]}) == [
        ("rule.all[0]", "expected 'all', 'any', 'not', 'field' or 'event'")
    ]
    assert errors({"not": {"field": "contact.country", "op": "equals", "colour": "red"}}) == [
        ("rule.not.colour", "unexpected key")
    ]
    deep: dict[str, Any] = {"all": []}
    for _ in range(8):
        deep = {"not": deep}
    assert errors(deep) == [("rule" + ".not" * 8, "groups may nest at most 8 deep")]
    many = {"any": [{"field": "contact.country", "op": "equals", "value": "FI"}] * 201}
    assert errors(many) == [("rule.any[200]", "a rule may have at most 200 conditions")]


def test_fields_operators_and_values_are_checked_by_type() -> None:
    assert errors(
        {
            "all": [
                {"field": "contact.shoe_size", "op": "equals", "value": 42},
                {"field": "contact.custom.shoe_size", "op": "equals", "value": 42},
                {"field": "contact.country", "op": "gte", "value": "FI"},
                {"field": "contact.country", "op": "equals", "value": "Atlantis"},
                {"field": "account.employees", "op": "between", "value": [500, 10]},
                {"field": "account.employees", "op": "gt", "value": True},
                {"field": "contact.grade", "op": "in", "value": ["A", "Z"]},
                {"field": "contact.custom.topics", "op": "in", "value": []},
                {"field": "contact.created_at", "op": "before", "value": "31.1.2026"},
                {"field": "contact.created_at", "op": "within_last_days", "value": 0},
                {"field": "contact.title", "op": "is_empty", "value": "x"},
                {"field": "contact.title", "op": "contains", "value": "  "},
                {"field": "contact.owner", "op": "equals", "value": "lea"},
                {"field": "account.buying_window", "op": "opens_within_months", "value": 121},
                {"field": "segment", "op": "member_of", "value": "Not A Slug"},
                {"field": "contact.suppressed", "op": "is_empty"},
            ]
        }
    ) == [
        ("rule.all[0].field", "unknown field 'contact.shoe_size'"),
        (
            "rule.all[1].field",
            "unknown field 'contact.custom.shoe_size' (define the custom property first)",
        ),
        (
            "rule.all[2].op",
            "contact.country takes equals, not_equals, in, is_empty, is_not_empty; not 'gte'",
        ),
        (
            "rule.all[3].value",
            "'Atlantis' is not a country (expected an ISO code like FI or a name like Finland)",
        ),
        ("rule.all[4].value", "the low end is above the high end"),
        ("rule.all[5].value", "expected a number"),
        ("rule.all[6].value[1]", "expected a grade: F, D-, D, D+, C-, C, C+, B-, B, B+, A-, A, A+"),
        ("rule.all[7].value", "expected a non-empty list of values"),
        ("rule.all[8].value", "expected a date like 2026-01-31"),
        ("rule.all[9].value", "expected a whole number from 1 to 3650"),
        ("rule.all[10].value", "'is_empty' takes no value"),
        ("rule.all[11].value", "expected a text value"),
        ("rule.all[12].value", "expected a user's id"),
        ("rule.all[13].value", "expected a whole number from 1 to 120"),
        ("rule.all[14].value", "expected a segment's slug, e.g. finnish-leads"),
        ("rule.all[15].op", "contact.suppressed takes equals; not 'is_empty'"),
    ]


def test_event_conditions_are_checked() -> None:
    assert errors(
        {
            "any": [
                {"event": "Email Click", "within_days": 30, "channel": "pigeon"},
                {"event": "email_click"},
                {"event": "email_click", "within_days": 30, "op": "lt", "times": 0},
                {"event": "email_click", "within_days": 30, "op": "about"},
                {
                    "event": "page_view",
                    "within_days": 30,
                    "where": [
                        {"property": "Path", "op": "equals", "value": "/x"},
                        {"property": "path", "op": "in", "value": ["/a", 3]},
                        {"property": "path", "op": "regex", "value": ".*"},
                    ],
                },
            ]
        }
    ) == [
        ("rule.any[0].event", "expected an event type such as email_click or page_view"),
        ("rule.any[0].channel", "expected one of " + ", ".join(_channels())),
        ("rule.any[1].within_days", "required"),
        ("rule.any[2].times", "a count is never less than 0"),
        ("rule.any[3].op", "expected one of gte, gt, lte, lt, equals"),
        (
            "rule.any[4].where[2].op",
            "expected one of equals, in, contains, starts_with, matches",
        ),
    ]
    assert errors(
        {
            "event": "page_view",
            "within_days": 30,
            "where": [
                {"property": "Path", "op": "equals", "value": "/x"},
                {"property": "path", "op": "in", "value": ["/a", 3]},
            ],
        }
    ) == [
        ("rule.where[0].property", "expected a property name such as url, path or form"),
        ("rule.where[1].value[1]", "expected a text value"),
    ]


def _channels() -> list[str]:
    from silverplatter.domain.vocabulary import CHANNELS

    return list(CHANNELS)


def test_json_text_from_the_editor() -> None:
    assert parse_rule_text('{"all": []}') == parse_rule({"all": []})
    with pytest.raises(RuleInvalid) as caught:
        parse_rule_text('{"all": [}')
    assert caught.value.errors[0].path == "rule"
    assert caught.value.errors[0].message.startswith("not valid JSON (line 1): Expecting value")


def test_every_type_has_operators_and_time_is_passed_in() -> None:
    assert set(OPERATORS) == {spec.type for spec in FIELDS.values()} | {"choice", "country"}
    now = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert since(now, 30) == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert months_ahead(now.date(), 2) == date(2026, 5, 31)
    assert months_ahead(date(2026, 3, 31), 1) == date(2026, 4, 30)


def test_text_with_a_nul_character_is_refused() -> None:
    assert errors({"field": "contact.title", "op": "contains", "value": "a\x00b"}) == [
        ("rule.value", "expected text without NUL characters")
    ]
