"""The contact and account pages through the web app: texts, escaping, scoping, paging."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from lead_world import NOW
from people_world import build_people_world
from web_world import Clock, signed_in, web_app

HTML = {"Accept": "text/html"}


@pytest.fixture
def world(engine: Engine, database_url: str) -> tuple[FastAPI, dict[str, int]]:
    ids = build_people_world(engine)
    return web_app(engine, database_url, Clock(NOW)), ids


def _text(page: str) -> str:
    """The page's visible words, one space between them."""
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_the_contact_page_shows_every_section(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, ids = world
    client = signed_in(application, "marketing")
    response = client.get(f"/contacts/{ids['ceo@acme.fi']}", headers=HTML)
    assert response.status_code == 200
    text = _text(response.text)
    for words in (
        "Aino Virtanen Chief Executive Officer at Acme Machinery Oy",
        "Email ceo@acme.fi Account Acme Machinery Oy Tier gold Grade A+ Score 13.4 "
        "Lifecycle stage MQL Owner nobody yet",
        "Why A+ and 13.4",
        "SQL missing flag hard_cta met score 13.4 ≥ 10",
        "pricing or demo page 1 10.0 6.1 14 days",
        "Target industry Industrial machinery match +2/3",
        "Large company (revenue) 80,000,000 match +1",
        "Budget 200k Authority decides Need faster deliveries Timeline 2026-09-01",
        "2026-05-22 12:00 Visited a page — /pricing 11.0 (capped) page_view, pricing or demo page",
        "2026-06-01 12:00 Subscriber → MQL the scoring rules mql criteria met",
        "2025-11-13 12:00 email granted guide form Send me the guide and news (v2)",
        "Buying window: 2026-06-01 – 2026-09-01 (qualification, 90%)",
    ):
        assert words in text
    assert f'href="/accounts/{ids["acme.fi"]}"' in response.text
    assert 'aria-labelledby="contact-score-title' in response.text or "<svg" in response.text
    # The policy forbids inline scripts and styles; only htmx is loaded.
    assert 'style="' not in response.text
    assert response.text.count("<script") == 1


def test_the_account_page_shows_committee_window_and_deals(
    world: tuple[FastAPI, dict[str, int]],
) -> None:
    application, ids = world
    client = signed_in(application, "admin")
    response = client.get(f"/accounts/{ids['acme.fi']}", headers=HTML)
    assert response.status_code == 200
    text = _text(response.text)
    for words in (
        "Domain acme.fi Employees 400 Revenue 80,000,000 EUR Tier gold Status prospect "
        "Owner Sales User",
        "Account score 13.4 From its people 13.4 From company events 0.0 "
        "Top person's score 13.4 Engaged people 0 of 2",
        "2026-06-01 – 2026-09-01 open now Source: qualification , confidence 90 %.",
        "Decision maker : not engaged: people hold this role but none is engaged yet "
        "(0 of 1 engaged)",
        "Influencer : missing: nobody at the account holds this role",
        "Aino Virtanen Chief Executive Officer Decision maker MQL A+ 13.4 no",
        "ERP OldSoft Classic 2019-05-01 7 years",
        "ERP maintenance OldSoft slow support 2026-12-31 4 / 10",
        "Line 3 automation 120,000 EUR Proposal open Sales User 2026-05-28",
        "Spare parts portal 30,000 EUR Closed lost lost: no budget",
    ):
        assert words in text
    assert f'href="/contacts/{ids["ceo@acme.fi"]}"' in response.text
    assert 'style="' not in response.text


def test_a_script_for_a_name_renders_inert(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, ids = world
    client = signed_in(application, "admin")
    for path in (f"/contacts/{ids['director@pohja.fi']}", f"/accounts/{ids['pohja.fi']}"):
        page = client.get(path, headers=HTML).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_sales_opens_only_its_own_records(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, ids = world
    client = signed_in(application, "sales")
    for path in (
        f"/contacts/{ids['ceo@acme.fi']}",
        f"/contacts/{ids['director@pohja.fi']}",
        f"/accounts/{ids['acme.fi']}",
    ):
        assert client.get(path, headers=HTML).status_code == 200, path
    for path in (
        f"/contacts/{ids['buyer@pohja.fi']}",
        f"/contacts/{ids['buyer@pohja.fi']}/timeline",
        f"/accounts/{ids['pohja.fi']}",
    ):
        response = client.get(path, headers=HTML)
        assert response.status_code == 404, path
        assert "Pia" not in response.text and "Pohja" not in response.text


def test_missing_and_malformed_ids(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, _ids = world
    client = signed_in(application, "admin")
    for path in ("/contacts/999", "/accounts/999", "/contacts/999/timeline"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    for path in (
        "/contacts/99999999999",
        "/accounts/0",
        "/contacts/x",
        "/contacts/1/timeline?before=0",
    ):
        assert client.get(path).status_code == 422, path


def test_the_timeline_pages_with_htmx(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, ids = world
    client = signed_in(application, "admin")
    ceo = ids["ceo@acme.fi"]
    page = client.get(f"/contacts/{ceo}", headers=HTML).text
    (older,) = set(re.findall(rf'hx-get="/contacts/{ceo}/timeline\?before=(\d+)"', page))
    assert _text(page).count("Visited a page") == 19
    rows = client.get(f"/contacts/{ceo}/timeline?before={older}", headers={"HX-Request": "true"})
    assert rows.status_code == 200
    assert "<html" not in rows.text and "Show older events" not in rows.text
    assert re.findall(r"/blog/\d+|guide_download", rows.text) == [
        "/blog/18", "/blog/19", "/blog/20", "/blog/21", "guide_download",
    ]  # fmt: skip
    full = client.get(f"/contacts/{ceo}/timeline?before={older}", headers=HTML)
    assert "<html" in full.text and "Older events" in full.text and "/blog/21" in full.text
    other = client.get(f"/contacts/{ids['ops@acme.fi']}/timeline?before={older}")
    assert other.status_code == 422
    assert other.json()["errors"] == [
        {"field": "before", "message": "not an event on this contact's timeline"}
    ]
