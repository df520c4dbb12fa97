"""The programme pages: the list with enrolments per status, making one from a built-in
template's form, the picture of its steps, activate/pause/resume, the JSON editor with
errors at their paths, enrolments with each contact's next step and history, and tasks."""

from __future__ import annotations

import json
import re

from sqlalchemy import Engine

from programme_world import NOW, build, event
from silverplatter.services.programme_tick import tick
from web_world import signed_in, web_app


def _made(client: object, slug: str = "clock") -> int:
    response = client.post(  # type: ignore[attr-defined]
        "/programmes/new/buying_window_clock",
        data={
            "csrf_token": client.csrf,  # type: ignore[attr-defined]
            "name": "Buying-window clock",
            "slug": slug,
            "lead_months": "24",
            "deal_months": "4",
            "ramp_templates": "nurture-1, nurture-2, nurture-3",
            "deal_templates": "deal-1, deal-2",
            "entry_segment": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = re.search(r"/programmes/(\d+)\?done=created", response.headers["location"])
    assert found
    return int(found.group(1))


def test_making_a_programme_from_a_built_in_and_running_it(
    engine: Engine, database_url: str
) -> None:
    ids = build(engine)
    application = web_app(engine, database_url)
    client = signed_in(application, "marketing")
    listing = client.get("/programmes")
    assert listing.status_code == 200
    assert "No programmes yet." in listing.text
    assert 'href="/programmes/new/buying_window_clock"' in listing.text
    form = client.get("/programmes/new/buying_window_clock")
    assert 'name="lead_months" type="number" value="24"' in form.text
    assert 'value="nurture-1, nurture-2, nurture-3"' in form.text
    programme_id = _made(client)
    page = client.get(f"/programmes/{programme_id}?done=created")
    assert "Programme created as a draft" in page.text
    assert "Wait until 24 months before the window opens, 09:00 UTC" in page.text
    assert 'class="flow-arms"' in page.text  # the deal check's arms, side by side
    assert (
        "Engaged</strong><br><span>content download or email click or form submit "
        "in the last 90 days" in page.text
    )
    activated = client.post(
        f"/programmes/{programme_id}/activate",
        data={"csrf_token": client.csrf},
        follow_redirects=True,
    )
    assert "Programme activated." in activated.text
    assert "2 active</a>" in activated.text
    tick(engine, now=NOW)
    page = client.get(f"/programmes/{programme_id}")
    assert (
        "<strong>1</strong> next here" in page.text
    )  # Ada waits to send ramp-send-21, Ben ramp-send-8
    enrolled = client.get(f"/programmes/{programme_id}/enrolments?status=active")
    assert "Send e-mail &#39;nurture-2&#39;" in enrolled.text
    assert "2026-06-02 09:00" in enrolled.text
    link = re.search(rf"/programmes/{programme_id}/enrolments/(\d+)\">Ada", enrolled.text)
    assert link
    one = client.get(f"/programmes/{programme_id}/enrolments/{link.group(1)}")
    assert "e-mail queued" in one.text and "template: nurture-1" in one.text
    paused = client.post(
        f"/programmes/{programme_id}/pause", data={"csrf_token": client.csrf}, follow_redirects=True
    )
    assert "Programme paused" in paused.text
    assert "Resume</button>" in paused.text and "Pause</button>" not in paused.text
    listing = client.get("/programmes")
    assert re.search(r"status=paused\">2</a>", listing.text)
    resumed = client.post(
        f"/programmes/{programme_id}/resume",
        data={"csrf_token": client.csrf},
        follow_redirects=True,
    )
    assert "Programme resumed" in resumed.text
    assert ids["ada"]


def test_the_editor_names_bad_parts_and_refuses_a_stale_version(
    engine: Engine, database_url: str
) -> None:
    build(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    programme_id = _made(client)
    editor = client.get(f"/programmes/{programme_id}/edit")
    assert editor.status_code == 200 and 'name="version" value="1"' in editor.text
    document = {
        "entry": {"segment": "leads"},
        "steps": [{"id": "w", "type": "wait", "days": 0}, {"id": "w", "type": "end"}],
    }
    refused = client.post(
        f"/programmes/{programme_id}/edit",
        data={
            "csrf_token": client.csrf,
            "name": "Clock",
            "description": "",
            "definition": json.dumps(document),
            "version": "1",
        },
    )
    assert refused.status_code == 422
    assert "<code>definition.steps[0]</code>: give a duration" in refused.text
    broken = client.post(
        f"/programmes/{programme_id}/edit",
        data={"csrf_token": client.csrf, "name": "Clock", "definition": "{", "version": "1"},
    )
    assert broken.status_code == 422 and "is not valid JSON (line 1)" in broken.text
    good = {
        "entry": {"segment": "leads"},
        "steps": [{"id": "hi", "type": "send_email", "template": "welcome"}],
    }
    saved = client.post(
        f"/programmes/{programme_id}/edit",
        data={
            "csrf_token": client.csrf,
            "name": "Clock",
            "definition": json.dumps(good),
            "version": "1",
        },
        follow_redirects=True,
    )
    assert "Saved as a new version." in saved.text and "Send e-mail &#39;welcome&#39;" in saved.text
    stale = client.post(
        f"/programmes/{programme_id}/edit",
        data={
            "csrf_token": client.csrf,
            "name": "Clock",
            "definition": json.dumps(good),
            "version": "1",
        },
    )
    assert stale.status_code == 409 and "is at version 2, not 1" in stale.text
    versions = client.get(f"/programmes/{programme_id}/versions")
    assert "Version 2" in versions.text and "Version 1" in versions.text
    activate = client.post(f"/programmes/{programme_id}/activate", data={"csrf_token": client.csrf})
    assert activate.status_code == 422
    assert (
        "<code>definition.entry.segment</code>: there is no segment &#39;leads&#39;"
        in activate.text
    )


def test_a_bad_built_in_parameter_is_shown_at_its_field(engine: Engine, database_url: str) -> None:
    build(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    response = client.post(
        "/programmes/new/lead_refinery",
        data={
            "csrf_token": client.csrf,
            "name": "Refinery",
            "slug": "refinery",
            "touches_per_year": "5",
        },
    )
    assert response.status_code == 422
    assert "<code>parameters.touches_per_year</code>: must be 1, 2, 3, 4, 6 or 12" in response.text
    assert client.get("/programmes/new/no-such").status_code == 404


def test_sales_sees_its_tasks_and_closes_them(engine: Engine, database_url: str) -> None:
    ids = build(engine)
    application = web_app(engine, database_url)
    marketing = signed_in(application, "marketing")
    programme_id = _made(marketing)
    marketing.post(f"/programmes/{programme_id}/activate", data={"csrf_token": marketing.csrf})
    # Ben's deal programme starts on 2 September 2026: his owner (the account's) gets a task.
    event(engine, ids["ben"], "page_view", NOW)
    for month in range(3, 10):
        tick(engine, now=NOW.replace(month=month, day=2))
    sales = signed_in(application, "sales")
    tasks = sales.get("/programmes/tasks")
    assert "this contact has been quiet: call to qualify the need." in tasks.text
    found = re.search(r'action="/programmes/tasks/(\d+)/done"', tasks.text)
    assert found
    assert (
        marketing.post(
            f"/programmes/tasks/{found.group(1)}/done", data={"csrf_token": marketing.csrf}
        ).status_code
        == 403
    )  # marketing does not act on the queue
    done = sales.post(
        f"/programmes/tasks/{found.group(1)}/done",
        data={"csrf_token": sales.csrf},
        follow_redirects=True,
    )
    assert done.status_code == 200 and ">done</td>" in done.text
    contact = sales.get(f"/contacts/{ids['ben']}")
    assert "Buying-window clock" in contact.text and 'people-tag">done' in contact.text
