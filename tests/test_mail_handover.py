"""The hand-over's SMTP conversation: MAIL, RCPT and DATA in one write to a server that
offers PIPELINING (RFC 2920), one at a time to one that does not, every reply judged."""

from __future__ import annotations

from collections.abc import Sequence

from mail_world import Inbox, smtp_server
from silverplatter.services.mail_handover import Outgoing, Pool, hand_over
from silverplatter.services.smtp import SmtpTarget

SENDER = "Seller Oy <news@seller.example>"


def _message(number: int) -> bytes:
    return (
        f"From: news@seller.example\r\nTo: person{number}@buyer.example\r\n"
        f"Subject: Number {number}\r\nMessage-ID: <{number}@seller.example>\r\n\r\n"
        f".A line that starts with a dot\r\nHello {number}\r\n"
    ).encode("ascii")


def _items(*recipients: str) -> list[Outgoing]:
    return [Outgoing(n, recipient, _message(n)) for n, recipient in enumerate(recipients, 1)]


def _send(inbox: Inbox, pool: Pool, items: list[Outgoing]) -> list[list[int]]:
    """Hand ``items`` over; the send ids of each commit."""
    commits: list[list[int]] = []

    def commit(staged: Sequence[Outgoing]) -> None:
        commits.append([item.send_id for item in staged])

    hand_over(pool, items, sender=SENDER, commit=commit)
    return commits


def test_a_server_offering_pipelining_gets_the_envelope_in_one_write() -> None:
    with smtp_server() as inbox:
        inbox.pipelining = True
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=3, timeout=5)
        items = _items("a@buyer.example", "b@buyer.example", "c@other.example")
        commits = _send(inbox, pool, items)
        inbox.wait_for(3)
        assert all(connection.pipelining for connection in pool.connections)
        pool.close()
    assert commits == [[1, 2, 3]]
    assert [(item.outcome, item.error) for item in items] == [("sent", "")] * 3
    assert inbox.pipelined == [True, True, True]
    assert sorted(inbox.envelopes) == [
        ("news@seller.example", ["a@buyer.example"]),
        ("news@seller.example", ["b@buyer.example"]),
        ("news@seller.example", ["c@other.example"]),
    ]
    assert sorted(str(message["Subject"]) for message in inbox.messages) == [
        "Number 1",
        "Number 2",
        "Number 3",
    ]
    first = next(message for message in inbox.messages if message["Subject"] == "Number 1")
    assert first.get_content() == ".A line that starts with a dot\nHello 1\n"


def test_a_server_without_pipelining_gets_one_command_at_a_time() -> None:
    with smtp_server() as inbox:
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        items = _items("a@buyer.example", "b@buyer.example")
        commits = _send(inbox, pool, items)
        inbox.wait_for(2)
        assert not any(connection.pipelining for connection in pool.connections)
        pool.close()
    assert commits == [[1, 2]]
    assert [item.outcome for item in items] == ["sent", "sent"]
    assert inbox.pipelined == [False, False]


def test_a_refused_recipient_in_a_pipelined_group_fails_only_its_message() -> None:
    with smtp_server() as inbox:
        inbox.pipelining = True
        inbox.refuse["nobody@buyer.example"] = "550 5.1.1 no such user"
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        first = _items("a@buyer.example", "nobody@buyer.example")
        commits = _send(inbox, pool, first)
        # The connection that had the refusal takes the next message.
        second = _items("b@buyer.example", "c@buyer.example")
        commits += _send(inbox, pool, second)
        inbox.wait_for(3)
        pool.close()
    assert commits == [[1], [1, 2]]
    assert [(item.outcome, item.error) for item in first] == [
        ("sent", ""),
        ("failed", "550 5.1.1 no such user"),
    ]
    assert [item.outcome for item in second] == ["sent", "sent"]
    assert sorted(rcpts[0] for _sender, rcpts in inbox.envelopes) == [
        "a@buyer.example",
        "b@buyer.example",
        "c@buyer.example",
    ]
    assert len(set(inbox.peers)) == 2


def test_a_server_refusing_the_sender_is_the_servers_trouble() -> None:
    with smtp_server() as inbox:
        inbox.pipelining = True
        inbox.closing_after = 0
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=1, timeout=5)
        items = _items("a@buyer.example")
        commits = _send(inbox, pool, items)
        pool.close()
    assert commits == [[]]
    assert [(item.outcome, item.error, item.server_trouble) for item in items] == [
        ("retry", "421 4.3.2 shutting down", True)
    ]
    assert inbox.messages == []


def test_an_address_that_cannot_stand_in_a_pipelined_command_is_not_sent() -> None:
    with smtp_server() as inbox:
        inbox.pipelining = True
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        items = _items("a@buyer.example>\r\nRCPT TO:<b@buyer.example", "c@buyer.example")
        commits = _send(inbox, pool, items)
        inbox.wait_for(1)
        pool.close()
    assert commits == [[2]]
    assert [(item.outcome, item.error) for item in items] == [
        ("failed", "not an address to send to: 'a@buyer.example>\\r\\nRCPT TO:<b@buyer.example'"),
        ("sent", ""),
    ]
    assert [rcpts for _sender, rcpts in inbox.envelopes] == [["c@buyer.example"]]
