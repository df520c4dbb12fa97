"""The programme service: drafts and versions, activation's checks, pause and resume,
archiving, entry by segment, and editing a live programme without losing anyone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from programme_world import ACTOR, NOW, build, enrolment_of, history_of, sends
from silverplatter.domain.document_checks import DocumentInvalid, StaleVersion
from silverplatter.services import programmes as service
from silverplatter.services import segments
from silverplatter.services.programme_entry import enrol_contacts, enter_segments
from silverplatter.services.programme_tick import tick
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.nurture_schema import programme_versions
from silverplatter.storage.schema import contacts
from web_world import Clock

STEPS: list[dict[str, Any]] = [
    {"id": "hello", "type": "send_email", "template": "welcome"},
    {"id": "pause", "type": "wait", "days": 2},
    {"id": "second", "type": "send_email", "template": "welcome-2"},
    {"id": "gap", "type": "wait", "days": 3},
    {"id": "third", "type": "send_email", "template": "welcome-3"},
]


def _make(engine: Engine, steps: list[dict[str, Any]] | None = None, **entry: Any) -> Any:
    with engine.begin() as connection:
        draft = service.draft_of(
            {
                "slug": "series",
                "name": "Series",
                "definition": {"entry": entry or {"segment": "leads"}, "steps": steps or STEPS},
            }
        )
        return service.create_programme(connection, draft, actor=ACTOR, now=NOW)


def _leads(engine: Engine, kind: str = "dynamic") -> None:
    rule = {"field": "contact.lifecycle_stage", "op": "equals", "value": "lead"}
    with engine.begin() as connection:
        segments.create_segment(
            connection,
            segments.draft_of({"slug": "leads", "name": "Leads", "kind": kind, "rule": rule}),
            actor=ACTOR,
            now=NOW,
        )


def test_a_programme_starts_as_a_draft_at_version_one(engine: Engine) -> None:
    build(engine)
    made = _make(engine)
    assert (made.slug, made.status, made.version, made.template) == ("series", "draft", 1, None)
    assert made.counts == {"active": 0, "paused": 0, "completed": 0, "exited": 0}
    with engine.begin() as connection, pytest.raises(service.ProgrammeError) as taken:
        service.create_programme(
            connection,
            service.draft_of({"slug": "series", "name": "Again", "definition": made.definition}),
            actor=ACTOR,
            now=NOW,
        )
    assert (taken.value.field, taken.value.message) == (
        "slug",
        "a programme 'series' exists already",
    )
    with pytest.raises(service.ProgrammeError) as bad:
        service.draft_of({"slug": "Bad Slug", "name": "x", "definition": {}})
    assert bad.value.field == "slug"
    with engine.begin() as connection, pytest.raises(DocumentInvalid) as invalid:
        service.create_programme(
            connection,
            service.draft_of({"slug": "x", "name": "x", "definition": {"steps": []}}),
            actor=ACTOR,
            now=NOW,
        )
    assert [e.field for e in invalid.value.errors] == ["definition.entry", "definition.steps"]


def test_activation_checks_every_template_and_segment_named(engine: Engine) -> None:
    build(engine)
    steps = [
        *STEPS[:2],
        {"id": "oops", "type": "send_email", "template": "no-such-mail"},
        {"id": "tag", "type": "add_to_segment", "segment": "leads"},
    ]
    made = _make(engine, steps)
    with engine.begin() as connection, pytest.raises(DocumentInvalid) as invalid:
        service.activate(connection, made.id, actor=ACTOR, now=NOW)
    assert [(e.field, e.message) for e in invalid.value.errors] == [
        ("definition.steps[2].template", "there is no e-mail template 'no-such-mail'"),
        ("definition.steps[3].segment", "there is no segment 'leads'"),
        ("definition.entry.segment", "there is no segment 'leads'"),
    ]
    _leads(engine)
    with engine.begin() as connection, pytest.raises(DocumentInvalid) as invalid:
        service.activate(connection, made.id, actor=ACTOR, now=NOW)
    assert [e.message for e in invalid.value.errors][1] == (
        "'leads' is a dynamic segment; steps add to and remove from static ones"
    )


def test_activating_enrols_the_segment_and_the_sweep_takes_newcomers(engine: Engine) -> None:
    ids = build(engine)
    _leads(engine)
    made = _make(engine)
    with engine.begin() as connection:
        assert service.activate(connection, made.id, actor=ACTOR, now=NOW) == 2  # Ada, Ben
        assert enter_segments(connection, now=NOW) == {"series": 0}
    with engine.begin() as connection:
        connection.execute(
            contacts.update().where(contacts.c.id == ids["eve"]).values(lifecycle_stage="lead")
        )
        assert enter_segments(connection, now=NOW) == {"series": 1}
        programme = service.get_programme(connection, made.id)
        assert programme.counts["active"] == 3
        with pytest.raises(service.ProgrammeError):
            service.activate(connection, made.id, actor=ACTOR, now=NOW)
    with engine.connect() as connection:
        actions = connection.execute(
            select(audit_log.c.action).where(audit_log.c.action.like("programme.%"))
        ).scalars()
        assert list(actions) == ["programme.created", "programme.activated"]


def test_pausing_stops_the_steps_and_resuming_runs_what_fell_due(engine: Engine) -> None:
    ids = build(engine)
    made = _make(engine, event="form_submit")
    clock = Clock(NOW)
    with engine.begin() as connection:
        service.activate(connection, made.id, actor=ACTOR, now=NOW)
        assert (
            enrol_contacts(
                connection, service.get_programme(connection, made.id), [ids["eve"]], now=NOW
            )
            == 1
        )
    tick(engine, now=clock())
    with engine.begin() as connection:
        assert service.pause(connection, made.id, actor=ACTOR, now=NOW) == 1
        assert enrolment_of(engine, made.id, ids["eve"]) is not None
    clock.advance(days=5)
    assert tick(engine, now=clock()).ran == 0
    assert [s[1] for s in sends(engine)] == ["welcome"]
    with engine.begin() as connection:
        with pytest.raises(service.ProgrammeError) as refused:
            service.pause(connection, made.id, actor=ACTOR, now=clock())
        assert refused.value.message == "a paused programme cannot be paused; it must be active"
        assert service.resume(connection, made.id, actor=ACTOR, now=clock()) == 1
    tick(engine, now=clock())
    assert sends(engine) == [
        ("2026-03-02", "welcome", "hello"),
        ("2026-03-07", "welcome-2", "second"),
    ]
    with engine.begin() as connection:
        assert service.archive(connection, made.id, actor=ACTOR, now=clock()) == 1
    eve = enrolment_of(engine, made.id, ids["eve"])
    assert (eve.status, eve.exit_reason) == ("exited", "programme archived")


def _save(
    engine: Engine, programme_id: int, steps: list[dict[str, Any]], seen: int, now: Any = NOW
) -> Any:
    with engine.begin() as connection:
        current = service.get_programme(connection, programme_id)
        return service.update_programme(
            connection,
            programme_id,
            name=current.name,
            description=current.description,
            definition={**current.definition, "steps": steps},
            seen_version=seen,
            actor=ACTOR,
            now=now,
        )


def test_editing_a_live_programme_moves_contacts_at_removed_steps(engine: Engine) -> None:
    ids = build(engine)
    made = _make(engine, event="form_submit")
    with engine.begin() as connection:
        service.activate(connection, made.id, actor=ACTOR, now=NOW)
        programme = service.get_programme(connection, made.id)
        enrol_contacts(connection, programme, [ids["ada"], ids["ben"], ids["cai"]], now=NOW)
    tick(engine, now=NOW)  # all three: welcome sent, "second" due on the 4th
    with engine.begin() as connection:
        programme = service.get_programme(connection, made.id)
        enrol_contacts(connection, programme, [ids["dan"]], now=NOW.replace(day=3))
    # Dan has not started ("hello" is next); the others wait for "second", which goes.
    new_steps = [
        STEPS[0],
        {"id": "check-in", "type": "send_email", "template": "nurture-1"},
        STEPS[1],
        STEPS[3],
        STEPS[4],
    ]
    saved = _save(engine, made.id, new_steps, seen=1)
    assert (saved.programme.version, saved.moved, saved.completed) == (2, 3, 0)
    for name in ("ada", "ben", "cai"):
        row = enrolment_of(engine, made.id, ids[name])
        assert (row.step, row.due_at.day, row.programme_version) == ("gap", 4, 2)
        assert history_of(engine, row.id)[-1] == ("second", "moved")
    assert enrolment_of(engine, made.id, ids["dan"]).step == "hello"
    tick(engine, now=NOW.replace(day=4))
    assert [s[1] for s in sends(engine, ids["ada"])] == ["welcome"]
    assert [s[1] for s in sends(engine, ids["dan"])] == ["welcome", "nurture-1"]
    # A stale save is refused; removing every later step completes those waiting.
    with pytest.raises(StaleVersion):
        _save(engine, made.id, new_steps, seen=1)
    saved = _save(engine, made.id, new_steps[:3], seen=2, now=NOW.replace(day=5))
    # Ada, Ben and Cai were waiting to run "third", Dan "gap": none has a step left.
    assert (saved.moved, saved.completed) == (0, 4)
    ada = enrolment_of(engine, made.id, ids["ada"])
    assert (ada.status, ada.exit_reason) == ("completed", "edited: no later step")
    assert history_of(engine, ada.id)[-1] == ("third", "completed")
    with engine.connect() as connection:
        versions = connection.execute(
            select(programme_versions.c.version).where(programme_versions.c.programme_id == made.id)
        ).scalars()
        assert sorted(versions) == [1, 2, 3]
    assert history_of(engine, enrolment_of(engine, made.id, ids["dan"]).id)[-1] == (
        "gap",
        "completed",
    )


def test_a_live_programme_stays_valid_when_edited(engine: Engine) -> None:
    build(engine)
    made = _make(engine, event="form_submit")
    with engine.begin() as connection:
        service.activate(connection, made.id, actor=ACTOR, now=NOW)
    with pytest.raises(DocumentInvalid) as invalid:
        _save(engine, made.id, [{"id": "x", "type": "send_email", "template": "gone"}], seen=1)
    assert str(invalid.value) == "definition.steps[0].template: there is no e-mail template 'gone'"
    with engine.begin() as connection:
        service.archive(connection, made.id, actor=ACTOR, now=NOW)
    with pytest.raises(service.ProgrammeError) as refused:
        _save(engine, made.id, STEPS, seen=1)
    assert refused.value.message == "an archived programme cannot change"
