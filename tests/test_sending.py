"""Delivering the send ledger to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from mail_world import free_port, smtp_server
from nurture_world import NOW, PUBLIC_URL, SENDER, add_template, ledger, seed_world
from silverplatter.domain.mail_message import message_id_for
from silverplatter.services.mail_composer import Composer, Links
from silverplatter.services.mail_handover import Pool
from silverplatter.services.outbox import BACKOFF
from silverplatter.services.sending import Delivery, Pace, deliver_due, queue_send
from silverplatter.services.signing import Signer
from silverplatter.services.smtp import SmtpTarget
from silverplatter.services.suppression import suppress

SIGNER = Signer("sending test key " * 3)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> Any:
        return self.now


def _delivery(engine: Engine, port: int, clock: Clock, **more: Any) -> Delivery:
    composer = Composer(Links(SIGNER, PUBLIC_URL), sender=SENDER, workspace="Seller Oy")
    pool = Pool(SmtpTarget("127.0.0.1", port), size=more.pop("size", 2), timeout=5)
    return Delivery(engine, pool, composer, clock, **more)


def _queue(engine: Engine, template: int, *contact_ids: int) -> None:
    with engine.begin() as connection:
        for contact_id in contact_ids:
            queue_send(
                connection,
                template_id=template,
                contact_id=contact_id,
                dedupe_key=f"test:{contact_id}",
                now=NOW,
            )


def test_delivers_personalised_tracked_messages_once(engine: Engine) -> None:
    people = seed_world(engine)
    template = add_template(engine)
    _queue(engine, template, people["lea"], people["pia"], people["sam"])
    clock = Clock()
    with smtp_server() as inbox:
        delivery = _delivery(engine, inbox.port, clock)
        report = deliver_due(delivery)
        again = deliver_due(delivery)
        delivery.pool.close()
    assert (report.sent, report.failed, report.batches, report.commits) == (3, 0, 1, 2)
    assert again.handled == 0
    assert sorted(message["Subject"] for message in inbox.messages) == [
        "News for Lea",
        "News for Sam",
        "News for you",
    ]
    assert sorted(rcpts[0] for _sender, rcpts in inbox.envelopes) == [
        "lea@buyer.example",
        "pia@other.example",
        "sam@solo.example",
    ]
    lea = next(m for m in inbox.messages if m["To"] == "lea@buyer.example")
    assert lea["Message-ID"] == message_id_for(f"test:{people['lea']}", SENDER)
    assert lea["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/capture/unsubscribe/")
    assert lea["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = lea.get_body(("html",)).get_content()
    text = lea.get_body(("plain",)).get_content()
    assert "<h1>Hello Lea</h1><p>News for Buyer Oy.</p>" in html
    clicks = re.findall(r'href="([^"]+)"', html)
    assert [link.split("/capture/")[1].split("/")[0] for link in clicks] == ["c", "unsubscribe"]
    assert re.search(rf'<img src="{PUBLIC_URL}/capture/o/[^"]+\.gif"', html)
    assert "https://seller.example/guide" not in html
    assert text.startswith(
        "Hello Lea\n\nNews for Buyer Oy.\n\nRead the guide (" + PUBLIC_URL + "/capture/c/"
    )
    rows = ledger(engine)
    assert [(row["status"], row["attempts"], row["sent_at"]) for row in rows] == [
        ("sent", 1, NOW)
    ] * 3
    assert rows[0]["message_id"] == message_id_for(f"test:{people['lea']}", SENDER)


def test_suppressed_by_the_time_of_sending_and_refused_recipients(engine: Engine) -> None:
    people = seed_world(engine)
    template = add_template(engine)
    _queue(engine, template, people["lea"], people["olli"], people["sam"])
    with engine.begin() as connection:
        suppress(connection, "olli@buyer.example", reason="complaint", source="t", now=NOW)
    with smtp_server() as inbox:
        inbox.refuse["sam@solo.example"] = "550 5.1.1 no such user"
        delivery = _delivery(engine, inbox.port, Clock())
        report = deliver_due(delivery)
        delivery.pool.close()
    assert (report.sent, report.suppressed, report.failed) == (1, 1, 1)
    assert [(row["status"], row["last_error"]) for row in ledger(engine)] == [
        ("sent", None),
        ("suppressed", "suppressed: complaint"),
        ("failed", "550 5.1.1 no such user"),
    ]
    assert [rcpts for _s, rcpts in inbox.envelopes] == [["lea@buyer.example"]]


def test_server_down_retries_with_backoff_then_delivers(engine: Engine) -> None:
    people = seed_world(engine)
    template = add_template(engine)
    _queue(engine, template, people["lea"], people["olli"])
    clock = Clock()
    port = free_port()
    delivery = _delivery(engine, port, clock)
    report = deliver_due(delivery)
    assert (report.sent, report.retried) == (0, 2)
    assert report.stopped is not None
    rows = ledger(engine)
    assert [(row["status"], row["not_before"]) for row in rows] == [
        ("queued", NOW + BACKOFF[0]),
        ("queued", NOW + BACKOFF[0]),
    ]
    with smtp_server(port) as inbox:
        assert deliver_due(delivery).handled == 0  # not due yet
        clock.now = NOW + BACKOFF[0]
        report = deliver_due(delivery)
        delivery.pool.close()
    assert report.sent == 2 and len(inbox.messages) == 2
    assert [row["attempts"] for row in ledger(engine)] == [2, 2]


def test_stale_claims_are_sent_again(engine: Engine) -> None:
    people = seed_world(engine)
    template = add_template(engine)
    _queue(engine, template, people["lea"])
    from silverplatter.storage import mail_sends as store

    with engine.begin() as connection:
        assert store.claim_due(connection, NOW, 10) == [ledger(engine)[0]["id"]]
    clock = Clock()
    with smtp_server() as inbox:
        delivery = _delivery(engine, inbox.port, clock)
        assert deliver_due(delivery).handled == 0  # claimed by a live worker
        clock.now = NOW + timedelta(minutes=10)
        assert deliver_due(delivery).sent == 1
        delivery.pool.close()
    assert len(inbox.messages) == 1


def test_domain_limit_defers_the_rest_of_the_minute(engine: Engine) -> None:
    people = seed_world(engine)
    template = add_template(engine)
    _queue(engine, template, people["lea"], people["olli"], people["sam"])
    ticks = iter([0.0] * 20)
    pace = Pace(domain_rate=1, monotonic=lambda: next(ticks))
    with smtp_server() as inbox:
        delivery = _delivery(engine, inbox.port, Clock(), pace=pace)
        report = deliver_due(delivery)
        delivery.pool.close()
    # The ledger first, with each row's error: a failure then says what the server did.
    assert [
        (row["status"], row["not_before"], row["attempts"], row["last_error"])
        for row in ledger(engine)
    ] == [
        ("sent", NOW, 1, None),
        ("queued", NOW + timedelta(seconds=60), 0, None),
        ("sent", NOW, 1, None),
    ]
    assert (report.sent, report.deferred, report.retried, report.failed, report.stopped) == (
        2, 1, 0, 0, None,
    )  # fmt: skip


def test_pace_spreads_messages_over_the_rate() -> None:
    slept: list[float] = []
    clock = [100.0]
    pace = Pace(rate=10, monotonic=lambda: clock[0], sleep=slept.append)
    pace.wait_turn(5)
    pace.wait_turn(5)
    pace.wait_turn(5)
    assert slept == [0.5, 1.0]


class _RefusingTheEnd:
    """A server that takes every command but refuses the message at the end of data."""

    def __init__(self, reply: str) -> None:
        self.reply = reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.reply


@pytest.mark.parametrize(
    ("reply", "status"), [("554 5.7.1 spam", "failed"), ("451 4.3.0 later", "queued")]
)
def test_a_refusal_at_the_end_of_data_unsays_sent(engine: Engine, reply: str, status: str) -> None:
    from aiosmtpd.controller import Controller

    people = seed_world(engine)
    template = add_template(engine)
    _queue(engine, template, people["lea"])
    controller = Controller(_RefusingTheEnd(reply), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        delivery = _delivery(engine, controller.port, Clock())
        report = deliver_due(delivery)
        delivery.pool.close()
    finally:
        controller.stop()
    assert (report.sent, report.failed + report.retried) == (0, 1)
    row = ledger(engine)[0]
    assert (row["status"], row["sent_at"], row["message_id"], row["last_error"]) == (
        status,
        None,
        None,
        reply,
    )


def test_a_refusal_is_settled_even_when_the_commit_fails_after_the_ends_went_out(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.controller import Controller

    from silverplatter.storage import mail_sends as storage

    people = seed_world(engine)
    template = add_template(engine)
    _queue(engine, template, people["lea"])
    original = storage.settle_sent

    def committed_then_lost(*args: Any, **options: Any) -> None:
        original(*args, **options)  # committed, the end of data written
        raise RuntimeError("the answer to COMMIT was lost")

    monkeypatch.setattr(storage, "settle_sent", committed_then_lost)
    controller = Controller(
        _RefusingTheEnd("554 5.7.1 spam"), hostname="127.0.0.1", port=free_port()
    )
    controller.start()
    try:
        delivery = _delivery(engine, controller.port, Clock())
        with pytest.raises(RuntimeError, match="the answer to COMMIT was lost"):
            deliver_due(delivery)
        delivery.pool.close()
    finally:
        controller.stop()
    row = ledger(engine)[0]
    # the server refused it at the end of data: not left "sent"
    assert (row["status"], row["sent_at"], row["last_error"]) == ("failed", None, "554 5.7.1 spam")
