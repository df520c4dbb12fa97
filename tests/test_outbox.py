"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1).

Queue → deliver → received with the right headers; a server that is down
costs nothing (retried with backoff, delivered once it is up); suppression is
enforced when a message is queued and again when it is sent; queueing is
idempotent; a claim abandoned by a crashed worker is taken up again.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from mail_world import free_port, smtp_server
from silverplatter.domain.records import ContactFields
from silverplatter.services.outbox import (
    BACKOFF,
    OutgoingMail,
    SmtpTarget,
    SmtpTransport,
    deliver_pending,
    due_count,
    outbox_counts,
    queue_mail,
    retry_failed,
)
from silverplatter.services.records import upsert_contacts
from silverplatter.services.signing import Signer
from silverplatter.services.suppression import suppress
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.capture_schema import outbound_mail
from silverplatter.storage.schema import contacts

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SENDER = "Seller Oy <news@seller.example>"
SIGNER = Signer("outbox test key " * 3)
PUBLIC_URL = "https://app.seller.example/"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def lea(engine: Engine) -> int:
    """A workspace with one contact; returns her id."""
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="lea@buyer.example")], now=NOW)
        return int(connection.execute(select(contacts.c.id)).scalar_one())


def _mail(key: str, to: str = "lea@buyer.example", **more: Any) -> OutgoingMail:
    return OutgoingMail(
        kind=more.pop("kind", "opt_in"),
        dedupe_key=key,
        to_address=to,
        subject=more.pop("subject", "Confirm your address"),
        text_body=more.pop("text_body", "Click the link to confirm."),
        **more,
    )


def _queue(engine: Engine, *mails: OutgoingMail, now: datetime = NOW) -> list[str]:
    with engine.begin() as connection:
        return [queue_mail(connection, mail, now=now) for mail in mails]


def _deliver(engine: Engine, port: int, clock: Clock, **options: Any) -> Any:
    transport = SmtpTransport(SmtpTarget("127.0.0.1", port), timeout=5)
    return deliver_pending(
        engine,
        transport,
        sender=SENDER,
        clock=clock,
        signer=SIGNER,
        public_url=PUBLIC_URL,
        **options,
    )


def _rows(engine: Engine) -> list[tuple[Any, ...]]:
    m = outbound_mail.c
    with engine.connect() as connection:
        query = select(m.dedupe_key, m.status, m.attempts, m.not_before, m.sent_at, m.last_error)
        return [tuple(row) for row in connection.execute(query.order_by(m.id))]


def test_a_queued_message_arrives_with_its_headers(engine: Engine, lea: int) -> None:
    html = "<p>Click the <a href='https://x.example'>link</a>.</p>"
    assert _queue(engine, _mail("opt_in:1", contact_id=lea, html_body=html)) == ["queued"]
    clock = Clock()
    with smtp_server() as inbox:
        clock.now = NOW + timedelta(seconds=30)
        report = _deliver(engine, inbox.port, clock)
    assert (report.sent, report.retried, report.failed, report.suppressed) == (1, 0, 0, 0)
    assert report.stopped is None
    assert inbox.envelopes == [("news@seller.example", ["lea@buyer.example"])]
    [message] = inbox.messages
    assert message["From"] == SENDER
    assert message["To"] == "lea@buyer.example"
    assert message["Subject"] == "Confirm your address"
    assert message["Date"] == "Mon, 02 Mar 2026 09:00:30 +0000"
    digest = hashlib.sha256(b"opt_in:1").hexdigest()[:32]
    assert message["Message-ID"] == f"<{digest}@seller.example>"
    unsubscribe = message["List-Unsubscribe"]
    prefix = "<https://app.seller.example/capture/unsubscribe/"
    assert unsubscribe.startswith(prefix) and unsubscribe.endswith(">")
    token = unsubscribe[len(prefix) : -1]
    assert SIGNER.verify("unsubscribe", token, now=clock.now) == {"c": lea}
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("plain",)).get_content() == "Click the link to confirm.\n"  # type: ignore[union-attr]
    assert message.get_body(("html",)).get_content() == html + "\n"  # type: ignore[union-attr]
    assert _rows(engine) == [("opt_in:1", "sent", 1, NOW + timedelta(seconds=30), clock.now, None)]


def test_a_message_to_no_contact_has_no_unsubscribe_link(engine: Engine, lea: int) -> None:
    _queue(engine, _mail("notice:1", to="ops@seller.example", kind="notice"))
    with smtp_server() as inbox:
        assert _deliver(engine, inbox.port, Clock()).sent == 1
    [message] = inbox.messages
    assert message["List-Unsubscribe"] is None
    assert message["List-Unsubscribe-Post"] is None
    assert message.get_content_type() == "text/plain"


def test_a_server_that_is_down_costs_nothing_and_gets_the_mail_once_up(
    engine: Engine, lea: int
) -> None:
    _queue(engine, _mail("opt_in:1"), _mail("opt_in:2", to="otto@buyer.example"))
    port = free_port()
    clock = Clock()
    report = _deliver(engine, port, clock)
    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    assert report.stopped is not None and "refused" in report.stopped.lower()
    first, second = _rows(engine)
    assert first[:4] == ("opt_in:1", "queued", 1, NOW + BACKOFF[0])
    assert "refused" in first[5].lower()
    assert second == ("opt_in:2", "queued", 0, NOW, None, None)
    with engine.connect() as connection:
        assert due_count(connection, NOW) == 1
        assert outbox_counts(connection) == {
            "queued": 2,
            "sending": 0,
            "sent": 0,
            "suppressed": 0,
            "failed": 0,
        }
    with smtp_server(port) as inbox:
        assert _deliver(engine, port, clock).sent == 1  # the first waits out its backoff
        clock.now = NOW + BACKOFF[0]
        assert _deliver(engine, port, clock).sent == 1
    assert [message["To"] for message in inbox.messages] == [
        "otto@buyer.example",
        "lea@buyer.example",
    ]
    assert [(row[0], row[1], row[2]) for row in _rows(engine)] == [
        ("opt_in:1", "sent", 2),
        ("opt_in:2", "sent", 1),
    ]


def test_the_waits_grow_and_after_the_last_the_message_fails(engine: Engine, lea: int) -> None:
    _queue(engine, _mail("opt_in:1"))
    port = free_port()
    clock = Clock()
    waits = []
    for _ in range(len(BACKOFF)):
        assert _deliver(engine, port, clock).retried == 1
        [row] = _rows(engine)
        waits.append(row[3] - clock.now)
        clock.now = row[3]
    assert waits == list(BACKOFF)
    report = _deliver(engine, port, clock)
    assert (report.retried, report.failed) == (0, 1)
    [row] = _rows(engine)
    assert row[:4] == ("opt_in:1", "failed", 6, clock.now)
    with engine.begin() as connection:
        assert retry_failed(connection, now=clock.now) == 1
    with smtp_server(port):
        assert _deliver(engine, port, clock).sent == 1
    assert _rows(engine)[0][:3] == ("opt_in:1", "sent", 1)


def test_a_recipient_refused_for_good_fails_and_one_refused_for_now_waits(
    engine: Engine, lea: int
) -> None:
    _queue(
        engine,
        _mail("m:1", to="gone@buyer.example"),
        _mail("m:2", to="busy@buyer.example"),
        _mail("m:3"),
    )
    with smtp_server() as inbox:
        inbox.refuse = {
            "gone@buyer.example": "550 5.1.1 no such user",
            "busy@buyer.example": "450 4.2.1 try again later",
        }
        report = _deliver(engine, inbox.port, Clock())
    assert (report.sent, report.retried, report.failed, report.stopped) == (1, 1, 1, None)
    rows = _rows(engine)
    assert [(row[0], row[1], row[2], row[3]) for row in rows] == [
        ("m:1", "failed", 1, NOW),
        ("m:2", "queued", 1, NOW + BACKOFF[0]),
        ("m:3", "sent", 1, NOW),
    ]
    assert "no such user" in rows[0][5] and "try again later" in rows[1][5]
    assert [message["To"] for message in inbox.messages] == ["lea@buyer.example"]


def test_a_suppressed_address_is_not_even_queued(engine: Engine, lea: int) -> None:
    with engine.begin() as connection:
        suppress(connection, "Lea@Buyer.example", reason="unsubscribed", source="t", now=NOW)
    assert _queue(engine, _mail("opt_in:1")) == ["suppressed"]
    assert _rows(engine) == [("opt_in:1", "suppressed", 0, NOW, None, "suppressed: unsubscribed")]
    with smtp_server() as inbox:
        report = _deliver(engine, inbox.port, Clock())
    assert (report.sent, report.suppressed, inbox.messages) == (0, 0, [])


def test_an_address_suppressed_after_queueing_is_not_sent(engine: Engine, lea: int) -> None:
    _queue(engine, _mail("opt_in:1"), _mail("opt_in:2", to="otto@buyer.example"))
    with engine.begin() as connection:
        suppress(connection, "lea@buyer.example", reason="complaint", source="fbl", now=NOW)
    with smtp_server() as inbox:
        report = _deliver(engine, inbox.port, Clock())
    assert (report.sent, report.suppressed) == (1, 1)
    assert [message["To"] for message in inbox.messages] == ["otto@buyer.example"]
    assert _rows(engine)[0] == ("opt_in:1", "suppressed", 1, NOW, None, "suppressed: complaint")


def test_an_erased_recipient_is_never_sent(engine: Engine, lea: int) -> None:
    _queue(engine, _mail("opt_in:1"))
    with engine.begin() as connection:
        connection.execute(update(outbound_mail).values(to_address=None))
    with smtp_server() as inbox:
        assert _deliver(engine, inbox.port, Clock()).suppressed == 1
    assert inbox.messages == []
    assert _rows(engine)[0][1:] == ("suppressed", 1, NOW, None, "suppressed: erased")


def test_queueing_is_idempotent_by_dedupe_key(engine: Engine, lea: int) -> None:
    statuses = _queue(
        engine,
        _mail("opt_in:1"),
        _mail("opt_in:1", subject="Another subject"),
        _mail("opt_in:2"),
    )
    assert statuses == ["queued", "duplicate", "queued"]
    with smtp_server() as inbox:
        assert _deliver(engine, inbox.port, Clock()).sent == 2
        assert _queue(engine, _mail("opt_in:1")) == ["duplicate"]
        assert _deliver(engine, inbox.port, Clock()).sent == 0
    assert [message["Subject"] for message in inbox.messages] == ["Confirm your address"] * 2


def test_a_claim_abandoned_by_a_crashed_worker_is_taken_up_again(engine: Engine, lea: int) -> None:
    _queue(engine, _mail("m:stale"), _mail("m:fresh", to="otto@buyer.example"))
    m = outbound_mail.c
    with engine.begin() as connection:
        for key, claimed_at in (("m:stale", NOW - timedelta(minutes=11)), ("m:fresh", NOW)):
            connection.execute(
                update(outbound_mail)
                .where(m.dedupe_key == key)
                .values(status="sending", attempts=1, not_before=claimed_at)
            )
    clock = Clock()
    clock.now = NOW + timedelta(minutes=1)
    with smtp_server() as inbox:
        report = _deliver(engine, inbox.port, clock)
    assert report.sent == 1
    assert [message["To"] for message in inbox.messages] == ["lea@buyer.example"]
    assert [(row[0], row[1], row[2]) for row in _rows(engine)] == [
        ("m:stale", "sent", 2),
        ("m:fresh", "sending", 1),
    ]


def test_a_message_no_server_would_take_fails_without_stopping_the_rest(
    engine: Engine, lea: int
) -> None:
    _queue(engine, _mail("m:bad", subject="Hello\nBcc: everyone@example.com"), _mail("m:good"))
    outcomes: list[str] = []
    with smtp_server() as inbox:
        report = _deliver(engine, inbox.port, Clock(), progress=outcomes.append)
    assert outcomes == ["failed", "sent"]
    assert (report.failed, report.sent, report.handled) == (1, 1, 2)
    bad = _rows(engine)[0]
    assert bad[1] == "failed" and bad[5].startswith("not sendable: ")
    assert len(inbox.messages) == 1 and inbox.messages[0]["Bcc"] is None


def test_the_limit_bounds_one_pass(engine: Engine, lea: int) -> None:
    _queue(engine, *[_mail(f"m:{n}", to=f"p{n}@buyer.example") for n in range(5)])
    with smtp_server() as inbox:
        assert _deliver(engine, inbox.port, Clock(), limit=3).sent == 3
        assert _deliver(engine, inbox.port, Clock(), limit=3).sent == 2
    assert [message["To"] for message in inbox.messages] == [
        f"p{n}@buyer.example" for n in range(5)
    ]


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://127.0.0.1:2525", SmtpTarget("127.0.0.1", 2525)),
        ("smtp://mail.example", SmtpTarget("mail.example", 25)),
        (
            "smtp://mailer:p%40ss@mail.example:587?starttls=1",
            SmtpTarget("mail.example", 587, "mailer", "p@ss", "starttls"),
        ),
        ("smtp://mail.example:587?starttls=true", SmtpTarget("mail.example", 587, tls="starttls")),
        ("smtp://mail.example:587?starttls=0", SmtpTarget("mail.example", 587)),
        ("smtps://u:pw@mail.example", SmtpTarget("mail.example", 465, "u", "pw", "ssl")),
    ],
)
def test_the_smtp_url_says_where_and_how(url: str, target: SmtpTarget) -> None:
    assert SmtpTarget.from_url(url) == target


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example", "must look like smtp://"),
        ("smtp://", "must look like smtp://"),
        ("smtp://mail.example:port", "port that is not a number"),
    ],
)
def test_a_wrong_smtp_url_says_what_is_expected(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SmtpTarget.from_url(url)


def test_one_pass_hands_everything_over_one_connection(engine: Engine, lea: int) -> None:
    _queue(engine, *[_mail(f"m:{n}", to=f"p{n}@buyer.example") for n in range(45)])
    with smtp_server() as inbox:
        assert _deliver(engine, inbox.port, Clock()).sent == 45
        assert _deliver(engine, inbox.port, Clock()).sent == 0
        _queue(engine, _mail("m:late"))
        assert _deliver(engine, inbox.port, Clock()).sent == 1
    assert len(inbox.messages) == 46
    assert len(set(inbox.peers[:45])) == 1
    assert inbox.peers[45] != inbox.peers[0]


def test_a_server_going_away_mid_pass_leaves_the_rest_queued_untried(
    engine: Engine, lea: int
) -> None:
    _queue(engine, *[_mail(f"m:{n}", to=f"p{n}@buyer.example") for n in range(4)])
    clock = Clock()
    with smtp_server() as inbox:
        inbox.closing_after = 1
        report = _deliver(engine, inbox.port, clock)
    assert (report.sent, report.retried, report.handled) == (1, 1, 2)
    assert report.stopped is not None and "shutting down" in report.stopped
    assert [row[:4] for row in _rows(engine)] == [
        ("m:0", "sent", 1, NOW),
        ("m:1", "queued", 1, NOW + BACKOFF[0]),
        ("m:2", "queued", 0, NOW),
        ("m:3", "queued", 0, NOW),
    ]


def test_a_kept_connection_the_server_closed_is_opened_again() -> None:
    port = free_port()
    transport = SmtpTransport(SmtpTarget("127.0.0.1", port), timeout=5)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@b.example", "c@d.example", "Hi"
    message.set_content("Hello.")
    with smtp_server(port) as first:
        transport.send(message)
    with smtp_server(port) as second:
        transport.send(message)
        transport.close()
        transport.close()
    assert (len(first.messages), len(second.messages)) == (1, 1)
