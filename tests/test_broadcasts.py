"""Broadcasts: a draft, its recipient count, scheduling, the set-based expansion into the
ledger, delivery with opens, clicks and unsubscribes counted per broadcast, cancelling."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from mail_world import smtp_server
from nurture_world import NOW, PUBLIC_URL, SENDER, add_template, ledger, seed_world
from silverplatter.services import broadcasts as service
from silverplatter.services.audit import Actor
from silverplatter.services.mail_composer import Composer, Links
from silverplatter.services.mail_handover import Pool
from silverplatter.services.segments import SegmentDraft, create_segment
from silverplatter.services.sending import Delivery, deliver_due
from silverplatter.services.signing import signer_for
from silverplatter.services.smtp import SmtpTarget
from silverplatter.services.suppression import suppress
from silverplatter.settings import Settings
from silverplatter.storage.schema import events
from silverplatter.web.app import create_app
from web_world import Clock

RULE = {"all": [{"field": "contact.email_domain", "op": "equals", "value": "buyer.example"}]}


def _segment(engine: Engine) -> int:
    with engine.begin() as connection:
        made = create_segment(
            connection,
            SegmentDraft(slug="buyers", name="Buyers", rule=RULE),
            actor=Actor(None),
            now=NOW,
        )
    return made.id


def _draft(engine: Engine) -> tuple[dict[str, int], int]:
    people = seed_world(engine)
    template = add_template(engine)
    segment = _segment(engine)
    with engine.begin() as connection:
        made = service.create_broadcast(
            connection,
            name="Newsletter, week 10",
            template_id=template,
            segment_id=segment,
            user_id=people["owner"],
            now=NOW,
        )
    return people, made.id


def test_draft_schedule_start_and_expansion(engine: Engine) -> None:
    people, broadcast = _draft(engine)
    with engine.begin() as connection:
        assert service.recipient_count(connection, broadcast, now=NOW) == 2
        found = service.schedule(connection, broadcast, at=NOW + timedelta(hours=1), now=NOW)
    assert (found.status, found.scheduled_at) == ("scheduled", NOW + timedelta(hours=1))
    assert service.start_due_broadcasts(engine, now=NOW) == 0
    assert service.start_due_broadcasts(engine, now=NOW + timedelta(hours=1)) == 2
    assert service.start_due_broadcasts(engine, now=NOW + timedelta(hours=2)) == 0
    rows = ledger(engine)
    assert [(row["dedupe_key"], row["status"], row["to_domain"]) for row in rows] == [
        (f"broadcast:{broadcast}:{people['lea']}", "queued", "buyer.example"),
        (f"broadcast:{broadcast}:{people['olli']}", "queued", "buyer.example"),
    ]
    with engine.connect() as connection:
        found = service.get_broadcast(connection, broadcast)
        assert (found.status, found.recipients, found.started_at) == (
            "sending",
            2,
            NOW + timedelta(hours=1),
        )
        with pytest.raises(service.BroadcastError, match="status"):
            service.schedule(connection, broadcast, at=None, now=NOW)


def test_cancel_withdraws_what_is_queued(engine: Engine) -> None:
    _people, broadcast = _draft(engine)
    with engine.begin() as connection:
        service.schedule(connection, broadcast, at=None, now=NOW)
    service.start_due_broadcasts(engine, now=NOW)
    with engine.begin() as connection:
        assert service.cancel(connection, broadcast, now=NOW) == 2
        assert service.get_broadcast(connection, broadcast).status == "cancelled"
        with pytest.raises(service.BroadcastError, match="cancelled already"):
            service.cancel(connection, broadcast, now=NOW)
    assert {row["status"] for row in ledger(engine)} == {"failed"}


def test_a_bad_draft_names_the_field(engine: Engine) -> None:
    seed_world(engine)
    template = add_template(engine)
    with engine.begin() as connection, pytest.raises(service.BroadcastError) as refused:
        service.create_broadcast(
            connection, name="x", template_id=template, segment_id=99, user_id=None, now=NOW
        )
    assert (refused.value.field, refused.value.message) == ("segment_id", "no segment with id 99")


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    return create_app(
        Settings(database_url=database_url, public_url=PUBLIC_URL), engine, clock=Clock()
    )


def _deliver(engine: Engine, port: int) -> Any:
    with engine.connect() as connection:
        signer = signer_for(connection, Settings(public_url=PUBLIC_URL))
    delivery = Delivery(
        engine,
        Pool(SmtpTarget("127.0.0.1", port), size=2, timeout=5),
        Composer(Links(signer, PUBLIC_URL), sender=SENDER, workspace="Seller Oy"),
        lambda: NOW,
    )
    try:
        return deliver_due(delivery)
    finally:
        delivery.pool.close()


def test_sent_opened_clicked_unsubscribed_and_bounced_are_counted(
    engine: Engine, application: FastAPI
) -> None:
    people, broadcast = _draft(engine)
    with engine.begin() as connection:
        suppress(connection, "olli@buyer.example", reason="manual", source="t", now=NOW)
        service.schedule(connection, broadcast, at=None, now=NOW)
    service.start_due_broadcasts(engine, now=NOW)
    with smtp_server() as inbox:
        report = _deliver(engine, inbox.port)
    assert (report.sent, report.suppressed) == (1, 1)
    assert service.finish_sent(engine, now=NOW) == 1
    html = inbox.messages[0].get_body(("html",)).get_content()
    pixel = re.search(r'<img src="([^"]+)"', html)
    click = re.search(r'href="([^"]*/capture/c/[^"]+)"', html)
    assert pixel and click
    unsubscribe = inbox.messages[0]["List-Unsubscribe"].strip("<>")
    client = TestClient(application)
    path = lambda url: url.replace(PUBLIC_URL, "")  # noqa: E731
    for _ in range(2):
        assert client.get(path(pixel.group(1))).headers["content-type"] == "image/gif"
    went = client.get(path(click.group(1)), follow_redirects=False)
    assert went.status_code == 302
    target = urlsplit(went.headers["location"])
    assert (target.netloc, target.path) == ("seller.example", "/guide")
    query = parse_qs(target.query)
    assert (query["x"], query["y"]) == (["1"], ["2"])
    with engine.connect() as connection:
        signer = signer_for(connection, Settings())
    assert signer.verify("tracking", query["sp_c"][0], now=NOW) == {"c": people["lea"]}
    assert client.post(path(unsubscribe)).status_code == 200
    with engine.connect() as connection:
        figures = service.figures(connection, broadcast)
        kinds = sorted(row.type for row in connection.execute(select(events.c.type)).all())
    assert kinds == ["email_click", "email_open", "email_unsubscribe"]
    assert figures == service.Figures(
        recipients=2,
        sent=1,
        bounced=0,
        suppressed=1,
        failed=0,
        waiting=0,
        opens=1,
        clicks=1,
        unsubscribes=1,
    )
    assert figures.delivered == 1
    with engine.connect() as connection:
        assert service.timeline(connection, broadcast) == [("2026-03-02T09:00:00", 1, 1)]
        assert service.get_broadcast(connection, broadcast).status == "sent"


def test_altered_click_and_open_tokens_do_nothing(engine: Engine, application: FastAPI) -> None:
    seed_world(engine)
    client = TestClient(application)
    with engine.connect() as connection:
        signer = signer_for(connection, Settings())
    token = signer.sign("click", {"s": 1, "u": "https://seller.example/"}, now=NOW)
    _value, _dot, signature = token.rpartition(".")
    forged = signer.sign("click", {"s": 1, "u": "https://evil.example/"}, now=NOW).rpartition(".")[
        0
    ]
    for bad in (forged + "." + signature, token[:-2] + "xx", "nonsense"):
        answer = client.get(f"/capture/c/{bad}", follow_redirects=False)
        assert answer.status_code == 400 and "location" not in answer.headers
        assert "not valid" in answer.text
    wrong_purpose = signer.sign("open", {"s": 1, "u": "https://evil.example/"}, now=NOW)
    assert client.get(f"/capture/c/{wrong_purpose}", follow_redirects=False).status_code == 400
    javascript = signer.sign("click", {"s": 1, "u": "javascript:alert(1)"}, now=NOW)
    assert client.get(f"/capture/c/{javascript}", follow_redirects=False).status_code == 400
    assert client.get("/capture/o/altered.gif").headers["content-type"] == "image/gif"
    with engine.connect() as connection:
        assert connection.execute(select(events.c.id)).all() == []
