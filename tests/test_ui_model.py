"""The scoring model page: read, validate with lines marked, preview, activate, diff, roll back."""

from __future__ import annotations

import re

from fastapi import FastAPI
from sqlalchemy import Engine, select

from lead_world import NOW
from model_world import BROKEN, CHANGED, DEFAULT, build_scored_world, row_counts
from silverplatter.storage.access_schema import audit_log
from web_world import Clock, seed_users, signed_in, web_app

HTMX = {"HX-Request": "true"}


def _world(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine, NOW)
    build_scored_world(engine)
    return web_app(engine, database_url, Clock(NOW))


def _text(html: str) -> str:
    """The page's words without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_sales_reads_the_model_but_may_not_edit_it(engine: Engine, database_url: str) -> None:
    client = signed_in(_world(engine, database_url), "sales")
    page = client.get("/model")
    assert page.status_code == 200
    words = _text(page.text)
    assert "Active: version 1 · B2B default" in words
    assert "Activated 2026-06-01 12:00" in words
    assert "<textarea" not in page.text
    assert '<th scope="row" class="model-line-number">69</th>' in page.text
    assert re.search(r'href="[^"]*/static/model.css"', page.text)
    refused = client.post(
        "/model/validate",
        data={"source": DEFAULT, "csrf_token": client.csrf},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 403
    assert "your role (sales) may not validate, save and activate scoring models" in refused.text


def test_validate_marks_the_line_and_names_the_field(engine: Engine, database_url: str) -> None:
    client = signed_in(_world(engine, database_url), "marketing")
    page = client.get("/model")
    assert '<textarea id="model-source" name="source"' in page.text
    fragment = client.post(
        "/model/validate", data={"source": BROKEN, "csrf_token": client.csrf}, headers=HTMX
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    words = _text(fragment.text)
    assert "1 problem in the file — nothing was saved." in words
    assert "line 69, engagement.rules[1].points: expected a number" in words
    marked = re.findall(r'<tr class="model-error-line">\s*<th[^>]*>(\d+)</th>', fragment.text)
    assert marked == ["69"]
    whole = client.post("/model/validate", data={"source": BROKEN, "csrf_token": client.csrf})
    assert whole.status_code == 422
    assert "points = &#34;ten&#34;" in whole.text  # the editor keeps what was typed
    valid = client.post(
        "/model/validate", data={"source": CHANGED, "csrf_token": client.csrf}, headers=HTMX
    )
    assert "No errors: the file is a valid scoring model." in _text(valid.text)


def test_preview_shows_the_moves_and_writes_nothing(engine: Engine, database_url: str) -> None:
    client = signed_in(_world(engine, database_url), "marketing")
    counts = row_counts(engine)
    fragment = client.post(
        "/model/preview", data={"source": CHANGED, "csrf_token": client.csrf}, headers=HTMX
    )
    assert fragment.status_code == 200
    words = _text(fragment.text)
    assert (
        "3 contacts would change stage, 2 would change grade, "
        "and 1 new SQL would be handed to sales." in words
    )
    assert "Stage changes From To Contacts Lead MQL 1 Lead SQL 1 MQL Lead 1" in words
    assert "Grade changes From To Contacts B B+ 1 D+ C- 1" in words
    assert "Of 6 contacts. Nothing has been changed yet" in words
    assert row_counts(engine) == counts


def test_activate_needs_a_confirmation_and_is_audited(engine: Engine, database_url: str) -> None:
    client = signed_in(_world(engine, database_url), "marketing")
    unconfirmed = client.post(
        "/model/activate", data={"source": CHANGED, "csrf_token": client.csrf}
    )
    assert unconfirmed.status_code == 422
    assert "Nothing was activated: tick the confirmation" in _text(unconfirmed.text)
    broken = client.post(
        "/model/activate",
        data={"source": BROKEN, "confirm": "yes", "csrf_token": client.csrf},
    )
    assert broken.status_code == 422
    assert "line 69, engagement.rules[1].points: expected a number" in _text(broken.text)
    done = client.post(
        "/model/activate",
        # a browser sends a textarea's line ends as CR LF; the version keeps them as typed
        data={"source": CHANGED.replace("\n", "\r\n"), "confirm": "yes", "csrf_token": client.csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/model?activated=2&changed=3"
    page = _text(client.get(done.headers["location"]).text)
    assert "Version 2 is active; every contact was recomputed and 3 changed stage." in page
    assert "Active: version 2 · B2B default" in page
    assert "v2 active B2B default 2026-06-01 12:00 by Marketing User" in page
    with engine.connect() as connection:
        entries = connection.execute(
            select(audit_log.c.subject).where(audit_log.c.action == "model.activated")
        ).all()
    assert [entry.subject for entry in entries] == ["scoring model version 2"]
    assert client.get("/api/v1/model").json()["source"] == CHANGED


def test_diff_version_page_and_rollback(engine: Engine, database_url: str) -> None:
    client = signed_in(_world(engine, database_url), "marketing")
    client.post(
        "/model/activate", data={"source": CHANGED, "confirm": "yes", "csrf_token": client.csrf}
    )
    diff = client.get("/model/diff?old=1&new=2")
    assert diff.status_code == 200
    removed = re.findall(r'<tr class="model-diff-removed">\s*<td class="num">(\d+)</td>', diff.text)
    added = re.findall(
        r'<tr class="model-diff-added">\s*<td class="num"></td>\s*<td class="num">(\d+)</td>',
        diff.text,
    )
    assert (removed, added) == (["39", "150", "154", "159"], ["39", "150", "154", "159"])
    assert "+ sql = { flag = &#34;hard_cta&#34; }" in _text(diff.text)
    assert client.get("/model/diff?old=1&new=5").status_code == 404

    version = client.get("/model/versions/1")
    assert "Version 1 · B2B default" in _text(version.text)
    assert 'hx-post="/model/versions/1/preview"' in version.text
    preview = client.post("/model/versions/1/preview", headers={"X-CSRF-Token": client.csrf})
    assert "If you make version 1 active again now" in _text(preview.text)
    assert "3 contacts would change stage" in _text(preview.text)
    back = client.post(
        "/model/versions/1/activate",
        data={"confirm": "yes", "csrf_token": client.csrf},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/model?activated=1&changed=3"
    assert "Active: version 1 · B2B default" in _text(client.get("/model").text)


def test_user_text_in_a_model_renders_inert(engine: Engine, database_url: str) -> None:
    client = signed_in(_world(engine, database_url), "marketing")
    hostile = DEFAULT.replace('name = "B2B default"', 'name = "<script>alert(1)</script>"')
    response = client.post(
        "/model/activate",
        data={"source": hostile, "confirm": "yes", "csrf_token": client.csrf},
    )
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_a_form_without_the_csrf_token_is_refused(engine: Engine, database_url: str) -> None:
    client = signed_in(_world(engine, database_url), "marketing")
    response = client.post("/model/validate", data={"source": DEFAULT})
    assert response.status_code == 403
