"""The tick on a fake clock: programmes clocked to the buying window, entry by segment and by
event, branches on behaviour, tasks for the owner, exits on goal and on unsubscribe."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update

from programme_world import ACTOR, NOW, build, enrolment_of, event, history_of, sends
from silverplatter.services import programmes as service
from silverplatter.services import segments
from silverplatter.services.ingest import ingest_events
from silverplatter.services.lifecycle import transition
from silverplatter.services.programme_entry import enrol_contacts
from silverplatter.services.programme_tick import run_programmes, tick
from silverplatter.services.unsubscribe import unsubscribe
from silverplatter.storage.capture_schema import suppressions
from silverplatter.storage.nurture_schema import enrolment_steps, enrolments
from silverplatter.storage.schema import contacts
from silverplatter.storage.segment_schema import segment_members
from web_world import Clock


def _programme(engine: Engine, key: str, slug: str, **parameters: Any) -> service.Programme:
    with engine.begin() as connection:
        made = service.create_from_built_in(
            connection, key, slug=slug, name=None, parameters=parameters, actor=ACTOR, now=NOW
        )
        service.activate(connection, made.id, actor=ACTOR, now=NOW)
        return service.get_programme(connection, made.id)


def _run_days(engine: Engine, clock: Clock, days: int) -> None:
    """Tick once a day at 09:00 UTC for ``days`` days, starting today."""
    for _ in range(days):
        tick(engine, now=clock())
        clock.advance(days=1)


def test_a_24_month_buying_window_programme_sends_on_the_exact_dates(engine: Engine) -> None:
    ids = build(engine)
    clock = Clock(NOW)
    programme = _programme(engine, "buying_window_clock", "clock")
    assert programme.counts["active"] == 2  # Ada (window in 24 months) and Ben (in 10)
    # Ada clicks a mail a fortnight before the deal programme starts: the branch sees it.
    _run_days(engine, clock, 592)
    assert clock().date().isoformat() == "2027-10-15"
    event(engine, ids["ada"], "email_click", clock())
    _run_days(engine, clock, 760 - 592)
    assert sends(engine, ids["ada"]) == [
        ("2026-03-02", "nurture-1", "ramp-send-24"),
        ("2026-06-02", "nurture-2", "ramp-send-21"),
        ("2026-09-02", "nurture-3", "ramp-send-18"),
        ("2026-12-02", "nurture-1", "ramp-send-15"),
        ("2027-03-02", "nurture-2", "ramp-send-12"),
        ("2027-05-02", "nurture-3", "ramp-send-10"),
        ("2027-07-02", "nurture-1", "ramp-send-8"),
        ("2027-09-02", "nurture-2", "ramp-send-6"),
        ("2027-10-02", "nurture-3", "ramp-send-5"),
        ("2027-11-02", "deal-1", "deal-send-4"),
        ("2027-12-02", "deal-2", "deal-send-3"),
        ("2028-01-02", "deal-1", "deal-send-2"),
        ("2028-02-02", "deal-2", "deal-send-1"),
    ]
    # Ben entered 10 months before his window: the ramp dates already passed are skipped.
    assert sends(engine, ids["ben"]) == [
        ("2026-03-02", "nurture-3", "ramp-send-10"),
        ("2026-05-02", "nurture-1", "ramp-send-8"),
        ("2026-07-02", "nurture-2", "ramp-send-6"),
        ("2026-08-02", "nurture-3", "ramp-send-5"),
        ("2026-09-02", "deal-1", "deal-send-4"),
        ("2026-10-02", "deal-2", "deal-send-3"),
        ("2026-11-02", "deal-1", "deal-send-2"),
        ("2026-12-02", "deal-2", "deal-send-1"),
    ]
    ada = enrolment_of(engine, programme.id, ids["ada"])
    assert (ada.status, ada.step, ada.due_at, ada.exit_reason) == (
        "completed",
        None,
        None,
        "finished",
    )
    tasks = [step for step, action in history_of(engine, ada.id) if action == "notified"]
    assert tasks == [
        "deal-task-engaged",
        "deal-task-3",
        "deal-task-2",
        "deal-task-1",
        "window-task",
    ]
    ben = enrolment_of(engine, programme.id, ids["ben"])
    assert next(s for s, a in history_of(engine, ben.id) if a == "notified") == "deal-task-quiet"
    assert history_of(engine, ben.id)[:6] == [
        ("ramp-wait-24", "skipped"),
        ("ramp-wait-21", "skipped"),
        ("ramp-wait-18", "skipped"),
        ("ramp-wait-15", "skipped"),
        ("ramp-wait-12", "skipped"),
        ("ramp-wait-10", "passed"),
    ]


def test_the_clock_waits_until_the_window_day_at_nine(engine: Engine) -> None:
    ids = build(engine)
    programme = _programme(engine, "buying_window_clock", "clock")
    tick(engine, now=NOW)
    ada = enrolment_of(engine, programme.id, ids["ada"])
    assert (ada.step, ada.due_at.isoformat()) == ("ramp-send-21", "2026-06-02T09:00:00+00:00")
    # Due at 09:00: a tick at 08:59 leaves it, one at 09:00 sends.
    tick(engine, now=datetime.fromisoformat("2026-06-02T08:59:00+00:00"))
    assert len(sends(engine, ids["ada"])) == 1
    tick(engine, now=datetime.fromisoformat("2026-06-02T09:00:00+00:00"))
    assert len(sends(engine, ids["ada"])) == 2


def test_a_contact_whose_account_has_no_window_exits(engine: Engine) -> None:
    ids = build(engine)
    with engine.begin() as connection:
        draft = service.draft_of(
            {
                "slug": "everyone",
                "name": "Everyone",
                "definition": {
                    "entry": {"rule": {"all": []}},
                    "steps": [
                        {"id": "ramp", "type": "wait", "until": {"months": -3}},
                        {"id": "hello", "type": "send_email", "template": "nurture-1"},
                    ],
                },
            }
        )
        made = service.create_programme(connection, draft, actor=ACTOR, now=NOW)
        assert service.activate(connection, made.id, actor=ACTOR, now=NOW) == 5
    report = tick(engine, now=NOW)
    assert (report.ran, report.exited, report.sent) == (5, 2, 1)
    dan = enrolment_of(engine, made.id, ids["dan"])
    assert (dan.status, dan.exit_reason) == ("exited", "no buying window")
    assert sends(engine) == [("2026-03-02", "nurture-1", "hello")]  # Cai's window is open
    assert [row[1] for row in sends(engine)] == ["nurture-1"]


def test_welcome_enters_on_a_form_and_branches_on_behaviour(engine: Engine) -> None:
    ids = build(engine)
    clock = Clock(NOW)
    programme = _programme(engine, "welcome", "welcome", form="guide")
    event(engine, ids["eve"], "form_submit", NOW, form="guide")
    event(engine, ids["dan"], "form_submit", NOW, form="other")  # not this form
    event(engine, ids["cai"], "form_submit", NOW, form="guide")
    assert enrolment_of(engine, programme.id, ids["dan"]) is None
    _run_days(engine, clock, 3)
    # Cai clicks on day 3; Eve stays quiet.
    event(engine, ids["cai"], "email_click", clock())
    _run_days(engine, clock, 5)
    assert sends(engine, ids["eve"]) == [
        ("2026-03-02", "welcome", "welcome"),
        ("2026-03-04", "welcome-2", "follow-up-1"),
        ("2026-03-07", "welcome-3", "follow-up-2"),
    ]
    assert sends(engine, ids["cai"]) == [
        ("2026-03-02", "welcome", "welcome"),
        ("2026-03-04", "welcome-2", "follow-up-1"),
    ]
    cai = enrolment_of(engine, programme.id, ids["cai"])
    assert history_of(engine, cai.id)[-3:] == [
        ("engaged", "branched"),
        ("call-them", "notified"),
        ("", "completed"),
    ]
    assert cai.status == "completed"
    # Entering again by another form submission changes nothing: one enrolment per contact.
    event(engine, ids["eve"], "form_submit", clock(), form="guide")
    with engine.connect() as connection:
        count = connection.execute(
            select(enrolments.c.id).where(enrolments.c.programme_id == programme.id)
        ).all()
    assert len(count) == 2


def test_unsubscribing_and_reaching_the_goal_end_enrolments(engine: Engine) -> None:
    ids = build(engine)
    programme = _programme(engine, "buying_window_clock", "clock")
    tick(engine, now=NOW)
    later = NOW + timedelta(days=3)
    with engine.begin() as connection:
        unsubscribe(connection, ids["ben"], now=later)
    ben = enrolment_of(engine, programme.id, ids["ben"])
    assert (ben.status, ben.exit_reason, ben.due_at) == ("exited", "unsubscribed", None)
    assert history_of(engine, ben.id)[-1] == ("ramp-send-8", "exited")
    # A stage set by hand is noticed when the next step falls due.
    with engine.begin() as connection:
        connection.execute(
            update(enrolments).where(enrolments.c.contact_id == ids["ada"]).values(due_at=later)
        )
        transition(
            connection, ids["ada"], "sql", reason="asked for a quote", now=later, has_hard_cta=True
        )
    report = tick(engine, now=later)
    assert (report.ran, report.exited, report.sent) == (1, 1, 0)
    ada = enrolment_of(engine, programme.id, ids["ada"])
    assert (ada.status, ada.exit_reason) == ("exited", "goal: sql")
    with engine.connect() as connection:
        left = connection.execute(
            select(enrolment_steps.c.detail).where(
                enrolment_steps.c.enrolment_id == ada.id, enrolment_steps.c.action == "exited"
            )
        ).scalar_one()
    assert left == {"reason": "goal: sql"}


def test_old_events_being_imported_enrol_no_one(engine: Engine) -> None:
    ids = build(engine)
    programme = _programme(engine, "welcome", "welcome")
    with engine.begin() as connection:
        ingest_events(
            connection,
            [
                {
                    "type": "form_submit",
                    "occurred_at": NOW - timedelta(days=30),
                    "idempotency_key": "imported-submission",
                    "contact_id": ids["eve"],
                    "properties": {"form": "guide"},
                }
            ],
            now=NOW,
        )
    assert enrolment_of(engine, programme.id, ids["eve"]) is None


def test_the_entry_sweep_skips_a_programme_whose_segment_is_gone(engine: Engine) -> None:
    build(engine)
    with engine.begin() as connection:
        segment = segments.create_segment(
            connection,
            segments.draft_of({"slug": "chosen", "name": "Chosen", "kind": "static"}),
            actor=ACTOR,
            now=NOW,
        )
        draft = service.draft_of(
            {
                "slug": "chosen-few",
                "name": "Chosen few",
                "definition": {
                    "entry": {"segment": "chosen"},
                    "steps": [{"id": "hi", "type": "send_email", "template": "welcome"}],
                },
            }
        )
        made = service.create_programme(connection, draft, actor=ACTOR, now=NOW)
        assert service.activate(connection, made.id, actor=ACTOR, now=NOW) == 0
        segments.delete_segment(connection, segment.id, actor=ACTOR, now=NOW)
    entered, report = run_programmes(engine, now=lambda: NOW, enter=True)
    assert (entered, report.ran) == ({"chosen-few": 0}, 0)


def test_re_permission_keeps_who_clicks_and_suppresses_the_rest(engine: Engine) -> None:
    ids = build(engine)
    programme = _programme(engine, "re_permission", "re-permission")
    assert programme.counts["active"] == 5  # nobody has engaged since they were added in 2025
    tick(engine, now=NOW)
    assert [row[1] for row in sends(engine)] == ["re-permission"] * 5
    event(engine, ids["ada"], "email_click", NOW + timedelta(days=3))
    report = tick(engine, now=NOW + timedelta(days=14))
    assert (report.ran, report.completed, report.exited) == (5, 1, 4)
    ada = enrolment_of(engine, programme.id, ids["ada"])
    assert (ada.status, ada.exit_reason) == ("completed", "finished")
    ben = enrolment_of(engine, programme.id, ids["ben"])
    assert (ben.status, ben.exit_reason) == ("exited", "suppressed by the programme")
    with engine.connect() as connection:
        listed = connection.execute(
            select(suppressions.c.email_key, suppressions.c.reason, suppressions.c.source).order_by(
                suppressions.c.email_key
            )
        ).all()
    assert [tuple(row) for row in listed] == [
        (
            address,
            "unsubscribed",
            "programme:re-permission: no click on the re-permission e-mail",
        )
        for address in (
            "ben@oulu-paper.fi",
            "cai@vaasa-grid.fi",
            "dan@example.com",
            "eve@example.com",
        )
    ]


def test_stage_and_segment_steps_go_through_their_services(engine: Engine) -> None:
    ids = build(engine)
    with engine.begin() as connection:
        segments.create_segment(
            connection,
            segments.draft_of({"slug": "nurtured", "name": "Nurtured", "kind": "static"}),
            actor=ACTOR,
            now=NOW,
        )
        draft = service.draft_of(
            {
                "slug": "moves",
                "name": "Moves",
                "definition": {
                    "entry": {"event": "form_submit"},
                    "steps": [
                        {"id": "tag", "type": "add_to_segment", "segment": "nurtured"},
                        {
                            "id": "park",
                            "type": "change_stage",
                            "to": "recycled",
                            "reason": "not now",
                        },
                        {"id": "win", "type": "change_stage", "to": "customer"},
                        {
                            "id": "check",
                            "type": "branch",
                            "arms": [
                                {
                                    "when": {"segment": "nurtured"},
                                    "steps": [
                                        {
                                            "id": "untag",
                                            "type": "remove_from_segment",
                                            "segment": "nurtured",
                                        }
                                    ],
                                },
                                {"steps": []},
                            ],
                        },
                    ],
                },
            }
        )
        made = service.create_programme(connection, draft, actor=ACTOR, now=NOW)
        service.activate(connection, made.id, actor=ACTOR, now=NOW)
        enrol_contacts(
            connection, service.get_programme(connection, made.id), [ids["ada"]], now=NOW
        )
    report = tick(engine, now=NOW)
    assert (report.ran, report.completed, report.failed) == (1, 1, 1)
    ada = enrolment_of(engine, made.id, ids["ada"])
    assert history_of(engine, ada.id) == [
        ("tag", "segment"),
        ("park", "stage"),
        ("win", "stage"),
        ("check", "branched"),
        ("untag", "segment"),
        ("", "completed"),
        ("win", "failed"),
    ]
    with engine.connect() as connection:
        stage = connection.execute(
            select(contacts.c.lifecycle_stage).where(contacts.c.id == ids["ada"])
        ).scalar_one()
        members = connection.execute(select(segment_members.c.contact_id)).scalars().all()
        failure = connection.execute(
            select(enrolment_steps.c.detail).where(enrolment_steps.c.action == "failed")
        ).scalar_one()
    assert (stage, members) == ("recycled", [])
    assert failure == {
        "error": "cannot move from recycled to customer; from recycled the allowed moves are: "
        "hand_over_as_sql → sql, reengage → lead, reengage_as_mql → mql, "
        "disqualify → disqualified"
    }
