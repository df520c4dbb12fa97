"""The core questions page (edit, printable page, PDF, history) and the SWOT, PEST and
target-customer pages."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    return web_app(engine, database_url, Clock(NOW))


def _text(page: str) -> str:
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip()
    return html.unescape(re.sub(r" ([.,;:])", r"\1", words))


def _post(client: SignedIn, path: str, data: dict[str, Any]) -> Any:
    return client.post(
        path,
        data={"csrf_token": client.csrf, **data},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )


def _shown(page: str) -> str:
    """The markup of the version shown in full on a history page."""
    return page.split('<section id="shown"')[1].split("</main>")[0].split(">", 1)[1]


def _form(bullets: int = 7, version: str = "") -> dict[str, str]:
    form = {"version": version}
    for n in range(3):
        form[f"question_{n}"] = f"Question {n + 1}?"
        form[f"why_{n}"] = "\n".join(f"- Why {n + 1}.{b}" for b in range(1, bullets + 1))
        form[f"how_{n}"] = "\n".join(f"How {n + 1}.{b}" for b in range(1, bullets + 1))
    return form


def test_core_questions_are_written_checked_and_kept_when_refused(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    page = client.get("/core-questions")
    assert page.status_code == 200
    assert "Write 7 to 10 bullets in each box — no more, no fewer." in _text(page.text)
    short = _form()
    short["why_1"] = "one\ntwo\n\nthree"
    refused = _post(client, "/core-questions", short)
    assert refused.status_code == 422
    text = _text(refused.text)
    assert "Nothing was saved; see the marked boxes." in text
    assert "Why? write 7 to 10 bullets; there are 3" in text
    assert ">one\ntwo\n\nthree</textarea>" in refused.text, "the typed text is kept"
    saved = _post(client, "/core-questions", _form())
    assert (saved.status_code, saved.headers["location"]) == (303, "/core-questions?done=saved")
    page = client.get("/core-questions?done=saved")
    assert "Saved as a new version." in page.text and "Version 1, saved 2026-03-02 09:00" in _text(
        page.text
    )
    assert ">Why 1.1\nWhy 1.2\n" in page.text, "list marks are taken off the bullets"
    stale = _post(client, "/core-questions", {**_form(8), "version": ""})
    assert stale.status_code == 409
    assert "somebody saved version 1 since you opened version 0" in _text(stale.text)
    assert 'name="version" value="1"' in stale.text
    again = _post(client, "/core-questions", _form(8, version="1"))
    assert again.status_code == 303


def test_the_printable_page_the_pdf_and_the_history(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    assert client.get("/core-questions/print", headers={"Accept": "text/html"}).status_code == 404
    _post(client, "/core-questions", _form())
    _post(client, "/core-questions", _form(9, version="1"))
    printable = client.get("/core-questions/print")
    assert printable.status_code == 200
    assert printable.text.count('class="st-question"') == 3
    assert printable.text.count("<li>Why 1.") == 9
    assert "strategy.css" in printable.text and "style=" not in printable.text
    pdf = client.get("/core-questions.pdf")
    assert pdf.content.startswith(b"%PDF-1.")
    assert pdf.headers["content-disposition"] == 'attachment; filename="core-questions-v2.pdf"'
    history = client.get("/core-questions/history")
    assert re.findall(r"<td>(Admin User)</td>", history.text) == ["Admin User", "Admin User"]
    # version 1 read in full before it is restored: 7 bullets a box, not the 9 of version 2
    first = client.get("/core-questions/history?version=1")
    shown = _shown(first.text)
    assert "Version 1 as it was saved" in _text(shown)
    assert shown.count("<li>Why 1.") == 7 and "Why 1.8" not in shown
    assert 'href="/core-questions/history?version=2#shown"' in first.text
    assert client.get("/core-questions/history?version=9").status_code == 404
    assert client.get("/core-questions/history?version=0").status_code == 422
    restored = _post(client, "/core-questions/restore", {"restored": "1", "version": "2"})
    assert restored.headers["location"] == "/core-questions?done=restored"
    page = client.get("/core-questions")
    assert "Version 3," in _text(page.text) and "Why 1.8" not in page.text


def test_swot_pest_and_target_customer_pages(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    assert "No SWOT, PEST or target customer yet." in client.get("/strategy").text
    refused = _post(client, "/strategy", {"kind": "target_customer", "definition": " "})
    assert refused.status_code == 422
    assert "Nothing was created: definition: must not be empty." in _text(refused.text)
    created = _post(client, "/strategy", {"kind": "swot", "title": "SWOT 2026"})
    assert created.headers["location"] == "/strategy/swot-2026?done=created"
    saved = _post(
        client,
        "/strategy/swot-2026",
        {
            "version": "1",
            "title": "SWOT 2026",
            "strengths": "Local service\nSpare parts in stock",
            "weaknesses": "",
            "opportunities": "Retiring fitters",
            "threats": "Price war",
        },
    )
    assert saved.headers["location"] == "/strategy/swot-2026?done=saved"
    page = client.get("/strategy/swot-2026")
    assert re.findall(r"<li>([^<]+)</li>", page.text.split('class="st-grid st-swot"')[1])[:4] == [
        "Local service",
        "Spare parts in stock",
        "Retiring fitters",
        "Price war",
    ]
    _post(client, "/strategy", {"kind": "pest", "title": "PEST 2026"})
    pest_form = client.get("/strategy/pest-2026").text
    assert 'name="conclusions"' in pest_form
    _post(
        client,
        "/strategy/pest-2026",
        {
            "version": "1",
            "title": "PEST 2026",
            "economic": "Rates fall",
            "conclusions": "Plants invest again: offer a pilot",
        },
    )
    pest = _text(client.get("/strategy/pest-2026").text.split('class="st-grid st-pest"')[1])
    assert pest.startswith(
        "> Political Nothing yet. Economic Rates fall Social Nothing yet. Technological Nothing "
        "yet. Conclusions: what they mean for us Plants invest again: offer a pilot Edit"
    )
    _post(client, "/strategy", {"kind": "target_customer", "definition": "Nordic manufacturers"})
    target = client.get("/strategy/target-customer")
    assert target.text.count('name="assumption_') == 3
    refused = _post(
        client,
        "/strategy/target-customer",
        {
            "version": "1",
            "title": "Target customer",
            "definition": "Nordic manufacturers with their own service team",
            "criteria": "50–500 staff\nMachines over 10 years old",
            "assumption_0": "They buy parts online",
            "how_we_know_0": "",
            "assumption_1": "",
            "how_we_know_1": "",
        },
    )
    assert refused.status_code == 422
    assert "How we'll know: must not be empty" in _text(refused.text)
    saved = _post(
        client,
        "/strategy/target-customer",
        {
            "version": "1",
            "title": "Target customer",
            "definition": "Nordic manufacturers with their own service team",
            "criteria": "50–500 staff\nMachines over 10 years old",
            "assumption_0": "They buy parts online",
            "how_we_know_0": "Half the orders come through the web shop by Q4",
            "assumption_1": "",
            "how_we_know_1": "",
        },
    )
    assert saved.status_code == 303
    text = _text(client.get("/strategy/target-customer").text)
    assert "They buy parts online Half the orders come through the web shop by Q4" in text
    listing = _text(client.get("/strategy").text)
    assert "SWOT 2026 SWOT 2" in listing and "Target customer Target customer 2" in listing
    assert "PEST 2026 PEST 2" in listing
    _post(
        client,
        "/strategy/swot-2026",
        {"version": "2", "title": "SWOT 2026", "strengths": "Local service", "threats": ""},
    )
    sales = signed_in(application, "sales")
    assert 'name="strengths"' not in sales.get("/strategy/swot-2026").text
    # sales reads version 2 in the history, with the bullets version 3 dropped
    older = sales.get("/strategy/swot-2026/history?version=2")
    assert "Restore" not in older.text
    shown = _text(_shown(older.text))
    assert shown == (
        "Version 2 as it was saved Strengths Local service Spare parts in stock "
        "Weaknesses Nothing yet. Opportunities Retiring fitters Threats Price war"
    )
    newest = _text(_shown(sales.get("/strategy/swot-2026/history?version=3").text))
    assert newest.startswith("Version 3 (newest) as it was saved Strengths Local service Weak")
    assert _post(sales, "/strategy/swot-2026", {"version": "2"}).status_code == 403
    deleted = _post(client, "/strategy/swot-2026/delete", {"confirm": "yes"})
    assert deleted.headers["location"] == "/strategy?done=deleted"
