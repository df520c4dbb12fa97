"""The tiers page: the pyramid, the matrix and care models, needs segments, the policy form."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from silverplatter.services.needs_segments import create_needs_segment
from silverplatter.storage.schema import accounts
from tiers_world import NOW, add_segment, build, tiers_and_needs, topic_rule
from web_world import Clock, SignedIn, seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    with engine.begin() as connection:
        build(connection)
        add_segment(connection, "delivery-worriers", topic_rule("delivery"))
        add_segment(connection, "cost-worriers", topic_rule("cost"))
        create_needs_segment(
            connection, {"name": "Delivery reliability", "segment": "delivery-worriers"}, now=NOW
        )
    return web_app(engine, database_url, Clock(NOW))


def _text(page: str) -> str:
    """The words of a page, spaced as read (no space left before punctuation)."""
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip()
    return html.unescape(re.sub(r" ([.,;])", r"\1", words))


def _post(client: SignedIn, path: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(
        path,
        data={"csrf_token": client.csrf, **data},
        headers={"Accept": "text/html", **headers},
        follow_redirects=False,
    )


POLICY = {
    "metric": "annual_revenue",
    "method": "percentiles",
    "months": "24",
    "gold": "10",
    "silver": "20",
    "bronze": "30",
}


def test_sales_sees_the_pyramid_and_the_matrix_but_no_forms(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    page = client.get("/tiers")
    assert page.status_code == 200
    assert '<a href="/tiers" aria-current="page">Tiers</a>' in page.text
    assert 'class="sp-chart sp-chart-pyramid"' in page.text
    text = _text(page.text)
    assert "8 accounts; 1 people without an account are not in the picture." in text
    assert '<form method="post" action="/tiers/policy"' not in page.text
    assert "/tiers/cells/" not in page.text and "Add a needs segment" not in text
    assert "No policy yet: the tiers are as imported or set by hand." in text
    assert "tiers.css" in page.text
    assert "style=" not in page.text and "<script>" not in page.text
    refused = _post(client, "/tiers/needs/assign", {})
    assert refused.status_code == 403


def test_the_pyramid_draws_the_counts_of_each_cell(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    assert _post(client, "/tiers/needs/assign", {}).status_code == 303
    page = client.get("/tiers")
    drawn = re.findall(r'class="sp-label sp-pyr-accounts"[^>]*>([^<]+)<', page.text)
    # gold: Aalto (delivery); silver: Birch (delivery), Cedar and Harbor (none);
    # bronze: Elm (delivery), Dune (none); beside: Fjord and Grove
    assert drawn == ["1", "0", "1", "2", "1", "1", "2 accounts"]
    people = re.findall(r'class="sp-label sp-pyr-people"[^>]*>([^<]+)<', page.text)
    assert people == [
        "2 people",
        "0 people",
        "1 person",
        "3 people",
        "3 people",
        "1 person",
        "1 person",
    ]
    assert "Needs segments assigned: 4 accounts changed needs segment." in _text(
        client.get("/tiers?done=assigned&moved=4").text
    )


def test_a_preview_over_htmx_shows_the_moves_and_changes_nothing(
    application: FastAPI, engine: Engine
) -> None:
    client = signed_in(application, "marketing")
    answer = _post(client, "/tiers/policy/preview", POLICY, **{"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text
    text = _text(answer.text)
    assert "2 accounts of 8 would change tier. 7 have a value for annual revenue" in text
    assert "Gold from 900,000,000 Silver from 120,000,000 Bronze from 45,000,000" in text
    rows = re.findall(r"<tr><th scope=\"row\">(\w+)</th>(.*?)</tr>", answer.text, re.S)
    cells = {name: re.findall(r">([\d,]+)</td>", body) for name, body in rows}
    assert cells == {
        "Gold": ["1", "0", "0", "0", "1"],
        "Silver": ["0", "2", "1", "0", "3"],
        "Bronze": ["0", "0", "1", "1", "2"],
        "Unclassified": ["0", "0", "0", "2", "2"],
        "After": ["1", "2", "2", "3", "8"],
    }
    with engine.connect() as connection:
        assert tiers_and_needs(connection)["Cedar"] == ("silver", None)


def test_a_bad_policy_is_shown_next_to_its_field(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    bad = {**POLICY, "method": "thresholds", "gold": "100", "silver": "200", "bronze": ""}
    page = _post(client, "/tiers/policy", bad)
    assert page.status_code == 422
    assert (
        'id="policy-silver" name="silver" type="text" inputmode="decimal" value="200" '
        'aria-invalid="true" aria-describedby="policy-silver-error"' in page.text
    )
    assert "Silver: must be below gold's 100, got 200" in _text(page.text)
    fragment = _post(client, "/tiers/policy/preview", bad, **{"HX-Request": "true"})
    assert "bounds.silver: must be below gold's 100, got 200" in _text(fragment.text)
    unconfirmed = _post(client, "/tiers/policy", {**POLICY, "action": "apply"})
    assert unconfirmed.status_code == 422
    assert "Confirm: tick the confirmation to move the accounts" in _text(unconfirmed.text)


def test_save_then_save_and_apply(application: FastAPI, engine: Engine) -> None:
    client = signed_in(application, "marketing")
    saved = _post(client, "/tiers/policy", {**POLICY, "action": "save"})
    assert (saved.status_code, saved.headers["location"]) == (303, "/tiers?done=saved#policy")
    page = _text(client.get("/tiers?done=saved").text)
    assert "Policy saved. Nothing moved yet" in page
    assert (
        "In force: annual revenue: gold the top 10 %, silver the next 20 %, bronze the next "
        "30 %. Saved 2026-06-01 12:00 by Marketing User; not applied yet." in page
    )
    applied = _post(client, "/tiers/policy", {**POLICY, "action": "apply", "confirm": "yes"})
    assert applied.status_code == 303
    assert applied.headers["location"] == "/tiers?done=applied&moved=2&changed=0#pyramid"
    page = _text(client.get(applied.headers["location"]).text)
    assert "Policy applied: 2 accounts changed tier and 0 people changed stage." in page
    assert "applied 2026-06-01 12:00." in page
    with engine.connect() as connection:
        assert tiers_and_needs(connection)["Cedar"] == ("bronze", None)
        # the same policy again was not saved a second time
        assert len(re.findall("gold the top 10 %", page)) == 2  # in force, and one history row


def test_needs_segments_are_added_ordered_changed_and_deleted(
    application: FastAPI, engine: Engine
) -> None:
    client = signed_in(application, "marketing")
    made = _post(client, "/tiers/needs", {"name": "Cost efficiency", "segment": "cost-worriers"})
    assert (made.status_code, made.headers["location"]) == (303, "/tiers?done=needs-created#needs")
    bad = _post(client, "/tiers/needs", {"name": "cost EFFICIENCY"})
    assert bad.status_code == 422
    assert "Name: another needs segment is already called 'Cost efficiency'" in _text(bad.text)
    assert 'value="cost EFFICIENCY" aria-invalid="true"' in bad.text
    moved = _post(client, "/tiers/needs/cost-efficiency/move", {"direction": "left"})
    assert moved.status_code == 303
    page = client.get("/tiers").text
    heads = re.findall(r'<th scope="col">([^<]+)</th>', page.split('id="matrix"')[1])
    assert heads[:4] == ["Tier", "Cost efficiency", "Delivery reliability", "Care model"]
    edit = client.get("/tiers/needs/cost-efficiency")
    assert edit.status_code == 200 and 'value="Cost efficiency"' in edit.text
    renamed = _post(
        client,
        "/tiers/needs/cost-efficiency",
        {"name": "Cost control", "new_slug": "cost-efficiency", "segment": "cost-worriers"},
    )
    assert renamed.status_code == 303
    _post(client, "/tiers/needs/assign", {})
    with engine.connect() as connection:
        assert tiers_and_needs(connection)["Dune"] == ("bronze", "Cost control")
    refused = _post(client, "/tiers/needs/cost-efficiency/delete", {})
    assert refused.status_code == 422
    assert "Confirm: tick the confirmation to delete this needs segment" in _text(refused.text)
    deleted = _post(client, "/tiers/needs/cost-efficiency/delete", {"confirm": "yes"})
    assert deleted.status_code == 303
    with engine.connect() as connection:
        assert tiers_and_needs(connection)["Dune"] == ("bronze", None)
    assert client.get("/tiers/needs/cost-efficiency").status_code == 404


def test_a_cell_and_a_care_model_are_edited_on_their_own_pages(
    application: FastAPI, engine: Engine
) -> None:
    client = signed_in(application, "marketing")
    form = client.get("/tiers/cells/gold/delivery-reliability")
    assert form.status_code == 200
    assert "Offer for Gold · Delivery reliability" in _text(form.text)
    saved = _post(
        client,
        "/tiers/cells/gold/delivery-reliability",
        {"modules": "Basic offer\r\nDelivery audit\r\n", "notes": "With the COO"},
    )
    assert (saved.status_code, saved.headers["location"]) == (303, "/tiers?done=cell#matrix")
    bad = _post(client, "/tiers/cells/gold/delivery-reliability", {"modules": "x" * 101})
    assert bad.status_code == 422
    assert "Modules: at most 100 characters, got 101" in _text(bad.text)
    assert client.get("/tiers/cells/platinum/delivery-reliability").status_code == 404
    care = _post(
        client,
        "/tiers/care/gold",
        {
            "description": "Tailored",
            "touches_per_year": "24",
            "channels": "Meetings\r\nPhone",
            "owner_role": "sales",
        },
    )
    assert care.status_code == 303
    bad = _post(client, "/tiers/care/gold", {"touches_per_year": "lots"})
    assert bad.status_code == 422
    assert "Touches a year: expected a whole number from 0 to 1000, got 'lots'" in _text(bad.text)
    page = _text(client.get("/tiers").text)
    assert "Gold Basic offer Delivery audit With the COO Edit" in page
    assert "Tailored Touches a year 24 Channels Meetings, Phone Owned by sales" in page
    with engine.connect() as connection:
        assert connection.execute(select(accounts.c.id)).first() is not None
