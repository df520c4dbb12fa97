"""The sales-queue page: who sees which cards, and accept / recycle / disqualify / BANT.

A small fixed world: Sam (sales) owns Acme, Sue (sales) owns Pohja.  Anna
(Acme) and Bert (Pohja) were handed over on Friday 20 February and are three
days overdue at :data:`NOW`; Cecilia (Acme) was handed over at :data:`NOW`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.audit import Actor
from silverplatter.services.handover import hand_over_new_sqls
from silverplatter.services.lifecycle import transition
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.services.users import create_user
from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.lifecycle_schema import qualifications, stage_transitions
from silverplatter.storage.schema import accounts, contacts
from web_world import NOW, PASSWORD, Clock, SignedIn, seed_users, signed_in, web_app

HANDED = NOW - timedelta(days=10)  # Friday 20 February, 09:00 UTC
HTMX = {"HX-Request": "true"}


def _world(engine: Engine, database_url: str) -> tuple[FastAPI, dict[str, int]]:
    users = seed_users(engine)
    with engine.begin() as connection:
        sue = create_user(
            connection,
            email="sue@seller.example",
            name="Sue Seller",
            role="sales",
            password=PASSWORD,
            now=NOW,
            actor=Actor(None),
        )
        users["sue"] = sue.id
        upsert_accounts(
            connection,
            [
                AccountFields(name="Acme Oy", domain="acme.fi", owner_email="sam@seller.example"),
                AccountFields(name="Pohja Oy", domain="pohja.fi", owner_email="sue@seller.example"),
            ],
            now=HANDED,
        )
        people = [
            ("anna@acme.fi", "Anna", "Virtanen", "CEO"),
            ("bert@pohja.fi", "Bert", "Berg", "CFO"),
            ("cecilia@acme.fi", "Cecilia", "Koski", None),
        ]
        upsert_contacts(
            connection,
            [
                ContactFields(
                    email=email,
                    first_name=first,
                    last_name=last,
                    title=title,
                    account_domain=email.split("@")[1],
                )
                for email, first, last, title in people
            ],
            now=HANDED,
        )
        ids = {row.email.split("@")[0]: row.id for row in connection.execute(select(contacts))}
        for who, when in (("anna", HANDED), ("bert", HANDED)):
            transition(
                connection, ids[who], "sql", reason="asked for a demo", now=when, has_hard_cta=True
            )
        hand_over_new_sqls(connection, now=HANDED)
        transition(
            connection,
            ids["cecilia"],
            "sql",
            reason="asked for a quote",
            now=NOW,
            has_hard_cta=True,
        )
        hand_over_new_sqls(connection, now=NOW)
        ids.update(
            {
                f"account:{row.domain}": row.id
                for row in connection.execute(select(accounts.c.id, accounts.c.domain))
            }
        )
    ids.update({f"user:{role}": user_id for role, user_id in users.items()})
    return web_app(engine, database_url, Clock()), ids


def _handover(engine: Engine, contact_id: int) -> tuple[Any, ...]:
    with engine.connect() as connection:
        row = connection.execute(
            select(handovers.c.outcome, handovers.c.acted_by, contacts.c.lifecycle_stage)
            .join(contacts, contacts.c.id == handovers.c.contact_id)
            .where(handovers.c.contact_id == contact_id)
        ).one()
    return tuple(row)


def _last_reason(engine: Engine, contact_id: int) -> str:
    with engine.connect() as connection:
        reason: str = connection.execute(
            select(stage_transitions.c.reason)
            .where(stage_transitions.c.contact_id == contact_id)
            .order_by(stage_transitions.c.id.desc())
            .limit(1)
        ).scalar_one()
    return reason


def _names(html: str) -> list[str]:
    return re.findall(r'<h2 id="who-\d+"><a href="/contacts/\d+">([^<]+)</a></h2>', html)


def _post(client: SignedIn, path: str, data: dict[str, str], **kwargs: Any) -> Any:
    return client.post(path, data={"csrf_token": client.csrf, **data}, **kwargs)


def test_sales_sees_its_own_cards_overdue_first(engine: Engine, database_url: str) -> None:
    app, ids = _world(engine, database_url)
    page = signed_in(app, "sales").get("/queue")
    assert page.status_code == 200
    assert _names(page.text) == ["Anna Virtanen", "Cecilia Koski"]
    assert "2 leads ready for sales" in page.text
    assert "1 overdue" in page.text
    assert "Overdue by 3 days" in page.text
    assert "2026-02-27 09:00 UTC" in page.text  # Anna's due time: 5 working days
    assert "2026-03-09 09:00 UTC" in page.text  # Cecilia's
    assert f'href="/contacts/{ids["anna"]}"' in page.text
    assert f'href="/accounts/{ids["account:acme.fi"]}">Acme Oy</a>' in page.text
    assert f'href="/contacts/{ids["anna"]}#explanation"' in page.text
    assert "Sales User" in page.text  # the owner
    assert "Title unknown" in page.text  # Cecilia has none
    # No filter for sales: their own cards only.
    assert 'name="show" value="all"' not in page.text
    assert len(_names(signed_in(app, "sales").get("/queue?show=all").text)) == 2


def test_admin_sees_every_card_and_can_filter_to_its_own(engine: Engine, database_url: str) -> None:
    app, _ = _world(engine, database_url)
    admin = signed_in(app, "admin")
    page = admin.get("/queue")
    assert _names(page.text) == ["Anna Virtanen", "Bert Berg", "Cecilia Koski"]
    assert "2 overdue" in page.text
    assert "Sue Seller" in page.text
    assert 'value="all" checked' in page.text
    mine = admin.get("/queue?show=mine")
    assert _names(mine.text) == []
    assert "Nothing in your queue right now" in mine.text
    # Marketing reads the queue but has no buttons and no BANT form.
    marketing = signed_in(app, "marketing").get("/queue")
    assert len(_names(marketing.text)) == 3
    assert ">Accept</button>" not in marketing.text
    assert "Qualify (BANT)" not in marketing.text


def test_accept_with_htmx_replaces_the_card_with_its_outcome(
    engine: Engine, database_url: str
) -> None:
    app, ids = _world(engine, database_url)
    sales = signed_in(app, "sales")
    response = _post(sales, f"/queue/{ids['anna']}/accept", {"show": "mine"}, headers=HTMX)
    assert response.status_code == 200
    assert f'id="card-{ids["anna"]}"' in response.text
    assert "<strong>Anna Virtanen</strong>:" in response.text
    assert "accepted, now Accepted by sales" in response.text
    assert _handover(engine, ids["anna"]) == ("accepted", ids["user:sales"], "sal")
    assert _names(sales.get("/queue").text) == ["Cecilia Koski"]


def test_recycle_without_javascript_redirects_back_with_a_message(
    engine: Engine, database_url: str
) -> None:
    app, ids = _world(engine, database_url)
    sales = signed_in(app, "sales")
    response = _post(
        sales,
        f"/queue/{ids['cecilia']}/recycle",
        {"reason": "timing", "note": "budget round in Q3", "show": "mine"},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/queue?show=mine&done=recycle",
    )
    assert _handover(engine, ids["cecilia"]) == ("recycled", ids["user:sales"], "recycled")
    assert (
        _last_reason(engine, ids["cecilia"]) == "Not now: the timing is wrong: budget round in Q3"
    )
    page = sales.get(response.headers["location"])
    assert "Recycled: the contact is back in nurture." in page.text


def test_admin_disqualifies_with_its_own_words(engine: Engine, database_url: str) -> None:
    app, ids = _world(engine, database_url)
    admin = signed_in(app, "admin")
    response = _post(
        admin,
        f"/queue/{ids['bert']}/disqualify",
        {"reason": "other", "note": "works for a reseller"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "disqualified. Reason: works for a reseller" in response.text
    assert _handover(engine, ids["bert"]) == ("disqualified", ids["user:admin"], "disqualified")
    assert _last_reason(engine, ids["bert"]) == "works for a reseller"


@pytest.mark.parametrize("action", ["recycle", "disqualify"])
def test_a_missing_reason_shows_the_form_again_with_an_error(
    engine: Engine, database_url: str, action: str
) -> None:
    app, ids = _world(engine, database_url)
    sales = signed_in(app, "sales")
    path = f"/queue/{ids['anna']}/{action}"
    verb = {"recycle": "recycling", "disqualify": "disqualifying"}[action]
    page = _post(sales, path, {"reason": "", "note": "", "show": "mine"})
    assert page.status_code == 422
    assert f"choose a reason for {verb} this lead" in page.text
    assert f'<details class="queue-reason" id="{action}-{ids["anna"]}" open>' in page.text
    partial = _post(sales, path, {"reason": "other", "note": "  "}, headers=HTMX)
    assert partial.status_code == 200
    assert partial.headers["HX-Retarget"] == f"#{action}-{ids['anna']}"
    assert "say why in a few words when the reason is Other" in partial.text
    assert "<html" not in partial.text
    assert _handover(engine, ids["anna"]) == (None, None, "sql")


def test_state_changes_need_the_csrf_token(engine: Engine, database_url: str) -> None:
    app, ids = _world(engine, database_url)
    sales = signed_in(app, "sales")
    response = sales.post(f"/queue/{ids['anna']}/accept", data={"show": "mine"})
    assert response.status_code == 403
    forged = sales.post(f"/queue/{ids['anna']}/accept", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert _handover(engine, ids["anna"]) == (None, None, "sql")


def test_marketing_cannot_act_and_sales_only_on_its_own_cards(
    engine: Engine, database_url: str
) -> None:
    app, ids = _world(engine, database_url)
    marketing = signed_in(app, "marketing")
    assert _post(marketing, f"/queue/{ids['anna']}/accept", {}).status_code == 403
    assert _post(marketing, f"/queue/{ids['anna']}/qualification", {"need": "x"}).status_code == 403
    sales = signed_in(app, "sales")
    assert _post(sales, f"/queue/{ids['bert']}/accept", {}).status_code == 404
    recycle = {"reason": "timing"}
    assert _post(sales, f"/queue/{ids['bert']}/recycle", recycle).status_code == 404
    assert _post(sales, f"/queue/{ids['bert']}/qualification", {"need": "x"}).status_code == 404
    assert _post(sales, "/queue/999999/accept", {}).status_code == 404
    assert _handover(engine, ids["bert"]) == (None, None, "sql")
    # Accepting twice: the second one is refused, in words.
    assert _post(sales, f"/queue/{ids['anna']}/accept", {}, headers=HTMX).status_code == 200
    again = _post(sales, f"/queue/{ids['anna']}/accept", {}, headers=HTMX)
    assert again.headers["HX-Retarget"] == f"#message-{ids['anna']}"
    assert "Could not finish accepting: the contact is already at stage sal" in again.text


def test_bant_is_recorded_for_the_card(engine: Engine, database_url: str) -> None:
    app, ids = _world(engine, database_url)
    sales = signed_in(app, "sales")
    form = {
        "budget": "approved for this year",
        "budget_amount": "25 000",
        "authority": "the CEO decides",
        "need": "faster deliveries",
        "timeline": "2026-09-01",
        "current_supplier": "Old ERP Oy",
        "contract_end": "2026-12-31",
        "satisfaction": "4",
    }
    response = _post(sales, f"/queue/{ids['anna']}/qualification", form, headers=HTMX)
    assert response.status_code == 200
    assert "Qualification saved for Anna Virtanen." in response.text
    assert "BANT is complete." in response.text
    with engine.connect() as connection:
        row = connection.execute(
            select(qualifications).where(qualifications.c.contact_id == ids["anna"])
        ).one()
    assert (row.budget, row.budget_amount, row.authority, row.need) == (
        "approved for this year",
        25000,
        "the CEO decides",
        "faster deliveries",
    )
    assert (row.timeline, row.contract_end, row.satisfaction) == (
        date(2026, 9, 1),
        date(2026, 12, 31),
        4,
    )
    assert (row.current_supplier, row.recorded_by) == ("Old ERP Oy", ids["user:sales"])
    partial = _post(sales, f"/queue/{ids['cecilia']}/qualification", {"need": "x"}, headers=HTMX)
    assert "Still unknown: budget, authority (who decides), timeline" in partial.text
    redirect = _post(
        sales, f"/queue/{ids['cecilia']}/qualification", {"need": "y"}, follow_redirects=False
    )
    assert redirect.headers["location"] == "/queue?show=mine&done=qualification"


def test_a_bad_bant_field_is_named_and_nothing_is_stored(engine: Engine, database_url: str) -> None:
    app, ids = _world(engine, database_url)
    sales = signed_in(app, "sales")
    sent = {"need": "faster deliveries", "timeline": "next autumn", "satisfaction": "11"}
    page = _post(sales, f"/queue/{ids['anna']}/qualification", sent)
    assert page.status_code == 422
    assert "expected a date as YYYY-MM-DD, such as 2026-09-01" in page.text
    assert "expected a whole number from 0 to 10" in page.text
    assert 'value="next autumn"' in page.text  # what was typed stays
    partial = _post(sales, f"/queue/{ids['anna']}/qualification", {}, headers=HTMX)
    assert partial.headers["HX-Retarget"] == f"#bant-{ids['anna']}"
    assert "fill in at least one of budget, authority, need or timeline" in partial.text
    with engine.connect() as connection:
        assert connection.execute(select(qualifications)).all() == []


def test_a_long_queue_shows_its_first_cards_and_offers_more(
    engine: Engine, database_url: str
) -> None:
    app, _ids = _world(engine, database_url)
    client = signed_in(app, "sales")
    first = client.get("/queue", params={"cards": 1}).text
    assert _names(first) == ["Anna Virtanen"]
    assert 'href="/queue?show=mine&amp;cards=21">Show more</a>' in first
    everything = client.get("/queue", params={"cards": 21}).text
    assert _names(everything) == ["Anna Virtanen", "Cecilia Koski"]
    assert "Show more" not in everything
    assert client.get("/queue", params={"cards": 201}).status_code == 422
