"""The rule builder's form: fields to a document, its buttons, and errors placed at their node."""

from __future__ import annotations

from silverplatter.domain.segment_fields import field_catalogue
from silverplatter.domain.segment_rules import RuleError
from silverplatter.web.segment_form import (
    apply_action,
    builder_tree,
    document_from_form,
    error_count,
    settle,
)

FIELDS = field_catalogue()


def test_form_fields_become_a_rule_document() -> None:
    form = {
        "r:kind": ["all"],
        "r.0:kind": ["field"],
        "r.0:field": ["account.employees"],
        "r.0:op": ["between"],
        "r.0:low": ["10"],
        "r.0:high": [" 250 "],
        "r.1:kind": ["not"],
        "r.1.0:kind": ["field"],
        "r.1.0:field": ["contact.country"],
        "r.1.0:op": ["in"],
        "r.1.0:value": ["FI\nSE\n\n"],
        "r.10:kind": ["event"],
        "r.10:event": ["page_view"],
        "r.10:within_days": ["90"],
        "r.10:count_op": ["gte"],
        "r.10:times": ["2"],
        "r.10:channel": [""],
        "r.10/w0:property": ["url"],
        "r.10/w0:op": ["starts_with"],
        "r.10/w0:value": ["/pricing"],
        "r.2:kind": ["field"],
        "r.2:field": ["contact.title"],
        "r.2:op": ["is_empty"],
        "r.2:value": ["ignored"],
    }
    assert document_from_form(form) == {
        "all": [
            {"field": "account.employees", "op": "between", "value": ["10", "250"]},
            {"not": {"field": "contact.country", "op": "in", "value": ["FI", "SE"]}},
            {"field": "contact.title", "op": "is_empty"},
            {
                "event": "page_view",
                "within_days": 90,
                "op": "gte",
                "times": 2,
                "where": [{"property": "url", "op": "starts_with", "value": "/pricing"}],
            },
        ]
    }


def test_a_group_turned_into_not_keeps_its_parts() -> None:
    form = {
        "r:kind": ["not"],
        "r.0:kind": ["field"],
        "r.0:field": ["contact.title"],
        "r.0:op": ["is_empty"],
        "r.1:kind": ["field"],
        "r.1:field": ["contact.source"],
        "r.1:op": ["is_empty"],
    }
    assert document_from_form(form) == {
        "not": {
            "all": [
                {"field": "contact.title", "op": "is_empty"},
                {"field": "contact.source", "op": "is_empty"},
            ]
        }
    }


def test_buttons_add_and_remove_parts() -> None:
    document = {"all": [{"not": {"field": "contact.title", "op": "is_empty"}}]}
    with_event = apply_action(document, "add-event:r", FIELDS)
    assert with_event == {
        "all": [
            {"not": {"field": "contact.title", "op": "is_empty"}},
            {"event": "email_click", "within_days": 30},
        ]
    }
    assert document == {"all": [{"not": {"field": "contact.title", "op": "is_empty"}}]}
    with_where = apply_action(with_event, "add-where:r.1", FIELDS)
    assert with_where["all"][1]["where"] == [{"property": "path", "op": "starts_with"}]
    assert apply_action(with_where, "remove:r.1/w0", FIELDS) == {
        "all": [with_event["all"][0], {"event": "email_click", "within_days": 30, "where": []}]
    }
    assert apply_action(document, "add-group:r", FIELDS)["all"][1] == {
        "any": [{"field": "contact.country", "op": "equals"}]
    }
    # The only part of a 'not' goes with it; unknown targets change nothing.
    assert apply_action(with_event, "remove:r.0.0", FIELDS) == {"all": [with_event["all"][1]]}
    assert apply_action(document, "remove:r.9", FIELDS) == document
    assert apply_action(document, "explode:r", FIELDS) == document


def test_settling_fits_the_operator_to_a_changed_field() -> None:
    changed = {"any": [{"field": "account.employees", "op": "contains", "value": "x"}]}
    assert settle(changed, FIELDS) == {"any": [{"field": "account.employees", "op": "equals"}]}
    kept = {"field": "contact.title", "op": "contains", "value": "x"}
    assert settle(kept, FIELDS) == kept


def test_errors_are_placed_at_the_node_their_path_names() -> None:
    document = {
        "all": [
            {"field": "contact.country", "op": "equals", "value": "Atlantis"},
            {"any": [{"event": "email_click", "within_days": 0}]},
        ]
    }
    tree = builder_tree(
        document,
        FIELDS,
        [
            RuleError("rule.all[0].value", "not a country"),
            RuleError("rule.all[1].any[0].within_days", "expected at least 1"),
            RuleError("rule", "something about the whole rule"),
        ],
    )
    assert tree.errors == [("", "something about the whole rule")]
    assert tree.children[0].errors == [("value", "not a country")]
    assert tree.children[0].spec is not None and tree.children[0].spec.label == "Country"
    assert tree.children[1].children[0].errors == [("within_days", "expected at least 1")]
    assert (tree.children[1].id, tree.children[1].children[0].id) == ("r.1", "r.1.0")
    assert error_count(tree) == 3
