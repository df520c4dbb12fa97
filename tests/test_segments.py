"""The segment service: create, change, delete (audited), count, page, snapshot, membership."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from segment_world import build, names_of
from silverplatter.domain.segment_rules import RuleInvalid
from silverplatter.services import segments as service
from silverplatter.services.audit import Actor
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.segment_schema import needs_segments, segment_members
from web_world import NOW

FINNS = {"field": "contact.country", "op": "equals", "value": "finland"}
CLICKED = {"event": "email_click", "within_days": 30}


def _draft(slug: str, rule: dict[str, Any], kind: str = "dynamic", **more: Any) -> Any:
    return service.draft_of(
        {"slug": slug, "name": slug.title(), "kind": kind, "rule": rule, **more}
    )


def _make(engine: Engine, slug: str, rule: dict[str, Any], kind: str = "dynamic") -> Any:
    with engine.begin() as connection:
        return service.create_segment(
            connection, _draft(slug, rule, kind), actor=Actor(None), now=NOW
        )


def _audit(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.action, audit_log.c.subject)
            .where(audit_log.c.action.like("segment.%"))
            .order_by(audit_log.c.id)
        )
        return [(row.action, row.subject) for row in rows]


def test_a_segment_is_stored_with_its_canonical_rule_and_audited(engine: Engine) -> None:
    ids = build(engine)
    with engine.begin() as connection:
        made = service.create_segment(
            connection,
            _draft("finns", {"all": [FINNS]}, description="  Finnish people  "),
            actor=Actor(ids["marketing"], "10.0.0.1"),
            now=NOW,
        )
    assert (made.slug, made.name, made.description, made.kind) == (
        "finns",
        "Finns",
        "Finnish people",
        "dynamic",
    )
    assert made.rule == {"all": [{"field": "contact.country", "op": "equals", "value": "FI"}]}
    assert made.created_by == "Marketing User"
    assert (made.member_count, made.counted_at) == (None, None)
    assert _audit(engine) == [("segment.created", "segment:finns")]


def test_bad_drafts_and_rules_are_refused_naming_the_part(engine: Engine) -> None:
    build(engine)
    _make(engine, "finns", FINNS)
    with pytest.raises(service.SegmentError) as bad_slug:
        service.draft_of({"slug": "Finnish Leads", "name": "x"})
    assert (bad_slug.value.field, bad_slug.value.message) == (
        "slug",
        "use lower-case letters, digits and hyphens, e.g. finnish-leads",
    )
    with engine.begin() as connection, pytest.raises(service.SegmentError) as taken:
        service.create_segment(connection, _draft("finns", FINNS), actor=Actor(None), now=NOW)
    assert str(taken.value) == "slug: a segment 'finns' exists already"
    bad_rule = {"all": [FINNS, {"field": "contact.score", "op": "gte", "value": "lots"}]}
    with engine.begin() as connection, pytest.raises(RuleInvalid) as invalid:
        service.create_segment(connection, _draft("scored", bad_rule), actor=Actor(None), now=NOW)
    assert [(e.path, e.message) for e in invalid.value.errors] == [
        ("rule.all[1].value", "expected a number")
    ]
    selfish = {"field": "segment", "op": "member_of", "value": "me"}
    with engine.begin() as connection, pytest.raises(RuleInvalid) as circle:
        service.create_segment(connection, _draft("me", selfish), actor=Actor(None), now=NOW)
    assert [(e.path, e.message) for e in circle.value.errors] == [
        ("rule.value", "segments refer in a circle: me → me")
    ]


def test_counting_paging_and_membership_of_a_dynamic_segment(engine: Engine) -> None:
    ids = build(engine)
    segment = _make(
        engine,
        "not-suppressed",
        {"not": {"field": "contact.suppressed", "op": "equals", "value": True}},
    )
    with engine.begin() as connection:
        assert service.count_members(connection, segment, now=NOW) == 4
        first = service.member_page(connection, segment, now=NOW, limit=3)
        second = service.member_page(connection, segment, now=NOW, after=first.next or 0, limit=3)
        member = service.is_member(connection, segment, ids["anna"], now=NOW)
        outsider = service.is_member(connection, segment, ids["pekka"], now=NOW)
    assert [row.first_name for row in first.rows] == ["Anna", "Erik", "Sara"]
    assert first.next == ids["sara"]
    assert [row.first_name for row in second.rows] == ["Ola"]
    assert second.next is None
    assert (member, outsider) == (True, False)
    with engine.connect() as connection:
        stored = service.get_segment(connection, segment.id)
    assert (stored.member_count, stored.counted_at) == (4, NOW)


def test_preview_counts_without_storing_and_segments_nest(engine: Engine) -> None:
    build(engine)
    _make(engine, "finns", FINNS)
    nested = {"all": [{"field": "segment", "op": "member_of", "value": "finns"}, CLICKED]}
    with engine.connect() as connection:
        assert service.preview_count(connection, {"all": []}, now=NOW) == 6
        assert service.preview_count(connection, nested, now=NOW) == 1
        assert service.preview_count(connection, CLICKED, now=NOW + timedelta(days=35)) == 0
        with pytest.raises(RuleInvalid) as missing:
            service.preview_count(
                connection, {"field": "segment", "op": "member_of", "value": "gone"}, now=NOW
            )
    assert str(missing.value) == "rule.value: there is no segment 'gone'"


def test_a_static_segment_snapshots_its_rule_in_one_statement(engine: Engine) -> None:
    ids = build(engine)
    segment = _make(engine, "clicked", CLICKED, kind="static")
    with engine.begin() as connection:
        assert service.count_members(connection, segment, now=NOW) == 0
        assert service.snapshot(connection, segment, actor=Actor(None), now=NOW) == 2
    with engine.connect() as connection:
        listed = list(connection.execute(select(segment_members.c.contact_id)).scalars())
        # Later the clicks are old, yet the snapshot keeps who they were.
        later = NOW + timedelta(days=60)
        assert service.count_members(connection, segment, now=later, store_it=False) == 2
        assert service.is_member(connection, segment, ids["erik"], now=later)
    assert names_of(engine, listed) == {"anna", "erik"}
    with engine.begin() as connection:
        assert service.add_members(connection, segment, [ids["ola"], ids["anna"]], now=NOW) == 1
        assert service.remove_members(connection, segment, [ids["anna"]]) == 1
        page = service.member_page(connection, segment, now=NOW)
        # A new snapshot replaces hand-made changes with the rule's members now.
        assert service.snapshot(connection, segment, actor=Actor(None), now=later) == 0
    assert [row.first_name for row in page.rows] == ["Erik", "Ola"]
    dynamic = _make(engine, "finns", FINNS)
    with engine.begin() as connection, pytest.raises(service.SegmentError) as refused:
        service.snapshot(connection, dynamic, actor=Actor(None), now=NOW)
    assert refused.value.field == "kind"
    assert _audit(engine) == [
        ("segment.created", "segment:clicked"),
        ("segment.snapshot", "segment:clicked"),
        ("segment.snapshot", "segment:clicked"),
        ("segment.created", "segment:finns"),
    ]


def test_changing_and_deleting(engine: Engine) -> None:
    build(engine)
    finns = _make(engine, "finns", FINNS)
    _make(
        engine,
        "active-finns",
        {"all": [{"field": "segment", "op": "member_of", "value": "finns"}, CLICKED]},
    )
    with engine.begin() as connection:
        service.count_members(connection, finns, now=NOW)
        changed = service.update_segment(
            connection,
            finns.id,
            _draft(
                "finns",
                {"any": [FINNS, {"field": "contact.country", "op": "equals", "value": "SE"}]},
            ),
            actor=Actor(None),
            now=NOW + timedelta(hours=1),
        )
    assert changed.rule["any"][1] == {"field": "contact.country", "op": "equals", "value": "SE"}
    assert (changed.member_count, changed.updated_at) == (None, NOW + timedelta(hours=1))
    with engine.begin() as connection, pytest.raises(service.SegmentError) as renamed:
        service.update_segment(
            connection, finns.id, _draft("suomi", FINNS), actor=Actor(None), now=NOW
        )
    assert renamed.value.field == "slug"
    with engine.begin() as connection, pytest.raises(service.SegmentError) as used:
        service.delete_segment(connection, finns.id, actor=Actor(None), now=NOW)
    assert str(used.value) == "segment: still used by segment 'Active-Finns'"
    with engine.begin() as connection:
        connection.execute(
            needs_segments.insert().values(
                slug="growth",
                name="Growth",
                segment_id=finns.id,
                position=0,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        active = service.segment_by_slug(connection, "active-finns")
        assert active is not None
        service.delete_segment(connection, active.id, actor=Actor(None), now=NOW)
    with engine.begin() as connection, pytest.raises(service.SegmentError) as needed:
        service.delete_segment(connection, finns.id, actor=Actor(None), now=NOW)
    assert str(needed.value) == "segment: still used by needs segment 'Growth'"
    with engine.connect() as connection, pytest.raises(service.SegmentNotFound):
        service.get_segment(connection, active.id)
    assert _audit(engine)[-2:] == [
        ("segment.changed", "segment:finns"),
        ("segment.deleted", "segment:active-finns"),
    ]
