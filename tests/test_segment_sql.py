"""Segment rules compiled to SQL give exact member sets on a small fixed world.

Each test builds ``segment_world`` and checks many rules at once; a failure
shows every rule whose members differ.  Both backends.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from query_plans import plan_of_last_statement
from segment_world import build, names_of
from silverplatter.domain.segment_fields import field_catalogue
from silverplatter.domain.segment_rules import RuleInvalid, parse_rule
from silverplatter.storage.properties import all_definitions
from silverplatter.storage.segment_schema import segment_members, segments
from silverplatter.storage.segment_sql import SegmentRef, compile_rule
from web_world import NOW

Case = tuple[dict[str, Any], set[str]]
EVERYONE = {"anna", "pekka", "erik", "sara", "ola", "lone"}


def field(name: str, op: str, value: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {"field": name, "op": op}
    if value is not None:
        found["value"] = value
    return found


def members(engine: Engine, document: dict[str, Any], lookup: Any = None) -> set[str]:
    """The members' names; the statement for all members and the one for a few agree."""
    found = []
    with engine.connect() as connection:
        fields = field_catalogue(all_definitions(connection))
        rule = parse_rule(document, fields)
        for each in (False, True):
            compiled = compile_rule(
                rule,
                dialect=connection.dialect.name,
                now=NOW,
                fields=fields,
                each=each,
                **({"lookup": lookup} if lookup else {}),
            )
            ids = sorted(connection.execute(compiled.contact_ids()).scalars())
            counted = connection.execute(compiled.count()).scalar_one()
            assert counted == len(ids), document
            found.append(ids)
    assert found[0] == found[1], document
    return names_of(engine, found[0])


def check(engine: Engine, cases: list[Case]) -> None:
    build(engine)
    wrong = {}
    for document, expected in cases:
        found = members(engine, document)
        if found != expected:
            wrong[repr(document)] = (sorted(found), sorted(expected))
    assert wrong == {}


def test_contact_fields(engine: Engine) -> None:
    check(
        engine,
        [
            ({"all": []}, EVERYONE),
            (field("contact.email_domain", "equals", "NORDTEK.fi"), {"anna", "pekka"}),
            (field("contact.email_domain", "ends_with", ".se"), {"erik", "sara"}),
            (
                field("contact.email_domain", "in", ["example.com", "bergendata.no"]),
                {"lone", "ola"},
            ),
            (field("contact.first_name", "equals", "anna"), {"anna"}),
            (field("contact.first_name", "not_equals", "anna"), EVERYONE - {"anna"}),
            (field("contact.last_name", "starts_with", "nord"), {"ola"}),
            (field("contact.last_name", "is_empty"), {"lone"}),
            (field("contact.title", "contains", "c"), {"anna", "erik", "sara"}),
            (field("contact.title", "is_not_empty"), {"anna", "pekka", "erik", "sara"}),
            (field("contact.seniority", "in", ["c-level", "VP"]), {"anna", "pekka", "erik"}),
            (field("contact.department", "equals", "it"), {"anna"}),
            (field("contact.decision_role", "equals", "champion"), {"pekka"}),
            (field("contact.country", "equals", "Finland"), {"anna", "pekka"}),
            (field("contact.country", "not_equals", "FI"), {"erik", "sara", "ola", "lone"}),
            (field("contact.country", "is_empty"), {"lone"}),
            (field("contact.lifecycle_stage", "in", ["mql", "sql"]), {"anna", "erik"}),
            (field("contact.source", "starts_with", "form:"), {"anna", "sara"}),
            (field("contact.source", "is_empty"), {"ola", "lone"}),
            (field("contact.created_at", "before", "2025-06-01"), {"ola"}),
            (field("contact.created_at", "after", "2026-02-25"), {"sara"}),
            (
                field("contact.created_at", "between", ["2025-06-01", "2026-02-25"]),
                {"anna", "pekka", "erik", "lone"},
            ),
            (field("contact.created_at", "within_last_days", 30), {"erik", "sara", "lone"}),
            (field("contact.created_at", "more_than_days_ago", 250), {"anna", "ola"}),
            (field("contact.owner", "is_not_empty"), {"anna", "erik"}),
        ],
    )


def test_account_fields(engine: Engine) -> None:
    check(
        engine,
        [
            (field("account.industry", "equals", "energy"), {"erik", "sara"}),
            (field("account.industry", "is_empty"), {"ola", "lone"}),
            (field("account.country", "in", ["SE", "NO"]), {"erik", "sara", "ola"}),
            (field("account.employees", "gte", 40), {"anna", "pekka", "erik", "sara"}),
            (field("account.employees", "lt", 100), {"erik", "sara"}),
            (field("account.employees", "between", [41, 250]), {"anna", "pekka"}),
            (field("account.employees", "is_empty"), {"ola", "lone"}),
            (field("account.annual_revenue", "gt", "5000000"), {"anna", "pekka"}),
            (field("account.value_tier", "equals", "Gold"), {"anna", "pekka"}),
            (field("account.value_tier", "not_equals", "gold"), {"erik", "sara", "ola", "lone"}),
            (field("account.needs_segment", "equals", "growth"), {"anna", "pekka"}),
            (field("account.status", "equals", "prospect"), {"erik", "sara", "ola"}),
            (field("account.owner", "is_not_empty"), {"anna", "pekka"}),
            (field("account.score", "gte", 20), {"anna", "pekka", "erik", "sara"}),
            (field("account.score", "gt", 20), {"anna", "pekka"}),
        ],
    )


def test_grade_score_consent_suppression_and_window(engine: Engine) -> None:
    check(
        engine,
        [
            (field("contact.grade", "gte", "B"), {"anna", "pekka", "erik"}),
            (field("contact.grade", "gte", "B+"), {"anna", "erik"}),
            (field("contact.grade", "gt", "B"), {"anna"}),
            (field("contact.grade", "lte", "B"), {"pekka", "erik", "sara"}),
            (field("contact.grade", "lt", "B"), {"sara"}),
            (field("contact.grade", "equals", "b-"), {"pekka"}),
            (field("contact.grade", "in", ["A", "C"]), {"anna", "sara"}),
            (field("contact.grade", "is_empty"), {"ola", "lone"}),
            (field("contact.score", "between", [45, 62]), {"pekka", "erik"}),
            (field("contact.score", "lte", 45), {"pekka", "sara"}),
            (field("contact.email_consent", "equals", "given"), {"anna", "erik"}),
            (field("contact.email_consent", "equals", "confirmed"), {"anna"}),
            (field("contact.email_consent", "equals", "withdrawn"), {"pekka"}),
            (field("contact.email_consent", "equals", "none"), {"sara", "ola", "lone"}),
            (
                field("contact.email_consent", "not_equals", "given"),
                {"pekka", "sara", "ola", "lone"},
            ),
            (
                field("contact.email_consent", "in", ["withdrawn", "none"]),
                {"pekka", "sara", "ola", "lone"},
            ),
            (field("contact.suppressed", "equals", True), {"pekka", "lone"}),
            (field("contact.suppressed", "equals", False), {"anna", "erik", "sara", "ola"}),
            (field("account.buying_window", "opens_within_months", 2), {"anna", "pekka"}),
            (field("account.buying_window", "opens_within_months", 1), set()),
            (field("account.buying_window", "is_open"), {"erik", "sara"}),
            (field("account.buying_window", "is_empty"), {"ola", "lone"}),
        ],
    )


def test_custom_properties_by_their_types(engine: Engine) -> None:
    check(
        engine,
        [
            (field("contact.custom.budget", "gt", 5000), {"anna", "pekka"}),
            (field("contact.custom.budget", "lte", 5000.5), {"pekka"}),
            (field("contact.custom.budget", "is_not_empty"), {"anna", "pekka", "sara"}),
            (field("contact.custom.topics", "contains", "cloud"), {"anna"}),
            (field("contact.custom.topics", "in", ["security", "ERP"]), {"anna", "erik"}),
            (field("contact.custom.topics", "is_not_empty"), {"anna", "erik"}),
            (field("contact.custom.topics", "is_empty"), {"pekka", "sara", "ola", "lone"}),
            (field("contact.custom.newsletter", "equals", True), {"anna"}),
            (field("contact.custom.newsletter", "equals", "false"), {"pekka"}),
            (field("contact.custom.newsletter", "is_empty"), {"erik", "sara", "ola", "lone"}),
            (field("contact.custom.met_on", "before", "2026-02-01"), {"anna"}),
            (field("contact.custom.met_on", "within_next_days", 10), {"erik"}),
            (field("contact.custom.met_on", "within_last_days", 30), set()),
            (field("contact.custom.met_on", "within_last_days", 60), {"anna"}),
            (field("contact.custom.nickname", "starts_with", "50"), {"anna", "pekka", "sara"}),
            (field("account.custom.erp_vendor", "equals", "sap"), {"anna", "pekka"}),
            (field("account.custom.target_account", "equals", False), {"erik", "sara"}),
            (
                field("account.custom.renewal", "between", ["2026-04-01", "2026-06-01"]),
                {"anna", "pekka"},
            ),
        ],
    )


def test_values_with_sql_metacharacters_and_wildcards_match_literally(engine: Engine) -> None:
    check(
        engine,
        [
            (field("contact.custom.nickname", "equals", "50%_off"), {"anna"}),
            (field("contact.custom.nickname", "contains", "%_"), {"anna"}),
            (field("contact.custom.nickname", "contains", "0_o"), set()),
            (field("contact.custom.nickname", "starts_with", "50%"), {"anna"}),
            (field("contact.custom.nickname", "ends_with", "_off"), {"anna", "sara"}),
            (field("contact.custom.nickname", "contains", "/"), set()),
            (field("account.custom.erp_vendor", "contains", "%_f"), {"erik", "sara"}),
            (field("contact.title", "equals", "O'Reilly; DROP TABLE contacts;--"), {"sara"}),
            (field("contact.title", "contains", "'; drop table"), set()),
            (field("contact.title", "contains", "y; drop table contacts;--"), {"sara"}),
            (field("contact.last_name", "in", ["O'Brien", "x' OR '1'='1"]), {"sara"}),
            (field("contact.first_name", "equals", "' OR 1=1 --"), set()),
            (
                {
                    "event": "page_view",
                    "within_days": 30,
                    "where": [{"property": "path", "op": "contains", "value": "50%_off"}],
                },
                {"erik"},
            ),
            (
                {
                    "event": "page_view",
                    "within_days": 30,
                    "where": [
                        {
                            "property": "path",
                            "op": "starts_with",
                            "value": "/promo/50_",
                        }
                    ],
                },
                set(),
            ),
        ],
    )
    assert members(engine, {"all": []}) == EVERYONE  # the table is still there


def test_events_in_a_window(engine: Engine) -> None:
    pricing = [{"property": "path", "op": "starts_with", "value": "/pricing"}]
    check(
        engine,
        [
            ({"event": "email_click", "within_days": 30}, {"anna", "erik"}),
            ({"event": "email_click", "within_days": 90}, {"anna", "pekka", "erik"}),
            ({"event": "email_click", "within_days": 30, "op": "gte", "times": 2}, {"erik"}),
            ({"event": "email_click", "within_days": 30, "op": "gt", "times": 3}, set()),
            ({"event": "email_click", "within_days": 30, "op": "equals", "times": 1}, {"anna"}),
            (
                {"event": "email_click", "within_days": 30, "op": "equals", "times": 0},
                {"pekka", "sara", "ola", "lone"},
            ),
            (
                {"event": "email_click", "within_days": 30, "op": "lte", "times": 1},
                {"anna", "pekka", "sara", "ola", "lone"},
            ),
            (
                {"event": "email_click", "within_days": 30, "op": "lt", "times": 3},
                EVERYONE - {"erik"},
            ),
            ({"event": "email_click", "within_days": 30, "channel": "web"}, set()),
            ({"event": "page_view", "within_days": 90, "where": pricing}, {"anna", "pekka"}),
            ({"event": "page_view", "within_days": 90, "times": 2, "where": pricing}, {"anna"}),
            ({"event": "page_view", "within_days": 30, "times": 2, "where": pricing}, set()),
            (
                {
                    "event": "page_view",
                    "within_days": 90,
                    "where": [{"property": "path", "op": "matches", "value": "/pricing*"}],
                },
                {"anna"},
            ),
            (
                {
                    "event": "page_view",
                    "within_days": 90,
                    "where": [
                        {"property": "path", "op": "in", "value": ["/about", "/promo/50x_off"]}
                    ],
                },
                {"anna", "sara"},
            ),
            ({"event": "form_submit", "within_days": 365}, {"ola"}),
        ],
    )


def test_nested_groups(engine: Engine) -> None:
    finns = field("contact.country", "equals", "FI")
    clicked = {"event": "email_click", "within_days": 30}
    check(
        engine,
        [
            ({"all": [field("contact.grade", "gte", "B"), finns, clicked]}, {"anna"}),
            ({"any": [finns, clicked]}, {"anna", "pekka", "erik"}),
            ({"not": {"any": [finns, clicked]}}, {"sara", "ola", "lone"}),
            (
                {
                    "all": [
                        {"any": [finns, field("account.value_tier", "equals", "silver")]},
                        {"not": field("contact.suppressed", "equals", True)},
                        {"not": {"all": [clicked, field("contact.grade", "equals", "B+")]}},
                    ]
                },
                {"anna", "sara"},
            ),
            (
                {"not": field("account.industry", "equals", "Energy")},
                {"anna", "pekka", "ola", "lone"},
            ),
        ],
    )


def test_membership_of_other_segments(engine: Engine) -> None:
    ids = build(engine)
    with engine.begin() as connection:
        static_id = connection.execute(
            segments.insert()
            .values(
                slug="hand-picked",
                name="Hand picked",
                kind="static",
                rule={"all": []},
                created_at=NOW,
                updated_at=NOW,
            )
            .returning(segments.c.id)
        ).scalar_one()
        connection.execute(
            segment_members.insert(),
            [
                {"segment_id": static_id, "contact_id": ids[n], "added_at": NOW}
                for n in ("ola", "erik")
            ],
        )
    finns = parse_rule(field("contact.country", "equals", "FI"))
    circle = parse_rule(field("segment", "member_of", "circle"))
    refs = {
        "finns": SegmentRef(1000, "finns", "dynamic", finns),
        "hand-picked": SegmentRef(static_id, "hand-picked", "static", None),
        "circle": SegmentRef(1001, "circle", "dynamic", circle),
    }
    lookup = refs.get
    assert members(engine, field("segment", "member_of", "finns"), lookup) == {"anna", "pekka"}
    assert members(engine, field("segment", "member_of", "hand-picked"), lookup) == {"ola", "erik"}
    assert members(engine, field("segment", "not_member_of", "hand-picked"), lookup) == EVERYONE - {
        "ola",
        "erik",
    }
    with pytest.raises(RuleInvalid) as missing:
        members(engine, {"all": [field("segment", "member_of", "gone")]}, lookup)
    assert [(e.path, e.message) for e in missing.value.errors] == [
        ("rule.all[0].value", "there is no segment 'gone'")
    ]
    with pytest.raises(RuleInvalid) as looped:
        members(engine, field("segment", "member_of", "circle"), lookup)
    assert [(e.path, e.message) for e in looped.value.errors] == [
        ("segment 'circle': rule.value", "segments refer in a circle: circle → circle")
    ]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_whole_segments_event_window_is_read_as_one_range_on_sqlite(engine: Engine) -> None:
    """On SQLite the contacts with recent clicks come from ``ix_events_type_time`` once.

    A correlated probe per candidate contact was SQLite's plan before; the
    count of "grade ≥ B, FI, clicked in 30 days" at 1M contacts is in
    docs/benchmarks.md ("Segment evaluation").
    """
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans the correlated form as a semi-join itself")
    build(engine)
    rule_document = {
        "all": [field("contact.grade", "gte", "B"), {"event": "email_click", "within_days": 30}]
    }
    with engine.connect() as connection:
        fields = field_catalogue(all_definitions(connection))
        compiled = compile_rule(
            parse_rule(rule_document, fields), dialect="sqlite", now=NOW, fields=fields
        )
    plan = plan_of_last_statement(engine, lambda c: c.execute(compiled.count()).scalar_one())
    assert "COVERING INDEX ix_events_type_time" in plan, plan
    assert "CORRELATED" not in plan, plan
