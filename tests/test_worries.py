"""Worries and their tags: created, changed, tagged and deleted, each change audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from silverplatter.domain.understanding_checks import UnderstandingInvalid
from silverplatter.services.audit import Actor
from silverplatter.services.worries import (
    add_tag,
    change_worry,
    create_worry,
    delete_worry,
    get_worry,
    list_tags,
    list_worries,
    remove_tag,
)
from silverplatter.storage.access_schema import audit_log

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ACTOR = Actor(None, "10.0.0.1")


def _audit(engine: Engine) -> list[tuple[str, str, dict[str, object]]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action, audit_log.c.subject, audit_log.c.details).order_by(
                audit_log.c.id
            )
        )
        return [(action, subject, details) for action, subject, details in rows]


def test_a_worry_is_created_changed_tagged_and_deleted(engine: Engine) -> None:
    with engine.begin() as connection:
        made = create_worry(
            connection,
            {"name": "Cost control", "description": "Budgets overrun"},
            actor=ACTOR,
            now=NOW,
        )
        assert (made.slug, made.name, made.talking_point, made.tags) == (
            "cost-control",
            "Cost control",
            None,
            0,
        )
        changed = change_worry(
            connection,
            "cost-control",
            {"talking_point": "Ask what overran last year", "slug": "costs"},
            actor=ACTOR,
            now=NOW,
        )
        assert (changed.slug, changed.description, changed.talking_point) == (
            "costs",
            "Budgets overrun",
            "Ask what overran last year",
        )
        # Nothing changed: nothing audited.
        change_worry(connection, "costs", {"name": "Cost control"}, actor=ACTOR, now=NOW)
        tag = add_tag(
            connection,
            "costs",
            {"kind": "url_pattern", "target": "/pricing*", "weight": "2,5"},
            actor=ACTOR,
            now=NOW,
        )
        assert (tag.kind, tag.target, tag.weight, tag.worry_slug) == (
            "url_pattern",
            "/pricing*",
            2.5,
            "costs",
        )
        assert get_worry(connection, "costs").tags == 1
        assert [w.tags for w in list_worries(connection)] == [1]
        remove_tag(connection, "costs", tag.id, actor=ACTOR, now=NOW)
        assert list_tags(connection, "costs") == []
        delete_worry(connection, "costs", actor=ACTOR, now=NOW)
        assert list_worries(connection) == []
    assert _audit(engine) == [
        ("worry.created", "worry cost-control", {}),
        ("worry.changed", "worry costs", {"changed": ["slug", "talking_point"]}),
        (
            "worry.tagged",
            "worry costs",
            {"kind": "url_pattern", "target": "/pricing*", "weight": 2.5},
        ),
        ("worry.untagged", "worry costs", {"kind": "url_pattern", "target": "/pricing*"}),
        ("worry.deleted", "worry costs", {}),
    ]


def test_names_slugs_and_tags_must_be_unique_and_missing_ones_are_not_found(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        create_worry(connection, {"name": "Cost control"}, actor=ACTOR, now=NOW)
        create_worry(connection, {"name": "Delivery", "slug": "delivery"}, actor=ACTOR, now=NOW)
        with pytest.raises(UnderstandingInvalid, match="name: another worry is already called"):
            create_worry(connection, {"name": "COST CONTROL"}, actor=ACTOR, now=NOW)
        with pytest.raises(UnderstandingInvalid, match="slug: another worry already has"):
            change_worry(connection, "delivery", {"slug": "cost-control"}, actor=ACTOR, now=NOW)
        add_tag(connection, "delivery", {"kind": "form", "target": "check"}, actor=ACTOR, now=NOW)
        with pytest.raises(UnderstandingInvalid, match="target: this worry already has a form"):
            add_tag(
                connection, "delivery", {"kind": "form", "target": "check"}, actor=ACTOR, now=NOW
            )
        with pytest.raises(LookupError, match="there is no worry 'nope'"):
            get_worry(connection, "nope")
        tag = list_tags(connection, "delivery")[0]
        with pytest.raises(LookupError, match="worry 'cost-control' has no tag"):
            remove_tag(connection, "cost-control", tag.id, actor=ACTOR, now=NOW)
